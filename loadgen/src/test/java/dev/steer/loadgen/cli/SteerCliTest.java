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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SteerCliTest {
    @ParameterizedTest
    @ValueSource(strings = {"run", "loadgen", "bench"})
    void shouldPrintHelpWhenAnySubcommandIsAskedForIt(String command) {
        final CliRunner result = CliRunner.run(command, "--help");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertTrue(result.out().contains("Usage: steer " + command), result.toString());
    }

    @Test
    void shouldListTheCommandsWhenRunWithoutArguments() {
        final CliRunner result = CliRunner.run();
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        for (String command : new String[] {"run", "loadgen", "bench", "jmh"}) {
            assertTrue(result.out().contains(command), result.toString());
        }
    }

    @Test
    void shouldExitWithUsageStatusAndOneClearLineWhenAnOptionIsUnknown() {
        final CliRunner result = CliRunner.run("run", "--no-such-option");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().startsWith("steer run: Unknown option: '--no-such-option'"), result.toString());
        assertTrue(result.err().contains("steer run --help"), result.toString());
    }

    @Test
    void shouldExitWithUsageStatusWhenAnOptionValueIsMalformed() {
        final CliRunner result = CliRunner.run("run", "--mix", "udp=x");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().contains("--mix udp=x"), result.toString());
    }

    @Test
    void shouldReportEveryBadSettingAtOnceWithFileAndLineWhenTheConfigIsBroken(@TempDir Path dir) throws IOException {
        final Path file = dir.resolve("broken.conf");
        Files.writeString(file, String.join("\n",
            "run {",
            "  qsize = 0",
            "  program = no-such-program",
            "  duraton = 5s",
            "}",
            "feed { type = carrier-pigeon }",
            "traffic { flows = 0 }",
            ""));
        final CliRunner result = CliRunner.run("run", "--config", file.toString(), "--cpus", "0-9999");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        final String err = result.err();
        assertTrue(err.contains("broken.conf:2: qsize: 0 is out of range: must be 1..16384"), err);
        assertTrue(err.contains("broken.conf:3: program: 'no-such-program' is not one of"), err);
        assertTrue(err.contains("broken.conf:4: run.duraton: unknown key"), err);
        assertTrue(err.contains("broken.conf:6: type: 'carrier-pigeon' is not one of aeron | udp | pcap | afpacket | synthetic"), err);
        assertTrue(err.contains("flows"), err);
        assertTrue(err.contains("command line: cpus: "), err);
    }

    @Test
    void shouldSayWhichFileIsMissingWhenTheConfigDoesNotExist() {
        final CliRunner result = CliRunner.run("run", "--config", "/nonexistent/steer.conf");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertEquals("steer run: --config /nonexistent/steer.conf: no such file", result.err().strip());
    }
}
