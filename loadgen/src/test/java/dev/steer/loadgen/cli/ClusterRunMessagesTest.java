package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.steer.actors.SteerEngine;
import dev.steer.cluster.config.Deployment;
import dev.steer.cluster.config.DeploymentApplier;
import dev.steer.cluster.config.DeploymentLoader;

/**
 * The lines a cluster node of {@code steer run} ends its start with ({@link ClusterRun}): each names the file, line
 * and setting to look at. Built from deployments loaded from files; no cluster forms.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClusterRunMessagesTest {
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
