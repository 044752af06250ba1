package dev.steer.ingress.pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.steer.engine.path.Feed;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;
import dev.steer.ingress.TestIngress;

/**
 * The rules a replay keeps whatever the capture format, checked alike for classic pcap ({@link PcapFeedTest},
 * {@link PcapDamageTest}) and pcapng ({@link PcapngFeedTest}, {@link PcapngDamageTest}) through a {@link TestIngress}.
 */
final class ReplayChecks {
    private ReplayChecks() {
    }

    /**
     * One pass over {@code file} hands over every one of {@code written} intact and in order, counts each as a record
     * received and delivered, finds no damage, and the feed stays ended.
     */
    static void assertDeliversEveryFrameIntactAndInOrder(Path file, List<byte[]> written, boolean pcapng) {
        try (PcapFeed feed = new PcapFeed(PcapSettings.of(file)); TestIngress ingress = new TestIngress()) {
            assertEquals(pcapng, feed.pcapng(), "the format read");
            ingress.drain(feed, 100);
            assertEquals(written.size(), ingress.frames.size());
            for (int i = 0; i < written.size(); i++) {
                assertArrayEquals(written.get(i), ingress.frames.get(i), "frame " + i);
            }
            assertEquals(written.size(), feed.records());
            assertEquals(1, feed.passes());
            assertTrue(feed.damage().isEmpty());
            assertEquals(written.size(), ingress.get(PathCounters.Counter.RECEIVED));
            assertEquals(written.size(), ingress.get(PathCounters.Counter.DELIVERED));
            assertEquals(Feed.END, feed.poll(ingress.path, 64), "stays ended");
        }
    }

    /**
     * A replay with {@code settings} (whose loops are {@code passes}) hands over {@code onePass} once per pass, in order,
     * within {@code maxPolls} polls.
     */
    static void assertReplaysEveryPassInOrder(PcapSettings settings, List<byte[]> onePass, int passes, int maxPolls) {
        try (PcapFeed feed = new PcapFeed(settings); TestIngress ingress = new TestIngress()) {
            ingress.drain(feed, maxPolls);
            assertEquals(passes * onePass.size(), ingress.frames.size());
            for (int i = 0; i < ingress.frames.size(); i++) {
                assertArrayEquals(onePass.get(i % onePass.size()), ingress.frames.get(i), "frame " + i);
            }
            assertEquals(passes, feed.passes());
        }
    }

    /**
     * {@code file} holds a 64-byte frame 0, a record with no captured bytes, and a 64-byte frame 2: the empty one is
     * counted received and dropped as truncated, the replay goes on to frame 2 and finds no damage.
     */
    static void assertCountsTheEmptyRecordAndGoesOn(Path file) {
        try (PcapFeed feed = new PcapFeed(PcapSettings.of(file)); TestIngress ingress = new TestIngress()) {
            ingress.drain(feed, 10);
            assertEquals(2, ingress.frames.size());
            assertArrayEquals(PcapFeedTest.frame(2, 64), ingress.frames.get(1));
            assertEquals(1, ingress.dropped(DropReason.FEED_TRUNCATED));
            assertEquals(3, ingress.get(PathCounters.Counter.RECEIVED));
            assertEquals(1, feed.truncated());
            assertTrue(feed.damage().isEmpty());
        }
    }

    /**
     * With a paced feed whose next frame is not due yet: polls every millisecond until it is, checks that it comes
     * alone, and that it was the last.
     */
    static void assertTheLastFrameComesAloneWhenDue(PcapFeed feed, TestIngress ingress) throws InterruptedException {
        assertEquals(1, pollUntilDue(feed, ingress));
        assertEquals(Feed.END, ingress.poll(feed));
    }

    /**
     * With a paced feed whose next frame is not due yet: polls every millisecond until a poll hands something over (or
     * ends), and returns what that poll returned. Bounded by the test's {@code @Timeout}.
     */
    static int pollUntilDue(PcapFeed feed, TestIngress ingress) throws InterruptedException {
        int result;
        while ((result = ingress.poll(feed)) == 0) {
            Thread.sleep(1);
        }
        return result;
    }

    /** A feed that loops forever hands over frames at every one of 100 polls, passes after passes, and never ends. */
    static void assertNeverEnds(PcapFeed feed, TestIngress ingress) {
        ingress.keep = false;
        for (int i = 0; i < 100; i++) {
            assertTrue(ingress.poll(feed) > 0);
        }
        assertTrue(feed.passes() > 50, "passes: " + feed.passes());
        assertFalse(feed.ended());
    }

    /**
     * A damaged {@code file}, replayed in loops forever: the {@code framesBefore} 64-byte frames before the damage
     * ({@code PcapFeedTest.frame(i, 64)}) are handed over, the feed ends in the first pass, and the damage names the
     * file, {@code offset} and {@code reason}, through the accessor and once through the listener; a frame cut by the
     * damage counts as {@code truncatedDrops}.
     */
    static void assertEndsAtTheDamage(Path file, int framesBefore, PcapDamage.Reason reason, long offset,
                                      int truncatedDrops) {
        final List<PcapDamage> heard = new ArrayList<>();
        // Looping forever must not hide damage: it ends the feed on the first pass.
        final PcapSettings settings = PcapSettings.of(file).withLoops(PcapSettings.FOREVER)
            .withDamageListener(heard::add);
        try (PcapFeed feed = new PcapFeed(settings); TestIngress ingress = new TestIngress()) {
            ingress.drain(feed, 10);
            assertEquals(framesBefore, ingress.frames.size());
            for (int i = 0; i < framesBefore; i++) {
                assertArrayEquals(PcapFeedTest.frame(i, 64), ingress.frames.get(i), "frame " + i);
            }
            final PcapDamage damage = feed.damage().orElseThrow();
            assertEquals(file, damage.file());
            assertEquals(reason, damage.reason(), damage.toString());
            assertEquals(offset, damage.offset(), damage.toString());
            assertEquals(List.of(damage), heard, "the listener hears it once");
            assertTrue(damage.toString().startsWith(file + ", offset " + offset + ": " + reason), damage.toString());
            assertEquals(truncatedDrops, ingress.dropped(DropReason.FEED_TRUNCATED));
            assertEquals(truncatedDrops, feed.truncated());
            assertEquals(framesBefore + truncatedDrops, ingress.get(PathCounters.Counter.RECEIVED));
            assertEquals(framesBefore, ingress.get(PathCounters.Counter.DELIVERED));
            assertEquals(0, feed.passes());
            assertEquals(Feed.END, ingress.poll(feed));
        }
    }
}
