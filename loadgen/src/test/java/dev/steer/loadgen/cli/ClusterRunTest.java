package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import dev.steer.ingress.HeldPorts;
import dev.steer.loadgen.JvmOptions;

/**
 * Two {@code steer run --config FILE --node NAME} processes form a cluster from one file, steer traffic across
 * each other, and leave: each node's accounting balances with frames forwarded, and what one forwarded is what
 * the other received from it.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ClusterRunTest {
    /** The map of most tests: key 0 on node-1, key 1 on node-2, each on the node's CPU 0. */
    private static final String KEY_PER_NODE = String.join("\n",
        "    max-entries = 2",
        "    entries = [ { key = 0, node = node-1, cpu = 0, qsize = 1024 },",
        "                { key = 1, node = node-2, cpu = 0, qsize = 1024 } ]");

    /** Ports written into deployment files, held until the test has ended: see {@link HeldPorts}. */
    @RegisterExtension
    final HeldPorts ports = new HeldPorts();

    @Test
    void shouldSteerAcrossTwoNodesOfOneFileWithEveryFrameAccounted(@TempDir Path dir) throws Exception {
        final Path file = twoNodeFile(dir.resolve("two-nodes.conf"), String.join("\n",
            "    max-entries = 3",
            "    entries = [ { key = 0, node = node-1, cpu = 0, qsize = 1024 },",
            "                { key = 1, node = node-2, cpu = 0, qsize = 1024, remote-program = l4-hash },",
            "                { key = 2, node = node-2, cpu = 1, qsize = 1024 } ]"),
            "strategy = keep-oldest, stable-after = 2s", 50_000);
        // One process per node, as users run them: each is `steer run --config FILE --node NAME`.
        final Process one = node(dir, file, "node-1", "4s");
        final Process two = node(dir, file, "node-2", "4s");
        assertTrue(one.waitFor(120, TimeUnit.SECONDS) && two.waitFor(120, TimeUnit.SECONDS), "both nodes ended");
        assertEquals(SteerCli.EXIT_OK, one.exitValue(), Files.readString(dir.resolve("node-1.err")));
        assertEquals(SteerCli.EXIT_OK, two.exitValue(), Files.readString(dir.resolve("node-2.err")));
        final JsonNode a = summary(dir, "node-1");
        final JsonNode b = summary(dir, "node-2");
        for (JsonNode node : new JsonNode[] {a, b}) {
            final JsonNode accounting = node.get("accounting");
            assertEquals(0, accounting.get("lost").asLong(), accounting.toString());
            assertEquals(0, accounting.get("in_flight").asLong(), accounting.toString());
            assertTrue(accounting.get("forwarded").asLong() > 0, "each node steered frames to the other: " + accounting);
        }
        assertEquals(a.get("accounting").get("forwarded").asLong(), receivedFromOtherNodes(b),
            "what node-1 forwarded, node-2's receiver took");
        assertEquals(b.get("accounting").get("forwarded").asLong(), receivedFromOtherNodes(a),
            "what node-2 forwarded, node-1's receiver took");
        for (JsonNode node : new JsonNode[] {a, b}) {
            // Each node has one link, to the other; it carried at least what the node counts forwarded, and nothing
            // was lost on loopback.
            final JsonNode links = node.get("links");
            assertEquals(1, links.size(), String.valueOf(links));
            final JsonNode link = links.get(0);
            assertTrue(link.get("frames").asLong() >= node.get("accounting").get("forwarded").asLong(), link.toString());
            assertTrue(link.get("acknowledged").asLong() > 0, link.toString());
            assertTrue(link.get("acknowledged").asLong() <= link.get("batches").asLong(), link.toString());
            assertEquals(0, link.get("timed_out").asLong(), "no batch lost on loopback: " + link);
            assertTrue(link.has("abandoned"), "every way a batch leaves the window is counted: " + link);
            assertEquals(0, link.get("abandoned").asLong(), "no key given up: " + link);
            assertTrue(link.get("acknowledged").asLong() + link.get("timed_out").asLong()
                + link.get("abandoned").asLong() <= link.get("batches").asLong(), link.toString());
        }
        // The CPUs each node's entries run on, not their global keys (node-2 serves keys 1 and 2 on CPUs 0 and 1).
        assertEquals("0", a.get("run").get("cpus").asText(), a.get("run").toString());
        assertEquals("0-1", b.get("run").get("cpus").asText(), b.get("run").toString());
        // A link is named by its node's name in the file, not by its Pekko address.
        assertEquals("node-2", a.get("links").get(0).get("node").asText(), a.get("links").toString());
        assertEquals("node-1", b.get("links").get(0).get("node").asText(), b.get("links").toString());
        for (JsonNode node : new JsonNode[] {a, b}) {
            // Frames from the other node are stamped by this node's receiver: no latency on another JVM's clock
            // (which once showed as the 60 s clamp of the histogram).
            final long max = node.get("latency_ns").get("max").asLong();
            assertTrue(max > 0 && max < 30_000_000_000L, "latency max " + max + " ns in a 4 s run");
        }
        assertTrue(Files.readString(dir.resolve("node-1.err")).contains("waiting for the cluster map: 3 entries"));
        assertTrue(a.get("failure").isNull(), "a run that did not fail says so: " + a.get("failure"));
        // Key 1's remote program runs on node-2, where its consumer is, and redirects every frame to key 2 (those
        // still in its ring when the leave removed key 2 fall back to key 1's handler).
        final JsonNode key1 = consumer(b, 1).get("counters");
        assertTrue(key1.get("remote_redirect").asLong() > 0, key1.toString());
        assertEquals(key1.get("received").asLong(), key1.get("remote_redirect").asLong(), key1.toString());
        assertTrue(consumer(b, 2).get("counters").get("delivered").asLong() > 0, "key 2 got key 1's frames");
        assertEquals(0, consumer(a, 1).get("counters").get("remote_redirect").asLong(), "node-1 only forwards key 1");
    }

    @Test
    void shouldFailTheRunWhenTheNodeIsDownedWhileItRuns(@TempDir Path dir) throws Exception {
        // A quorum of two: once node-2 is gone, node-1 is below it and the split-brain resolver downs node-1 itself.
        final Path file = twoNodeFile(dir.resolve("quorum.conf"), KEY_PER_NODE,
            "strategy = static-quorum, quorum-size = 2, stable-after = 1s", 20_000);
        try (TwoNodes nodes = TwoNodes.start(dir, file, "90s", "90s")) {
            final Path err = dir.resolve("node-1.err");
            assertTrue(awaitLiveStatistics(nodes.one(), err), "node-1 runs: " + Files.readString(err));
            nodes.two().destroyForcibly();
            assertTrue(nodes.one().waitFor(60, TimeUnit.SECONDS),
                "node-1 ended when it was downed, far before its 90 s");
            final String errors = Files.readString(err);
            assertEquals(SteerCli.EXIT_FAILED, nodes.one().exitValue(), errors);
            assertTrue(errors.contains("the engine was stopped while the run was running"), errors);
            final JsonNode a = summary(dir, "node-1");
            assertEquals(0, a.get("accounting").get("in_flight").asLong(), "drained all the same: " + a.get("accounting"));
            assertTrue(a.get("failure").asText().startsWith("the engine was stopped while the run was running"),
                "the JSON says why the run failed: " + a.get("failure"));
        }
    }

    @Test
    void shouldLeaveGracefullyWhenANodeIsStoppedBySigterm(@TempDir Path dir) throws Exception {
        // keep-oldest: were node-2 ever seen unreachable, node-1 (the oldest) would down it, not itself.
        final Path file = twoNodeFile(dir.resolve("sigterm.conf"), KEY_PER_NODE,
            "strategy = keep-oldest, stable-after = 3s", 20_000);
        try (TwoNodes nodes = TwoNodes.start(dir, file, "12s", "60s")) {
            final Path err = dir.resolve("node-2.err");
            assertTrue(awaitLiveStatistics(nodes.two(), err), "node-2 runs: " + Files.readString(err));
            final long signalled = System.nanoTime();
            nodes.two().destroy(); // SIGTERM
            assertTrue(nodes.two().waitFor(30, TimeUnit.SECONDS), "node-2 ended");
            final long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - signalled);
            final String errors = Files.readString(err);
            assertEquals(143, nodes.two().exitValue(), errors);
            // A graceful leave: node-1 learns that node-2 leaves while the two still talk. (Artery's own JVM hook used
            // to close the transport at the signal, under the leave: node-1 saw node-2 unreachable, kept its entries
            // until the resolver downed it, and node-2 ended only when it downed itself.)
            assertTrue(!errors.contains("UNREACHABLE") && !errors.contains("SBR took decision"), errors);
            assertTrue(seconds < 10, "node-2 left in " + seconds + " s: " + errors);
            assertTrue(nodes.one().waitFor(40, TimeUnit.SECONDS), "node-1 ended");
            assertEquals(SteerCli.EXIT_OK, nodes.one().exitValue(), Files.readString(dir.resolve("node-1.err")));
            final JsonNode a = summary(dir, "node-1");
            final JsonNode b = summary(dir, "node-2");
            final JsonNode accounting = a.get("accounting");
            assertEquals(0, accounting.get("in_flight").asLong(), accounting.toString());
            assertEquals(0, accounting.get("dropped").path("unreachable").asLong(),
                "node-1 forwarded to the leaving node-2 with acknowledgements: " + accounting);
            assertEquals(0, a.get("links").get(0).get("timed_out").asLong(), a.get("links").toString());
            assertEquals(0, b.get("accounting").get("in_flight").asLong(), b.get("accounting").toString());
            assertEquals(a.get("accounting").get("forwarded").asLong(), receivedFromOtherNodes(b),
                "what node-1 forwarded, node-2's receiver took");
        }
    }

    @Test
    // node-1's leave alone waits out its 30 s leave-timeout: 41 s on a quiet machine, and more than 58 s on one running
    // other builds, where the two JVMs' start and the cluster's forming took over 20 s more. The class's bound: a bound
    // on a hang, not a speed.
    void shouldPrintTheSummaryWhenTheSurvivorOfACrashedNodeIsStoppedBySigterm(@TempDir Path dir) throws Exception {
        // node-2 crashes; node-1 is then asked to stop. Its leave cannot complete while node-2 is unreachable and not
        // yet downed (stable-after 1 min): node-1 waits its leave-timeout (30 s by default) for it, then drains. The
        // signal's hook gave up at 30 s, in the middle of that wait: the JVM exited without a summary.
        final Path file = twoNodeFile(dir.resolve("crash.conf"), KEY_PER_NODE,
            "strategy = keep-oldest, stable-after = 60s", "drain-timeout = 1s", 20_000);
        try (TwoNodes nodes = TwoNodes.start(dir, file, "50s", "50s")) {
            final Path err = dir.resolve("node-1.err");
            assertTrue(awaitLiveStatistics(nodes.one(), err), "node-1 runs: " + Files.readString(err));
            nodes.two().destroyForcibly();
            assertTrue(nodes.two().waitFor(10, TimeUnit.SECONDS), "node-2 is gone");
            nodes.one().destroy(); // SIGTERM
            assertTrue(nodes.one().waitFor(45, TimeUnit.SECONDS), "node-1 ended, bounded: " + Files.readString(err));
            final String errors = Files.readString(err);
            assertEquals(143, nodes.one().exitValue(), errors);
            assertTrue(errors.contains("stopping: draining every entry"), errors);
            final String out = Files.readString(dir.resolve("node-1.json")).strip();
            assertTrue(out.startsWith("{"), "the summary was printed: '" + out + "' " + errors);
            final JsonNode accounting = new ObjectMapper().readTree(out).get("accounting");
            assertEquals(0, accounting.get("in_flight").asLong(), "drained, every frame accounted: " + accounting);
            assertEquals(0, accounting.get("lost").asLong(), accounting.toString());
        }
    }

    @Test
    @Timeout(value = 55, unit = TimeUnit.SECONDS)
    void shouldWarnOfNothingWhenTwoNodesEndTheirRunsAndLeaveGracefully(@TempDir Path dir) throws Exception {
        // Every graceful leave made Pekko warn: the other node closes the connection to a member that has left ("The
        // connection has been aborted"), and a singleton manager that is no longer the oldest ignores a change of the
        // oldest ("unhandled event OldestChanged"). Nothing is wrong, so the user is not told that something is.
        final Path file = twoNodeFile(dir.resolve("leave.conf"), KEY_PER_NODE,
            "strategy = keep-oldest, stable-after = 3s", 20_000);
        try (TwoNodes nodes = TwoNodes.start(dir, file, "3s", "3s")) {
            assertTrue(nodes.one().waitFor(45, TimeUnit.SECONDS) && nodes.two().waitFor(10, TimeUnit.SECONDS),
                "both nodes ended");
            for (String name : List.of("node-1", "node-2")) {
                final String errors = Files.readString(dir.resolve(name + ".err"));
                assertEquals(SteerCli.EXIT_OK, (name.equals("node-1") ? nodes.one() : nodes.two()).exitValue(), errors);
                for (String line : errors.lines().toList()) {
                    assertTrue(!line.contains("The connection has been aborted") && !line.contains("unhandled event"),
                        name + " warned of a graceful leave: '" + line + "'");
                }
            }
        }
    }

    @Test
    @Timeout(value = 40, unit = TimeUnit.SECONDS)
    void shouldSayInOneLineWhichAddressIsTakenWhenTheNodesPortIsAlreadyInUse(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            final int port = taken.getLocalPort();
            final Path file = dir.resolve("taken.conf");
            Files.writeString(file, String.join("\n",
                "steer {",
                "  engine { program = l4-hash, pinning = false }",
                "  map { entries = [ { key = 0, node = node-1, cpu = 0, qsize = 1024 } ] }",
                "  feed { type = synthetic }",
                "  cluster {",
                "    enabled = true",
                "    nodes = [ { name = node-1, host = \"127.0.0.1\", port = " + port + " } ]",
                "  }",
                "}", ""));
            final Process one = node(dir, file, "node-1", "5s");
            assertTrue(one.waitFor(30, TimeUnit.SECONDS), "node-1 ended");
            final String errors = Files.readString(dir.resolve("node-1.err"));
            assertEquals(SteerCli.EXIT_FAILED, one.exitValue(), errors);
            // One clear line, not Pekko's 25-line stack trace of the bind before it: every line is the command's own.
            final List<String> lines = errors.lines().toList();
            for (String line : lines) {
                assertTrue(line.startsWith("steer run: "), "only the command's own lines: '" + line + "' in\n" + errors);
            }
            // And where the port is written: the user changes it there.
            assertEquals("steer run: cannot listen on 127.0.0.1:" + port + ": the port is already in use (another node"
                + " or program holds it): stop that process, or give this node another port (" + file
                + ":7: steer.cluster.nodes[0].port)", lines.getLast(), errors);
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldNameTheFileLineAndMaxEntriesWhenTheOwnerRefusesAKeyBeyondItsMapSize(@TempDir Path dir)
            throws Exception {
        // node-1, the first seed and so the oldest node and the map owner, has a map of 2 slots; node-2's copy of the
        // file was edited to a map of 4 with its entry at key 3. The owner refuses key 3 E2BIG. The run said only
        // "the cluster map refused this node's entries: [key 3: E2BIG]": no file, line, setting or what to do.
        // node-1 then waits 120 s for key 1, which node-2's copy lacks: its line is ClusterRunMessagesTest's.
        final Path one = twoNodeFile(dir.resolve("one.conf"), KEY_PER_NODE, "strategy = keep-oldest", 20_000);
        final Path two = dir.resolve("two.conf");
        Files.writeString(two, Files.readString(one).replace(KEY_PER_NODE, String.join("\n",
            "    max-entries = 4",
            "    entries = [ { key = 0, node = node-1, cpu = 0, qsize = 1024 },",
            "                { key = 3, node = node-2, cpu = 0, qsize = 1024 } ]")));
        try (TwoNodes nodes = new TwoNodes(node(dir, one, "node-1", "60s"), node(dir, two, "node-2", "60s"))) {
            assertTrue(nodes.two().waitFor(80, TimeUnit.SECONDS), "node-2 ended");
            final String errors = Files.readString(dir.resolve("node-2.err"));
            assertEquals(SteerCli.EXIT_FAILED, nodes.two().exitValue(), errors);
            final String last = errors.lines().toList().getLast();
            assertEquals("steer run: the cluster map owner refused this node's entries: " + two + ":6: "
                + "steer.map.entries[1].key: 3: E2BIG: not below the owner's map size, which is the "
                + "steer.map.max-entries of the oldest node (the owner); this node's is 4 (" + two
                + ":4): every node must load the same file (the same steer.map)", last, errors);
            // node-1 still waits for key 1: a signal ends that wait at once (its leave and drain follow).
            nodes.one().destroy();
            assertTrue(nodes.one().waitFor(30, TimeUnit.SECONDS), "node-1 ended: "
                + Files.readString(dir.resolve("node-1.err")));
        }
    }

    /** A deployment file of node-1 and node-2 on free loopback ports, synthetic traffic, with this map and downing. */
    private Path twoNodeFile(Path file, String map, String downing, int rate) throws IOException {
        return twoNodeFile(file, map, downing, "", rate);
    }

    /** As above, with {@code cluster} (settings of the cluster block) added. */
    private Path twoNodeFile(Path file, String map, String downing, String cluster, int rate) throws IOException {
        Files.writeString(file, String.join("\n",
            "steer {",
            "  engine { program = l4-hash, pinning = false }",
            "  map {",
            map,
            "  }",
            "  feed { type = synthetic }",
            "  cluster {",
            "    enabled = true",
            "    nodes = [ { name = node-1, host = \"127.0.0.1\", port = " + ports.next() + " },",
            "              { name = node-2, host = \"127.0.0.1\", port = " + ports.next() + " } ]",
            "    seed-nodes = [ node-1 ]",
            "    downing { " + downing + " }",
            "    " + cluster,
            "  }",
            "  stats { interval = 1s }",
            "}",
            "traffic { rate = " + rate + " }",
            ""));
        return file;
    }

    private static JsonNode consumer(JsonNode node, int key) {
        for (JsonNode consumer : node.get("consumers")) {
            if (consumer.get("key").asInt() == key) {
                return consumer;
            }
        }
        throw new AssertionError("no consumer of key " + key + ": " + node.get("consumers"));
    }

    /** node-1 and node-2 of one file, each a {@code steer run} process; closing kills whichever still runs. */
    private record TwoNodes(Process one, Process two) implements AutoCloseable {
        static TwoNodes start(Path dir, Path file, String duration1, String duration2) throws IOException {
            return new TwoNodes(node(dir, file, "node-1", duration1), node(dir, file, "node-2", duration2));
        }

        @Override
        public void close() {
            one.destroyForcibly();
            two.destroyForcibly();
        }
    }

    /**
     * Waits until the node's live statistics (an ingress row) are in its stderr, it is running, or until its process
     * has ended. No clock of its own: two JVMs starting and forming a cluster on a loaded machine took over 30 s, and a
     * test that went on after a bounded wait killed or signalled a node still waiting for the cluster. The test's
     * {@code @Timeout} bounds it (the sleep ends when that interrupts it).
     *
     * @return whether the row is there
     */
    private static boolean awaitLiveStatistics(Process node, Path err) throws IOException, InterruptedException {
        while (!Files.readString(err).contains("ingress-0")) {
            if (!node.isAlive()) {
                return Files.readString(err).contains("ingress-0");
            }
            Thread.sleep(100);
        }
        return true;
    }

    /** The JSON summary the node {@code name} printed. */
    private static JsonNode summary(Path dir, String name) throws IOException {
        return new ObjectMapper().readTree(Files.readString(dir.resolve(name + ".json")).strip());
    }

    private static Process node(Path dir, Path file, String name, String duration) throws IOException {
        final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
            .toString()));
        command.addAll(JvmOptions.flags());
        command.addAll(List.of("-Xmx512m", "-cp", System.getProperty("java.class.path"),
            SteerCli.class.getName(), "run", "--config", file.toString(), "--node", name, "--duration", duration, "--json"));
        final ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("STEER_DEBUG"); // stack traces on the terminal are what some tests rule out
        return builder.redirectOutput(dir.resolve(name + ".json").toFile())
            .redirectError(dir.resolve(name + ".err").toFile()).start();
    }

    private static long receivedFromOtherNodes(JsonNode node) {
        for (JsonNode ingress : node.get("ingresses")) {
            if ("receiver".equals(ingress.get("name").asText())) {
                return ingress.get("counters").get("received").asLong();
            }
        }
        throw new AssertionError("no receiver row: " + node.get("ingresses"));
    }
}
