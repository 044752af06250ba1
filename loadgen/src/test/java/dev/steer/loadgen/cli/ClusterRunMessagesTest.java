package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.steer.actors.SteerEngine;
import dev.steer.cluster.config.Deployment;
import dev.steer.cluster.config.DeploymentApplier;
import dev.steer.cluster.config.DeploymentLoader;
import dev.steer.engine.map.MapResult;

/**
 * The lines a cluster node of {@code steer run} ends its start with ({@link ClusterRun}): each names the file, line
 * and setting to look at. Built from deployments loaded from files; no cluster forms.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClusterRunMessagesTest {
    /** node-1 and node-2 on fixed loopback ports (nothing listens: the messages are built without a cluster). */
    private static Path file(Path dir, String name, String map) throws IOException {
        final Path file = dir.resolve(name);
        Files.writeString(file, String.join("\n",
            "steer {",
            "  engine { program = l4-hash, pinning = false }",
            "  map {",
            map,
            "  }",
            "  feed { type = synthetic }",
            "  cluster {",
            "    enabled = true",
            "    nodes = [ { name = node-1, host = \"127.0.0.1\", port = 25521 },",
            "              { name = node-2, host = \"127.0.0.1\", port = 25522 } ]",
            "    seed-nodes = [ node-1 ]",
            "  }",
            "}",
            ""));
        return file;
    }

    /** node-2's copy of the file of ClusterRunTest's refusal test: a map of 4, its entry at key 3. */
    private static Path mapOfFour(Path dir) throws IOException {
        return file(dir, "two.conf", String.join("\n",
            "    max-entries = 4",
            "    entries = [ { key = 0, node = node-1, cpu = 0, qsize = 1024 },",
            "                { key = 3, node = node-2, cpu = 0, qsize = 1024 } ]"));
    }

    @ParameterizedTest
    @EnumSource(MapResult.class)
    void shouldNameTheEntrysPlaceTheResultAndWhatToDoWhenTheOwnerRefusesAnyResult(MapResult result, @TempDir Path dir)
            throws Exception {
        final Path two = mapOfFour(dir);
        final Deployment deployment = new DeploymentLoader().load(two, "node-2");
        final String sameFile = ": every node must load the same file (the same steer.map)";
        final String what = switch (result) {
            case E2BIG -> "not below the owner's map size, which is the steer.map.max-entries of the oldest node (the"
                + " owner); this node's is 4 (" + two + ":4)" + sameFile;
            case EINVAL -> "the owner finds the entry invalid (its key, qsize or remote program and targets, checked"
                + " against the owner's map)" + sameFile;
            case ENODEV -> "the owner did not see this node up within 120 s";
            case EBUSY -> "the owner's queue of changes stayed full for 120 s";
            // No advice of its own: what the result means, as MapResult says it.
            case OK, EPERM, ENOENT, ENOMEM, EEXIST, EOVERFLOW -> result.description();
        };
        assertEquals(two + ":6: steer.map.entries[1].key: 3: " + result + ": " + what,
            ClusterRun.refusal(deployment, deployment.map().entries().get(1), result));
    }

    @Test
    void shouldNameTheCommandLineNotTheFileWhenMaxEntriesComesFromTheCommandLine(@TempDir Path dir) throws Exception {
        // "this file's is 4 (command line)" blamed the file for a value the file does not hold.
        final Path two = mapOfFour(dir);
        final Deployment deployment = new DeploymentLoader().parse(
            ConfigFactory.parseMap(Map.of("steer.map.max-entries", 4), DeploymentLoader.COMMAND_LINE)
                .withFallback(ConfigFactory.parseFile(two.toFile())), "node-2", two.toString(), dir);
        assertEquals(two + ":6: steer.map.entries[1].key: 3: E2BIG: not below the owner's map size, which is the"
            + " steer.map.max-entries of the oldest node (the owner); this node's is 4 (command line): every node must"
            + " load the same file (the same steer.map)",
            ClusterRun.refusal(deployment, deployment.map().entries().get(1), MapResult.E2BIG));
    }

    @Test
    void shouldNameTheDefaultWhenMaxEntriesIsNotWritten(@TempDir Path dir) throws Exception {
        final Path two = file(dir, "two.conf", String.join("\n",
            "    entries = [ { key = 0, node = node-1, cpu = 0, qsize = 1024 },",
            "                { key = 3, node = node-2, cpu = 0, qsize = 1024 } ]"));
        final Deployment deployment = new DeploymentLoader().load(two, "node-2");
        // The default is at least this machine's CPU limit: whatever that is here.
        assertEquals(two + ":5: steer.map.entries[1].key: 3: E2BIG: not below the owner's map size, which is the"
            + " steer.map.max-entries of the oldest node (the owner); this node's is " + deployment.map().maxEntries()
            + " (its default: the highest key + 1, at least this machine's CPU limit): every node must load the same"
            + " file (the same steer.map)",
            ClusterRun.refusal(deployment, deployment.map().entries().get(1), MapResult.E2BIG));
    }

    @Test
    void shouldSayWhereTheEntryIsWrittenAndWhereToLookWhenAnotherNodesEntryDidNotAppear(@TempDir Path dir)
            throws Exception {
        // ClusterRunTest's refusal test: node-1 loads this file, node-2 a copy without key 1, which never appears.
        final Path one = file(dir, "one.conf", String.join("\n",
            "    max-entries = 2",
            "    entries = [ { key = 0, node = node-1, cpu = 0, qsize = 1024 },",
            "                { key = 1, node = node-2, cpu = 0, qsize = 1024 } ]"));
        final Deployment deployment = new DeploymentLoader().load(one, "node-1");
        assertEquals("the entry of key 1 (node node-2, " + one + ":6: steer.map.entries[1].key) did not appear within"
            + " 120 s: node-2 places it when it starts; see its output (a placement the owner refused, or another copy"
            + " of the file there: every node must load the same file)",
            ClusterRun.entryMissing(deployment, deployment.map().entries().get(1)));
        // This node's own entry: it placed it itself, so there is no other node's output to look at.
        assertEquals("the entry of key 0 (node node-1, " + one + ":5: steer.map.entries[0].key) did not appear within"
            + " 120 s", ClusterRun.entryMissing(deployment, deployment.map().entries().get(0)));
    }

    @Test
    void shouldNameWhereTheHostIsWrittenWhenItIsNotAnAddressOfThisMachine(@TempDir Path dir) throws Exception {
        // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of a machine. The line named the port's place.
        final int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        final Path file = dir.resolve("host.conf");
        Files.writeString(file, String.join("\n",
            "steer {",
            "  engine { program = l4-hash, pinning = false }",
            "  map { entries = [ { key = 0, node = node-1, cpu = 0, qsize = 1024 } ] }",
            "  feed { type = synthetic }",
            "  cluster {",
            "    enabled = true",
            "    nodes = [ { name = node-1,",
            "                host = \"192.0.2.1\",",
            "                port = " + port + " } ]",
            "  }",
            "}", ""));
        final Deployment deployment = new DeploymentLoader().load(file, "node-1");
        final IllegalStateException error = assertThrows(IllegalStateException.class, () -> ClusterRun.start(deployment,
            DeploymentApplier.applyTo(deployment, SteerEngine.builder()), line -> { }, () -> false));
        final String message = error.getMessage();
        assertTrue(message.startsWith("cannot listen on 192.0.2.1:" + port + ": ") && message.endsWith(
            ": the host must be an address of this machine (" + file + ":8: steer.cluster.nodes[0].host)"), message);
    }
}
