package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.steer.actors.SteerEngine;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.ingress.aeron.AeronFeed;
import dev.steer.ingress.aeron.AeronMedia;
import dev.steer.ingress.udp.HangingResolverProvider;
import dev.steer.ingress.udp.UdpFeed;
import dev.steer.ingress.udp.UdpSettings;

/** {@code steer loadgen} against a real engine in this JVM, over UDP and over Aeron UDP between two drivers. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoadgenCommandTest {
    @TempDir
    Path dir;

    private static EngineStats awaitReceived(SteerEngine engine, long expected) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        EngineStats stats = engine.stats();
        while (stats.accounting().received() < expected && System.nanoTime() < deadline) {
            LockSupport.parkNanos(10_000_000);
            stats = engine.stats();
        }
        return stats;
    }

    @Test
    void shouldDeliverEveryDatagramItSendsToAnEngineOnAUdpFeed() {
        final UdpFeed feed = new UdpFeed(UdpSettings.defaults());
        final SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(2).entry(0, 2048).entry(1, 2048)
            .feed(feed).pinning(false).systemName("loadgen-udp").start();
        try {
            final CliRunner result = CliRunner.run("loadgen", "--to", "udp", "--target", "127.0.0.1:" + feed.boundPort(),
                "--count", "3000", "--rate", "20000", "--duration", "20s", "--sizes", "imix");
            assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
            assertTrue(result.out().startsWith("sent 3,000 frames"), result.toString());
            assertEquals(3000, awaitReceived(engine, 3000).accounting().received());
        } finally {
            final EngineStats stats = engine.shutdown();
            assertEquals(stats.accounting().received(), stats.accounting().delivered() + stats.accounting().droppedTotal());
            // The invariant alone holds with nothing delivered: the generated frames must be ones l4-hash steers.
            assertEquals(0, stats.accounting().dropped(DropReason.PROGRAM_DROP), stats.accounting().toString());
            assertTrue(stats.accounting().delivered() > 0, "frames reached the engine's handlers: " + stats.accounting());
        }
    }

    @Test
    void shouldReachAnEngineOnAnAeronUdpChannelThroughItsOwnMediaDriver() throws Exception {
        try (AeronMedia media = AeronMedia.embedded()) {
            // Port 0: the driver binds a port of its choosing, which the feed tells (none is picked and released here).
            final AeronFeed feed = new AeronFeed(media.aeron(),
                new AeronFeed.Settings("aeron:udp?endpoint=127.0.0.1:0", 5, AeronFeed.Mode.LOSSLESS));
            final String channel = "aeron:udp?endpoint=" + feed.resolvedEndpoint();
            final SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(1).entry(0, 2048).feed(feed)
                .lossless(true).pinning(false).systemName("loadgen-aeron").start();
            try {
                final CliRunner result = CliRunner.run("loadgen", "--to", "aeron", "--channel", channel, "--stream", "5",
                    "--count", "50000", "--duration", "20s");
                assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
                assertEquals(50_000, awaitReceived(engine, 50_000).accounting().received());
            } finally {
                final EngineStats stats = engine.shutdown();
                assertEquals(50_000, stats.accounting().delivered(), "lossless: " + stats.accounting());
            }
        }
    }

    @Test
    void shouldRefuseUdpWithoutATarget() {
        final CliRunner result = CliRunner.run("loadgen", "--to", "udp");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertEquals("steer loadgen: --to udp needs --target HOST:PORT", result.err().strip());
    }

    @Test
    void shouldReportTheSendingTimeOfTheFramesWhenACountEndsTheRunEarly() throws Exception {
        try (java.net.DatagramSocket sink = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            // 5,000 frames at 100k/s take 50 ms; the duration, 20 s, must not be waited for nor enter the figures.
            final CliRunner result = CliRunner.run("loadgen", "--to", "udp", "--target", "127.0.0.1:" + sink.getLocalPort(),
                "--count", "5000", "--rate", "100k", "--duration", "20s");
            assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
            final java.util.regex.Matcher line = java.util.regex.Pattern
                .compile("sent 5,000 frames in (\\d+\\.\\d+) s \\(([\\d,]+) frames/s\\)").matcher(result.out());
            assertTrue(line.find(), result.toString());
            final double seconds = Double.parseDouble(line.group(1));
            assertTrue(seconds < 0.9, "the loop's own time, not a one-second wait: " + result.out());
            final double rate = Double.parseDouble(line.group(2).replace(",", ""));
            assertTrue(Math.abs(rate * seconds - 5_000) <= 5_000 * 0.06 + rate * 0.005,
                "frames/s is the frames over that time: " + result.out());
        }
    }

    @Test
    void shouldPrintOneLiveLineEachSecondUpToTheEndWhenTheDurationEndsTheRun() throws Exception {
        try (java.net.DatagramSocket sink = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            final CliRunner result = CliRunner.run("loadgen", "--to", "udp", "--target", "127.0.0.1:" + sink.getLocalPort(),
                "--rate", "1k", "--duration", "2s");
            assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
            assertEquals(2, result.err().lines().filter(line -> line.endsWith(" refused")).count(),
                "a line at 1 s and one at 2 s, the end: " + result);
        }
    }

    @Test
    void shouldCountRefusalsApartFromBackPressureWhenNothingListensAtTheUdpTarget() throws Exception {
        final int port;
        try (java.net.DatagramSocket closed = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort(); // closed again: the kernel answers datagrams to it with port unreachable
        }
        final CliRunner result = CliRunner.run("loadgen", "--to", "udp", "--target", "127.0.0.1:" + port,
            "--count", "2000", "--rate", "20k", "--duration", "10s");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final java.util.regex.Matcher line = java.util.regex.Pattern
            .compile("sent ([\\d,]+) frames in .*, ([\\d,]+) send attempts back-pressured, ([\\d,]+) refused")
            .matcher(result.out());
        assertTrue(line.find(), "the summary counts refusals: " + result);
        assertEquals("0", line.group(2), "a refusal is not back-pressure: " + result);
        assertTrue(Long.parseLong(line.group(3).replace(",", "")) > 0, "refusals counted: " + result);
        assertEquals(1, result.err().lines().filter(l -> l.contains("port unreachable")).count(),
            "one warning line: " + result);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1x", "-1s", "0s", "25h", "ten"})
    void shouldRefuseTheDurationNamingTheOptionAndTheAllowedFormWhenItIsNotADuration1msTo24h(String duration) {
        // --count 1: were the duration taken, the run would end after one datagram to the discard port.
        final CliRunner result = CliRunner.run("loadgen", "--to", "udp", "--target", "127.0.0.1:9", "--count", "1",
            "--duration", duration);
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertEquals("steer loadgen: --duration " + duration + ": must be a duration 1ms..24h such as 10s, 500ms or 2m",
            result.err().strip());
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:abc", "127.0.0.1:0", "127.0.0.1:70000", ":9100", "127.0.0.1", "127.0.0.1:"})
    void shouldRefuseTheTargetNamingTheOptionAndTheAllowedFormWhenItIsNotHostAndPort(String target) {
        final CliRunner result = CliRunner.run("loadgen", "--to", "udp", "--target", target, "--count", "1");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertEquals("steer loadgen: --target " + target + ": must be HOST:PORT with a port 1..65535, e.g."
            + " 127.0.0.1:9100 or [::1]:9100", result.err().strip());
    }

    @Test
    void shouldRefuseTheTargetNamingTheHostAndTheLimitWhenItsLookupDoesNotAnswerInTime() {
        // The lookup hung with no time limit, and the command with it (Ctrl-C too: its hook waits for the send).
        final String target = HangingResolverProvider.HANGING_HOST + ":9100";
        final CliRunner result = CliRunner.run("loadgen", "--to", "udp", "--target", target, "--count", "1");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertEquals("steer loadgen: --target " + target + ": host " + HangingResolverProvider.HANGING_HOST
            + " did not resolve within 5 s; give an address, or a name the resolver answers", result.err().strip());
    }

    @Test
    void shouldRefuseTheTargetNamingTheHostAndWhatToGiveWhenItDoesNotResolve() {
        // Said only "host H does not resolve": no word of what the option takes, unlike every other refusal of it.
        final String target = HangingResolverProvider.UNKNOWN_HOST + ":9100";
        final CliRunner result = CliRunner.run("loadgen", "--to", "udp", "--target", target, "--count", "1");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertEquals("steer loadgen: --target " + target + ": host " + HangingResolverProvider.UNKNOWN_HOST
            + " does not resolve; give an address, or a name the resolver answers", result.err().strip());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1"})
    void shouldRefuseTheCountNamingTheOptionWhenItIsBelowOne(String count) {
        final CliRunner result = CliRunner.run("loadgen", "--to", "udp", "--target", "127.0.0.1:9", "--count", count);
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertEquals("steer loadgen: --count " + count + ": must be a number of frames, 1 or more", result.err().strip());
    }

    @Test
    void shouldWarnOfAnInvalidTrafficKeyOfTheConfigFileAndSendWhenAnOptionOverridesIt() throws IOException {
        // --flows 16 hid the file's traffic.flows = 0 without a word; refusing to send for it (exit 2) broke files
        // that options adapt. The file's value is not used: a warning, once, and the loadgen sends with the option's.
        final Path file = Files.writeString(dir.resolve("traffic.conf"), "traffic {\n  flows = 0\n}\n");
        try (java.net.DatagramSocket sink = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            final CliRunner result = CliRunner.run("loadgen", "--to", "udp", "--target",
                "127.0.0.1:" + sink.getLocalPort(), "--count", "1", "--config", file.toString(), "--flows", "16");
            assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
            ConfigLayerTest.assertWarnedOnce(result, "steer loadgen: warning: " + file + ":2: traffic.flows=0: must be 1..",
                "--flows");
            assertTrue(result.err().contains("sending 16 flows"), result.toString());
        }
    }

    @Test
    void shouldWarnOfAnInvalidRunKeyOfTheConfigFileAndSendWhenAnOptionOverridesIt() throws IOException {
        final Path file = Files.writeString(dir.resolve("run.conf"), "run {\n  duration = 5\n}\n");
        try (java.net.DatagramSocket sink = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            final CliRunner result = CliRunner.run("loadgen", "--to", "udp", "--target",
                "127.0.0.1:" + sink.getLocalPort(), "--count", "1", "--config", file.toString(), "--duration", "2s");
            assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
            ConfigLayerTest.assertWarnedOnce(result, "steer loadgen: warning: " + file + ":2: run.duration: 5 has no unit",
                "--duration");
        }
    }
}
