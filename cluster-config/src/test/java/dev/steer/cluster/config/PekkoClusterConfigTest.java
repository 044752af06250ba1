package dev.steer.cluster.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueType;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.steer.cluster.ClusterSettings;
import dev.steer.cluster.ClusterTls;
import dev.steer.cluster.Keystores;

import dev.steer.engine.map.CpuSet;
import dev.steer.ingress.HeldPorts;

@Timeout(90)
class PekkoClusterConfigTest {
    /** Ports written into deployment files, held until the test has ended. */
    @RegisterExtension
    final HeldPorts ports = new HeldPorts();

    private static final CpuSet CPUS = CpuSet.all(2);
    private static final String SYSTEM = "steer-cluster-test";

    @Test
    void shouldWritePekkoKeysWhenTheClusterExampleIsLoaded() {
        final Deployment d = new DeploymentLoader(CPUS).load(ExampleFiles.file("three-node-cluster.conf"), "node-2");
        final Config c = d.pekkoConfig("steer");
        assertEquals("cluster", c.getString("pekko.actor.provider"));
        assertEquals("tcp", c.getString("pekko.remote.artery.transport"));
        assertEquals("127.0.0.1", c.getString("pekko.remote.artery.canonical.hostname"));
        assertEquals(25522, c.getInt("pekko.remote.artery.canonical.port"));
        assertEquals(List.of("pekko://steer@127.0.0.1:25521", "pekko://steer@127.0.0.1:25522"),
            c.getStringList("pekko.cluster.seed-nodes"));
        assertEquals(List.of("steer"), c.getStringList("pekko.cluster.roles"));
        assertEquals(PekkoClusterConfig.SBR_PROVIDER, c.getString("pekko.cluster.downing-provider-class"));
        assertEquals("keep-majority", c.getString("pekko.cluster.split-brain-resolver.active-strategy"));
        assertEquals(Duration.ofSeconds(7), c.getDuration("pekko.cluster.split-brain-resolver.stable-after"));
        assertEquals(false, c.hasPath("pekko.remote.artery.ssl"));
    }

    @Test
    void shouldValidateAnExtraConfigSetOnADeploymentsConcludedNodeSettings() {
        // steer run's cluster start (ClusterRun) adds its own Pekko settings to the settings the loader concluded.
        final Deployment d = new DeploymentLoader(CPUS).load(ExampleFiles.file("three-node-cluster.conf"), "node-2");
        final ClusterSettings settings = d.clusterNodeSettings(SYSTEM).extraConfig(null);
        final String message = assertThrows(IllegalArgumentException.class, settings::toConfig).getMessage();
        assertTrue(message.contains("extraConfig=null: must be a Config"), message);
    }

    @Test
    void shouldGiveOneStableAfterWhenItIsLeftOutOfTheFileOrOfTheEmbeddingApi(@TempDir Path dir) throws IOException {
        final Path file = Files.writeString(dir.resolve("no-stable-after.conf"), """
            steer {
              map.entries = [ { key = 0, node = "node-1" } ]
              cluster { enabled = true, nodes = [ { name = "node-1", host = "127.0.0.1", port = 25521 } ] }
            }
            """);
        final String key = "pekko.cluster.split-brain-resolver.stable-after";
        final Duration fromFile = new DeploymentLoader(CPUS).load(file).pekkoConfig(SYSTEM).getDuration(key);
        final Duration fromApi = new ClusterSettings().toConfig().getDuration(key);

        assertEquals(fromFile, fromApi, "a file without stable-after and ClusterSettings without downAfter");
        assertEquals(ConfigFactory.defaultReference().getDuration(key), fromApi, "Pekko's own default, its reference.conf");
        assertEquals(ClusterSettings.DEFAULT_DOWN_AFTER, Deployment.Downing.DEFAULT_STABLE_AFTER);
        assertEquals(ClusterSettings.DEFAULT_DOWN_AFTER, ConfigFactory.parseResources(DeploymentLoader.DEFAULTS_RESOURCE)
            .getDuration("steer.cluster.downing.stable-after"), "the shipped deployment-defaults.conf");
    }

