package dev.steer.cluster.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.steer.cluster.Keystores;
import dev.steer.ingress.config.ConfigCheck;
import dev.steer.actors.IdleMode;
import dev.steer.engine.map.CpuSet;

@Timeout(30)
class DeploymentLoaderTest {
    /** CPUs 0, 1 and 3 usable, 2 not (offline or outside the affinity mask). */
    private static final CpuSet CPUS = CpuSet.of(4, 0, 1, 3);
    private final DeploymentLoader loader = new DeploymentLoader(CPUS);

    @Test
    void shouldLoadSingleNodeExampleWithAnEntryOnEveryUsableCpuWhenEntriesAreAbsent() {
        final Deployment d = loader.load(ExampleFiles.file("single-node.conf"));
        assertEquals("node-1", d.node().name());
        assertEquals("l4-hash", d.engine().program());
        assertEquals(IdleMode.PARK, d.engine().idle());
        assertEquals(4, d.map().maxEntries());
        assertEquals(List.of(0, 1, 3), d.map().entries().stream().map(Deployment.MapSettings.Entry::key).toList());
        assertEquals(d.map().entries(), d.localEntries());
        assertTrue(d.feed().isAeron());
        assertEquals("aeron:ipc", d.feed().aeron().channel());
        assertEquals(false, d.cluster().enabled());
        assertEquals(Duration.ofSeconds(2), d.stats().interval());
    }

    @Test
    void shouldListTheCpusOfThisNodesEntriesWhenTheirKeysAreOtherNumbers() {
        // node-2 of the example serves keys 2 and 3 on its CPUs 0 and 1.
        final Deployment d = loader.load(ExampleFiles.file("three-node-cluster.conf"), "node-2");
        assertEquals(List.of(2, 3), d.localEntries().stream().map(Deployment.MapSettings.Entry::key).toList());
        assertArrayEquals(new int[] {0, 1}, d.localCpus());
        assertArrayEquals(new int[] {0, 1, 3}, loader.load(ExampleFiles.file("single-node.conf")).localCpus(),
            "on a single node the CPUs are the keys");
    }

    @ParameterizedTest
    @ValueSource(strings = {"node-1", "node-2"})
    void shouldLoadTheTwoNodeExampleAsEitherNode(String node) {
        final Deployment d = loader.load(ExampleFiles.file("two-node-cluster.conf"), node);
        assertEquals(node, d.node().name());
        assertTrue(d.cluster().enabled());
        assertEquals(List.of("node-1", "node-2"), d.cluster().seedNodes(), "both nodes are seeds");
        assertEquals(4, d.map().entries().size());
        assertEquals(2, d.localEntries().size());
        assertTrue(d.localEntries().stream().allMatch(e -> e.node().equals(node)));
        assertArrayEquals(new int[] {0, 1}, d.localCpus());
    }

    @ParameterizedTest
    @ValueSource(strings = {"node-1", "node-2", "node-3"})
    void shouldLoadClusterExampleAsEveryNodeWhenNodeIsOverridden(String node) {
        final Deployment d = loader.load(ExampleFiles.file("three-node-cluster.conf"), node);
        assertEquals(node, d.node().name());
        assertTrue(d.cluster().enabled());
        assertEquals(3, d.cluster().nodes().size());
        assertEquals(List.of("node-1", "node-2"), d.cluster().seedNodes());
        assertEquals(6, d.map().entries().size());
        assertEquals(2, d.localEntries().size());
        assertTrue(d.localEntries().stream().allMatch(e -> e.node().equals(node)));
        assertEquals(4, d.remoteEntries().size());
        assertEquals(Duration.ofSeconds(7), d.cluster().downing().stableAfter());
        assertEquals(8, d.cluster().maxInFlight());
        assertEquals(Duration.ofSeconds(5), d.cluster().ackTimeout());
        assertEquals(Duration.ofSeconds(5), d.cluster().drainTimeout());
        assertEquals(25520 + Integer.parseInt(node.substring(5)), d.address().orElseThrow().port());
    }

    @Test
    void shouldReportEveryUnknownKeyWithAHintWhenKeysAreMisspelt() {
        final String f = ExampleFiles.file("broken/unknown-keys.conf").toString();
        assertProblems("broken/unknown-keys.conf",
            f + ":16: steer.statistics: unknown key; known keys: cluster, engine, feed, map, node, stats",
            f + ":4: steer.engine.progam: unknown key; did you mean program?",
            f + ":5: steer.engine.pool.frame-szie: unknown key; did you mean frame-size?",
            f + ":14: steer.cluster.downing.stable: unknown key; did you mean stable-after?",
            f + ":9: steer.map.entries[0].qsise: unknown key; did you mean qsize?",
            f + ":12: steer.feed.tpye: unknown key; did you mean type?");
    }

    @Test
    void shouldReportEveryBadValueWithFileLineKeyValueAndAllowedWhenValuesAreWrong() {
        final String f = ExampleFiles.file("broken/bad-values.conf").toString();
        assertProblems("broken/bad-values.conf",
            f + ":3: steer.node.name: 'Node_1' must be lower-case letters, digits and '-' ([a-z0-9-]+)",
            f + ":5: steer.engine.program: 'l4-hsh' is not one of no-touch | touch | round-robin | l4-proto | l4-filter"
                + " | l4-hash | l4-sport | l4-dport",
            f + ":6: steer.engine.budget: 0 is out of range: must be 1..4096",
            f + ":7: steer.engine.idle: 'sleepy' is not one of park | backoff | yield | busy-spin",
            f + ":8: steer.engine.pinning: must be true or false, is \"maybe\"",
            f + ":9: steer.engine.ingress-cpus: \"0-x\": '0-x' is not a CPU number or a range low-high: must be a CPU"
                + " list such as 0-3,6: CPU numbers 0..4095 and ranges low-high, separated by commas, each CPU once",
            f + ":10: steer.engine.pool.frame-size: 1000 is not a multiple of 64: must be a multiple of 64 from 128 to 65536",
            f + ":10: steer.engine.pool.headroom: 16 is out of range: must be 32..936 (frame-size - 64)",
            f + ":12: steer.map.default-qsize: 20000 is out of range: must be 1..16384",
            f + ":13: steer.stats.interval: \"10ms\" is out of range: must be 100ms..3600s");
    }

