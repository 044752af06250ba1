package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.Config;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import dev.steer.cluster.config.Deployment;
import dev.steer.cluster.config.DeploymentLoader;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.path.FrameHandler;
import dev.steer.ingress.HeldPorts;

/**
 * Nodes started from a deployment file as {@code steer run} starts them ({@link Deployment#clusterNodeSettings}):
 * whatever the loader accepts starts, and the node runs with the file's roles, downing, TLS passwords and
 * protocol, and names its links by the file's node names. All on 127.0.0.1 with free ports.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DeploymentNodeTest {
    /** Ports written into deployment files, held until the test has ended. */
    @RegisterExtension
    final HeldPorts ports = new HeldPorts();

    /** Every strategy the loader accepts. */
    static final List<String> STRATEGIES = Deployment.Downing.STRATEGIES;
    private static final String SYSTEM = ClusterSettings.DEFAULT_SYSTEM_NAME;
    private static final DeploymentLoader LOADER = new DeploymentLoader(CpuSet.of(Nodes.MAX_ENTRIES, 0, 1));

    @ParameterizedTest
    @FieldSource("STRATEGIES")
    void shouldStartWithTheFileRolesWhenTheDowningStrategyIsAnyTheLoaderAccepts(String strategy, @TempDir Path dir)
        throws Exception {
        final Path file = dir.resolve("solo.conf");
        Files.writeString(file, """
            steer {
              node { name = "solo", roles = ["steer", "edge"] }
              map { max-entries = %d, entries = [ { key = 0, node = "solo" } ] }
              cluster {
                enabled = true
                nodes = [ { name = "solo", host = "127.0.0.1", port = %d } ]
                downing { strategy = %s, stable-after = 2s, quorum-size = 1 }
              }
            }
            """.formatted(Nodes.MAX_ENTRIES, ports.next(), strategy));
        try (Nodes nodes = new Nodes()) {
            final ClusterNode node = start(nodes, LOADER.load(file));
            assertTrue(node.awaitMembers(1, Duration.ofSeconds(30)), strategy + ": the node is up");
            final Config running = node.engine().actorSystem().settings().config();
            assertEquals(strategy, running.getString("pekko.cluster.split-brain-resolver.active-strategy"));
            if (strategy.equals("static-quorum")) {
                assertEquals(1, running.getInt("pekko.cluster.split-brain-resolver.static-quorum.quorum-size"));
            }
            final Set<String> roles = Cluster.get(node.engine().actorSystem()).selfMember().getRoles();
            assertTrue(roles.containsAll(List.of("steer", "edge")), "the file's roles reach the member: " + roles);
        }
    }

    @Test
    void shouldJoinOverTlsWhenKeyStoreKeyAndTrustStoreHaveDifferentPasswords(@TempDir Path dir) throws Exception {
        final Path keyStore = Keystores.keyPair(dir, "node", "key-store-pw", "key-pw");
        Keystores.trustStore(dir, "trust", "trust-store-pw", keyStore, "key-store-pw", "node");
        final Path file = pairFile(dir.resolve("tls.conf"), """
            transport = tls-tcp
            tls { key-store = "node.jks", key-store-password = "key-store-pw", key-password = "key-pw",
                  trust-store = "trust.p12", trust-store-password = "trust-store-pw", protocol = "TLSv1.2" }
            """);
        try (Nodes nodes = new Nodes()) {
            final ClusterNode a = start(nodes, LOADER.load(file, "node-1"));
            final ClusterNode b = start(nodes, LOADER.load(file, "node-2"));
            assertTrue(a.awaitMembers(2, Duration.ofSeconds(30)) && b.awaitMembers(2, Duration.ofSeconds(30)),
                "the nodes join over TLS: " + a.upMembers() + " and " + b.upMembers() + " up");
            for (ClusterNode node : List.of(a, b)) {
                final Config running = node.engine().actorSystem().settings().config();
                assertEquals("TLSv1.2", running.getString("pekko.remote.artery.ssl.config-ssl-engine.protocol"));
                assertEquals(ClusterTls.TLS12_SUITES,
                    running.getStringList("pekko.remote.artery.ssl.config-ssl-engine.enabled-algorithms"));
            }
        }
    }

    @Test
    void shouldNameEachLinkByItsNodeInTheFileWhenAnEntryIsPlacedThere(@TempDir Path dir) throws Exception {
        final Path file = pairFile(dir.resolve("pair.conf"), "");
        try (Nodes nodes = new Nodes()) {
            final ClusterNode a = start(nodes, LOADER.load(file, "node-1"));
            final ClusterNode b = start(nodes, LOADER.load(file, "node-2"));
            assertTrue(a.awaitMembers(2, Duration.ofSeconds(30)) && b.awaitMembers(2, Duration.ofSeconds(30)));
            assertEquals(MapResult.OK, a.update(1, 1024, b.address(), 0, CpuMap.ANY));
            assertTrue(Nodes.await(() -> a.links().size() == 1, Duration.ofSeconds(10)), "a links to b: " + a.links());
            final LinkStats link = a.links().get(0);
            assertEquals("node-2", link.node(), link.toString());
            assertEquals(b.address(), link.address(), link.toString());
        }
    }

    @Test
    @Timeout(value = 50, unit = TimeUnit.SECONDS)
    void shouldRejoinTheRunningNodeWhenTheFirstNodeOfAFileWithoutSeedNodesRestarts(@TempDir Path dir) throws Exception {
        // A two-node file as a user writes it, seed-nodes left at its default. node-1 stops and starts again while
        // node-2 runs on: it must join node-2, not form a cluster of its own and wait for node-2 in vain.
        final Path file = pairFile(dir.resolve("pair.conf"), "");
        try (Nodes nodes = new Nodes()) {
            final ClusterNode first = start(nodes, LOADER.load(file, "node-1"));
            final ClusterNode b = start(nodes, LOADER.load(file, "node-2"));
            assertTrue(first.awaitMembers(2, Duration.ofSeconds(20)) && b.awaitMembers(2, Duration.ofSeconds(20)));
            assertEquals(MapResult.OK, first.update(0, 256, first.address(), 0, CpuMap.ANY));
            assertEquals(MapResult.OK, b.update(1, 256, b.address(), 0, CpuMap.ANY));
            assertTrue(b.awaitEntry(0, 256, Duration.ofSeconds(10)) && first.awaitEntry(1, 256, Duration.ofSeconds(10)));
            first.shutdown();
            assertTrue(b.awaitMembers(1, Duration.ofSeconds(20)), "node-2 runs on alone");
            assertTrue(b.awaitEntry(0, 0, Duration.ofSeconds(10)), "node-1's entry left with it");

            final ClusterNode again = start(nodes, LOADER.load(file, "node-1"));
            assertTrue(again.awaitMembers(2, Duration.ofSeconds(20)) && b.awaitMembers(2, Duration.ofSeconds(10)),
                "the restarted node-1 joined node-2: " + again.upMembers() + " and " + b.upMembers() + " up");
            // As steer run places a node's entries when it starts: every node, node-2 too, gets the new entry.
            assertEquals(MapResult.OK, again.update(0, 512, again.address(), 0, CpuMap.ANY));
            assertTrue(again.awaitEntry(0, 512, Duration.ofSeconds(10)), "the restarted node-1 has its entry");
            assertTrue(b.awaitEntry(0, 512, Duration.ofSeconds(10)), "node-2 forwards to the restarted node-1: map "
                + b.mapVersion() + " on node-2, " + again.mapVersion() + " on node-1");
        }
    }

    /** A node of {@code deployment} with the test's fast gossip, on an unpinned engine over CPUs 0 and 1. */
    private static ClusterNode start(Nodes nodes, Deployment deployment) {
        return nodes.start(deployment.clusterNodeSettings(SYSTEM).extraConfig(Nodes.FAST),
            Nodes.engine(null, FrameHandler.NO_OP));
    }

    /**
     * Writes {@code file}: node-1 and node-2 on 127.0.0.1 with free ports, key 0 on node-1 and key 1 on node-2,
     * {@code clusterSettings} (HOCON, may be empty) in the cluster block, and a 2 s stable-after.
     */
    private Path pairFile(Path file, String clusterSettings) throws IOException {
        return Files.writeString(file, """
            steer {
              map { max-entries = %d, entries = [ { key = 0, node = "node-1" }, { key = 1, node = "node-2", cpu = 0 } ] }
              cluster {
                enabled = true
                nodes = [ { name = "node-1", host = "127.0.0.1", port = %d }, { name = "node-2", host = "127.0.0.1", port = %d } ]
            %s
                downing.stable-after = 2s
              }
            }
            """.formatted(Nodes.MAX_ENTRIES, ports.next(), ports.next(), clusterSettings));
    }
}
