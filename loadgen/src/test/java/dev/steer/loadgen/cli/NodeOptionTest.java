package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code steer run --node NAME} picks the node of a cluster file (docs/running.md, docs/config.md); with a single-node
 * deployment it only renamed the node, so a user who meant a cluster node got a lone engine. It is refused before
 * anything starts (exit 2), naming the option and why.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NodeOptionTest {
    @TempDir
    Path dir;

    private static String refusal(String node, String why) {
        return "steer run: --node " + node + ": picks the node of a cluster file, but " + why
            + ": leave the option out (or give a cluster file, steer.cluster.enabled = true)";
    }

    @Test
    void shouldRefuseTheNodeOptionWhenNoConfigFileIsGiven() {
        final CliRunner result = CliRunner.run("run", "--node", "node-2", "--feed", "synthetic", "--no-traffic",
            "--duration", "100ms", "--no-pin");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertEquals(refusal("node-2", "the deployment is a single node (no --config)"), result.err().strip());
        assertFalse(result.out().contains("Run summary"), "nothing ran: " + result);
    }

    @Test
    void shouldRefuseTheNodeOptionWhenTheConfigFileIsASingleNode() throws Exception {
        final Path file = dir.resolve("one.conf");
        Files.writeString(file, "steer {\n  node { name = \"node-1\" }\n  feed { type = synthetic }\n"
            + "  cluster { enabled = false }\n}\n");
        final CliRunner result = CliRunner.run("run", "--config", file.toString(), "--node", "node-1", "--no-traffic",
            "--duration", "100ms", "--no-pin");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertEquals(refusal("node-1", "the deployment " + file + " is a single node (steer.cluster.enabled is not"
            + " true)"), result.err().strip());
    }
}
