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

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "udp|--netns|ns1|afpacket",
        "udp|--interface|eth0|afpacket",
        "udp|--channel|aeron:udp?endpoint=127.0.0.1:40123|aeron",
        "udp|--stream|5|aeron",
        "udp|--aeron-dir|/dev/shm/x|aeron",
        "aeron|--target|127.0.0.1:9|udp",
        "aeron|--netns|ns1|afpacket",
        "afpacket|--target|127.0.0.1:9|udp",
        "afpacket|--stream|5|aeron"})
    void shouldRefuseALoadgenOptionWhenItBelongsToAnotherTarget(String to, String option, String value, String owner) {
        // Each target with what it needs: refused before anything opens, whatever the target.
        final String[] needs = switch (to) {
            case "udp" -> new String[] {"--target", "127.0.0.1:9"};
            case "aeron" -> new String[] {"--channel", "aeron:udp?endpoint=127.0.0.1:40123"};
            default -> new String[] {"--interface", "eth0"};
        };
        final CliRunner result = CliRunner.run("loadgen", "--to", to, needs[0], needs[1], option, value, "--count", "1");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().contains("steer loadgen: " + option + " " + value + ": an option of --to " + owner
            + ", but the target is " + to), result.toString());
    }

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

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"--rate|1k", "--flows|16", "--sizes|imix", "--mix|udp=1,tcp=1", "--ipv6|50",
        "--seed|3"})
    void shouldRefuseATrafficOptionWhenThePcapFeedMakesNoTraffic(String option, String value) throws IOException {
        final CliRunner result = CliRunner.run("run", "--feed", "pcap", "--pcap", capture().toString(), option, value,
            "--duration", "1s", "--no-pin");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().contains("steer run: " + option + " " + value + ": sets the traffic this process"
            + " generates, but it generates none (the feed is pcap)"), result.toString());
    }

    @Test
    void shouldRefuseATrafficOptionWhenNoTrafficIsAsked() {
        final CliRunner result = CliRunner.run("run", "--no-traffic", "--rate", "1k", "--duration", "1s", "--no-pin");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().contains("steer run: --rate 1k: sets the traffic this process generates, but it"
            + " generates none (--no-traffic)"), result.toString());
    }

    @Test
    void shouldRefuseTheMaxGapWhenTheReplayIsNotPacedByTheCapture() throws IOException {
        final CliRunner result = CliRunner.run("run", "--feed", "pcap", "--pcap", capture().toString(), "--max-gap", "5s",
            "--duration", "1s", "--no-pin");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().contains("steer run: --max-gap 5s: applies only to a replay paced by the capture, but"
            + " the pace is fast: add --pace capture (or leave the option out)"), result.toString());
    }

    private Path capture() throws IOException {
        final Path file = dir.resolve("c.pcap");
        try (PcapWriter writer = PcapWriter.create(file)) {
            writer.write(new byte[60], 0L);
        }
        return file;
    }
}
