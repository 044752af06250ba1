package dev.steer.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import dev.steer.actors.SteerEngine;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.program.RoundRobinProgram;
import dev.steer.engine.program.Verdict;

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
        final ClusterNode node = ClusterNode.start(settings, engine);
        started.add(node);
        return node;
    }

    /** Two started nodes that see each other as members. */
    record Pair(ClusterNode a, ClusterNode b) {
    }

    /** {@link #pair(ClusterSettings, Feed, FrameHandler, int...)} with a's default settings. */
    Pair pair(Feed feed, FrameHandler handler, int... targets) {
        return pair(settings(), feed, handler, targets);
    }

    /**
     * Starts node a with {@code feed} steered round-robin to {@code targets} and node b (seeded by a) whose handler
     * is {@code handler}, and waits until both see two members.
     */
    Pair pair(ClusterSettings aSettings, Feed feed, FrameHandler handler, int... targets) {
        final ClusterNode a = start(aSettings, engine(feed, FrameHandler.NO_OP, targets));
        final ClusterNode b = start(settings().seed(a.address()), engine(null, handler));
        if (!a.awaitMembers(2, Duration.ofSeconds(20)) || !b.awaitMembers(2, Duration.ofSeconds(20))) {
            throw new AssertionError("a and b did not form a cluster of two");
        }
        return new Pair(a, b);
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
