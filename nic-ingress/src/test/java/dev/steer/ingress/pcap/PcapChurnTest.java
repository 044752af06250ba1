package dev.steer.ingress.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.DropReason;
import dev.steer.ingress.FeedChurn;

/**
 * The accounting invariant on a real pcap replay (classic and pcapng, looped for ever, as fast as the ingress polls)
 * while both map entries churn and the engine closes in the middle of a pass, in drop and in lossless mode.
 *
 * <p>Sender's side: the file is the sender. Every record the replay handed over ({@code records()}) was received;
 * a record a lossless sink refused stays in the file, neither received nor lost. Lossless, every record handed over
 * is delivered, in file order within a pass.
 */
@Timeout(value = 40, unit = TimeUnit.SECONDS)
class PcapChurnTest {
    private static final int RECORDS = 1000;

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"pcap, false", "pcap, true", "pcapng, false", "pcapng, true"})
    void shouldAccountForEveryRecordWhenTheMapChurnsAndTheEngineClosesMidReplay(String format, boolean lossless)
        throws Exception {
        final Path file = dir.resolve("churn." + format);
        if ("pcap".equals(format)) {
            try (PcapWriter writer = PcapWriter.create(file)) {
                for (int i = 0; i < RECORDS; i++) {
                    writer.write(FeedChurn.frameBytes(i), 1_000_000L * i);
                }
            }
        } else {
            try (PcapngWriter writer = PcapngWriter.create(file)) {
                for (int i = 0; i < RECORDS; i++) {
                    writer.write(0, FeedChurn.frameBytes(i), 1_000_000L * i);
                }
            }
        }
        final PcapFeed feed = new PcapFeed(PcapSettings.of(file).withLoops(0));
        final FeedChurn.Result result = FeedChurn.run("pcap-churn-" + format + (lossless ? "-lossless" : "-drop"), feed,
            lossless, lossless ? Verdict.PASS : Verdict.DROP, () -> LockSupport.parkNanos(1_000_000),
            lossless ? EnumSet.noneOf(DropReason.class)
                : EnumSet.of(DropReason.RING_FULL, DropReason.NO_ENTRY, DropReason.POOL_EXHAUSTED),
            false);
        final Accounting accounting = result.accounting();
        assertEquals(feed.records(), accounting.received(), "the engine received every record handed over");
        assertEquals(0, feed.truncated() + feed.foreignLink() + feed.snapped() + feed.skippedBlocks(), "a clean capture");
        assertTrue(feed.damage().isEmpty(), "no damage: " + feed.damage());
        assertTrue(feed.passes() >= 1, "closed after at least one whole pass: " + feed.passes());
        // A pass is counted when the replay reads the end of the file, on the read after its last record: a close
        // that falls between the two leaves a whole pass handed over but not yet counted.
        assertTrue(feed.records() >= feed.passes() * RECORDS && feed.records() <= (feed.passes() + 1) * RECORDS,
            "closed during pass " + (feed.passes() + 1) + ": " + feed.records() + " records");
        assertTrue(result.recorder().highest() < RECORDS, "only the file's numbers");
        if (lossless) {
            assertEquals(0, accounting.droppedTotal(), "lossless: nothing dropped: " + accounting);
            assertEquals(Math.min(RECORDS, feed.records()), result.recorder().distinct(), "every record delivered");
        }
    }
}