    @Test
    void shouldReportEveryEntryRuleWhenASingleNodeMapBreaksThem() {
        final String f = ExampleFiles.file("broken/bad-map.conf").toString();
        assertProblems("broken/bad-map.conf",
            f + ":7: steer.map.entries[1].qsize: 0 is out of range: must be 1..16384",
            f + ":10: steer.map.entries[4].node: 'node-2' is not this node 'node-1': an entry on another node needs"
                + " steer.cluster.enabled = true",
            f + ":11: steer.map.entries[5].remote-program: 'dorp' is not a program: must be one of pass, drop, no-touch,"
                + " touch, round-robin, l4-proto, l4-filter, l4-hash, l4-sport, l4-dport",
            f + ":7: steer.map.entries[1].key: 0 is used twice: keys must be unique (also steer.map.entries[0])",
            f + ":8: steer.map.entries[2].cpu: 3 differs from key 1: on a single node a key is its CPU (leave cpu out,"
                + " or enable the cluster)",
            f + ":9: steer.map.entries[3].cpu: 2 is not a usable CPU of this machine: usable CPUs are 0-1,3",
            f + ":11: steer.map.entries[5].key: 7 is out of range: must be 0..3 (steer.map.max-entries - 1)");
    }

    @Test
    void shouldReportEveryClusterRuleWhenNodesAreUndeclaredDuplicateOrIncomplete() {
        final String f = ExampleFiles.file("broken/bad-cluster.conf").toString();
        assertProblems("broken/bad-cluster.conf",
            f + ":15: steer.cluster.nodes[1].port: 127.0.0.1:25521 is already the address of node-1: every node needs"
                + " its own host:port",
            f + ":16: steer.cluster.nodes[2].port: 70000 is out of range: must be 1..65535",
            f + ":16: steer.cluster.nodes[2].name: 'node-2' is declared twice: node names must be unique (also"
                + " steer.cluster.nodes[1])",
            f + ":17: steer.cluster.nodes[3].host: missing: must be a host name or address such as \"127.0.0.1\"",
            f + ":17: steer.cluster.nodes[3].port: missing: must be a port 1..65535",
            f + ":19: steer.cluster.seed-nodes: 'node-7' is not a declared node: must be names from steer.cluster.nodes"
                + " (node-1, node-2, node-3)",
            f + ":20: steer.cluster.transport: tls-tcp needs a steer.cluster.tls block with key-store, trust-store,"
                + " key-store-password and trust-store-password",
            f + ":21: steer.cluster.downing.strategy: static-quorum needs steer.cluster.downing.quorum-size, 1..3"
                + " (the number of nodes)",
            f + ":22: steer.cluster.frame-batch: 512 is out of range: must be 1..256",
            f + ":7: steer.map.entries[1].node: missing: in a cluster every entry names its node (node-1, node-2, node-3)",
            f + ":8: steer.map.entries[2].node: 'node-9' is not a declared node: must be one of steer.cluster.nodes"
                + " (node-1, node-2, node-3)");
    }

    @Test
    void shouldReportUnreadableStoresMissingPasswordsAndBadProtocolWhenTransportIsTlsTcp() {
        final Path file = ExampleFiles.file("broken/bad-tls.conf");
        final String f = file.toString();
        final Path dir = file.toAbsolutePath().getParent();
        assertProblems("broken/bad-tls.conf",
            f + ":9: steer.cluster.tls.key-store: 'no-such-keystore.p12' is not a readable file (looked at "
                + dir.resolve("no-such-keystore.p12") + "): must be a Java key store file; a relative path starts at"
                + " the directory of the file it is written in, " + dir,
            f + ":10: steer.cluster.tls.trust-store: 'no-such-truststore.p12' is not a readable file (looked at "
                + dir.resolve("no-such-truststore.p12") + "): must be a Java key store file; a relative path starts"
                + " at the directory of the file it is written in, " + dir,
            f + ":8: steer.cluster.tls.key-store-password: missing: tls-tcp needs it; write it as ${?ENV_VARIABLE} to"
                + " keep it out of the file",
            f + ":8: steer.cluster.tls.trust-store-password: missing: tls-tcp needs it; write it as ${?ENV_VARIABLE} to"
                + " keep it out of the file",
            f + ":11: steer.cluster.tls.protocol: 'SSLv3' is not one of TLSv1.3 | TLSv1.2");
    }

    @Test
    void shouldNameFeedKeysByTheirFullPathWhenTheFeedBlockIsWrong() {
        final String f = ExampleFiles.file("broken/bad-feed.conf").toString();
        assertProblems("broken/bad-feed.conf",
            f + ":5: steer.feed.queues: 100 is out of range: must be 1..64",
            f + ":6: steer.feed.udp.bind: missing: the udp feed needs an address HOST:PORT to listen on (--listen)");
    }

    @Test
    void shouldReportFileAndLineWhenTheFileIsNotHocon() {
        final String f = ExampleFiles.file("broken/syntax-error.conf").toString();
        final DeploymentException ex = assertThrows(DeploymentException.class,
            () -> loader.load(ExampleFiles.file("broken/syntax-error.conf")));
        assertEquals(1, ex.problems().size());
        assertTrue(ex.problems().get(0).startsWith(f + ":6: List should have had new element"), ex.problems().get(0));
    }

    @Test
    void shouldReadTheLinkSettingsOfAClusterAndNameEachBadOne(@TempDir Path dir) throws Exception {
        final String cluster = Files.readString(ExampleFiles.file("three-node-cluster.conf"));
        final Path good = dir.resolve("link.conf");
        Files.writeString(good, cluster.replace("max-in-flight = 8", "max-in-flight = 32")
            .replace("ack-timeout = 5s", "ack-timeout = 750ms").replace("drain-timeout = 5s", "drain-timeout = 2s"));
        final Deployment d = loader.load(good, "node-2");
        assertEquals(32, d.cluster().maxInFlight());
        assertEquals(Duration.ofMillis(750), d.cluster().ackTimeout());
        assertEquals(Duration.ofSeconds(2), d.cluster().drainTimeout());
        final Path bad = dir.resolve("bad-link.conf");
        Files.writeString(bad, cluster.replace("max-in-flight = 8", "max-in-flight = 0")
            .replace("ack-timeout = 5s", "ack-timeout = 10ms").replace("drain-timeout = 5s", "drain-timeout = soon"));
        final DeploymentException ex = assertThrows(DeploymentException.class, () -> loader.load(bad, "node-2"));
        assertEquals(3, ex.problems().size(), ex.getMessage());
        assertTrue(ex.problems().get(0).endsWith("steer.cluster.max-in-flight: 0 is out of range: must be 1..1024"),
            ex.getMessage());
        assertTrue(ex.problems().get(1).endsWith("steer.cluster.ack-timeout: \"10ms\" is out of range: must be 100ms..86400s"),
            ex.getMessage());
        assertTrue(ex.problems().get(2).contains("steer.cluster.drain-timeout: must be a duration"), ex.getMessage());
    }

