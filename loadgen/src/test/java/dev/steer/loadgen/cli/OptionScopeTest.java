package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.steer.ingress.pcap.PcapWriter;

/**
 * An option that does not apply to what the command does is refused (exit 2, naming the option and why) instead of
 * being ignored, and a duration option needs a unit.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OptionScopeTest {
    @TempDir
    Path dir;

    @Test
    void shouldRefuseALoadgenDurationWhenItHasNoUnit() {
        final CliRunner result = CliRunner.run("loadgen", "--to", "udp", "--target", "127.0.0.1:9", "--count", "1",
            "--duration", "10");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertEquals("steer loadgen: --duration 10: has no unit: must be a duration 1ms..24h such as 10s, 500ms or 2m",
            result.err().strip());
    }

    @Test
    void shouldRefuseARunDurationWhenItHasNoUnit() {
        final CliRunner result = CliRunner.run("run", "--duration", "5", "--no-pin");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().contains("command line: run.duration: \"5\" has no unit (HOCON would read it as 5 ms):"
            + " write one, such as 5s or 5ms"), result.toString());
    }

    private Path capture() throws IOException {
        final Path file = dir.resolve("c.pcap");
        try (PcapWriter writer = PcapWriter.create(file)) {
            writer.write(new byte[60], 0L);
        }
        return file;
    }
}
