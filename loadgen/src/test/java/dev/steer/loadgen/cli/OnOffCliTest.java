package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --on-off ON/OFF} and {@code traffic.on-off}: traffic sent in bursts, end to end over a synthetic feed. Only
 * an upper bound of the frames is asserted (the pattern lets no more through, however fast or slow the machine).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class OnOffCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldSendTheRateOnlyDuringOnWhenARunHasAnOnOffPattern() throws IOException {
        final CliRunner result = CliRunner.run("run", "--feed", "synthetic", "--rate", "100k", "--on-off", "10ms/90ms",
            "--duration", "1s", "--interval", "500ms", "--json", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final JsonNode root = JSON.readTree(result.out().strip());
        assertTrue(root.get("run").get("feed").asText().contains("rate 100000 pps, on-off 10ms/90ms"), root.get("run").toString());
        final long frames = root.get("traffic").get("frames").asLong();
        assertTrue(frames > 0, "traffic flowed: " + root.get("traffic"));
        // 100k/s during 10 ms of every 100 ms: 1,000 frames per period begun, plus the starting burst (100 at 100k/s).
        final long periods = (long) Math.ceil(root.get("run").get("duration_s").asDouble() / 0.1) + 1;
        assertTrue(frames <= periods * 1_000 + 100, frames + " frames in " + periods + " periods: at most 1,000 each + 100");
    }

    /**
     * 1 packet/s during 10 ms of every 100 ms averages 0.1 packet/s: a rate asked, however low, not max. (A burst of
     * 1,000 frames once an hour, {@code --rate 1M --on-off 1ms/1h}, averages 0.28/s and is a burst test all the same.)
     */
    @Test
    void shouldGiveTheAverageRateAskedWhenAnOnOffPatternAveragesBelowOnePacketPerSecond() throws IOException {
        final CliRunner result = CliRunner.run("run", "--feed", "synthetic", "--rate", "1", "--on-off", "10ms/90ms",
            "--duration", "300ms", "--interval", "300ms", "--json", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final JsonNode traffic = JSON.readTree(result.out().strip()).get("traffic");
        assertEquals(0.1, traffic.get("rate_asked_pps").asDouble(-1), 1e-12, traffic.toString());
        // Deterministic: 0.1/s over the run's >= 0.3 s is 0.03 frames, and the first poll after the release, in the
        // first on period, takes the pacer's starting burst (at least 64 frames): judged, and reached.
        assertTrue(traffic.get("offered_frames").asLong() >= 1, traffic.toString());
        assertTrue(traffic.get("rate_reached").isBoolean() && traffic.get("rate_reached").asBoolean(),
            traffic.toString());
    }

    @Test
    void shouldSendDuringOnWithoutARateAndNameThePatternInTheSummaryHeader() {
        final CliRunner result = CliRunner.run("run", "--feed", "synthetic", "--on-off", "2ms/8ms", "--duration", "500ms",
            "--interval", "500ms", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertTrue(result.out().contains("rate max, on-off 2ms/8ms"), result.out());
        assertTrue(result.out().lines().anyMatch(l -> l.strip().startsWith("traffic: ") && !l.contains("traffic: 0 frames")),
            result.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "loadgen"})
    void shouldRefuseAnOnOffOptionThatIsNotTwoPositiveDurationsWithUnits(String command) {
        final String[] to = command.equals("run") ? new String[] {"--feed", "synthetic"}
            : new String[] {"--to", "udp", "--target", "127.0.0.1:9"};
        for (String[] bad : new String[][] {
            {"0ms/90ms", "--on-off 0ms/90ms: on and off must both be positive (for no pattern: off)"},
            {"10ms/0s", "--on-off 10ms/0s: on and off must both be positive (for no pattern: off)"},
            {"10/90", "--on-off 10/90: must be off or ON/OFF, two durations 1us..1h each with a unit ns, us, ms or s,"
                + " e.g. 10ms/90ms"},
            {"10ms", "--on-off 10ms: must be off or ON/OFF"},
            {"2h/1s", "--on-off 2h/1s: must be off or ON/OFF"},
            {"500ns/1s", "--on-off 500ns/1s: on and off must each be 1us..1h"},
            {"61m/1s", "--on-off 61m/1s: must be off or ON/OFF"},
            {"3601s/1s", "--on-off 3601s/1s: on and off must each be 1us..1h"}}) {
            final String[] args = new String[to.length + 5];
            args[0] = command;
            System.arraycopy(to, 0, args, 1, to.length);
            args[to.length + 1] = "--on-off";
            args[to.length + 2] = bad[0];
            args[to.length + 3] = "--duration";
            args[to.length + 4] = "1s";
            final CliRunner result = CliRunner.run(args);
            assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
            assertTrue(result.err().contains("steer " + command + ": " + bad[1]), bad[0] + ": " + result);
        }
    }

    @Test
    void shouldRefuseABadOnOffKeyWithItsFileAndLine(@TempDir Path dir) throws IOException {
        final Path file = dir.resolve("bursts.conf");
        Files.writeString(file, "traffic {\n  rate = 10k\n  on-off = \"10ms/-1ms\"\n}\n");
        final CliRunner result = CliRunner.run("run", "--feed", "synthetic", "--scenario", file.toString(), "--duration",
            "1s");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().contains("bursts.conf:3: traffic.on-off = \"10ms/-1ms\": must be off or ON/OFF"),
            result.toString());
    }

    @Test
    void shouldNameThePatternWhenLoadgenSendsInBursts() throws IOException {
        try (DatagramSocket sink = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            final CliRunner result = CliRunner.run("loadgen", "--to", "udp", "--target", "127.0.0.1:" + sink.getLocalPort(),
                "--count", "200", "--rate", "20k", "--on-off", "5ms/5ms", "--duration", "20s");
            assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
            assertTrue(result.err().contains("rate 20000 pps, on-off 5ms/5ms to udp"), result.toString());
            assertTrue(result.out().startsWith("sent 200 frames"), result.toString());
        }
    }
}
