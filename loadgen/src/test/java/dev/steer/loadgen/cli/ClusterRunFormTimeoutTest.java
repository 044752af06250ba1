package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.steer.actors.SteerEngine;
import dev.steer.cluster.ClusterNode;
import dev.steer.cluster.config.Deployment;
import dev.steer.cluster.config.DeploymentApplier;
import dev.steer.cluster.config.DeploymentLoader;

/**
 * The message a cluster node of {@code steer run} ends its start with when the cluster does not form in time names
 * each node of the file with its status in this node's view ({@link ClusterRun#notFormed}), not only a count of up
 * members: a member that stays Joining or WeaklyUp, or one that already left, was invisible in "(1 up)".
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterRunFormTimeoutTest {
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static Path file(Path dir, int one, int two, int three) throws IOException {
        final Path file = dir.resolve("three.conf");
        Files.writeString(file, String.join("\n",
            "steer {",
            "  engine { program = l4-hash, pinning = false }",
            "  map { max-entries = 2, entries = [ { key = 1, node = node-2, cpu = 0 } ] }",
            "  feed { type = synthetic }",
            "  cluster {",
            "    enabled = true",
            "    nodes = [ { name = node-1, host = \"127.0.0.1\", port = " + one + " },",
            "              { name = node-2, host = \"127.0.0.1\", port = " + two + " },",
            "              { name = node-3, host = \"127.0.0.1\", port = " + three + " } ]",
            "    seed-nodes = [ node-1 ]",
            "  }",
            "}",
            ""));
        return file;
    }

    @Test
    void shouldNameEachNodesStatusWhenMembersAreJoiningOrUnreachable(@TempDir Path dir) throws Exception {
        final Deployment two = new DeploymentLoader().load(file(dir, 25521, 25522, 25523), "node-2");
        final String message = ClusterRun.notFormed(two, List.of(
            new ClusterNode.MemberView("pekko://steer@127.0.0.1:25522", "WeaklyUp", true),
            new ClusterNode.MemberView("pekko://steer@127.0.0.1:25523", "Joining", false),
            new ClusterNode.MemberView("pekko://steer@127.0.0.1:25599", "Up", true)));
        assertEquals("the cluster did not reach 3 up members within 120 s (1 up); as node-2 sees them, at the addresses"
            + " of " + two.source() + ": node-1 (127.0.0.1:25521) not a member, node-2 (this node, 127.0.0.1:25522)"
            + " WeaklyUp, node-3 (127.0.0.1:25523) Joining unreachable, pekko://steer@127.0.0.1:25599 (not in the file)"
            + " Up; a node that is not a member is not running, or runs with other addresses than these: every node must"
            + " load the same file (the same nodes and seed-nodes) (the leader moves a Joining or WeaklyUp member up only"
            + " once every member is reachable: an unreachable one blocks it until it is downed or comes back)", message);
    }

    @Test
    void shouldNameTheAddressesAndTheFirstSeedWhenThisNodeIsNoMemberAndNotTheFirstSeed(@TempDir Path dir)
        throws Exception {
        // node-2's copy of the file had node-1's port wrong: node-1 formed a cluster alone, node-2 tried the wrong
        // address for 120 s, and both said "not a member ... are the other nodes running?" although both ran.
        final Deployment two = new DeploymentLoader().load(file(dir, 25551, 25542, 25543), "node-2");
        assertEquals("the cluster did not reach 3 up members within 120 s (0 up); as node-2 sees them, at the addresses"
            + " of " + two.source() + ": node-1 (127.0.0.1:25551) not a member, node-2 (this node, 127.0.0.1:25542) not a"
            + " member, node-3 (127.0.0.1:25543) not a member; a node that is not a member is not running, or runs with"
            + " other addresses than these: every node must load the same file (the same nodes and seed-nodes); only the"
            + " first seed, node-1 (127.0.0.1:25551), forms a new cluster: this node joins through a seed that is in one,"
            + " so it waits for node-1 at that address (or another seed in a cluster)", ClusterRun.notFormed(two, List.of()));
    }

    @Test
    void shouldNameTheNodesThatAreNotMembersWhenOnlyThisNodeIsUp(@TempDir Path dir) throws Exception {
        final Path file = file(dir, freePort(), freePort(), freePort());
        final Deployment one = new DeploymentLoader().load(file, "node-1");
        // node-1 is its own seed: up alone, the other two never start.
        final ClusterNode node = ClusterNode.start(one.clusterNodeSettings("steer"),
            DeploymentApplier.applyTo(one, SteerEngine.builder()));
        try {
            assertTrue(node.awaitMembers(1, Duration.ofSeconds(20)), "node-1 up");
            assertEquals("the cluster did not reach 3 up members within 120 s (1 up); as node-1 sees them, at the"
                + " addresses of " + file + ": node-1 (this node, 127.0.0.1:" + one.address().orElseThrow().port() + ") Up,"
                + " node-2 (127.0.0.1:" + one.cluster().nodes().get(1).port() + ") not a member, node-3 (127.0.0.1:"
                + one.cluster().nodes().get(2).port() + ") not a member; a node that is not a member is not running, or"
                + " runs with other addresses than these: every node must load the same file (the same nodes and"
                + " seed-nodes)", ClusterRun.notFormed(one, node.members()));
        } finally {
            node.shutdown();
        }
    }
}