    @Test
    void shouldPassEveryTlsSettingToPekkoWhenKeyStoreKeyAndTrustStoreHaveTheirOwnPasswords(@TempDir Path dir)
        throws Exception {
        final Path keyStore = Keystores.keyPair(dir, "node", "ks-secret", "key-secret");
        Keystores.trustStore(dir, "trust", "ts-secret", keyStore, "ks-secret", "node");
        final Path file = DeploymentFiles.oneTlsNode(dir.resolve("tls.conf"), """
            key-store = "node.jks", trust-store = "trust.p12", key-store-password = "ks-secret",
            key-password = "key-secret", trust-store-password = "ts-secret", protocol = "TLSv1.2"
            """);
        final Deployment d = new DeploymentLoader(CPUS).load(file);
        // What ClusterNode starts with and what pekkoConfig gives are one translation: check both.
        for (Config c : List.of(d.pekkoConfig(SYSTEM), d.clusterNodeSettings(SYSTEM).toConfig())) {
            final String p = "pekko.remote.artery.ssl.config-ssl-engine.";
            assertEquals("tls-tcp", c.getString("pekko.remote.artery.transport"));
            assertEquals(PekkoClusterConfig.SSL_ENGINE_PROVIDER, c.getString("pekko.remote.artery.ssl.ssl-engine-provider"));
            assertEquals(dir.resolve("node.jks").toAbsolutePath().toString(), c.getString(p + "key-store"));
            assertEquals(dir.resolve("trust.p12").toAbsolutePath().toString(), c.getString(p + "trust-store"));
            assertEquals("ks-secret", c.getString(p + "key-store-password"));
            assertEquals("key-secret", c.getString(p + "key-password"));
            assertEquals("ts-secret", c.getString(p + "trust-store-password"));
            assertEquals("TLSv1.2", c.getString(p + "protocol"));
            assertEquals(ClusterTls.TLS12_SUITES, c.getStringList(p + "enabled-algorithms"));
            assertTrue(c.getBoolean(p + "require-mutual-authentication"));
        }
        assertTrue(!d.clusterNodeSettings(SYSTEM).tls().orElseThrow().toString().contains("secret"),
            "passwords stay out of toString");
    }

