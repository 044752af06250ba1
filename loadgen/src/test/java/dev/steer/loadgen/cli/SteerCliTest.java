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

    @ParameterizedTest
    @ValueSource(strings = {"run", "loadgen"})
    void shouldGiveTheSizeWeightFormOfSizesInTheHelpOfEveryCommandTakingSizes(String command) {
        final String help = CliRunner.run(command, "--help").out().replaceAll("\\s+", " ");
        assertTrue(help.contains("SIZE:WEIGHT") && help.replace(" ", "").contains("64:7,594:4,1518:1"), // picocli may break the line after a colon
            "--sizes takes SIZE or SIZE:WEIGHT entries (docs/traffic.md): " + help);
    }

    @Test
    void shouldSayInTheLoadgenHelpThatTheDefaultIpcChannelNeedsAeronDir() {
        final String help = CliRunner.run("loadgen", "--help").out().replaceAll("\\s+", " ");
        final int channel = help.indexOf("--channel=URI "); // the option's row, not the synopsis
        assertTrue(channel >= 0, help);
        final String text = help.substring(channel, help.indexOf("--stream=ID ", channel));
        assertTrue(text.contains("aeron:ipc") && text.contains("--aeron-dir"),
            "the default IPC channel is refused without --aeron-dir, and the help must say so: " + text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"run --version", "run -V", "loadgen --version", "bench -V"})
    void shouldPrintTheVersionWhenASubcommandIsAskedForItAsItsHelpOffers(String args) {
        final CliRunner top = CliRunner.run("--version");
        final CliRunner result = CliRunner.run(args.split(" "));
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertTrue(top.out().startsWith("steer "), top.toString());
        assertEquals(top.out(), result.out(), "the same line as steer --version: " + result);
    }

    @Test
    void shouldPrintJmhHelpAndExitZeroWhenJmhIsAskedForHelp() {
        final CliRunner result = CliRunner.run("jmh", "--help"); // JMH prints its help to stdout itself
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertEquals("", result.err(), result.toString());
    }

    @Test
    void shouldExitWithUsageStatusWhenJmhGetsAnUnknownOption() {
        final CliRunner result = CliRunner.run("jmh", "-zz");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().startsWith("steer jmh: z is not a recognized option"), result.toString());
    }

    @Test
    void shouldSayNoBenchmarkMatchesAndExitWithUsageStatusWhenTheJmhPatternMatchesNothing() {
        final CliRunner result = CliRunner.run("jmh", "NoSuchBenchmarkAnywhere");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertEquals("steer jmh: no benchmark matches 'NoSuchBenchmarkAnywhere' (steer jmh -l lists them)",
            result.err().strip(), result.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--forks=0", "--forks=11", "--iterations=0", "--iterations=101"})
    void shouldRefuseBenchCountsOutOfRangeNamingTheOptionBeforeRunningAnything(String option) {
        final CliRunner result = CliRunner.run("bench", option);
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().contains(option + ": must be 1 to "), result.toString());
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
    void shouldNameTheCommandOnceWhenTheTopLevelArgumentIsUnknown() {
        final CliRunner result = CliRunner.run("nonsense");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertEquals("steer: Unmatched argument at index 0: 'nonsense'\ntry: steer --help", result.err().strip(),
            result.toString());
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
            "steer {",
            "  engine { program = no-such-program }",
            "  map { default-qsize = 0 }",
            "  feed { type = carrier-pigeon }",
            "}",
            "run { duraton = 5s }",
            "traffic { flows = 0 }",
            ""));
        final CliRunner result = CliRunner.run("run", "--config", file.toString());
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        final String err = result.err();
        assertTrue(err.contains("broken.conf:2: steer.engine.program"), err);
        assertTrue(err.contains("no-such-program"), err);
        assertTrue(err.contains("broken.conf:3: steer.map.default-qsize"), err);
        assertTrue(err.contains("broken.conf:4: steer.feed.type"), err);
        assertTrue(err.contains("carrier-pigeon"), err);
        assertTrue(err.contains("broken.conf:6: run.duraton: unknown key"), err);
        assertTrue(err.contains("broken.conf:7:") && err.contains("flows"), err);
    }

    @Test
    void shouldRefuseACpuThatIsNotUsableHere() {
        final CliRunner result = CliRunner.run("run", "--cpus", "0-4095");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().contains("--cpus 0-4095: CPU ") && result.err().contains("is not usable here"), result.toString());
    }

    @Test
    void shouldRefuseACpuListedTwiceWhenGivenToCpus() {
        // Short and idle should it run: the old parser dropped the repeat without a word and ran.
        final CliRunner result = CliRunner.run("run", "--cpus", "0,0", "--feed", "synthetic", "--no-traffic",
            "--duration", "100ms");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().contains("--cpus 0,0: CPU 0 is listed twice"), result.toString());
        assertTrue(result.err().contains("each CPU once"), "says what is allowed: " + result);
    }

    @Test
    void shouldRefuseAReversedRangeWhenGivenToCpus() {
        final CliRunner result = CliRunner.run("run", "--cpus", "1-0", "--feed", "synthetic", "--no-traffic",
            "--duration", "100ms");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().contains("--cpus 1-0: range 1-0 is reversed (write 0-1)"), result.toString());
    }

    @Test
    void shouldSayWhichFileIsMissingWhenTheConfigDoesNotExist() {
        final CliRunner result = CliRunner.run("run", "--config", "/nonexistent/steer.conf");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertEquals("steer run: --config /nonexistent/steer.conf: no such file", result.err().strip());
    }
}
