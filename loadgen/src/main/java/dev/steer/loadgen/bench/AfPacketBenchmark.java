package dev.steer.loadgen.bench;

import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
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

import dev.steer.engine.frame.FramePool;
import dev.steer.engine.map.Capabilities;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryLifecycle;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.path.HandlerBatch;
import dev.steer.engine.path.IngressPath;
import dev.steer.engine.program.Programs;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;
import dev.steer.ingress.afpacket.AfPacketFeed;
import dev.steer.ingress.afpacket.AfPacketSender;
import dev.steer.ingress.afpacket.AfPacketSettings;
import dev.steer.ingress.afpacket.NetNamespace;
import dev.steer.loadgen.traffic.PacketTemplates;

/**
 * The AF_PACKET feed's receive rate as the engine uses it: a sender thread blasts 64-byte frames (60 bytes
 * without FCS, 1024 UDP flows) into one end of a veth pair in a private network namespace; the benchmark
 * thread polls an {@link AfPacketFeed} on the other end through a real {@link IngressPath} (pool copy,
 * {@code no-touch} program with no map entry, fallback PASS, no-op local handler). {@code frames} is the
 * rate at which frames went through the ingress; the feed's kernel overruns and the sender's refusals are
 * printed at the end. Needs root (namespace, CAP_NET_RAW) and fails at setup saying so otherwise.
 *
 * <p>With {@code -prof gc}, {@code gc.alloc.rate.norm} is bytes per poll (of up to 64 frames) over every
 * thread, the sender's included; divide by frames per poll for bytes per frame.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@Threads(1)
public class AfPacketBenchmark {
    /** A namespace with a veth pair, a blasting sender on one end and an ingress on the other. */
    @State(Scope.Benchmark)
    public static class Rx {
        /** Ring block size in bytes. */
        @Param({"262144"})
        public int blockSize;

        NetNamespace namespace;
        AfPacketFeed feed;
        IngressPath ingress;
        Thread blaster;
        volatile boolean running = true;
        long sent;
        long refused;

        /** Builds the namespace, the feed, the ingress and starts the sender. */
        @Setup(Level.Trial)
        public void start() {
            final String reason = NetNamespace.unavailableReason();
            if (reason != null) {
                throw new IllegalStateException("AfPacketBenchmark cannot run: " + reason);
            }
            namespace = NetNamespace.createUnique("steer-bench");
            try {
                namespace.addVethPair("tx", "rx", 1500);
                feed = AfPacketFeed.open(AfPacketSettings.of("rx").withNetns(namespace.name()).withRing(blockSize, 64));
            } catch (RuntimeException ex) {
                // JMH runs no tear-down after a failed setup: leave no namespace behind.
                namespace.close();
                throw ex;
            }
            final FramePool pool = new FramePool(new FramePool.Context().id("afpacket-bench").frameCount(8192).checked(false));
            final CpuMap map = CpuMap.create(1, 0, CpuSet.all(1), Capabilities.admin(), EntryLifecycle.NONE).map();
            ingress = new IngressPath(1, 0, pool, Programs.create("no-touch", new int[] {0}, Verdict.PASS), map,
                FrameHandler.NO_OP, 8, IngressPath.DEFAULT_BUDGET, false, new PathCounters("afpacket-0", 1),
                HandlerBatch.ErrorSink.IGNORE);
            final AfPacketSender sender = AfPacketSender.open(namespace.name(), "tx");
            final byte[][] templates = PacketTemplates.udp4(1024, PacketTemplates.MIN_FRAME);
            final UnsafeBuffer[] frames = new UnsafeBuffer[templates.length];
            for (int i = 0; i < templates.length; i++) {
                frames[i] = new UnsafeBuffer(templates[i]);
            }
            blaster = new Thread(() -> blast(sender, frames), "afpacket-blaster");
            blaster.setDaemon(true);
            blaster.start();
        }

        private void blast(AfPacketSender sender, UnsafeBuffer[] frames) {
            try (sender) {
                int next = 0;
                while (running) {
                    // Batches of up to 32 frames, one sendmmsg(2) each: the sender, not the feed, would
                    // otherwise be what is measured.
                    if (sender.stage(frames[next], 0, PacketTemplates.MIN_FRAME) < 0) {
                        Thread.onSpinWait();
                    } else if (++next == frames.length) {
                        next = 0;
                    }
                }
                sender.flush();
                sent = sender.sent();
                refused = sender.backPressured() + sender.failed();
            }
        }

        /** Stops the sender, prints the feed's counters, closes everything and deletes the namespace. */
        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            running = false;
            blaster.join(10_000);
            final PathCounters counters = ingress.counters();
            System.err.println("\nafpacket: sent=" + sent + " refused=" + refused + " " + feed + " ingress received="
                + counters.get(PathCounters.Counter.RECEIVED) + " delivered=" + counters.get(PathCounters.Counter.DELIVERED)
                + " feed_overrun=" + counters.dropped(DropReason.FEED_OVERRUN));
            feed.close();
            namespace.close();
        }
    }

    /** One NAPI-style poll of up to 64 frames through the ingress. */
    @Benchmark
    public int poll(Rx rx, HandoffBenchmark.Delivered d) {
        final int n = rx.ingress.poll(rx.feed);
        if (n > 0) {
            d.frames += n;
        }
        return n;
    }
}
