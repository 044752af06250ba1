package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import dev.steer.actors.SteerEngine;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.program.RoundRobinProgram;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.EngineStats;

/** Test support: starts cluster nodes on 127.0.0.1 with free ports and shuts down whatever is left at the end. */
final class Nodes implements AutoCloseable {
    static final int MAX_ENTRIES = 4;

    private final List<ClusterNode> started = new ArrayList<>();

    /** An engine of 4 slots on CPUs 0 and 1, unpinned, steering every frame to {@code targets} round-robin. */
    static SteerEngine.Builder engine(Feed feed, FrameHandler handler, int... targets) {
        final SteerEngine.Builder builder = SteerEngine.builder().cpus(CpuSet.of(MAX_ENTRIES, 0, 1))
            .maxEntries(MAX_ENTRIES).pinning(false).poolFrames(4096).handler(handler)
            .program(new RoundRobinProgram(targets.length == 0 ? new int[] {1} : targets, Verdict.DROP))
            .closeTimeout(Duration.ofSeconds(30));
        if (feed != null) {
            builder.feed(feed);
        }
        return builder;
    }

    /** Faster gossip and leader actions than Pekko's 1 s defaults: joins and leaves take fewer seconds. */
    static final Config FAST = ConfigFactory.parseString("""
        pekko.cluster.gossip-interval = 200ms
        pekko.cluster.leader-actions-interval = 200ms
        pekko.cluster.unreachable-nodes-reaper-interval = 250ms
        pekko.cluster.periodic-tasks-initial-delay = 100ms
        """);

    /** Settings for a test node: fast gossip, failure detection and downing. */
    static ClusterSettings settings() {
        return settings(ConfigFactory.empty());
    }

    /** {@link #settings()} with {@code extra} Pekko settings over them. */
    static ClusterSettings settings(Config extra) {
        return new ClusterSettings().heartbeatPause(Duration.ofSeconds(2)).downAfter(Duration.ofSeconds(2))
            .drainTimeout(Duration.ofSeconds(3)).extraConfig(extra.withFallback(FAST));
    }

    ClusterNode start(ClusterSettings settings, SteerEngine.Builder engine) {
        return start(settings, engine, MapOwner.TestHook.NONE);
    }

    /** {@link #start(ClusterSettings, SteerEngine.Builder)} whose owner singleton, when it runs there, calls {@code hook}. */
    ClusterNode start(ClusterSettings settings, SteerEngine.Builder engine, MapOwner.TestHook hook) {
        final ClusterNode node = ClusterNode.start(settings, engine, hook);
        started.add(node);
        return node;
    }

    /** Two started nodes that see each other as members: a, and b seeded by a. */
    record Pair(ClusterNode a, ClusterNode b) {
        /** {@link Nodes#place} of {@code key} on b through a. */
        void placeOnB(int key, int qsize) {
            place(a, key, qsize, b);
        }

        /** Nothing in flight on either node, and b's receiver took every frame a counts forwarded. */
        boolean settled() {
            final Accounting aa = a.stats().accounting();
            final Accounting ab = b.stats().accounting();
            return aa.inFlight() == 0 && ab.inFlight() == 0 && ab.received() == aa.forwarded();
        }

        /**
         * Waits at most {@code timeout} until {@code feed} has sent {@code frames} and the pair has {@link #settled},
         * then shuts a down and b after it.
         *
         * @return a's links just before its shutdown and both nodes' final stats
         */
        Stopped settleAndStop(SequenceFeed feed, long frames, Duration timeout) {
            assertTrue(await(() -> feed.sent() == frames && settled(), timeout),
                "every frame settles: a " + a.stats().accounting() + " / b " + b.stats().accounting());
            final List<LinkStats> links = a.links();
            final EngineStats sa = a.shutdown();
            final EngineStats sb = b.shutdown();
            return new Stopped(links, sa, sb);
        }
    }