    @Test
    void shouldReadTheLeaveTimeoutOfAClusterAndRefuseOneOutsideOneSecondToOneHour(@TempDir Path dir) throws Exception {
        final String cluster = Files.readString(ExampleFiles.file("three-node-cluster.conf"));
        final Path good = dir.resolve("leave.conf");
        Files.writeString(good, withLeaveTimeout(cluster, "12s"));
        final Deployment d = loader.load(good, "node-2");
        assertEquals(Duration.ofSeconds(12), d.cluster().leaveTimeout());
        assertEquals(Duration.ofSeconds(12), d.clusterNodeSettings("steer").leaveTimeout(), "reaches the node");
        assertEquals(dev.steer.cluster.ClusterSettings.DEFAULT_LEAVE_TIMEOUT,
            loader.load(ExampleFiles.file("three-node-cluster.conf"), "node-2").cluster().leaveTimeout(), "default");

        for (String[] bad : new String[][] {
            {"500ms", "steer.cluster.leave-timeout: \"500ms\" is out of range: must be 1s..3600s"},
            {"2h", "steer.cluster.leave-timeout: \"2h\" is out of range: must be 1s..3600s"},
            {"30", "steer.cluster.leave-timeout: 30 has no unit"},
            {"soon", "steer.cluster.leave-timeout: must be a duration"}}) {
            final Path file = dir.resolve("bad-leave.conf");
            Files.writeString(file, withLeaveTimeout(cluster, bad[0]));
            final DeploymentException ex = assertThrows(DeploymentException.class, () -> loader.load(file, "node-2"));
            assertEquals(1, ex.problems().size(), ex.getMessage());
            // The line of the key in the example, wherever its comments put it.
            final List<String> lines = Files.readAllLines(file);
            final int line = java.util.stream.IntStream.range(0, lines.size())
                .filter(i -> lines.get(i).contains("leave-timeout = " + bad[0] + " ")).findFirst().orElse(-1) + 1;
            assertTrue(line > 0 && ex.problems().get(0).startsWith(file + ":" + line + ": " + bad[1]), ex.getMessage());
        }
    }

    /** The cluster example with {@code leave-timeout = value} on a line of its own, the line after drain-timeout. */
    private static String withLeaveTimeout(String cluster, String value) {
        return cluster.contains("leave-timeout =")
            ? cluster.replaceFirst("leave-timeout = \\S+", "leave-timeout = " + value)
            : cluster.replace("drain-timeout = 5s", "drain-timeout = 5s\n    leave-timeout = " + value);
    }

    @Test
    void shouldReportFileLineAndKeyWhenAListIsAnExplicitNull(@TempDir Path dir) throws Exception {
        // Found by ConfigMutationTest: a null where the checks expect a list escaped as a ConfigException.
        final Path file = dir.resolve("null-roles.conf");
        Files.writeString(file, "steer {\n  node {\n    roles = null\n  }\n  engine { budget = 0 }\n}\n");
        final DeploymentException ex = assertThrows(DeploymentException.class, () -> loader.load(file));
        assertTrue(ex.problems().stream().anyMatch(p -> p.contains("steer.engine.budget")), ex.getMessage());
        assertTrue(ex.problems().stream().anyMatch(p -> p.startsWith(file + ":3: steer.node.roles: must be a list")
            && p.endsWith("is null")), ex.getMessage());
    }

    @Test
    void shouldReportTheFileWhenItDoesNotExist(@TempDir Path dir) {
        final Path missing = dir.resolve("nope.conf");
        final DeploymentException ex = assertThrows(DeploymentException.class, () -> loader.load(missing));
        assertEquals(List.of(missing + ": no such readable file"), ex.problems());
    }

    @Test
    void shouldReportTheOverrideWhenNodeIsNotInTheCluster() {
        final DeploymentException ex = assertThrows(DeploymentException.class,
            () -> loader.load(ExampleFiles.file("three-node-cluster.conf"), "node-4"));
        assertEquals(List.of("command line --node: steer.node.name: 'node-4' is not a node of steer.cluster.nodes"
            + " (node-1, node-2, node-3): pick this process' node with --node NAME"), ex.problems());
    }

    @Test
    void shouldHintTheRootBlockWhenSteerIsMisspelt() {
        final DeploymentException ex = assertThrows(DeploymentException.class,
            () -> loader.parse(ConfigFactory.parseString("stear { engine { budget = 8 } }")));
        assertEquals(1, ex.problems().size());
        assertTrue(ex.problems().get(0).endsWith("stear: unknown key; did you mean steer?"), ex.problems().get(0));
    }

    @Test
    void shouldKeepExplicitEntriesAndDefaultTheirQsizeWhenTheyAreGiven() {
        final Deployment d = loader.parse(ConfigFactory.parseString(
            "steer.map { max-entries = 2, default-qsize = 64, entries = [ { key = 1, remote-program = drop }, { key = 0, qsize = 8 } ] }"));
        assertEquals(2, d.map().maxEntries());
        assertEquals(List.of(new Deployment.MapSettings.Entry(0, "node-1", 0, 8, Optional.empty()),
            new Deployment.MapSettings.Entry(1, "node-1", 1, 64, Optional.of("drop"))), d.map().entries());
    }

    @Test
    void shouldRejectASteeringRemoteProgramWhenItsNodeHasNoOtherEntry() {
        final DeploymentException ex = assertThrows(DeploymentException.class, () -> loader.parse(
            ConfigFactory.parseString("steer.map.entries = [ { key = 1, remote-program = l4-hash } ]")));
        assertEquals(1, ex.problems().size());
        assertTrue(ex.problems().get(0).endsWith("steer.map.entries[0].remote-program: 'l4-hash' redirects over the"
            + " other entries of node node-1, and it has none: use pass or drop, or add entries on that node"),
            ex.problems().get(0));
        final DeploymentException cycle = assertThrows(DeploymentException.class, () -> loader.parse(ConfigFactory.parseString(
            "steer.map.entries = [ { key = 0, remote-program = l4-hash }, { key = 1, remote-program = round-robin } ]")));
        assertEquals(1, cycle.problems().size());
        assertTrue(cycle.problems().get(0).endsWith("steer.map.entries[0].remote-program: 'l4-hash' redirects over the"
            + " other entries of node node-1, and every entry of that node runs a steering remote program: frames would"
            + " circle between them and never reach a handler; give at least one entry pass, drop or no remote-program"),
            cycle.problems().get(0));
        final Deployment d = loader.parse(ConfigFactory.parseString(
            "steer.map.entries = [ { key = 0, remote-program = l4-hash }, { key = 1, remote-program = drop }, { key = 3 } ]"));
        assertArrayEquals(new int[] {1, 3}, d.remoteProgramTargets(d.map().entries().get(0)));
    }

