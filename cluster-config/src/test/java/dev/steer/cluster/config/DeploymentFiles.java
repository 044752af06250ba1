package dev.steer.cluster.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test support: deployment files a test writes into its own directory. */
final class DeploymentFiles {
    private DeploymentFiles() {
    }

    /**
     * Writes {@code file}: a cluster of node-1 alone (127.0.0.1:25521, key 0) over tls-tcp, its {@code tls} block
     * holding {@code tlsSettings} (HOCON). Nothing is started: the port is not bound.
     */
    static Path oneTlsNode(Path file, String tlsSettings) throws IOException {
        return Files.writeString(file, """
            steer {
              map.entries = [ { key = 0, node = "node-1" } ]
              cluster {
                enabled = true
                nodes = [ { name = "node-1", host = "127.0.0.1", port = 25521 } ]
                transport = tls-tcp
                tls { %s }
              }
            }
            """.formatted(tlsSettings));
    }
}
