package dev.steer.loadgen.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import dev.steer.actors.IdleMode;
import dev.steer.actors.SteerEngine;
import dev.steer.engine.frame.Frame;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.path.FrameBatch;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.path.TemplateFeed;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters;
import dev.steer.loadgen.traffic.PacketTemplates;

/**
 * The actor runtime end to end, against Pekko with one frame per {@code tell}:
 * <ul>
 *   <li>{@code engine}: a running {@link SteerEngine}: synthetic feed of 64-byte frames → {@code l4-hash} →
 *       bulk queue → ring → consumer actor → no-op handler, 1 ingress (CPU 0), 1 entry (CPU 1). The benchmark
 *       thread only samples the handler's count every 100 ms, so {@code frames} is the engine's delivered rate;</li>
 *   <li>{@code tellPerFrame}: the benchmark thread tells an actor one frame per message (at most 8192 in
 *       flight), the actor counts them.</li>
 * </ul>
 * With {@code -prof gc}, divide {@code gc.alloc.rate.norm} by frames per op for bytes per frame (JMH counts
 * the allocation of every thread, the engine's included). The raw queue handoffs are in {@link HandoffBenchmark}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class EngineBenchmark {
    /** A handler that counts frames; one writer (the consumer), any reader. */
    public static final class CountingHandler implements FrameHandler {
        private static final VarHandle COUNT;

        static {
            try {
                COUNT = MethodHandles.lookup().findVarHandle(CountingHandler.class, "count", long.class);
            } catch (ReflectiveOperationException ex) {
                throw new ExceptionInInitializerError(ex);
            }
        }

        private long p0, p1, p2, p3, p4, p5, p6, p7;
        private volatile long count;
        private long q0, q1, q2, q3, q4, q5, q6, q7;

        @Override
        public void onFrames(FrameBatch batch) {
            add(batch.size());
        }

        void add(int n) {
            COUNT.setOpaque(this, (long) COUNT.getOpaque(this) + n);
        }

        /** Frames handled so far. */
        public long count() {
            return (long) COUNT.getOpaque(this);
        }

        /** Frames handled while the calling thread sleeps {@code millis}: a benchmark's sample of a running path. */
        long countOver(long millis) throws InterruptedException {
            final long before = count();
            Thread.sleep(millis);
            return count() - before;
        }
    }

    /**
     * What every engine benchmark runs: {@code l4-hash} on an ingress on CPU 0 to one entry of {@code qsize} on CPU 1
     * (CPU 0 on a machine of one), consumed into {@code handler} with the {@code idle} mode; the caller adds the feed.
     */
    static SteerEngine.Builder benchEngine(int qsize, FrameHandler handler, String idle) {
        final int consumerCpu = Math.min(1, CpuSet.fromMachine().limit() - 1);
        return SteerEngine.builder().cpus(CpuSet.fromMachine()).entry(consumerCpu, qsize).program("l4-hash")
            .ingressCpus(0).handler(handler).idleMode(IdleMode.parse(idle)).systemName("bench");
    }

    /** Stops {@code engine} and prints its accounting to stderr, off the measurement; returns its last statistics. */
    static EngineStats shutdownAndPrint(SteerEngine engine) {
        final EngineStats stats = engine.shutdown();
        System.err.println("\nengine accounting: " + stats.accounting() + ", pools full: " + stats.poolsFull());
        return stats;
    }

    /** A running engine. */
    @State(Scope.Benchmark)
    public static class Engine {
        /** Ring size of the entry. */
        @Param({"2048"})
        public int qsize;
        /** What the consumer does with an empty ring: park at once (the default) or spin and yield first. */
        @Param({"park", "backoff"})
        public String idle;

        SteerEngine engine;
        final CountingHandler handler = new CountingHandler();

        /** Starts the engine with an endless synthetic feed. */
        @Setup(Level.Trial)
        public void start() {
            engine = benchEngine(qsize, handler, idle)
                .feed(new TemplateFeed("synthetic", PacketTemplates.udp4(1024, PacketTemplates.MIN_FRAME),
                    TemplateFeed.UNLIMITED))
                .start();
        }

        /** Stops the engine and prints its accounting. */
        @TearDown(Level.Trial)
        public void stop() {
            final EngineStats stats = shutdownAndPrint(engine);
            // Parks per 1000 delivered frames: each one costs a producer an unpark (a system call).
            final long delivered = stats.consumerTotal(PathCounters.Counter.DELIVERED);
            final long parks = stats.consumerTotal(PathCounters.Counter.SCHED);
            System.err.printf(Locale.ROOT, "consumer parks: %d, per 1000 frames: %.2f%n", parks,
                1000.0 * parks / Math.max(1, delivered));
        }
    }

    /** An actor that counts the frames told to it. */
    @State(Scope.Benchmark)
    public static class Tell {
        ActorSystem<Frame> system;
        final CountingHandler received = new CountingHandler();
        final Frame[] one = new Frame[1];
        long sent;

        /** Starts the counting actor. */
        @Setup(Level.Trial)
        public void start() {
            system = ActorSystem.create(counter(received), "tell");
        }

        /** Stops it. */
        @TearDown(Level.Trial)
        public void stop() {
            system.terminate();
        }

        private static Behavior<Frame> counter(CountingHandler received) {
            return Behaviors.receive(Frame.class).onAnyMessage(frame -> {
                received.add(1);
                return Behaviors.same();
            }).build();
        }
    }

    /** Samples the engine's delivered count over 100 ms. */
    @Benchmark
    public void engine(Engine e, HandoffBenchmark.Delivered d) throws InterruptedException {
        d.frames += e.handler.countOver(100);
    }

    /** One frame per tell; the message is a preallocated object, so what is allocated is Pekko's own. */
    @Benchmark
    public int tellPerFrame(Tell t, HandoffBenchmark.Delivered d) {
        if (t.sent - t.received.count() >= 8192) {
            Thread.onSpinWait();
            return 0;
        }
        t.system.tell(TELL_FRAME);
        t.sent++;
        d.frames++;
        return 1;
    }

    private static final Frame TELL_FRAME = new dev.steer.engine.frame.FramePool(
        new dev.steer.engine.frame.FramePool.Context().frameCount(1)).lease();
}