    /** What {@link Pair#settleAndStop} leaves: a's links just before its shutdown, and both nodes' final stats. */
    record Stopped(List<LinkStats> links, EngineStats a, EngineStats b) {
    }

    /** Three started nodes that see each other as members: a, and b and c seeded by a. */
    record Trio(ClusterNode a, ClusterNode b, ClusterNode c) {
    }

    /** {@link #pair(ClusterSettings, Feed, FrameHandler, int...)} with a's default settings. */
    Pair pair(Feed feed, FrameHandler handler, int... targets) {
        return pair(settings(), feed, handler, targets);
    }

    /**
     * Starts node a with {@code feed} steered round-robin to {@code targets} and node b (seeded by a, default
     * settings) whose handler is {@code handler}, and waits until both see two members.
     */
    Pair pair(ClusterSettings aSettings, Feed feed, FrameHandler handler, int... targets) {
        return pair(aSettings, engine(feed, FrameHandler.NO_OP, targets), settings(), engine(null, handler));
    }

    /** Starts node a, then node b seeded by a, and waits at most 20 s on each until both see two members. */
    Pair pair(ClusterSettings aSettings, SteerEngine.Builder aEngine, ClusterSettings bSettings,
        SteerEngine.Builder bEngine) {
        final ClusterNode a = start(aSettings, aEngine);
        final ClusterNode b = start(bSettings.seed(a.address()), bEngine);
        if (!a.awaitMembers(2, Duration.ofSeconds(20)) || !b.awaitMembers(2, Duration.ofSeconds(20))) {
            throw new AssertionError("a and b did not form a cluster of two over " + aSettings.transport());
        }
        return new Pair(a, b);
    }

    /**
     * Starts node a with {@code feed} steered round-robin to {@code targets}, then nodes b and c seeded by a, all
     * three with default settings and {@code handler}, and waits at most 20 s on each until all see three members.
     */
    Trio trio(Feed feed, FrameHandler handler, int... targets) {
        final ClusterNode a = start(settings(), engine(feed, handler, targets));
        final ClusterNode b = start(settings().seed(a.address()), engine(null, handler));
        final ClusterNode c = start(settings().seed(a.address()), engine(null, handler));
        assertTrue(a.awaitMembers(3, Duration.ofSeconds(20)) && b.awaitMembers(3, Duration.ofSeconds(20))
            && c.awaitMembers(3, Duration.ofSeconds(20)), "three members up");
        return new Trio(a, b, c);
    }

    /**
     * Places {@code key} on CPU 0 of {@code owner} with a ring of {@code qsize} frames, through {@code from}, and
     * waits at most 10 s on each of the two until it has applied the placement.
     */
    static void place(ClusterNode from, int key, int qsize, ClusterNode owner) {
        assertEquals(MapResult.OK, from.update(key, qsize, owner.address(), 0, CpuMap.ANY));
        assertTrue(from.awaitEntry(key, qsize, Duration.ofSeconds(10)) && owner.awaitEntry(key, qsize,
            Duration.ofSeconds(10)), "key " + key + " in place on both nodes");
    }

    /**
     * Opens {@code feed} and waits at most 20 s until {@code recorder}, b's handler, has delivered
     * more than {@code frames}.
     */
    static void openAndAwaitTraffic(SequenceFeed feed, SequenceRecorder recorder, long frames) {
        feed.open();
        assertTrue(await(() -> recorder.delivered() > frames, Duration.ofSeconds(20)), "traffic flows to b");
    }

    /** Polls {@code condition} every 20 ms for at most {@code timeout}. */
    static boolean await(BooleanSupplier condition, Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return condition.getAsBoolean();
    }

    @Override
    public void close() {
        for (ClusterNode node : started) {
            try {
                node.shutdown();
            } catch (RuntimeException ignored) {
                // Already shut down by the test, or failed: the test's own assertions tell.
            }
        }
    }
}
