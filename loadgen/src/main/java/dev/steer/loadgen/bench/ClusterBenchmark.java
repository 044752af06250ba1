package dev.steer.loadgen.bench;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.AuxCounters;
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
import dev.steer.cluster.ClusterNode;
import dev.steer.cluster.ClusterSettings;
import dev.steer.cluster.KryoSerializer;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.path.TemplateFeed;
import dev.steer.engine.program.RoundRobinProgram;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.EngineStats;
import dev.steer.loadgen.traffic.PacketTemplates;

/**
 * Cross-node steering on loopback: two cluster nodes (two actor systems in the benchmark's JVM, Artery TCP on
 * 127.0.0.1). Node a runs a synthetic feed of 64-byte frames (60 without FCS) steered round-robin to keys 1 to
 * {@code keys}, all placed on node b: ingress → rings → b's node link → Kryo batches over Artery → b's receiver →
 * b's rings → consumers → a counting handler. The benchmark thread samples b's handler every 100 ms, so {@code frames} is the cross-node delivered
 * rate, and {@code wireBytes} the Kryo payload of the batches sent meanwhile: {@code wireBytes / frames} is the
 * serialised bytes per frame (Artery adds an envelope of a few tens of bytes per batch, and each batch has an
 * acknowledgement of about as much the other way).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class ClusterBenchmark {
    /** Frames delivered on the remote node and batch bytes sent, per iteration. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Wire {
        /** Frames delivered by b's handler. */
        public long frames;
        /** Serialised batch bytes a sent. */
        public long wireBytes;

        /** Clears the counts. */
        @Setup(Level.Iteration)
        public void reset() {
            frames = 0;
            wireBytes = 0;
        }
    }

    /** Two running nodes with keys 1 to {@code keys} of a's traffic placed on b. */
    @State(Scope.Benchmark)
    public static class Cluster {
        /** Frames per forwarded batch. */
        @Param({"64", "256"})
        public int batchFrames;
        /** Unacknowledged batches per target node. */
        @Param({"8", "32"})
        public int maxInFlight;
        /** Keys placed on b, sharing its node link. */
        @Param({"1", "4"})
        public int keys;

        ClusterNode a;
        ClusterNode b;
        final EngineBenchmark.CountingHandler handler = new EngineBenchmark.CountingHandler();

        /** Starts both nodes, forms the cluster, places the keys on b. */
        @Setup(Level.Trial)
        public void start() {
            final int second = Math.min(1, CpuSet.fromMachine().limit() - 1);
            final CpuSet cpus = CpuSet.of(keys + 1, 0, second);
            final int[] targets = new int[keys];
            for (int i = 0; i < keys; i++) {
                targets[i] = i + 1;
            }
            a = ClusterNode.start(new ClusterSettings().batchFrames(batchFrames).maxInFlight(maxInFlight),
                SteerEngine.builder().cpus(cpus).maxEntries(keys + 1)
                    .program(new RoundRobinProgram(targets, Verdict.DROP))
                    .ingressCpus(0).feed(new TemplateFeed("synthetic",
                        PacketTemplates.udp4(1024, PacketTemplates.MIN_FRAME), TemplateFeed.UNLIMITED)));
            b = ClusterNode.start(new ClusterSettings().seed(a.address()),
                SteerEngine.builder().cpus(cpus).maxEntries(keys + 1).handler(handler)
                    .program(new RoundRobinProgram(new int[] {1}, Verdict.DROP)));
            if (!a.awaitMembers(2, Duration.ofSeconds(30)) || !b.awaitMembers(2, Duration.ofSeconds(30))) {
                throw new IllegalStateException("the two nodes did not form a cluster");
            }
            for (int key = 1; key <= keys; key++) {
                final MapResult placed = a.update(key, 8192, b.address(), key % 2 == 1 ? second : 0, CpuMap.ANY);
                if (placed != MapResult.OK || !a.awaitEntry(key, 8192, Duration.ofSeconds(10))
                    || !b.awaitEntry(key, 8192, Duration.ofSeconds(10))) {
                    throw new IllegalStateException("cannot place key " + key + " on b: " + placed);
                }
            }
        }

        /** Stops both nodes and prints their accounting. */
        @TearDown(Level.Trial)
        public void stop() {
            final EngineStats sa = a.shutdown();
            final EngineStats sb = b.shutdown();
            System.err.println("\nnode a: " + sa.accounting() + ", pools full: " + sa.poolsFull()
                + "\nnode b: " + sb.accounting() + ", pools full: " + sb.poolsFull()
                + "\nbatch bytes sent: " + KryoSerializer.batchBytes() + "\nlinks: " + a.links());
        }
    }

    /** Samples b's delivered count and a's serialised batch bytes over 100 ms. */
    @Benchmark
    public void crossNode(Cluster c, Wire w) throws InterruptedException {
        final long frames = c.handler.count();
        final long bytes = KryoSerializer.batchBytes();
        Thread.sleep(100);
        w.frames += c.handler.count() - frames;
        w.wireBytes += KryoSerializer.batchBytes() - bytes;
    }
}
