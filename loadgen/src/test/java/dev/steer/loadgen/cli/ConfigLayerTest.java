package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command-line option sets a key inside a block ({@code --duration} sets {@code run.duration}); a config file
 * whose block is not a block ({@code run = x}) must still be refused, not hidden by the option's block.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConfigLayerTest {
    @TempDir
    Path dir;

    @Test
    void shouldRefuseANonBlockRunWhenAnOptionSetsAKeyInsideIt() throws IOException {
        final Path file = Files.writeString(dir.resolve("run.conf"), "run = x\n");
        final CliRunner result = CliRunner.run("run", "--config", file.toString(), "--duration", "1s");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().contains(file + ":1: run: must be a block"), result.toString());
    }

    @Test
    void shouldNameTheFileKeyNotAnInternalOneWhenAnOptionSetsAKeyInsideANonBlock() throws IOException {
        final Path file = Files.writeString(dir.resolve("engine.conf"), "steer { engine = 5 }\nrun = x\n");
        final CliRunner result = CliRunner.run("run", "--config", file.toString(), "--idle", "yield",
            "--duration", "1s");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().contains(file + ":1: steer.engine: must be a block"), result.toString());
        assertTrue(result.err().contains(file + ":2: run: must be a block"), result.toString());
        assertTrue(!result.err().contains("No configuration setting found"), result.toString());
    }

    @Test
    void shouldNameAnUnknownTopLevelKeyAsWrittenWhenTheFileHasOne() throws IOException {
        final Path file = Files.writeString(dir.resolve("top.conf"), "foo = 1\n");
        final CliRunner result = CliRunner.run("run", "--config", file.toString());
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().contains(file + ":1: foo: unknown key; known keys: run, steer, traffic"),
            result.toString());
    }

    @Test
    void shouldRefuseANonBlockTrafficForLoadgenWhenAnOptionSetsAKeyInsideIt() throws IOException {
        final Path file = Files.writeString(dir.resolve("traffic.conf"), "traffic = 5\n");
        final CliRunner result = CliRunner.run("loadgen", "--to", "udp", "--target", "127.0.0.1:9", "--count", "1",
            "--config", file.toString(), "--flows", "8");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().contains("traffic"), result.toString());
    }

    @Test
    void shouldReportAnInvalidRunKeyOfTheFileWhenAnOptionOverridesIt() throws IOException {
        // --duration 2s hid the file's run.duration = 5 (no unit): the file ran with it today and failed tomorrow
        // without the option. A config file is checked as a whole.
        final Path file = Files.writeString(dir.resolve("run.conf"), "run {\n  duration = 5\n}\n");
        final CliRunner result = CliRunner.run("run", "--config", file.toString(), "--duration", "2s");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().contains(file + ":2: run.duration: 5 has no unit"), result.toString());
        assertTrue(result.err().contains("(--duration overrides it, but a config file is checked as a whole)"),
            result.toString());
    }

    @Test
    void shouldReportAnInvalidDeploymentKeyOfTheFileWhenAnOptionOverridesIt() throws IOException {
        final Path file = Files.writeString(dir.resolve("idle.conf"), "steer.engine {\n  idle = sleepy\n}\n");
        final CliRunner result = CliRunner.run("run", "--config", file.toString(), "--idle", "yield",
            "--duration", "1s");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().contains(file + ":2: steer.engine.idle: "), result.toString());
        assertTrue(result.err().contains("(--idle overrides it, but a config file is checked as a whole)"),
            result.toString());
    }

    @Test
    void shouldReportAnInvalidTrafficKeyOfTheFileWhenAnOptionOverridesIt() throws IOException {
        // The traffic block names its keys as key=value (traffic.flows=0: ...), which the override check did not take
        // for the key, so --flows 16 still hid the file's traffic.flows = 0.
        final Path file = Files.writeString(dir.resolve("flows.conf"), "traffic {\n  flows = 0\n}\n");
        final CliRunner result = CliRunner.run("run", "--config", file.toString(), "--flows", "16",
            "--feed", "synthetic", "--duration", "100ms");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().contains(file + ":2: traffic.flows=0: must be 1.."), result.toString());
        assertTrue(result.err().contains("(--flows overrides it, but a config file is checked as a whole)"),
            result.toString());
    }

    @Test
    void shouldReportAnInvalidBlockOfTheFileWhenAnOptionOverridesEveryKeyInIt() throws IOException {
        // --mix sets every traffic.protocol.* key; the file's all-zero mix is a problem of traffic.protocol itself.
        final Path file = Files.writeString(dir.resolve("mix.conf"),
            "traffic {\n  protocol { udp = 0, tcp = 0, icmp = 0 }\n}\n");
        final CliRunner result = CliRunner.run("run", "--config", file.toString(), "--mix", "udp=1",
            "--feed", "synthetic", "--duration", "100ms");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().contains(file + ":2: traffic.protocol: udp=0, tcp=0, icmp=0: at least one weight"),
            result.toString());
        assertTrue(result.err().contains("(--mix overrides it, but a config file is checked as a whole)"),
            result.toString());
    }
}
