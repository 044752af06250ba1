package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code steer loadgen --scenario FILE} (and {@code --config FILE}) reads the file's {@code run { }} block as
 * {@code steer run} does where it applies: {@code run.duration} sets how long it sends unless {@code --duration} is
 * given, a bad value is refused with file and line, and {@code run.churn-interval}, which changes an engine's map the
 * loadgen does not have, is named in a warning instead of being dropped in silence.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoadgenScenarioRunTest {
    @TempDir
    Path dir;

    private Path scenario(String run) throws IOException {
        final Path file = dir.resolve("s.conf");
        Files.writeString(file, "traffic {\n  flows = 16\n  rate = 2k\n}\n" + run);
        return file;
    }

    /** {@code steer loadgen --to udp} with {@code args}, to a loopback socket that takes what it is sent. */
    private static CliRunner loadgenToSink(String... args) throws IOException {
        try (DatagramSocket sink = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            final List<String> command = new ArrayList<>(List.of("loadgen", "--to", "udp", "--target",
                "127.0.0.1:" + sink.getLocalPort()));
            command.addAll(List.of(args));
            return CliRunner.run(command.toArray(String[]::new));
        }
    }

    /** The loadgen ended well after sending for about the 300 ms of the file's {@code run.duration}. */
    private static void assertSentFor300Ms(CliRunner result) {
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final double seconds = seconds(result);
        assertTrue(seconds > 0.2 && seconds < 2.0, "run.duration 300ms, not the 10 s default: " + result);
    }

    private static double seconds(CliRunner result) {
        final Matcher line = Pattern.compile("sent [\\d,]+ frames in (\\d+\\.\\d+) s").matcher(result.out());
        assertTrue(line.find(), result.toString());
        return Double.parseDouble(line.group(1));
    }

    @Test
    void shouldSendForTheScenarioDurationWhenNoDurationOptionIsGiven() throws Exception {
        final Path file = scenario("run {\n  duration = 300ms\n}\n");
        assertSentFor300Ms(loadgenToSink("--scenario", file.toString()));
    }

    @Test
    void shouldSendForTheConfigFileDurationWhenNoDurationOptionIsGiven() throws Exception {
        final Path file = scenario("run {\n  duration = 300ms\n}\n");
        assertSentFor300Ms(loadgenToSink("--config", file.toString()));
    }

    @Test
    void shouldSendForTheDurationOptionWhenItOverridesTheScenarioDuration() throws Exception {
        final Path file = scenario("run {\n  duration = 20s\n}\n");
        final CliRunner result = loadgenToSink("--scenario", file.toString(), "--duration", "300ms");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertTrue(seconds(result) < 2.0, "the option wins over the file, as for steer run: " + result);
    }

    @Test
    void shouldRefuseTheScenarioWithFileAndLineWhenItsRunDurationIsNotADuration() throws Exception {
        final Path file = scenario("run {\n  duration = 5\n}\n");
        // --count 1: were the block ignored, the loadgen would send one datagram to the discard port and succeed.
        final CliRunner result = CliRunner.run("loadgen", "--to", "udp", "--target", "127.0.0.1:9", "--count", "1",
            "--scenario", file.toString());
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().contains(file + ":6: run.duration"), "file, line and key, as steer run says: " + result);
        assertFalse(result.out().contains("sent "), "nothing sent: " + result);
    }

    @Test
    void shouldWarnThatTheChurnIntervalDoesNotApplyWhenTheScenarioHasOne() throws Exception {
        final Path file = scenario("run {\n  duration = 200ms\n  churn-interval = 100ms\n}\n");
        final CliRunner result = loadgenToSink("--scenario", file.toString());
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertEquals(1, result.err().lines().filter(line -> line.startsWith("steer loadgen: warning: " + file
            + ":7: run.churn-interval 100ms: ")).count(), "one warning naming the key, file and line: " + result);
    }

    @Test
    void shouldWarnAboutTheChurnIntervalOfTheShippedChurnScenarioAndStillSend() throws Exception {
        final CliRunner result = loadgenToSink("--scenario", "churn", "--count", "100");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertTrue(result.err().contains("run.churn-interval 100ms: "), result.toString());
        assertTrue(result.out().startsWith("sent 100 frames"), result.toString());
    }
}
