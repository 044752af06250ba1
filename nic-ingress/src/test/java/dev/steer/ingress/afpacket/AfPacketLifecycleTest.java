package dev.steer.ingress.afpacket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.path.Feed;
import dev.steer.ingress.ChildProcesses;

/** What happens to a feed when its interface or namespace goes away, and what opening and closing leave behind. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AfPacketLifecycleTest {
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[2048]);

    @Test
    void shouldEndWithReasonWhenInterfaceIsDeletedWhilePolling() throws Exception {
        try (VethPair veth = VethPair.createOrSkip();
             AfPacketFeed feed = AfPacketFeed.open(veth.feedSettings().withStatsInterval(16));
             AfPacketSender sender = veth.sender()) {
            TestFrames.write(frame, 100, 1, 0);
            assertEquals(100, sender.send(frame, 0, 100));
            final RecordingSink sink = new RecordingSink();
            AfPacketFeedTest.pollUntil(feed, sink, 64, () -> sink.marked() >= 1);
            assertEquals(1, sink.marked());

            run("ip", "-n", veth.netns(), "link", "del", VethPair.B);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            int polled = 0;
            while (System.nanoTime() < deadline && (polled = feed.poll(sink, 64)) != Feed.END) {
                AfPacketFeedTest.pause();
            }
            assertEquals(Feed.END, polled, "a feed whose interface is gone ends instead of polling an empty ring forever");
            assertEquals(Feed.END, feed.poll(sink, 64));
            assertNotNull(feed.endReason());
            assertTrue(feed.endReason().contains(VethPair.B) && feed.endReason().contains("deleted"), feed.endReason());
        }
    }

    @Test
    void shouldKeepReceivingWhenNamespaceNameIsDeletedWhileOpen() throws Exception {
        try (VethPair veth = VethPair.createOrSkip();
             AfPacketFeed feed = AfPacketFeed.open(veth.feedSettings());
             AfPacketSender sender = veth.sender()) {
            // The sockets hold the namespace: deleting its name leaves it, and the veth pair in it, alive.
            run("ip", "netns", "delete", veth.netns());
            TestFrames.write(frame, 100, 1, 7);
            assertEquals(100, sender.send(frame, 0, 100));
            final RecordingSink sink = new RecordingSink();
            AfPacketFeedTest.pollUntil(feed, sink, 64, () -> sink.marked() >= 1);
            assertEquals(1, sink.marked());
            assertEquals(0, feed.poll(sink, 64));
            assertThrows(AfPacketException.class, () -> AfPacketFeed.open(veth.feedSettings()).close(),
                "a name that is gone is refused at open");
        }
    }

    @Test
    void shouldLeaveNoDescriptorOrMappingWhenFeedsAndSendersAreOpenedAndClosed200Times() throws Exception {
        try (VethPair veth = VethPair.createOrSkip()) {
            final AfPacketSettings settings = veth.feedSettings().withRing(1 << 16, 4);
            // Warm up: class loading and the first namespace switch open descriptors that stay.
            AfPacketFeed.open(settings).close();
            veth.sender().close();
            final AfPacketSettings missing = AfPacketSettings.of("steer-none").withNetns(veth.netns());
            final AfPacketSettings otherMode = settings.withFanout(7, AfPacketSettings.FanoutMode.LOAD_BALANCE);
            try (AfPacketFeed member = AfPacketFeed.open(settings.withFanout(7, AfPacketSettings.FanoutMode.HASH))) {
                assertThrows(AfPacketException.class, () -> AfPacketFeed.open(otherMode));
                final long fds = openDescriptors();
                final long maps = ringMappings();
                for (int i = 0; i < 200; i++) {
                    final AfPacketFeed feed = AfPacketFeed.open(settings);
                    feed.poll(new RecordingSink(), 8);
                    feed.close();
                    veth.sender().close();
                    // Failures after the socket exists: before the ring (no such interface), after mmap (fanout refused).
                    assertThrows(AfPacketException.class, () -> AfPacketFeed.open(missing));
                    assertThrows(AfPacketException.class, () -> AfPacketFeed.open(otherMode));
                }
                assertEquals(fds, openDescriptors(), "descriptors open before and after 200 feeds and senders");
                assertEquals(maps, ringMappings(), "packet ring mappings before and after");
            }
        }
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static long ringMappings() throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.filter(line -> line.contains("socket:") || line.contains("packet")).count();
        }
    }

    static void run(String... command) throws IOException, InterruptedException {
        final ChildProcesses.Result result = ChildProcesses.run(20, List.of(command));
        assertTrue(result.finished(), String.join(" ", command) + " finished within 20 s: " + result.output());
        assertEquals(0, result.exitValue(), String.join(" ", command) + ": " + result.output());
    }
}