    @Test
    void shouldRejectMaxEntriesAboveTheCpuLimitWhenNotInACluster() {
        final DeploymentException ex = assertThrows(DeploymentException.class,
            () -> loader.parse(ConfigFactory.parseString("steer.map.max-entries = 5")));
        assertEquals(1, ex.problems().size());
        assertTrue(ex.problems().get(0).endsWith(
            "steer.map.max-entries: 5 is out of range: must be 1..4 (the CPU limit of this machine)"), ex.problems().get(0));
    }

    @Test
    void shouldRejectIngressCpusThatAreNotUsableWhenGiven() {
        final DeploymentException ex = assertThrows(DeploymentException.class,
            () -> loader.parse(ConfigFactory.parseString("steer.engine.ingress-cpus = \"1-2\"")));
        assertEquals(1, ex.problems().size());
        assertTrue(ex.problems().get(0).endsWith(
            "steer.engine.ingress-cpus: CPU 2 is not usable on this machine: usable CPUs are 0-1,3"), ex.problems().get(0));
        assertEquals(List.of(0, 3), loader.parse(ConfigFactory.parseString("steer.engine.ingress-cpus = [0, 3]"))
            .engine().ingressCpus());
    }

    @Test
    void shouldRejectAnIngressCpuWithAFractionInAListInsteadOfCuttingItOff() {
        final DeploymentException ex = assertThrows(DeploymentException.class,
            () -> loader.parse(ConfigFactory.parseString("steer.engine.ingress-cpus = [0.5, 3]")));
        assertEquals(1, ex.problems().size(), ex.problems()::toString);
        assertTrue(ex.problems().get(0).endsWith("steer.engine.ingress-cpus: [0.5,3] is not a CPU list: must be a list"
            + " such as \"0-3,6\" or [0, 1]"), ex.problems().get(0));
        assertEquals(List.of(0, 3), loader.parse(ConfigFactory.parseString("steer.engine.ingress-cpus = [0.0, 3]"))
            .engine().ingressCpus(), "a whole number written with a fraction is that number");
    }

    @Test
    void shouldRejectAQuotedIngressCpuWithAFractionInAListInsteadOfCuttingItOff() {
        // HOCON reads a quoted number in a list as the number, and getIntList cut "0.5" to CPU 0 as it did 0.5.
        final DeploymentException ex = assertThrows(DeploymentException.class,
            () -> loader.parse(ConfigFactory.parseString("steer.engine.ingress-cpus = [\"0.5\", 3]")));
        assertEquals(1, ex.problems().size(), ex.problems()::toString);
        assertTrue(ex.problems().get(0).endsWith("steer.engine.ingress-cpus: [\"0.5\",3] is not a CPU list: must be a"
            + " list such as \"0-3,6\" or [0, 1]"), ex.problems().get(0));
        assertEquals(List.of(0, 3), loader.parse(ConfigFactory.parseString("steer.engine.ingress-cpus = [\"0\", 3]"))
            .engine().ingressCpus(), "a quoted whole number is that number");
    }

    @Test
    void shouldRejectACpuListedTwiceInIngressCpusWhenGivenAsTextOrList() {
        for (String value : List.of("\"0,0\"", "\"0-1,1\"", "[0, 0]", "\"0, 0\"")) {
            final DeploymentException ex = assertThrows(DeploymentException.class,
                () -> loader.parse(ConfigFactory.parseString("steer.engine.ingress-cpus = " + value)), value);
            assertEquals(1, ex.problems().size(), value + ": " + ex.problems());
            final String problem = ex.problems().get(0);
            assertTrue(problem.contains("steer.engine.ingress-cpus: "), problem);
            assertTrue(problem.contains("is listed twice") && problem.contains("each CPU once"), problem);
        }
    }

    @Test
    void shouldSayWhatIsWrongWithAnIngressCpuListWhenItIsMalformed() {
        final java.util.Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("\"3-0\"", "range 3-0 is reversed (write 0-3)");
        cases.put("\"0-5000\"", "CPU 5000 is out of range");
        cases.put("\"0,,1\"", "item 2 is empty");
        cases.put("\"-1\"", "'-1' is not a CPU number or a range");
        cases.put("\"\"", "is empty");
        for (var c : cases.entrySet()) {
            final DeploymentException ex = assertThrows(DeploymentException.class,
                () -> loader.parse(ConfigFactory.parseString("steer.engine.ingress-cpus = " + c.getKey())), c.getKey());
            assertEquals(1, ex.problems().size(), c.getKey() + ": " + ex.problems());
            final String problem = ex.problems().get(0);
            assertTrue(problem.contains("steer.engine.ingress-cpus: ") && problem.contains(c.getValue())
                && problem.contains("CPU numbers 0..4095"), c.getKey() + ": " + problem);
        }
        assertEquals(List.of(0, 1, 3), loader.parse(ConfigFactory.parseString("steer.engine.ingress-cpus = \" 0 - 1 , 3 \""))
            .engine().ingressCpus(), "spaces around items and dashes are allowed");
    }

    @Test
    void shouldResolveStoresAgainstTheFileDirectoryWhenTransportIsTlsTcp(@TempDir Path dir) throws Exception {
        final Path keyStore = Keystores.keyPair(dir, "ks");
        Keystores.trustStore(dir, "ts", "trust-secret", keyStore, Keystores.PASSWORD, "ks");
        final Path file = DeploymentFiles.oneTlsNode(dir.resolve("tls.conf"), """
            key-store = "ks.p12", trust-store = "ts.p12", key-store-password = "%s", trust-store-password = "trust-secret",
            protocol = "tlsv1.2"
            """.formatted(Keystores.PASSWORD));
        final Deployment.TlsSettings tls = loader.load(file).cluster().tls().orElseThrow();
        assertEquals(dir.resolve("ks.p12").toAbsolutePath(), tls.keyStore());
        assertEquals(dir.resolve("ts.p12").toAbsolutePath(), tls.trustStore());
        assertEquals(Keystores.PASSWORD, tls.keyPassword());
        assertEquals("TLSv1.2", tls.protocol());
        assertTrue(!tls.toString().contains(Keystores.PASSWORD) && !tls.toString().contains("trust-secret"), tls.toString());
    }

