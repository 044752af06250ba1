package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A lossless run cannot slow a sender on the wire: a UDP or AF_PACKET feed whose ingress is refused leaves its frames
 * in the kernel's socket buffer or ring, which drops what does not fit as {@code feed_overrun}. The run says so once,
 * at start, naming the setting that asked for lossless; feeds that do back-pressure their input get no such line. The
 * AF_PACKET case needs a veth pair: {@code AfPacketCliTest}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LosslessWireWarningTest {
    @Test
    void shouldWarnOnceAtStartNamingTheOptionWhenALosslessRunReadsAUdpFeed() {
        final CliRunner result = CliRunner.run("run", "--feed", "udp", "--listen", "127.0.0.1:0", "--lossless",
            "--rate", "1k", "--duration", "300ms", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final List<String> warnings = losslessWarnings(result);
        assertEquals(1, warnings.size(), "warned once: " + result);
        final String line = warnings.get(0);
        assertTrue(line.startsWith("steer run: warning: --lossless: the udp feed on 127.0.0.1:"
            + boundPorts(result).getFirst() + " cannot slow its sender"), line);
        assertTrue(line.contains("receive buffer") && line.contains("feed_overrun"), "what happens and where it is"
            + " counted: " + line);
        assertTrue(result.err().indexOf(line) < result.err().indexOf("starting the engine"), "at start: " + result);
    }

    /** Queue i listens on its own port: the warning names them as the summary names the feed, the ports bound. */
    @Test
    void shouldNameEveryQueuesBoundPortWhenALosslessUdpFeedHasSeveralQueuesOnPortZero() {
        final CliRunner result = CliRunner.run("run", "--feed", "udp", "--listen", "127.0.0.1:0", "--queues", "2",
            "--lossless", "--rate", "1k", "--duration", "300ms", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final List<String> warnings = losslessWarnings(result);
        assertEquals(1, warnings.size(), "warned once: " + result);
        assertTrue(warnings.get(0).startsWith("steer run: warning: --lossless: the udp feed on 127.0.0.1:"
            + String.join(",", boundPorts(result)) + " cannot slow its sender"), warnings.get(0) + "\n" + result);
    }

    @Test
    void shouldNameTheFileAndLineWhenTheConfigFileAsksForLossless(@TempDir Path dir) throws Exception {
        final Path config = Files.writeString(dir.resolve("wire.conf"), """
            steer.feed.type = udp
            steer.feed.mode = lossless
            steer.feed.udp.bind = "127.0.0.1:0"
            """);
        final CliRunner result = CliRunner.run("run", "--config", config.toString(), "--rate", "1k", "--duration",
            "300ms", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final List<String> warnings = losslessWarnings(result);
        assertEquals(1, warnings.size(), "warned once: " + result);
        assertTrue(warnings.get(0).startsWith("steer run: warning: " + config + ":2: steer.feed.mode = lossless: the"
            + " udp feed on 127.0.0.1:" + boundPorts(result).getFirst() + " cannot slow its sender"), warnings.get(0));
    }

    @Test
    void shouldNotWarnWhenAUdpRunDrops() {
        final CliRunner result = CliRunner.run("run", "--feed", "udp", "--listen", "127.0.0.1:0", "--rate", "1k",
            "--duration", "300ms", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertEquals(List.of(), losslessWarnings(result), result.toString());
    }

    /** Aeron's controlled poll and a synthetic feed hold what the engine refused: lossless reaches their sender. */
    @ParameterizedTest
    @ValueSource(strings = {"aeron", "synthetic"})
    void shouldNotWarnWhenTheFeedBackPressuresItsInput(String feed) {
        final CliRunner result = CliRunner.run("run", "--feed", feed, "--lossless", "--rate", "1k", "--duration",
            "300ms", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertEquals(List.of(), losslessWarnings(result), result.toString());
    }

    /** A replay reads its file only as fast as the engine takes the packets. */
    @Test
    void shouldNotWarnWhenAPcapReplayRunsLossless(@TempDir Path dir) {
        final Path file = CaptureCountsCliTest.cleanCapture(dir.resolve("clean.pcap"), 3);
        final CliRunner result = CliRunner.run("run", "--feed", "pcap", "--pcap", file.toString(), "--lossless",
            "--duration", "2s", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertEquals(List.of(), losslessWarnings(result), result.toString());
    }

    /** The ports of the run's {@code listening on 127.0.0.1:P, 127.0.0.1:Q ...} line, in queue order. */
    private static List<String> boundPorts(CliRunner result) {
        final String line = result.err().lines().filter(l -> l.startsWith("steer run: listening on ")).findFirst()
            .orElseThrow(() -> new AssertionError("no listening line: " + result));
        final String where = line.substring("steer run: listening on ".length(), line.length() - " ...".length());
        final List<String> ports = Arrays.stream(where.split(", "))
            .map(queue -> queue.substring(queue.lastIndexOf(':') + 1)).toList();
        assertFalse(ports.contains("0"), "bound ports: " + line);
        return ports;
    }

    /** The warning lines that speak of lossless: from this warning, or from any other that would repeat it. */
    static List<String> losslessWarnings(CliRunner result) {
        return result.err().lines().filter(line -> line.contains("warning:") && line.contains("cannot slow its sender"))
            .toList();
    }
}
