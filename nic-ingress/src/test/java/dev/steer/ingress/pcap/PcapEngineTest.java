package dev.steer.ingress.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/** A capture replayed through a real engine: every record is accounted for, nothing stays in flight. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PcapEngineTest {
    @TempDir
    Path dir;

    @Test
    void shouldAccountForEveryRecordWhenReplayedThroughTheEngine() throws Exception {
        final Path file = dir.resolve("engine.pcap");
        final int records = 3000;
        int empty = 0;
        int oversize = 0;
        int snapped = 0;
        try (PcapWriter writer = PcapWriter.create(file)) {
            for (int i = 0; i < records; i++) {
                final long ts = 1_000_000_000L + i * 1000L;
                if (i % 500 == 7) {
                    writer.write(new UnsafeBuffer(new byte[0]), 0, 0, 60, ts);
                    empty++;
                } else if (i % 700 == 3) {
                    writer.write(PcapFeedTest.frame(i, 4000), ts); // larger than a 2048-byte frame
                    oversize++;
                } else if (i % 300 == 5) {
                    final byte[] bytes = PcapFeedTest.frame(i, 128);
                    writer.write(new UnsafeBuffer(bytes), 0, 128, 1500, ts);
                    snapped++;
                } else {
                    writer.write(PcapFeedTest.frame(i, 60 + i % 1200), ts);
                }
            }
        }
        final AtomicLong handled = new AtomicLong();
        final PcapFeed feed = new PcapFeed(PcapSettings.of(file).withLoops(2));
        final EngineStats stats = EngineReplay.replayToEnd(feed, false, "pcap-engine-test", handled);
        final Accounting accounting = stats.accounting();
        assertTrue(feed.damage().isEmpty());
        assertEquals(2L * records, accounting.received(), accounting.toString());
        assertEquals(2L * (records - empty), feed.records());
        assertEquals(2L * snapped, feed.snapped());
        assertEquals(2L * empty, accounting.dropped(DropReason.FEED_TRUNCATED));
        assertEquals(2L * oversize, accounting.dropped(DropReason.OVERSIZE));
        assertEquals(accounting.received(), accounting.delivered() + accounting.droppedTotal(), accounting.toString());
        assertEquals(0, accounting.inFlight());
        assertEquals(handled.get(), accounting.delivered());
        // Both hold with nothing delivered; the records are non-IP frames, which l4-hash steers to its first target.
        assertEquals(0, accounting.dropped(DropReason.PROGRAM_DROP), accounting.toString());
        assertTrue(accounting.delivered() > 0, "records reached the handlers: " + accounting);
        assertEquals(2L * records, stats.ingressTotal(PathCounters.Counter.RECEIVED));
        assertTrue(stats.poolsFull(), "pools full: " + stats.pools());
    }
}