    @Test
    void shouldRefuseTheTlsBlockBeforeAnyNodeStartsWhenAStoreDoesNotOpenWithItsPassword(@TempDir Path dir) throws Exception {
        // Artery opens the stores at the first connection only: with a wrong password the node started, logged
        // "keystore password was incorrect" with stack traces and waited 120 s for a cluster it could not join.
        final String pw = Keystores.PASSWORD;
        Keystores.keyPair(dir, "node-1");
        Keystores.trustStore(dir, "trust", "node-1");
        Keystores.keyPair(dir, "node-2", "store-secret", "key-secret");
        Files.writeString(dir.resolve("node-1.crt"), "-----BEGIN CERTIFICATE-----\nnot a key store\n");
        final KeyStore none = KeyStore.getInstance("PKCS12");
        none.load(null, null);
        try (var out = Files.newOutputStream(dir.resolve("empty.p12"))) {
            none.store(out, pw.toCharArray());
        }
        final Path d = dir.toAbsolutePath().normalize();
        final String k = ":7: steer.cluster.tls.";
        final String[][] cases = {
            {"key-store = \"node-1.p12\", key-store-password = \"wrong\", trust-store = \"trust.p12\", trust-store-password = \"" + pw + "\"",
                k + "key-store-password: does not open the key store " + d.resolve("node-1.p12") + ": the password is wrong"
                    + " (keystore password was incorrect): must be the password of the key store (steer.cluster.tls.key-store)"},
            {"key-store = \"node-1.p12\", key-store-password = \"" + pw + "\", trust-store = \"trust.p12\", trust-store-password = \"wrong\"",
                k + "trust-store-password: does not open the trust store " + d.resolve("trust.p12") + ": the password is wrong"
                    + " (keystore password was incorrect): must be the password of the trust store (steer.cluster.tls.trust-store)"},
            {"key-store = \"node-1.crt\", key-store-password = \"" + pw + "\", trust-store = \"trust.p12\", trust-store-password = \"" + pw + "\"",
                k + "key-store: " + d.resolve("node-1.crt") + " is not a PKCS12 or JKS key store ("},
            {"key-store = \"node-2.jks\", key-store-password = \"store-secret\", key-password = \"wrong\", trust-store = \"trust.p12\", trust-store-password = \"" + pw + "\"",
                k + "key-password: does not recover the key 'node-2' of the key store " + d.resolve("node-2.jks")
                    + ": the password is wrong ("},
            {"key-store = \"node-2.jks\", key-store-password = \"store-secret\", trust-store = \"trust.p12\", trust-store-password = \"" + pw + "\"",
                k + "key-store-password: does not recover the key 'node-2' of the key store " + d.resolve("node-2.jks")
                    + ": the password is wrong ("},
            {"key-store = \"trust.p12\", key-store-password = \"" + pw + "\", trust-store = \"empty.p12\", trust-store-password = \"" + pw + "\"",
                k + "key-store: " + d.resolve("trust.p12") + " holds no private key: must hold this node's key and certificate"
                    + " (keytool -genkeypair)"},
        };
        for (String[] c : cases) {
            final Path file = DeploymentFiles.oneTlsNode(dir.resolve("tls.conf"), c[0]);
            final DeploymentException ex = assertThrows(DeploymentException.class, () -> loader.load(file), c[0]);
            final List<String> problems = ex.problems();
            assertTrue(problems.get(0).startsWith(file + c[1]), c[0] + ": " + problems);
            assertTrue(!String.join("\n", problems).contains(pw), "no password in " + problems);
        }
        final Path empty = DeploymentFiles.oneTlsNode(dir.resolve("tls.conf"), "key-store = \"node-1.p12\", key-store-password = \""
            + pw + "\", trust-store = \"empty.p12\", trust-store-password = \"" + pw + "\"");
        assertEquals(List.of(empty + k + "trust-store: " + d.resolve("empty.p12") + " holds no certificate: the node would trust"
            + " no other node; import every node's certificate (or your CA's) with keytool -importcert"),
            assertThrows(DeploymentException.class, () -> loader.load(empty)).problems());
        final Path good = DeploymentFiles.oneTlsNode(dir.resolve("tls.conf"), "key-store = \"node-2.jks\", key-store-password"
            + " = \"store-secret\", key-password = \"key-secret\", trust-store = \"trust.p12\", trust-store-password = \"" + pw + "\"");
        assertEquals(d.resolve("node-2.jks"), loader.load(good).cluster().tls().orElseThrow().keyStore());
    }

    @Test
    void shouldNameTheFileAndLineWhenAWrongValueComesFromAnEnvironmentVariable(@TempDir Path dir) throws Exception {
        // docs/cluster.md has the passwords come from ${?STEER_KEY_STORE_PASSWORD}: a wrong one was reported as
        // "env variables: steer.cluster.tls.key-store-password: ...", with neither the file nor the line that names
        // the variable. PATH stands for a variable set to a wrong password (every process has it; a test cannot set
        // one).
        assertTrue(System.getenv("PATH") != null, "the test needs PATH set");
        final String pw = Keystores.PASSWORD;
        Keystores.keyPair(dir, "node-1");
        Keystores.trustStore(dir, "trust", "node-1");
        final Path file = DeploymentFiles.oneTlsNode(dir.resolve("tls.conf"), "key-store = \"node-1.p12\","
            + " key-store-password = ${?PATH}, trust-store = \"trust.p12\", trust-store-password = \"" + pw + "\"");
        final DeploymentException ex = assertThrows(DeploymentException.class, () -> loader.load(file));
        assertEquals(List.of(file + ":7: steer.cluster.tls.key-store-password (from $PATH): does not open the key"
            + " store "
            + dir.toAbsolutePath().normalize().resolve("node-1.p12") + ": the password is wrong (keystore password was"
            + " incorrect): must be the password of the key store (steer.cluster.tls.key-store)"), ex.problems());
    }

