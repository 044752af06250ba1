package dev.steer.loadgen.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
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
import dev.steer.engine.program.PacketView;
import dev.steer.engine.program.Programs;
import dev.steer.engine.program.SteeringProgram;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.ring.ManyToOneRing;
import dev.steer.engine.stats.PathCounters;
import dev.steer.loadgen.traffic.PacketTemplates;

/**
 * The cost of the data path per frame on one thread, without the noise of a second core: the figures to
 * decide an optimisation by ({@code -bm avgt}, ns per frame).
 * <ul>
 *   <li>{@code path}: one ingress poll of 64 packets (copy into a pool frame, program, bulk queue, ring),
 *       then the consumer path drains the ring into the no-op handler and returns the frames;</li>
 *   <li>{@code ingress}: the same poll, then the ring is drained with the bare minimum (drain, release to
 *       the pool), so {@code path - ingress} is roughly the consumer path's own cost;</li>
 *   <li>{@code program}: the steering program alone on one 60-byte packet.</li>
 * </ul>
 * Run with {@code -prof gc}: {@code gc.alloc.rate.norm} must be 0 B/op.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(1)
public class PathCostBenchmark {
    private static final int BUDGET = IngressPath.DEFAULT_BUDGET;
    private static final int BATCH = 8;

    /** One ingress and one entry's consumer, driven by the benchmark thread. */
    @State(Scope.Thread)
    public static class Path {
        /** The steering program, by its name in {@link Programs}. */
        @Param({"no-touch", "l4-hash"})
        public String program;
        /** Frames in the pool: the default 8192, or few enough that the frames in use stay in the cache. */
        @Param({"8192"})
        public int frames;

        IngressPath ingress;
        ConsumerPath consumer;
        TemplateFeed feed;
        ManyToOneRing ring;
        final int[] drained = new int[BUDGET];
        SteeringProgram steering;
        final PacketView view = new PacketView();
        org.agrona.concurrent.UnsafeBuffer packet;

        /** Builds the pool, the map with one entry, and both paths. */
        @Setup(Level.Trial)
        public void setup() {
            final FramePool pool = new FramePool(new FramePool.Context().id("cost").frameCount(frames).checked(false));
            final CpuMap map = CpuMap.create(1, 0, CpuSet.all(1), Capabilities.admin(), EntryLifecycle.NONE).map();
            if (map.update(0, EntryValue.of(2048), CpuMap.ANY) != MapResult.OK) {
                throw new IllegalStateException("cannot create the benchmark's map entry");
            }
            final byte[][] templates = PacketTemplates.udp4(1024, PacketTemplates.MIN_FRAME);
            feed = new TemplateFeed("cost", templates, TemplateFeed.UNLIMITED);
            ingress = new IngressPath(1, 0, pool, Programs.create(program, new int[] {0}, Verdict.DROP), map,
                FrameHandler.NO_OP, BATCH, BUDGET, false, new PathCounters("ingress-0", 1),
                HandlerBatch.ErrorSink.IGNORE);
            consumer = new ConsumerPath(map.snapshot().entry(0), map, FrameHandler.NO_OP, BATCH,
                HandlerBatch.ErrorSink.IGNORE);
            ring = map.snapshot().entry(0).ring();
            steering = Programs.create(program, new int[] {0}, Verdict.DROP).forIngress();
            packet = new org.agrona.concurrent.UnsafeBuffer(templates[7]);
        }
    }

    /** Ingress poll plus consumer drain: the whole path, per frame. */
    @Benchmark
    @OperationsPerInvocation(BUDGET)
    public int path(Path p) {
        int n = p.ingress.poll(p.feed);
        while (p.consumer.doWork() > 0) {
            n++;
        }
        return n;
    }

    /** Ingress poll plus a bare drain back to the pool: the ingress side, per frame. */
    @Benchmark
    @OperationsPerInvocation(BUDGET)
    public int ingress(Path p) {
        final int n = p.ingress.poll(p.feed);
        final int taken = p.ring.drain(p.drained, BUDGET);
        FramePool.releaseAll(p.drained, 0, taken);
        return n + taken;
    }

    /** The program alone on one packet. */
    @Benchmark
    public long program(Path p) {
        return p.steering.run(p.view.wrap(p.packet, 0, p.packet.capacity()));
    }
}
