package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.agrona.concurrent.UnsafeBuffer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.steer.engine.map.CpuSet;
import dev.steer.ingress.pcap.PcapWriter;
import dev.steer.loadgen.traffic.TrafficGenerator;
import dev.steer.loadgen.traffic.TrafficProfile;

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
    void shouldWarnOfAnInvalidRunKeyOfTheFileAndRunWhenAnOptionOverridesIt() throws IOException {
        // --duration 2s hid the file's run.duration = 5 (no unit) without a word; refusing the run for it (exit 2)
        // broke files that options adapt to a machine. The file's value is not used: a warning, and the run goes on.
        final Path file = Files.writeString(dir.resolve("run.conf"), "run {\n  duration = 5\n}\n");
        final CliRunner result = CliRunner.run("run", "--config", file.toString(), "--duration", "100ms",
            "--feed", "synthetic", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertWarnedOnce(result, "steer run: warning: " + file + ":2: run.duration: 5 has no unit", "--duration");
    }

    @Test
    void shouldWarnOfAnInvalidDeploymentKeyOfTheFileAndRunWhenAnOptionOverridesIt() throws IOException {
        final Path file = Files.writeString(dir.resolve("idle.conf"), "steer.engine {\n  idle = sleepy\n}\n");
        final CliRunner result = CliRunner.run("run", "--config", file.toString(), "--idle", "yield",
            "--duration", "100ms", "--feed", "synthetic", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertWarnedOnce(result, "steer run: warning: " + file + ":2: steer.engine.idle: ", "--idle");
    }

    @Test
    void shouldWarnOfAnInvalidTrafficKeyOfTheFileAndRunWhenAnOptionOverridesIt() throws IOException {
        // The traffic block names its keys as key=value (traffic.flows=0: ...): the option is still found.
        final Path file = Files.writeString(dir.resolve("flows.conf"), "traffic {\n  flows = 0\n}\n");
        final CliRunner result = CliRunner.run("run", "--config", file.toString(), "--flows", "16",
            "--feed", "synthetic", "--duration", "100ms", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertWarnedOnce(result, "steer run: warning: " + file + ":2: traffic.flows=0: must be 1..", "--flows");
    }

    @Test
    void shouldWarnOfAnInvalidBlockOfTheFileAndRunWhenAnOptionOverridesEveryKeyInIt() throws IOException {
        // --mix sets every traffic.protocol.* key; the file's all-zero mix is a problem of traffic.protocol itself.
        final Path file = Files.writeString(dir.resolve("mix.conf"),
            "traffic {\n  protocol { udp = 0, tcp = 0, icmp = 0 }\n}\n");
        final CliRunner result = CliRunner.run("run", "--config", file.toString(), "--mix", "udp=1",
            "--feed", "synthetic", "--duration", "100ms", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertWarnedOnce(result, "steer run: warning: " + file
            + ":2: traffic.protocol: udp=0, tcp=0, icmp=0: at least one weight", "--mix");
    }

    @Test
    void shouldRunWithThePcapOptionWhenTheFileNamesACaptureThatIsNotReadableHere() throws IOException {
        // A file written for the capture host, adapted here with --pcap: refused (exit 2) for a file it does not read.
        final Path file = Files.writeString(dir.resolve("replay.conf"), "steer.feed {\n  type = pcap\n"
            + "  pcap.file = \"" + dir.resolve("srv/captures/big.pcap") + "\"\n}\n");
        final Path local = dir.resolve("local.pcap");
        try (PcapWriter writer = PcapWriter.create(local)) {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[2048]);
            writer.write(buffer, 0, new TrafficGenerator(TrafficProfile.defaults()).next(buffer, 0, 2048), 0L);
        }
        final CliRunner result = CliRunner.run("run", "--config", file.toString(), "--pcap", local.toString(),
            "--duration", "5s", "--no-pin", "--json");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertWarnedOnce(result, "steer run: warning: " + file + ":3: steer.feed.pcap.file: ", "--pcap");
        assertEquals(1, new ObjectMapper().readTree(result.out()).get("accounting").get("received").asLong(),
            "the run replayed the option's capture: " + result);
    }

    @Test
    void shouldRunWithTheListenOptionWithoutLookingUpTheFilesBindHost() throws IOException {
        // The file's host is never used here; the run was refused (exit 2) because it did not resolve.
        final Path file = Files.writeString(dir.resolve("feed.conf"), "steer.feed {\n  type = udp\n"
            + "  udp.bind = \"feedhost.invalid:9000\"\n}\n");
        final CliRunner result = CliRunner.run("run", "--config", file.toString(), "--listen", "127.0.0.1:0",
            "--duration", "100ms", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertTrue(!result.err().contains("feedhost.invalid"), "not looked up, so nothing to warn of: " + result);
    }

    @Test
    void shouldRunOnTheCpusOptionWhenTheFileHasEntriesForCpusThisMachineLacks() throws IOException {
        // A file written for a larger machine, adapted here with --cpus 0: refused (exit 2) for CPU 63.
        final CpuSet machine = CpuSet.fromMachine();
        assumeTrue(machine.isUsable(0) && !machine.isUsable(63), "CPU 0 usable and CPU 63 not");
        final Path file = Files.writeString(dir.resolve("map.conf"), "steer.map {\n  entries = [{key = 63}]\n}\n");
        final CliRunner result = CliRunner.run("run", "--config", file.toString(), "--cpus", "0",
            "--feed", "synthetic", "--duration", "100ms", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertWarnedOnce(result, "steer run: warning: " + file + ":2: steer.map.entries", "--cpus");
    }

    @Test
    void shouldNameTheLineOfTheSubstitutionAndTheVariableWhenAnEnvironmentVariableGivesABadValueToSteerRun()
            throws IOException {
        // The idiom "budget = 64" then "budget = ${?VAR}": the message names the line of the ${?VAR} and the variable,
        // in the deployment's keys and in steer run's own. PATH stands for a variable set to a wrong value.
        assertTrue(System.getenv("PATH") != null, "the test needs PATH set");
        final Path file = Files.writeString(dir.resolve("env.conf"), "steer.engine.budget = 64\n"
            + "steer.engine.budget = ${?PATH}\nrun.duration = 1s\nrun.duration = ${?PATH}\n");
        final CliRunner result = CliRunner.run("run", "--config", file.toString(), "--feed", "synthetic", "--no-pin");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().contains(file + ":2: steer.engine.budget (from $PATH): must be an integer"),
            result.toString());
        assertTrue(result.err().contains(file + ":4: run.duration (from $PATH): "), result.toString());
    }

    @Test
    void shouldNameTheVariableInTheWarningWhenAnOptionOverridesAValueAnEnvironmentVariableGives() throws IOException {
        assertTrue(System.getenv("PATH") != null, "the test needs PATH set");
        final Path file = Files.writeString(dir.resolve("env.conf"), "steer.engine {\n  idle = ${?PATH}\n}\n");
        final CliRunner result = CliRunner.run("run", "--config", file.toString(), "--idle", "yield",
            "--duration", "100ms", "--feed", "synthetic", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertWarnedOnce(result, "steer run: warning: " + file + ":2: steer.engine.idle (from $PATH): ", "--idle");
    }

    @Test
    void shouldNameTheLineOfTheSubstitutionInTheConfigWhenTheScenarioAlsoGivesTheKey() throws IOException {
        // The config file over the scenario file: the key's writes are in two files, ordered by their layers.
        assertTrue(System.getenv("PATH") != null, "the test needs PATH set");
        final Path file = Files.writeString(dir.resolve("env.conf"), "\nrun.duration = ${?PATH}\n");
        final Path scenario = Files.writeString(dir.resolve("scenario.conf"),
            "traffic { flows = 16 }\nrun.duration = 1s\n");
        final CliRunner result = CliRunner.run("run", "--config", file.toString(), "--scenario", scenario.toString(),
            "--feed", "synthetic", "--no-pin");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().contains(file + ":2: run.duration (from $PATH): "), result.toString());
    }

    /** {@code start} is on stderr once, as a warning line that names {@code option} and says the value is unused. */
    static void assertWarnedOnce(CliRunner result, String start, String option) {
        final List<String> lines = result.err().lines().filter(line -> line.startsWith(start)).toList();
        assertEquals(1, lines.size(), result.toString());
        assertTrue(lines.get(0).endsWith("(" + option + " overrides it; the file's value is not used)"),
            result.toString());
    }
}
