package dev.steer.ingress.pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.steer.engine.path.Feed;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;
import dev.steer.ingress.TestIngress;

/**
 * A record captured longer than the snaplen its file (classic) or interface (pcapng) states is no damage: libpcap
 * reads such files (a writer that set the header's snaplen too small, or 0) and so do Wireshark and tcpdump. It is
 * replayed whole when its bytes are all there, counted in {@code aboveSnaplen()}; only a length beyond what any capture
 * holds ({@link PcapFeed#MAX_RECORD_LENGTH}) is damage.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SnaplenToleranceTest {
    @TempDir
    Path dir;

    private static final int[] SIZES = {64, 200, 1514, 90};

    @Test
    void shouldReplayEveryRecordWhenClassicRecordsAreLongerThanTheFileSnaplen() throws IOException {
        final Path file = dir.resolve("small-snaplen.pcap");
        try (PcapWriter writer = PcapWriter.create(file, ByteOrder.BIG_ENDIAN, PcapWriter.Resolution.MICROS, 96,
            PcapWriter.LINKTYPE_ETHERNET)) {
            for (int i = 0; i < SIZES.length; i++) {
                writer.write(PcapFeedTest.frame(i, SIZES[i]), 1_000_000_000L * (i + 1));
            }
        }
        assertReplayedWhole(file, 2);
    }

    @Test
    void shouldReplayEveryRecordWhenPcapngPacketsAreLongerThanTheInterfaceSnaplen() throws IOException {
        final Path file = dir.resolve("small-snaplen.pcapng");
        try (PcapngWriter writer = PcapngWriter.create(file, ByteOrder.LITTLE_ENDIAN)) {
            final int id = writer.addInterface(PcapngWriter.LINKTYPE_ETHERNET, 100, PcapngWriter.TSRESOL_MICROS, 0);
            for (int i = 0; i < SIZES.length; i++) {
                writer.write(id, PcapFeedTest.frame(i, SIZES[i]), 1_000_000_000L * (i + 1));
            }
        }
        assertReplayedWhole(file, 2);
    }

    @Test
    void shouldStillReportDamageWhenARecordIsLongerThanAnyCapture() throws IOException {
        final Path file = dir.resolve("huge.pcap");
        PcapDamageTest.goodFile(file, 2, 96);
        PcapDamageTest.append(file, PcapDamageTest.recordHeader(PcapFeed.MAX_RECORD_LENGTH + 1,
            PcapFeed.MAX_RECORD_LENGTH + 1));
        try (PcapFeed feed = new PcapFeed(PcapSettings.of(file)); TestIngress ingress = new TestIngress()) {
            ingress.drain(feed, 10);
            assertEquals(2, ingress.frames.size());
            assertEquals(PcapDamage.Reason.RECORD_TOO_LARGE, feed.damage().orElseThrow().reason());
        }
    }

    private static void assertReplayedWhole(Path file, int aboveSnaplen) {
        final List<PcapDamage> heard = new ArrayList<>();
        try (PcapFeed feed = new PcapFeed(PcapSettings.of(file).withDamageListener(heard::add));
             TestIngress ingress = new TestIngress()) {
            ingress.drain(feed, 20);
            assertTrue(feed.damage().isEmpty(), () -> "no damage: " + feed.damage());
            assertEquals(List.of(), heard);
            assertEquals(SIZES.length, ingress.frames.size(), "every record delivered");
            for (int i = 0; i < SIZES.length; i++) {
                assertArrayEquals(PcapFeedTest.frame(i, SIZES[i]), ingress.frames.get(i), "record " + i + ", byte for byte");
            }
            assertEquals(SIZES.length, feed.records());
            assertEquals(aboveSnaplen, feed.aboveSnaplen(), "records longer than the snaplen, counted");
            assertEquals(0, feed.snapped(), "captured whole: not snapped");
            assertEquals(0, ingress.dropped(DropReason.FEED_TRUNCATED));
            assertEquals(SIZES.length, ingress.get(PathCounters.Counter.RECEIVED));
            assertEquals(SIZES.length, ingress.get(PathCounters.Counter.DELIVERED));
            assertEquals(Feed.END, ingress.poll(feed));
        }
    }
}