    @Test
    void shouldOpenTheTlsStoresOnceWhenADeploymentIsLoadedAndItsNodeStarted(@TempDir Path dir) throws IOException {
        // The loader opens both stores (a wrong password is refused before anything starts); the node's settings
        // opened them a second time when they were concluded. A key store that no longer opens after the load shows
        // which opening the node starts with: Artery reads the files itself at its first connection.
        final Path keyStore = Keystores.keyPair(dir, "node");
        Keystores.trustStore(dir, "trust", "node");
        final Path file = DeploymentFiles.oneTlsNode(dir.resolve("tls.conf"), """
            key-store = "node.p12", trust-store = "trust.p12", key-store-password = "%s", trust-store-password = "%s"
            """.formatted(Keystores.PASSWORD, Keystores.PASSWORD));
        final Deployment d = new DeploymentLoader(CPUS).load(file);
        Files.write(keyStore, new byte[] {1, 2, 3, 4});

        final ClusterSettings settings = d.clusterNodeSettings(SYSTEM);
        assertEquals(keyStore.toAbsolutePath(), settings.tls().orElseThrow().keyStore());
        assertEquals(keyStore.toAbsolutePath().toString(),
            settings.toConfig().getString("pekko.remote.artery.ssl.config-ssl-engine.key-store"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"keep-majority", "keep-oldest", "down-all", "static-quorum"})
    void shouldGiveTheResolverEveryDowningSettingAsPekkoReadsItWhenTheLoaderAcceptsTheStrategy(String strategy) {
        assertEquals(List.of("keep-majority", "keep-oldest", "down-all", "static-quorum"), Deployment.Downing.STRATEGIES,
            "this test covers every strategy the loader accepts");
        final Deployment d = new DeploymentLoader(CPUS).parse(ConfigFactory.parseString("""
            steer {
              node { name = "solo", roles = ["steer", "edge"] }
              map.entries = [ { key = 0, node = "solo" } ]
              cluster { enabled = true, nodes = [ { name = "solo", host = "127.0.0.1", port = 25521 } ],
                        downing { strategy = %s, stable-after = 3s, quorum-size = 1 } }
            }
            """.formatted(strategy)));
        for (Config own : List.of(d.pekkoConfig(SYSTEM), d.clusterNodeSettings(SYSTEM).toConfig())) {
            // Over Pekko's reference.conf, as an actor system reads it: its quorum-size is the string "undefined".
            final Config c = own.withFallback(ConfigFactory.load());
            final String sbr = "pekko.cluster.split-brain-resolver.";
            assertEquals(strategy, c.getString(sbr + "active-strategy"));
            assertEquals(Duration.ofSeconds(3), c.getDuration(sbr + "stable-after"));
            if (strategy.equals("static-quorum")) {
                assertEquals(ConfigValueType.NUMBER, c.getValue(sbr + "static-quorum.quorum-size").valueType());
                assertEquals(1, c.getInt(sbr + "static-quorum.quorum-size"));
            }
            assertEquals(List.of("steer", "edge"), c.getStringList("pekko.cluster.roles"));
        }
    }

    @Test
    void shouldNameEveryNodeOfTheFileByItsAddressWhenSettingsAreMade() {
        final ClusterSettings settings = new DeploymentLoader(CPUS).load(ExampleFiles.file("three-node-cluster.conf"),
            "node-2").clusterNodeSettings("steer");
        assertEquals("node-1", settings.nodeName("pekko://steer@127.0.0.1:25521"));
        assertEquals("node-3", settings.nodeName("pekko://steer@127.0.0.1:25523"));
        assertEquals("pekko://steer@10.0.0.9:25521", settings.nodeName("pekko://steer@10.0.0.9:25521"),
            "an address the file does not name stays an address");
        assertEquals(List.of("pekko://steer@127.0.0.1:25521", "pekko://steer@127.0.0.1:25522"), settings.seeds());
        assertEquals(25522, settings.port());
    }

    @Test
    void shouldRefuseWhenTheClusterIsNotEnabled() {
        final Deployment d = new DeploymentLoader(CPUS).load(ExampleFiles.file("single-node.conf"));
        assertThrows(IllegalStateException.class, () -> d.pekkoConfig(SYSTEM));
    }

    @Test
    void shouldStartAClusterNodeThatJoinsItselfWhenItIsItsOwnSeed() throws Exception {
        final int port = ports.next();
        final Deployment d = new DeploymentLoader(CPUS).parse(ConfigFactory.parseString("""
            steer {
              map.entries = [ { key = 0, node = "solo" } ]
              node.name = "solo"
              cluster { enabled = true, nodes = [ { name = "solo", host = "127.0.0.1", port = %d } ],
                        downing.stable-after = 2s }
            }
            """.formatted(port)));
        final ActorSystem<Void> system = start(d);
        try {
            awaitUp(List.of(system), 1);
            assertEquals("pekko://" + SYSTEM + "@127.0.0.1:" + port, Cluster.get(system).selfMember().address().toString());
        } finally {
            terminate(system);
        }
    }

    @Test
    void shouldFormATwoNodeClusterOverTlsWhenTransportIsTlsTcp(@TempDir Path dir) throws Exception {
        keyStores(dir);
        final int port1 = ports.next();
        final int port2 = ports.next();
        final Path file = dir.resolve("tls.conf");
        Files.writeString(file, """
            steer {
              map.entries = [ { key = 0, node = "node-1" }, { key = 1, node = "node-2", cpu = 0 } ]
              cluster {
                enabled = true
                nodes = [ { name = "node-1", host = "127.0.0.1", port = %d }, { name = "node-2", host = "127.0.0.1", port = %d } ]
                transport = tls-tcp
                tls { key-store = "node.p12", trust-store = "trust.p12", key-store-password = "changeit",
                      trust-store-password = "changeit" }
                downing.stable-after = 2s
              }
            }
            """.formatted(port1, port2));
        final DeploymentLoader loader = new DeploymentLoader(CPUS);
        final List<ActorSystem<Void>> systems = new ArrayList<>();
        try {
            systems.add(start(loader.load(file, "node-1")));
            systems.add(start(loader.load(file, "node-2")));
            awaitUp(systems, 2);
        } finally {
            // Both leave at once: each waits for the other's leaving otherwise.
            systems.forEach(ActorSystem::terminate);
            systems.forEach(PekkoClusterConfigTest::terminate);
        }
    }

    private static ActorSystem<Void> start(Deployment d) {
        final Config config = d.pekkoConfig(SYSTEM)
            .withFallback(ConfigFactory.parseString("pekko.loglevel = WARNING\npekko.coordinated-shutdown.exit-jvm = off\n"
                + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on"))
            .withFallback(ConfigFactory.load());
        return ActorSystem.create(Behaviors.empty(), SYSTEM, config);
    }

    /** Waits (bounded by the class timeout) until every system sees {@code members} members up. */
    private static void awaitUp(List<ActorSystem<Void>> systems, int members) throws InterruptedException {
        while (true) {
            boolean all = true;
            for (ActorSystem<Void> system : systems) {
                final var state = Cluster.get(system).state();
                long up = 0;
                for (var member : state.getMembers()) {
                    if (member.status() == MemberStatus.up()) {
                        up++;
                    }
                }
                all &= Cluster.get(system).selfMember().status() == MemberStatus.up() && up == members;
            }
            if (all) {
                return;
            }
            Thread.sleep(50);
        }
    }

    private static void terminate(ActorSystem<Void> system) {
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception ex) {
            throw new AssertionError("actor system did not terminate", ex);
        }
    }

    /** A self-signed key pair for 127.0.0.1 in node.p12 and its certificate in trust.p12, made with keytool. */
    private static void keyStores(Path dir) throws Exception {
        final String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(dir, keytool, "-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1",
            "-dname", "CN=127.0.0.1", "-ext", "SAN=IP:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
            "-keystore", "node.p12", "-storepass", "changeit", "-keypass", "changeit");
        run(dir, keytool, "-exportcert", "-alias", "node", "-keystore", "node.p12", "-storepass", "changeit", "-file", "node.crt");
        run(dir, keytool, "-importcert", "-noprompt", "-alias", "node", "-file", "node.crt", "-storetype", "PKCS12",
            "-keystore", "trust.p12", "-storepass", "changeit");
    }

    private static void run(Path dir, String... command) {
        Keystores.run(dir, List.of(command));
    }
}
