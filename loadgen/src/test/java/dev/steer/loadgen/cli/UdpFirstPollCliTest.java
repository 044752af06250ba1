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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.steer.loadgen.stats.Units;
import dev.steer.loadgen.traffic.TrafficGenerator;
import dev.steer.loadgen.traffic.TrafficProfile;

/**
 * {@code steer run --feed udp --no-traffic} whose socket buffer an external sender fills while the engine starts, as
 * the AF_PACKET ring's case: the kernel's drops before the feed's first poll are kept apart, on the {@code feed:} line,
 * as {@code kernel_drops_before_first_poll}, and out of the live intervals. One run, real UDP on 127.0.0.1, through the
 * command in this JVM: the smallest receive buffer holds a few datagrams of the 400 sent once the socket is bound, and
 * nothing is sent after them, so every kernel drop of the run came before the first poll.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class UdpFirstPollCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final int SENT = 400;

    @TempDir
    static Path dir;
    private static CliRunner result;
    private static JsonNode root;
    private static JsonNode feed;

    @BeforeAll
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    static void runWithTheSocketBufferFilledBeforeTheFirstPoll() throws Exception {
        final Path config = Files.writeString(dir.resolve("small-buffer.conf"),
            "steer.feed.udp { receive-buffer = 1024 }\n");
        final CliRunner.Running run = CliRunner.start("run", "--config", config.toString(), "--feed", "udp",
            "--listen", "127.0.0.1:0", "--no-traffic", "--duration", "1s", "--interval", "500ms", "--cpus", "0",
            "--json", "--report", dir.resolve("report").toString(), "--no-pin");
        // The feed is bound; the engine takes about a second to start and poll it: 400 datagrams overfill the buffer.
        assertTrue(run.awaitErr("starting the engine"), "the run opened its feed: " + run.err());
        final Matcher listening = LISTENING.matcher(run.err().toString());
        assertTrue(listening.find(), "the run names the port it bound: " + run.err());
        final TrafficGenerator generator = new TrafficGenerator(TrafficProfile.defaults().withFlows(64));
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[2048]);
        final ByteBuffer datagram = ByteBuffer.allocateDirect(2048);
        try (DatagramChannel sender = DatagramChannel.open()) {
            final InetSocketAddress target = new InetSocketAddress("127.0.0.1", Integer.parseInt(listening.group(1)));
            for (int i = 0; i < SENT; i++) {
                final int length = generator.next(frame, 0, frame.capacity());
                datagram.clear();
                frame.getBytes(0, datagram, length);
                datagram.flip();
                sender.send(datagram, target);
            }
        }
        result = run.result().get(30, TimeUnit.SECONDS);
        assertEquals(SteerCli.EXIT_OK, result.exit(), "what the feed lost is counted, not lost: " + result);
        root = JSON.readTree(result.out().strip());
        feed = root.at("/feed_counts/0");
        assertTrue(feed.get("kernel_drops_visible").asBoolean(), "the socket's drops are read here: " + feed);
    }

    @Test
    void shouldCountTheKernelDropsBeforeTheFirstPollApartInTheJsonWhenTheSocketBufferFilledWhileTheEngineStarted() {
        final long before = feed.get("kernel_drops_before_first_poll").asLong();
        assertTrue(before > 0, "a 1 KiB buffer cannot hold 400 datagrams, sent before the run polled (its start took"
            + " less time than 400 sends?): " + result);
        assertEquals(before, feed.get("kernel_drops").asLong(), "nothing is sent while the run polls: " + feed);
        assertEquals(feed.get("kernel_drops").asLong() + feed.get("held_at_close").asLong()
            + feed.get("left_at_close").asLong(), feed.get("feed_overrun").asLong(), feed.toString());
        assertEquals(feed.get("feed_overrun").asLong(), root.at("/accounting/dropped/feed_overrun").asLong(),
            root.toString());
        assertEquals(SENT, feed.get("packets").asLong() + feed.get("feed_overrun").asLong(),
            "every datagram sent is taken or counted lost: " + feed);
    }

    @Test
    void shouldSayTheDropsBeforeTheFirstPollApartOnTheFeedLineWhenTheSocketBufferFilledWhileTheEngineStarted()
        throws Exception {
        final String html = Files.readString(dir.resolve("report").resolve("index.html"));
        final String said = "feed: " + feed.get("feed").asText() + ": feed_overrun "
            + Units.count(feed.get("feed_overrun").asLong()) + ": "
            + Units.count(feed.get("kernel_drops_before_first_poll").asLong())
            + " dropped by the kernel before the first poll (the socket buffer filled while the engine started)";
        assertTrue(html.contains(said), "the report page has the summary's feed: line, " + said + ": "
            + html.lines().filter(line -> line.contains("feed: ")).toList());
        assertFalse(html.contains("while running (socket buffer full)"), "nothing dropped while polled");
    }

    @Test
    void shouldLeaveTheDropsBeforeTheFirstPollOutOfTheFirstLiveIntervalWhenTheSocketBufferFilledWhileTheEngineStarted() {
        final String err = result.err();
        final int first = err.indexOf("Summary ");
        assertTrue(first >= 0, "a live interval: " + result);
        final String interval = err.substring(first, err.indexOf("\n\n", first));
        assertFalse(interval.contains("feed_overrun"), "no drop while polled: " + interval);
        final List<String> lines = interval.lines().toList();
        assertTrue(lines.getFirst().endsWith(" 0 err,drop/s"), interval);
    }
}