    @Test
    void shouldNameTheLineOfTheSubstitutionWhenAnEnvironmentVariableReplacesTheFilesOwnValue(@TempDir Path dir)
            throws Exception {
        // docs/config.md's example: "budget = 64" then "budget = ${?STEER_BUDGET}"; a bad value must name the line of
        // the ${?VAR} that took it (line 4), not the line of the value it replaced. PATH stands for a wrong value.
        assertTrue(System.getenv("PATH") != null, "the test needs PATH set");
        final Path file = Files.writeString(dir.resolve("env.conf"),
            "steer {\n  engine {\n    budget = 64\n    budget = ${?PATH}\n  }\n}\n");
        final List<String> problems = assertThrows(DeploymentException.class, () -> loader.load(file)).problems();
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith(file + ":4: steer.engine.budget (from $PATH): must be an integer 1..4096,"
            + " is "),
            problems.toString());
    }

    @Test
    void shouldNameTheFileAndLineWhenAnEnvironmentVariableSetsAKeyThatHasAShippedDefault(@TempDir Path dir)
            throws Exception {
        // steer.engine.budget has a shipped default (64): the ${?VAR} merges with it, and the value taken from the
        // variable must still be named by the file and line of the substitution, as a key without default is.
        assertTrue(System.getenv("PATH") != null, "the test needs PATH set");
        final String[] shapes = {"${?PATH}", "${PATH}"};
        for (String shape : shapes) {
            final Path file = Files.writeString(dir.resolve("env.conf"),
                "steer {\n  engine {\n    budget = " + shape + "\n  }\n}\n");
            final List<String> problems = assertThrows(DeploymentException.class, () -> loader.load(file)).problems();
            assertEquals(1, problems.size(), shape + ": " + problems);
            assertTrue(problems.get(0).startsWith(file + ":3: steer.engine.budget (from $PATH): must be an integer"
                + " 1..4096,"
                + " is "),
                shape + ": " + problems);
        }
        Files.writeString(dir.resolve("engine.conf"), "\n\nsteer.engine.budget = ${?PATH}\n");
        final Path including = Files.writeString(dir.resolve("main.conf"), "include \"engine.conf\"\n");
        final List<String> problems = assertThrows(DeploymentException.class, () -> loader.load(including)).problems();
        assertTrue(problems.get(0).startsWith(dir.resolve("engine.conf") + ":3: steer.engine.budget (from $PATH): "),
            "included: " + problems);
    }

    @Test
    void shouldStartARelativeCaptureFileThatAnEnvironmentVariableGivesAtTheWorkingDirectory(@TempDir Path dir)
            throws Exception {
        // docs/config.md, "Relative paths": a capture file that no file holds (an environment variable's) starts at
        // the working directory; giving the value the origin of its ${?VAR} for messages must not move it to the
        // file's directory. Any variable whose value is a plain relative name stands for STEER_PCAP=capture.pcap.
        final Path cwd = Path.of("").toAbsolutePath();
        final java.util.Map.Entry<String, String> variable = System.getenv().entrySet().stream()
            .filter(e -> e.getKey().matches("[A-Z_]+") && e.getValue().matches("[A-Za-z0-9_][A-Za-z0-9._-]*")
                && !e.getValue().matches("\\.+") && !Files.exists(cwd.resolve(e.getValue())))
            .findFirst().orElseThrow(() -> new AssertionError("the test needs a variable holding a plain name"));
        final Path file = Files.writeString(dir.resolve("replay.conf"),
            "steer {\n  feed {\n    type = pcap\n    pcap.file = ${?" + variable.getKey() + "}\n  }\n}\n");
        final List<String> problems = assertThrows(DeploymentException.class, () -> loader.load(file)).problems();
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("(looked at " + cwd.resolve(variable.getValue()) + ")")
            && problems.get(0).endsWith("; a relative path that no file holds starts at " + cwd), problems.get(0));
    }

    @Test
    void shouldNameTheStoreKeyAndKeepTheOtherProblemsWhenAStorePathHoldsANul(@TempDir Path dir) throws Exception {
        // Path.resolve threw InvalidPathException out of load(), with no key named and the rest lost.
        final Path file = DeploymentFiles.oneTlsNode(dir.resolve("nul.conf"), """
            key-store = "k\\u0000s.p12", trust-store = "gone.p12", key-store-password = "a", trust-store-password = "b"
            """);
        final DeploymentException ex = assertThrows(DeploymentException.class, () -> loader.load(file));
        assertEquals(List.of(
            file + ":7: steer.cluster.tls.key-store: \"k\\u0000s.p12\" is not a path (Nul character not allowed): must"
                + " be a Java key store file",
            file + ":7: steer.cluster.tls.trust-store: 'gone.p12' is not a readable file (looked at "
                + dir.resolve("gone.p12") + "): must be a Java key store file; a relative path starts at the"
                + " directory of the file it is written in, " + dir), ex.problems());
    }

    @ParameterizedTest
    @ValueSource(strings = {"transport = tcp", "transport = aeron-udp", "# transport left at its default, tcp"})
    void shouldRefuseATlsBlockAndCheckItsValuesWhenTransportIsNotTlsTcp(String transport, @TempDir Path dir)
        throws Exception {
        // The user forgot transport = tls-tcp: the block was ignored, its values unchecked, the node ran in plain text.
        Files.writeString(dir.resolve("ts.p12"), "x");
        final Path file = dir.resolve("forgot-tls-tcp.conf");
        Files.writeString(file, String.join("\n",
            "steer {",
            "  map.entries = [ { key = 0, node = \"node-1\" } ]",
            "  cluster {",
            "    enabled = true",
            "    nodes = [ { name = \"node-1\", host = \"127.0.0.1\", port = 25521 } ]",
            "    " + transport,
            "    tls {",
            "      trust-store = \"ts.p12\", key-store-password = \"a\", trust-store-password = \"b\"",
            "      protocol = \"TLSv1.1\"",
            "    }",
            "  }",
            "}", ""));
        final String used = transport.contains("aeron-udp") ? "aeron-udp" : "tcp";
        final DeploymentException ex = assertThrows(DeploymentException.class, () -> loader.load(file));
        assertEquals(List.of(
            file + ":7: steer.cluster.tls: tls is set but transport is " + used + " ("
                + (used.equals("tcp") ? "plain text: the block would be ignored" : "Artery has no TLS over Aeron UDP")
                + "): set transport = tls-tcp, or remove the tls block",
            file + ":7: steer.cluster.tls.key-store: missing: tls-tcp needs a readable Java key store file (PKCS12 or JKS)",
            file + ":9: steer.cluster.tls.protocol: 'TLSv1.1' is not one of TLSv1.3 | TLSv1.2"), ex.problems());
    }

    @Test
    void shouldRefuseWhatANodeCannotStartWithWhenRolesHostPasswordOrBatchSizeAreOutsidePekkosRules(@TempDir Path dir)
        throws Exception {
        Files.writeString(dir.resolve("ks.p12"), "x");
        Files.writeString(dir.resolve("ts.p12"), "x");
        final Path file = dir.resolve("unstartable.conf");
        Files.writeString(file, """
            steer {
              node { name = "node-1", roles = ["steer", "dc-east", " "] }
              engine.pool.frame-size = 65536
              map.entries = [ { key = 0, node = "node-1" } ]
              cluster {
                enabled = true
                nodes = [ { name = "node-1", host = "127.0.0.1", port = 25521 }, { name = "node-2", host = "::1", port = 25522 } ]
                transport = tls-tcp
                tls { key-store = "ks.p12", trust-store = "ts.p12", key-store-password = "", trust-store-password = "b" }
                frame-batch = 64
              }
            }
            """);
        final DeploymentException ex = assertThrows(DeploymentException.class, () -> loader.load(file));
        assertEquals(List.of(
            file + ":2: steer.node.roles: 'dc-east' is not a role: each role must be a non-blank string not starting with"
                + " 'dc-' (Pekko keeps those for data centers)",
            file + ":2: steer.node.roles: ' ' is not a role: each role must be a non-blank string not starting with"
                + " 'dc-' (Pekko keeps those for data centers)",
            file + ":7: steer.cluster.nodes[1].host: '::1' is an IPv6 literal: must be a host name or an IPv4 address"
                + " such as \"127.0.0.1\" (give an IPv6 host a name)",
            file + ":9: steer.cluster.tls.key-store-password: is empty: tls-tcp needs the key store's password; write it"
                + " as ${?ENV_VARIABLE} to keep it out of the file",
            file + ":10: steer.cluster.frame-batch: 64 frames of 65536 bytes (steer.engine.pool.frame-size) make 4194560"
                + " bytes: a cross-node message must be at most 1044480 bytes (frame-batch x (frame-size + 4)); use at"
                + " most 15 frames"), ex.problems());
    }

    @Test
    void shouldRefuseCpusFromTheCommandLineWhenTheFileIsACluster() {
        // As steer run --cpus 0-1 lays its entries over a cluster file: one entry per CPU, without nodes.
        final Path file = ExampleFiles.file("three-node-cluster.conf");
        final var cpus = ConfigFactory.parseMap(java.util.Map.of("steer.map.entries",
            List.of(java.util.Map.of("key", 0), java.util.Map.of("key", 1))), DeploymentLoader.COMMAND_LINE);
        final DeploymentException ex = assertThrows(DeploymentException.class, () -> loader.parse(
            cpus.withFallback(ConfigFactory.parseFile(file.toFile())), "node-2", file.toString(), file.getParent()));
        assertEquals(List.of("command line: steer.map.entries: --cpus cannot be used with a cluster file: it sets one"
            + " entry per CPU of this machine and would replace the map of " + file + ", which every node shares and"
            + " where each entry names its node and CPU; leave --cpus out and place entries in the file"), ex.problems());
    }

    @Test
    void shouldLookForARelativeCaptureFileNextToTheConfigFileWhenTheFileNamesIt(@TempDir Path dir) throws Exception {
        final Path sub = Files.createDirectories(dir.resolve("deploy"));
        Files.writeString(sub.resolve("capture.pcap"), "not read here: the feed reads it");
        final Path good = sub.resolve("replay.conf");
        Files.writeString(good, "steer.feed { type = pcap, pcap.file = \"capture.pcap\" }\n");
        assertEquals(sub.resolve("capture.pcap"), loader.load(good).feed().pcap().path(),
            "found next to the config file, whatever the working directory");
        final Path bad = sub.resolve("missing.conf");
        Files.writeString(bad, "steer.feed {\n  type = pcap\n  pcap.file = \"../captures/gone.pcap\"\n}\n");
        final DeploymentException ex = assertThrows(DeploymentException.class, () -> loader.load(bad));
        assertEquals(List.of(bad + ":3: steer.feed.pcap.file: '../captures/gone.pcap' is not a readable file (looked at "
            + dir.resolve("captures/gone.pcap") + "): must be a capture file; a relative path starts at the directory of"
            + " the file it is written in, " + sub), ex.problems());
    }

    /**
     * An embedder that reads a file and validates the Config with {@code parse(Config)} (no base directory given): the
     * relative TLS stores written in the file start at its directory, as its relative capture file does, not at the
     * working directory (this JVM's, the module's directory, not the temporary one).
     */
    @Test
    void shouldResolveRelativeTlsStoresAndCaptureFileAgainstTheFilesDirectoryWhenAParsedFileIsValidated(
        @TempDir Path dir) throws Exception {
        final Path sub = Files.createDirectories(dir.resolve("deploy"));
        final Path keyStore = Keystores.keyPair(sub, "node-1");
        final Path trustStore = Keystores.trustStore(sub, "trust", "node-1");
        final Path capture = Files.writeString(sub.resolve("capture.pcap"), "not read here: the feed reads it");
        final Path file = DeploymentFiles.oneTlsNode(sub.resolve("tls.conf"), "key-store = \"node-1.p12\","
            + " trust-store = \"trust.p12\", key-store-password = " + Keystores.PASSWORD + ", trust-store-password = "
            + Keystores.PASSWORD);
        Files.writeString(file, "steer.feed { type = pcap, pcap.file = \"capture.pcap\" }\n",
            java.nio.file.StandardOpenOption.APPEND);
        final ConfigCheck check = new ConfigCheck();
        final Deployment d = loader.parse(dev.steer.ingress.config.HoconFile.parse(file, check));
        assertEquals(List.of(), check.errors());
        assertEquals(capture, d.feed().pcap().path());
        assertEquals(keyStore, d.cluster().tls().orElseThrow().keyStore());
        assertEquals(trustStore, d.cluster().tls().orElseThrow().trustStore());
    }

    /**
     * A relative TLS store that no file holds (the embedder's own layer over a file, given to {@code parse(Config)}) is
     * looked for in the working directory: the message says so, not "the config file's directory" it did not look in.
     */
    @Test
    void shouldNameTheWorkingDirectoryWhenARelativeTlsStoreNoFileHoldsIsMissing(@TempDir Path dir) throws Exception {
        final Path file = DeploymentFiles.oneTlsNode(dir.resolve("tls.conf"), "key-store = \"node-1.p12\","
            + " trust-store = \"trust.p12\", key-store-password = " + Keystores.PASSWORD + ", trust-store-password = "
            + Keystores.PASSWORD);
        Keystores.keyPair(dir, "node-1");
        Keystores.trustStore(dir, "trust", "node-1");
        final String gone = "gone-" + dir.getFileName() + ".p12";
        final ConfigCheck check = new ConfigCheck();
        final com.typesafe.config.Config layered = ConfigFactory.parseString("steer.cluster.tls.key-store = \""
            + gone + "\"").withFallback(dev.steer.ingress.config.HoconFile.parse(file, check));
        assertEquals(List.of(), check.errors());
        final DeploymentException ex = assertThrows(DeploymentException.class, () -> loader.parse(layered));
        final String problem = String.join("\n", ex.problems());
        final Path cwd = Path.of("").toAbsolutePath();
        assertTrue(problem.contains("(looked at " + cwd.resolve(gone) + ")"), problem);
        assertTrue(problem.endsWith("; a relative path that no file holds starts at " + cwd), problem);
    }

    @Test
    void shouldGiveNoRuleForRelativePathsWhenAnAbsoluteCaptureFileWrittenInAFileIsMissing(@TempDir Path dir)
        throws Exception {
        // It said "a relative path given on the command line starts at the working directory": neither was the case.
        final Path gone = dir.resolve("captures/gone.pcap");
        final Path file = Files.writeString(dir.resolve("abs.conf"), "steer.feed {\n  type = pcap\n  pcap.file = \""
            + gone + "\"\n}\n");
        final DeploymentException ex = assertThrows(DeploymentException.class, () -> loader.load(file));
        assertEquals(List.of(file + ":3: steer.feed.pcap.file: '" + gone + "' is not a readable file (looked at " + gone
            + "): must be a capture file"), ex.problems());
    }

    @Test
    void shouldNameTheCaptureFileKeyAndKeepTheOtherProblemsWhenThePathHoldsANul(@TempDir Path dir) throws Exception {
        // FeedConfig's Path.of threw InvalidPathException out of load(), with no key named and the rest lost.
        final Path file = Files.writeString(dir.resolve("nul.conf"), "steer.feed {\n  type = pcap\n  queues = 2\n"
            + "  pcap { file = \"a\\u0000b\", speed = 0 }\n}\n");
        final DeploymentException ex = assertThrows(DeploymentException.class, () -> loader.load(file));
        assertEquals(List.of(file + ":4: steer.feed.pcap.speed: 0.0 is out of range: must be 1.0E-6..1000000.0",
            file + ":4: steer.feed.pcap.file: \"a\\u0000b\" is not a path (Nul character not allowed): must be a"
                + " pcap or pcapng file"), ex.problems());
    }

    @Test
    void shouldSayTheCaptureFileIsADirectoryNotThatItIsUnreadableWhenItIsOne(@TempDir Path dir) throws Exception {
        // FeedConfig said "is a directory"; the loader overwrote it with "is not a readable file", which sent users
        // looking for a typo or a permission.
        final Path captures = Files.createDirectories(dir.resolve("captures"));
        final Path file = Files.writeString(dir.resolve("dir.conf"), "steer.feed {\n  type = pcap\n  pcap.file = \""
            + "captures\"\n}\n");
        final DeploymentException ex = assertThrows(DeploymentException.class, () -> loader.load(file));
        assertEquals(List.of(file + ":3: steer.feed.pcap.file: 'captures' is a directory (looked at " + captures
            + "): must be a capture file; a relative path starts at the directory of the file it is written in, " + dir),
            ex.problems());
    }

    @Test
    void shouldLeaveTheUdpBindHostToTheFeedWhenTheDeploymentIsLoaded(@TempDir Path dir) throws Exception {
        // The loader looked the host up (unbounded, at load time, also where --listen replaces it); the feed resolves
        // it when it opens, and names the key, file and line there (FeedConfigTest).
        final Path file = Files.writeString(dir.resolve("udp.conf"), "steer.feed {\n  type = udp\n"
            + "  udp.bind = \"feedhost.invalid:9000\"\n}\n");
        assertEquals("feedhost.invalid", loader.load(file).feed().udp().bindAddress());
    }

    @Test
    void shouldLookForARelativeCaptureFileInTheWorkingDirectoryWhenTheCommandLineNamesIt() {
        final var options = ConfigFactory.parseMap(java.util.Map.of("steer.feed.type", "pcap", "steer.feed.pcap.file",
            "no-such-capture.pcap"), DeploymentLoader.COMMAND_LINE);
        final DeploymentException ex = assertThrows(DeploymentException.class, () -> loader.parse(options));
        assertEquals(List.of("command line: steer.feed.pcap.file: 'no-such-capture.pcap' is not a readable file (looked"
            + " at " + Path.of("no-such-capture.pcap").toAbsolutePath() + "): must be a capture file; a relative path"
            + " that no file holds starts at " + Path.of("").toAbsolutePath()), ex.problems());
    }

    @Test
    void shouldNameTheFileWhenAnEnabledClusterHasNoNodesAndNoEntries(@TempDir Path dir) throws Exception {
        final Path file = dir.resolve("empty-cluster.conf");
        Files.writeString(file, "steer.cluster.enabled = true\n");
        final DeploymentException ex = assertThrows(DeploymentException.class, () -> loader.load(file));
        assertEquals(List.of(
            file + ": steer.cluster.nodes: missing: an enabled cluster lists every node as { name, host, port }",
            file + ": steer.map.entries: missing: a cluster map lists its entries, each with its node, such as"
                + " [ { key = 0, node = \"node-1\", cpu = 0, qsize = 2048 } ]"), ex.problems());
    }

    @Test
    void shouldHintTheNearestKeyWhenOneIsCloseAndListKnownKeysWhenNoneIs() {
        assertEquals("program", ConfigCheck.nearest("progam", DeploymentLoader.ENGINE_KEYS));
        assertEquals("stable-after", ConfigCheck.nearest("stable", ClusterReader.DOWNING_KEYS));
        assertEquals(null, ConfigCheck.nearest("statistics", DeploymentLoader.STEER_KEYS));
    }

    private void assertProblems(String name, String... expected) {
        final DeploymentException ex = assertThrows(DeploymentException.class, () -> loader.load(ExampleFiles.file(name)));
        assertEquals(List.of(expected), ex.problems(), ex.getMessage());
    }
}
