package dev.steer.loadgen.bench;

import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscArrayQueue;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import dev.steer.engine.frame.FramePool;
import dev.steer.engine.map.Capabilities;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryLifecycle;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.path.ConsumerPath;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.path.HandlerBatch;
import dev.steer.engine.path.IngressPath;
import dev.steer.engine.path.TemplateFeed;
import dev.steer.engine.program.Programs;
import dev.steer.engine.ring.ManyToOneRing;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.PathCounters;
import dev.steer.loadgen.traffic.PacketTemplates;

/**
 * One producer thread, one consumer thread, side by side in one run:
 * <ul>
 *   <li>{@code steer}: the engine's data path without actors: synthetic feed, a frame leased from the pool
 *       and filled per packet, the steering program, bulk queue of 8, entry ring, consumer batches of 8,
 *       no-op handler, frames back to the pool;</li>
 *   <li>{@code ring}: the engine's {@link ManyToOneRing} alone, offer 8 / drain 8 of int handles;</li>
 *   <li>{@code jctools}: JCTools {@link MpscArrayQueue}, fill 8 / drain 8;</li>
 *   <li>{@code agrona}: Agrona {@link ManyToOneConcurrentArrayQueue}, offer 1 / drain 8.</li>
 * </ul>
 * The figure to read is the consumer's {@code frames} counter: items that crossed from one thread to the
 * other per second. Run with {@code -prof gc}: {@code gc.alloc.rate} must stay at 0 MB/s.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HandoffBenchmark {
    private static final int BATCH = 8;

    /** Items the consumer took, per second; reset by JMH every iteration. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Delivered {
        /** Frames (or tokens) that reached the consumer. */
        public long frames;

        /** Clears the count. */
        @Setup(Level.Iteration)
        public void reset() {
            frames = 0;
        }

        /**
         * Counts {@code n} more and returns it, for a consumer to return what it took. Package-private: JMH takes the
         * public methods of an {@code @AuxCounters} state for counters.
         */
        int add(int n) {
            frames += n;
            return n;
        }
    }

    /** The engine data path: pool, program, bulk queue, ring, consumer. */
    @State(Scope.Group)
    public static class Steer {
        /** The steering program, by its name in {@link Programs}. */
        @Param({"no-touch", "l4-hash"})
        public String program;
        /** The entry's ring size. */
        @Param({"2048"})
        public int qsize;
        /** Packet size in bytes, Ethernet header included (60 = a 64-byte frame on the wire). */
        @Param({"60"})
        public int packetSize;

        IngressPath ingress;
        ConsumerPath consumer;
        TemplateFeed feed;

        /** Builds the pool, the map with one entry, and both paths. */
        @Setup(Level.Trial)
        public void setup() {
            final FramePool pool = new FramePool(new FramePool.Context().id("bench").frameCount(8192).checked(false));
            final CpuMap map = CpuMap.create(1, 0, CpuSet.all(1), Capabilities.admin(), EntryLifecycle.NONE).map();
            if (map.update(0, EntryValue.of(qsize), CpuMap.ANY) != MapResult.OK) {
                throw new IllegalStateException("cannot create the benchmark's map entry");
            }
            feed = new TemplateFeed("bench", PacketTemplates.udp4(1024, packetSize), TemplateFeed.UNLIMITED);
            ingress = new IngressPath(1, 0, pool, Programs.create(program, new int[] {0}, Verdict.DROP), map,
                FrameHandler.NO_OP, BATCH, IngressPath.DEFAULT_BUDGET, false, new PathCounters("ingress-0", 1),
                HandlerBatch.ErrorSink.IGNORE);
            consumer = new ConsumerPath(map.snapshot().entry(0), map, FrameHandler.NO_OP, BATCH,
                HandlerBatch.ErrorSink.IGNORE);
        }
    }

    /** The engine's ring alone. */
    @State(Scope.Group)
    public static class Ring {
        final ManyToOneRing ring = new ManyToOneRing(2048);
        final int[] tokens = {1, 2, 3, 4, 5, 6, 7, 8};
        final int[] drained = new int[BATCH];
    }

    /** JCTools' MPSC queue. */
    @State(Scope.Group)
    public static class JcTools {
        final MpscArrayQueue<Object> queue = new MpscArrayQueue<>(2048);
        final Object token = new Object();
        final MessagePassingQueue.Supplier<Object> supplier = () -> token;
        long taken;
        final MessagePassingQueue.Consumer<Object> sink = item -> taken++;
    }

    /** Agrona's many-to-one queue. */
    @State(Scope.Group)
    public static class Agrona {
        final ManyToOneConcurrentArrayQueue<Object> queue = new ManyToOneConcurrentArrayQueue<>(2048);
        final Object token = new Object();
        long taken;
        final java.util.function.Consumer<Object> sink = item -> taken++;
    }

    /** Steer producer: one NAPI-style poll of 64 packets. */
    @Benchmark
    @Group("steer")
    @GroupThreads(1)
    public int steerIngress(Steer s) {
        return s.ingress.poll(s.feed);
    }

    /** Steer consumer: one batch of up to 8 frames to the no-op handler. */
    @Benchmark
    @Group("steer")
    @GroupThreads(1)
    public int steerConsumer(Steer s, Delivered d) {
        return d.add(s.consumer.doWork());
    }

    /** Ring producer: offer 8. */
    @Benchmark
    @Group("ring")
    @GroupThreads(1)
    public int ringProducer(Ring r) {
        return r.ring.offer(r.tokens, 0, BATCH);
    }

    /** Ring consumer: drain up to 8. */
    @Benchmark
    @Group("ring")
    @GroupThreads(1)
    public int ringConsumer(Ring r, Delivered d) {
        return d.add(r.ring.drain(r.drained, BATCH));
    }

    /** JCTools producer: fill 8. */
    @Benchmark
    @Group("jctools")
    @GroupThreads(1)
    public int jctoolsProducer(JcTools q) {
        return q.queue.fill(q.supplier, BATCH);
    }

    /** JCTools consumer: drain up to 8. */
    @Benchmark
    @Group("jctools")
    @GroupThreads(1)
    public int jctoolsConsumer(JcTools q, Delivered d) {
        return d.add(q.queue.drain(q.sink, BATCH));
    }

    /** Agrona producer: offer 1. */
    @Benchmark
    @Group("agrona")
    @GroupThreads(1)
    public boolean agronaProducer(Agrona q) {
        return q.queue.offer(q.token);
    }

    /** Agrona consumer: drain up to 8. */
    @Benchmark
    @Group("agrona")
    @GroupThreads(1)
    public int agronaConsumer(Agrona q, Delivered d) {
        return d.add(q.queue.drain(q.sink, BATCH));
    }
}
