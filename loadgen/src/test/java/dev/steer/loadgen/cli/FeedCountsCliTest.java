package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.steer.loadgen.traffic.TrafficGenerator;
import dev.steer.loadgen.traffic.TrafficProfile;

/**
 * {@code steer run --feed udp} says what its feed counted as {@code feed_overrun}, split into what the kernel dropped
 * while the run ran and what the close found still in the socket ({@code UdpFeed.leftAtClose()}): a {@code feed:} line
 * in the summary and on the report page when the feed overran at all, and a {@code feed_counts} object per feed in the
 * JSON, every key present even when 0. Real UDP on 127.0.0.1, through the command in this JVM.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FeedCountsCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FEED_LINE = Pattern.compile("feed: (udp:127\\.0\\.0\\.1:\\d+): feed_overrun ([0-9,]+):"
        + "(?: ([0-9,]+) dropped by the kernel before the first poll \\(the socket buffer filled while the engine"
        + " started\\),?)?"
        + "(?: ([0-9,]+) dropped by the kernel while running \\(socket buffer full\\),?)?"
        + "(?: ([0-9,]+) left in the socket at close,?)?(?: ([0-9,]+) held by the feed at close)?");

    /** What the run says once its feed's socket is bound: the port the kernel chose for {@code --listen HOST:0}. */
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    /**
     * Runs {@code steer run --feed udp --no-traffic} with {@code options} while this thread floods its port with
     * 60-byte frames until the command has returned, so the socket still holds datagrams when the run closes its feed:
     * lossless with a ring of 1 makes the ingress take them more slowly than they come.
     */
    private static CliRunner runFlooded(String... options) throws Exception {
        // Port 0, the port the run names: a port probed free and bound later by the run could be taken in between.
        final List<String> args = new java.util.ArrayList<>(List.of("run", "--feed", "udp", "--listen",
            "127.0.0.1:0", "--no-traffic", "--lossless", "--qsize", "1", "--cpus", "0", "--duration", "1s",
            "--no-pin"));
        args.addAll(List.of(options));
        final CliRunner.Running run = CliRunner.start(args.toArray(String[]::new));
        // The feed's socket is bound once the run starts its engine; what is sent before would be refused.
        assertTrue(run.awaitErr("starting the engine"), "the run opened its feed");
        final Matcher listening = LISTENING.matcher(run.err().toString());
        assertTrue(listening.find(), "the run names the port it bound: " + run.err());
        final int port = Integer.parseInt(listening.group(1));
        final TrafficGenerator generator = new TrafficGenerator(TrafficProfile.defaults().withFlows(64));
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[2048]);
        final ByteBuffer datagram = ByteBuffer.allocateDirect(2048);
        final AtomicLong sent = new AtomicLong();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (DatagramChannel sender = DatagramChannel.open()) {
            final InetSocketAddress target = new InetSocketAddress("127.0.0.1", port);
            while (!run.result().isDone() && System.nanoTime() < deadline) {
                final int length = generator.next(frame, 0, frame.capacity());
                datagram.clear();
                frame.getBytes(0, datagram, length);
                datagram.flip();
                sender.send(datagram, target);
                sent.incrementAndGet();
            }
        }
        final CliRunner result = run.result().get(30, TimeUnit.SECONDS);
        assertTrue(sent.get() > 0, "the test sent: " + result);
        return result;
    }

    private static long count(String digits) {
        return digits == null ? 0 : Long.parseLong(digits.replace(",", ""));
    }

    @Test
    void shouldTellWhatWasLeftInTheSocketAtCloseApartFromOverrunWhileRunningWhenTheUdpFeedOverran(@TempDir Path dir)
        throws Exception {
        final Path report = dir.resolve("report");
        final CliRunner result = runFlooded("--report", report.toString());
        assertEquals(SteerCli.EXIT_OK, result.exit(), "what the feed lost is counted, not lost: " + result);
        final List<String> lines = result.out().lines().filter(line -> line.startsWith("feed:")).toList();
        assertEquals(1, lines.size(), "one line for the one feed: " + result);
        final Matcher line = FEED_LINE.matcher(lines.get(0));
        assertTrue(line.matches(), "the line names the feed and splits its feed_overrun: " + lines.get(0));
        final long overrun = count(line.group(2));
        final long beforeFirstPoll = count(line.group(3));
        final long whileRunning = count(line.group(4));
        final long leftAtClose = count(line.group(5));
        final long heldAtClose = count(line.group(6));
        assertTrue(leftAtClose > 0, "the flood kept the socket busy until the close: " + result);
        assertEquals(overrun, beforeFirstPoll + whileRunning + leftAtClose + heldAtClose, lines.get(0));

        final JsonNode written = JSON.readTree(report.resolve("summary.json").toFile());
        final JsonNode counts = written.get("feed_counts");
        assertEquals(1, counts.size(), written.toString());
        final JsonNode feed = counts.get(0);
        assertEquals(line.group(1), feed.get("feed").asText(), feed.toString());
        assertEquals("udp", feed.get("type").asText(), feed.toString());
        assertEquals(leftAtClose, feed.get("left_at_close").asLong(), feed.toString());
        assertEquals(beforeFirstPoll + whileRunning, feed.get("kernel_drops").asLong(), feed.toString());
        assertEquals(beforeFirstPoll, feed.get("kernel_drops_before_first_poll").asLong(), feed.toString());
        assertEquals(heldAtClose, feed.get("held_at_close").asLong(), feed.toString());
        assertEquals(overrun, feed.get("feed_overrun").asLong(), feed.toString());
        // The one feed's split adds up to the engine's count of the reason.
        assertEquals(overrun, written.at("/accounting/dropped/feed_overrun").asLong(), written.toString());
        assertTrue(feed.get("packets").asLong() > 0, feed.toString());

        final String html = Files.readString(report.resolve("index.html"));
        assertTrue(html.contains(lines.get(0)), "the page has the line as the summary prints it");
    }

    @Test
    void shouldPutEveryCountOfTheUdpFeedInTheJsonWhenItOverran() throws Exception {
        final CliRunner result = runFlooded("--json");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final JsonNode root = JSON.readTree(result.out().strip());
        final JsonNode feed = root.at("/feed_counts/0");
        assertTrue(feed.get("left_at_close").asLong() > 0, feed.toString());
        assertEquals(feed.get("kernel_drops").asLong() + feed.get("held_at_close").asLong()
            + feed.get("left_at_close").asLong(), feed.get("feed_overrun").asLong(), feed.toString());
        assertEquals(feed.get("feed_overrun").asLong(), root.at("/accounting/dropped/feed_overrun").asLong(),
            root.toString());
        assertTrue(feed.has("kernel_drops_visible"), feed.toString());
    }

    @Test
    void shouldPrintNoFeedLineButEveryKeyWhenTheUdpFeedLostNothing(@TempDir Path dir) throws Exception {
        final Path report = dir.resolve("report");
        // This process sends, slowly, and waits for every datagram before it closes the feed: nothing overran.
        final CliRunner result = CliRunner.run("run", "--feed", "udp", "--listen", "127.0.0.1:0", "--rate",
            "1k", "--duration", "500ms", "--cpus", "0", "--no-pin", "--report", report.toString());
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertFalse(result.out().lines().anyMatch(line -> line.startsWith("feed:")), "a clean feed adds no line: " + result);
        final JsonNode feed = JSON.readTree(report.resolve("summary.json").toFile()).at("/feed_counts/0");
        assertEquals(List.of("feed", "type", "packets", "feed_overrun", "kernel_drops", "kernel_drops_visible",
            "held_at_close", "left_at_close", "link_downs", "ring_freezes", "kernel_drops_before_first_poll",
            "ring_freezes_before_first_poll", "images_joined", "images_gone", "bytes_consumed"),
            iterableToList(feed.fieldNames()), feed.toString());
        assertEquals(0, feed.get("feed_overrun").asLong(), feed.toString());
        assertEquals(0, feed.get("left_at_close").asLong(), feed.toString());
        assertTrue(feed.get("packets").asLong() > 0, feed.toString());
    }

    /**
     * The default run (synthetic traffic into Aeron IPC through an embedded media driver) of 64-byte frames: one image
     * joined, and every message received took 96 bytes of the subscription's log (a 32-byte frame header and the
     * frame), read from the image's position, not counted per message.
     */
    @Test
    void shouldSayTheImagesAndTheBytesTheSubscriptionConsumedWhenTheFeedIsAeron(@TempDir Path dir) throws Exception {
        final Path report = dir.resolve("report");
        final CliRunner result = CliRunner.run("run", "--sizes", "64", "--rate", "1k", "--duration", "500ms", "--cpus",
            "0", "--no-pin", "--report", report.toString());
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final JsonNode written = JSON.readTree(report.resolve("summary.json").toFile());
        final long received = written.at("/accounting/received").asLong();
        assertTrue(received > 0, written.toString());
        final JsonNode counts = written.path("feed_counts");
        assertEquals(1, counts.size(), "one feed_counts object for the one Aeron feed: " + written);
        final JsonNode feed = counts.get(0);
        assertEquals("aeron", feed.get("type").asText(), feed.toString());
        assertEquals(1, feed.get("images_joined").asLong(), feed.toString());
        final long gone = feed.get("images_gone").asLong();
        assertTrue(gone == 0 || gone == 1, "the sender's image went before the close or with it: " + feed);
        assertEquals(received * 96, feed.get("bytes_consumed").asLong(), feed.toString());
        assertEquals(feed.get("left_at_close").asLong(), feed.get("feed_overrun").asLong(), feed.toString());
        assertEquals(feed.get("feed_overrun").asLong(), written.at("/accounting/dropped/feed_overrun").asLong(),
            written.toString());

        final List<String> lines = result.out().lines().filter(line -> line.startsWith("feed:")).toList();
        assertEquals(List.of("feed: " + feed.get("feed").asText() + ": 1 image joined, " + gone + " gone, "
            + String.format(Locale.ROOT, "%,d", received * 96) + " bytes consumed"), lines, result.toString());
        final String html = Files.readString(report.resolve("index.html"));
        assertTrue(html.contains(lines.get(0)), "the page has the line as the summary prints it");
    }

    private static List<String> iterableToList(java.util.Iterator<String> names) {
        final List<String> list = new java.util.ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }
}
