package dev.steer.loadgen.bench;

import java.util.concurrent.TimeUnit;

import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.concurrent.BackoffIdleStrategy;
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

import dev.steer.actors.SteerEngine;
import dev.steer.ingress.aeron.AeronFeed;
import dev.steer.ingress.aeron.AeronMedia;
import dev.steer.loadgen.send.AeronOutput;
import dev.steer.loadgen.send.FrameSource;
import dev.steer.loadgen.send.SendLoop;
import dev.steer.loadgen.traffic.PacketTemplates;

/**
 * The engine on an Aeron IPC feed against Aeron IPC alone, with the same publisher thread sending 64-byte
 * frames (1024 UDP flows) as fast as the publication takes them through an embedded media driver:
 * <ul>
 *   <li>{@code aeronAlone}: a subscriber thread polls the subscription (fragment limit 64) and counts;</li>
 *   <li>{@code engineOnAeron}: a running {@link SteerEngine} whose one ingress polls an {@link AeronFeed}
 *       (lossless: a full ring back-pressures the publisher, so the figure is frames that went all the way)
 *       → {@code l4-hash} → ring → consumer actor → counting handler.</li>
 * </ul>
 * The benchmark thread samples the receiving side's count every 100 ms. The engine has one more thread
 * (publisher, ingress, consumer) than Aeron alone (publisher, subscriber) on a machine of two cores.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class AeronBenchmark {
    static final int STREAM = 4242;

    /** The publishing side and the driver, shared by both rows. */
    abstract static class Publishing {
        AeronMedia media;
        SendLoop publisher;

        void startPublisher() {
            // Spins then yields on a back-pressured offer, never parks: back-pressure is what these rows measure, and
            // every figure of them in docs/benchmarks.md was taken with this retry.
            publisher = new SendLoop("bench-publisher",
                FrameSource.cycling(PacketTemplates.udp4(1024, PacketTemplates.MIN_FRAME)),
                new AeronOutput(media.aeron(), "aeron:ipc", STREAM), SendLoop.UNPACED, Long.MAX_VALUE, 2048,
                SendLoop.spinThenYield()).start();
        }

        void stopPublisher() throws InterruptedException {
            publisher.close();
        }
    }

    /** Aeron alone: a subscriber thread counting fragments. */
    @State(Scope.Benchmark)
    public static class Alone extends Publishing {
        final EngineBenchmark.CountingHandler counted = new EngineBenchmark.CountingHandler();
        volatile boolean running = true;
        Thread subscriber;

        /** Starts driver, subscriber and publisher. */
        @Setup(Level.Trial)
        public void start() {
            media = AeronMedia.embedded();
            final Subscription subscription = media.aeron().addSubscription("aeron:ipc", STREAM);
            final FragmentHandler count = (buffer, offset, length, header) -> counted.add(1);
            subscriber = new Thread(() -> {
                final BackoffIdleStrategy idle = new BackoffIdleStrategy();
                while (running) {
                    idle.idle(subscription.poll(count, 64));
                }
                subscription.close();
            }, "bench-subscriber");
            subscriber.start();
            startPublisher();
        }

        /** Stops everything. */
        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            stopPublisher();
            running = false;
            subscriber.join(5_000);
            media.close();
        }
    }

    /** The engine on an Aeron IPC feed. */
    @State(Scope.Benchmark)
    public static class OnAeron extends Publishing {
        /** Consumer idle mode. */
        @Param({"park", "backoff"})
        public String idle;

        final EngineBenchmark.CountingHandler handler = new EngineBenchmark.CountingHandler();
        SteerEngine engine;

        /** Starts driver, engine and publisher. */
        @Setup(Level.Trial)
        public void start() {
            media = AeronMedia.embedded();
            engine = EngineBenchmark.benchEngine(2048, handler, idle).lossless(true)
                .feed(new AeronFeed(media, new AeronFeed.Settings("aeron:ipc", STREAM, AeronFeed.Mode.LOSSLESS)))
                .start();
            startPublisher();
        }

        /** Stops publisher, engine (printing its accounting) and driver. */
        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            stopPublisher();
            EngineBenchmark.shutdownAndPrint(engine);
            media.close();
        }
    }

    /** Samples Aeron-alone's subscriber count over 100 ms. */
    @Benchmark
    public void aeronAlone(Alone a, HandoffBenchmark.Delivered d) throws InterruptedException {
        d.frames += a.counted.countOver(100);
    }

    /** Samples the engine's delivered count over 100 ms. */
    @Benchmark
    public void engineOnAeron(OnAeron e, HandoffBenchmark.Delivered d) throws InterruptedException {
        d.frames += e.handler.countOver(100);
    }
}
