package dev.steer.ingress.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters;

/**
 * A pcapng capture replayed through a real lossless engine: every packet is accounted for exactly (delivered,
 * oversize, empty or foreign-link drops), nothing stays in flight.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PcapngEngineTest {
    private static final int LINKTYPE_RAW = 101;

    @TempDir
    Path dir;

    @Test
    void shouldAccountForEveryPacketWhenPcapngIsReplayedThroughTheEngine() throws Exception {
        final Path file = dir.resolve("engine.pcapng");
        final int packets = 3000;
        int empty = 0;
        int oversize = 0;
        int snapped = 0;
        int foreign = 0;
        try (PcapngWriter writer = PcapngWriter.create(file, ByteOrder.BIG_ENDIAN)) {
            writer.addInterface(PcapngWriter.LINKTYPE_ETHERNET, 0, PcapngWriter.TSRESOL_NANOS, 0);
            writer.addInterface(LINKTYPE_RAW, 0, PcapngWriter.TSRESOL_MICROS, 0);
            for (int i = 0; i < packets; i++) {
                final long ts = 1_000_000_000L + i * 1000L;
                if (i == packets / 2) {
                    writer.startSection(ByteOrder.LITTLE_ENDIAN);
                    writer.addInterface(PcapngWriter.LINKTYPE_ETHERNET, 0, PcapngWriter.TSRESOL_BASE2 | 16, 0);
                    writer.addInterface(LINKTYPE_RAW, 0, PcapngWriter.TSRESOL_MICROS, 0);
                }
                if (i % 500 == 7) {
                    writer.write(0, new UnsafeBuffer(new byte[0]), 0, 0, 60, ts);
                    empty++;
                } else if (i % 700 == 3) {
                    writer.write(0, PcapFeedTest.frame(i, 4000), ts); // larger than a 2048-byte frame
                    oversize++;
                } else if (i % 300 == 5) {
                    writer.write(0, new UnsafeBuffer(PcapFeedTest.frame(i, 128)), 0, 128, 1500, ts);
                    snapped++;
                } else if (i % 100 == 9) {
                    writer.write(1, PcapFeedTest.frame(i, 80), ts);
                    foreign++;
                } else if (i % 10 == 1) {
                    writer.writeSimple(PcapFeedTest.frame(i, 200), 200);
                } else {
                    writer.write(0, PcapFeedTest.frame(i, 60 + i % 1200), ts);
                }
                if (i % 97 == 0) {
                    writer.writeBlock(5, new byte[16]); // statistics: skipped, not a packet
                }
            }
        }
        final AtomicLong handled = new AtomicLong();
        // Lossless: a packet the engine cannot take yet is offered again, so every drop below is exact.
        final PcapFeed feed = new PcapFeed(PcapSettings.of(file).withLoops(2));
        final EngineStats stats = EngineReplay.replayToEnd(feed, true, "pcapng-engine-test", handled);
        final Accounting accounting = stats.accounting();
        assertTrue(feed.damage().isEmpty(), feed.damage().toString());
        assertEquals(2L * packets, accounting.received(), accounting.toString());
        assertEquals(2L * (packets - empty - foreign), feed.records());
        assertEquals(2L * snapped, feed.snapped());
        assertEquals(2L * empty, feed.truncated());
        assertEquals(2L * foreign, feed.foreignLink());
        assertEquals(2L * (empty + foreign), accounting.dropped(DropReason.FEED_TRUNCATED));
        assertEquals(2L * oversize, accounting.dropped(DropReason.OVERSIZE));
        assertEquals(2L * (empty + foreign + oversize), accounting.droppedTotal(), accounting.toString());
        assertEquals(accounting.received(), accounting.delivered() + accounting.droppedTotal(), accounting.toString());
        assertEquals(2L * (packets - empty - foreign - oversize), accounting.delivered());
        assertEquals(0, accounting.inFlight());
        assertEquals(handled.get(), accounting.delivered());
        assertEquals(2L * packets, stats.ingressTotal(PathCounters.Counter.RECEIVED));
        assertEquals(2, feed.passes());
        assertTrue(stats.poolsFull(), "pools full: " + stats.pools());
    }
}
