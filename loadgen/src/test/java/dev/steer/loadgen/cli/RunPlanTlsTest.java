package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.steer.cluster.ClusterTls;
import dev.steer.cluster.TlsStores;

/** The TLS stores of a {@code steer run --config} deployment, opened when the run's plan is made. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RunPlanTlsTest {
    @Test
    void shouldOpenTheTlsStoresOnceWhenAnOptionOverridesAKeyOfTheFile(@TempDir Path dir)
        throws IOException, GeneralSecurityException {
        // With an option over a key of the file the plan's checks run twice, on the merged settings and on the file's
        // values (to warn of those the option hides), and each run opened the key and trust stores again. Empty
        // stores: opened all the same, and their problem is the plan's.
        emptyStore(dir.resolve("node-1.p12"));
        emptyStore(dir.resolve("trust.p12"));
        final Path file = Files.writeString(dir.resolve("tls.conf"), """
            steer {
              map.entries = [ { key = 0, node = "node-1" } ]
              cluster {
                enabled = true
                nodes = [ { name = "node-1", host = "127.0.0.1", port = 25521 } ]
                transport = tls-tcp
                tls { key-store = "node-1.p12", key-store-password = "%s", trust-store = "trust.p12",
                      trust-store-password = "%s" }
              }
            }
            run.duration = 5
            """.formatted(PASSWORD, PASSWORD));
        final LayeredSettings settings = LayeredSettings.of(new LayeredSettings.Options().put("run.duration",
            "--duration", "1s"), ConfigFile.read("--config", file.toFile()), null);
        final List<ClusterTls> opened = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();

        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> RunPlan.from(
            settings, null, file.toString(), dir, warnings::add, tls -> {
                opened.add(tls);
                return TlsStores.open(tls);
            }));

        assertEquals(1, opened.size(), "the stores are opened once: " + opened);
        assertTrue(refused.getMessage().contains(file + ":7: steer.cluster.tls.key-store: " + dir.resolve("node-1.p12")
            + " holds no private key"), refused.getMessage());
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.getFirst().startsWith(file + ":11: run.duration: 5 has no unit"), warnings.toString());
    }

    private static final String PASSWORD = "steer-test";

    private static void emptyStore(Path file) throws IOException, GeneralSecurityException {
        final KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, PASSWORD.toCharArray());
        }
    }
}
