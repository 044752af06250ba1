package dev.steer.loadgen.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class FeedCountsTest {
    private static final FeedCounts UDP = counts("udp:127.0.0.1:9100", "udp", 50_000, 1_200, true, 1, 36, 0, 0);
    private static final FeedCounts RING = counts("afpacket:vb", "afpacket", 40, 0, true, 0, 60, 0, 0);

    /** Counts with no drop before the first poll (a socket buffer or ring that did not fill before it), no images. */
    private static FeedCounts counts(String feed, String type, long packets, long kernelDrops,
        boolean kernelDropsVisible, long heldAtClose, long leftAtClose, long linkDowns, long ringFreezes) {
        return new FeedCounts(feed, type, packets, kernelDrops, kernelDropsVisible, heldAtClose, leftAtClose, linkDowns,
            ringFreezes, 0, 0);
    }

    @Test
    void shouldSplitFeedOverrunIntoWhileRunningAndAtCloseWhenTheFeedOverran() {
        assertEquals(1_237, UDP.feedOverrun());
        assertEquals("feed: udp:127.0.0.1:9100: feed_overrun 1,237: 1,200 dropped by the kernel while running (socket"
            + " buffer full), 36 left in the socket at close, 1 held by the feed at close", UDP.describe());
    }

    @Test
    void shouldNameOnlyThePartsThatAreNotZeroAndTheRingWhenTheFeedIsAfPacket() {
        assertEquals("feed: afpacket:vb: feed_overrun 60: 60 left in the ring at close", RING.describe());
        assertEquals("feed: afpacket:vb: feed_overrun 7: 7 dropped by the kernel while running (ring full)",
            counts("afpacket:vb", "afpacket", 1, 7, true, 0, 0, 0, 0).describe());
    }

    @Test
    void shouldGiveAFeedWhoseLinkWentDownALineSayingHowOftenWhenItOverranOrNot() {
        final FeedCounts down = counts("afpacket:vb#0", "afpacket", 40, 0, true, 0, 0, 1, 0);
        assertTrue(down.hasLine(), "a link down is worth a line although nothing was lost");
        assertEquals("feed: afpacket:vb#0: link down 1 time during the run", down.describe());
        assertEquals("feed: afpacket:vb#0: feed_overrun 60: 60 left in the ring at close; link down 2 times during the run",
            counts("afpacket:vb#0", "afpacket", 40, 0, true, 0, 60, 2, 0).describe());
        assertEquals(0, down.feedOverrun(), "a link down is no drop");
        assertFalse(counts("afpacket:vb#0", "afpacket", 40, 0, true, 0, 0, 0, 0).hasLine(), "nothing to say");
    }

    @Test
    void shouldSayHowOftenTheRingWasFullWithItsDropsOrAloneWhenTheKernelFrozeTheRing() {
        assertEquals("feed: afpacket:vb: feed_overrun 7: 7 dropped by the kernel while running (ring full 2 times)",
            counts("afpacket:vb", "afpacket", 1, 7, true, 0, 0, 0, 2).describe());
        assertEquals("feed: afpacket:vb: feed_overrun 10: 7 dropped by the kernel while running (ring full 1 time), 3 left"
            + " in the ring at close; link down 1 time during the run",
            counts("afpacket:vb", "afpacket", 1, 7, true, 0, 3, 1, 1).describe());
        final FeedCounts frozen = counts("afpacket:vb", "afpacket", 40, 0, true, 0, 0, 0, 3);
        assertTrue(frozen.hasLine(), "a ring that was full is worth a line although nothing was lost");
        assertEquals(0, frozen.feedOverrun(), "a freeze is no drop");
        assertEquals("feed: afpacket:vb: ring full 3 times during the run, nothing dropped for it", frozen.describe());
        assertEquals("feed: afpacket:vb: feed_overrun 5: 5 left in the ring at close; ring full 1 time during the run,"
            + " nothing dropped for it", counts("afpacket:vb", "afpacket", 40, 0, true, 0, 5, 0, 1).describe());
    }

    @Test
    void shouldTellTheDropsBeforeTheFirstPollFromThoseWhileRunningWhenTheRingFilledBeforeTheEngineStarted() {
        assertEquals("feed: afpacket:vb: feed_overrun 4,106: 4,062 dropped by the kernel before the first poll (the"
            + " ring filled while the engine started, ring full 1 time), 38 dropped by the kernel while running (ring"
            + " full 2 times), 6 left in the ring at close",
            new FeedCounts("afpacket:vb", "afpacket", 27_183, 4_100, true, 0, 6, 0, 3, 4_062, 1).describe());
        assertEquals("feed: afpacket:vb: feed_overrun 4,062: 4,062 dropped by the kernel before the first poll (the"
            + " ring filled while the engine started, ring full 1 time)",
            new FeedCounts("afpacket:vb", "afpacket", 27_183, 4_062, true, 0, 0, 0, 1, 4_062, 1).describe());
        assertEquals("feed: afpacket:vb: feed_overrun 4,062: 4,062 dropped by the kernel before the first poll (the"
            + " ring filled while the engine started, ring full 1 time); ring full 2 times during the run, nothing"
            + " dropped for it",
            new FeedCounts("afpacket:vb", "afpacket", 27_183, 4_062, true, 0, 0, 0, 3, 4_062, 1).describe());
    }

    @Test
    void shouldTellTheDropsBeforeTheFirstPollFromThoseWhileRunningWhenTheSocketBufferFilledBeforeTheEngineStarted() {
        assertEquals("feed: udp:127.0.0.1:9100: feed_overrun 1,237: 1,150 dropped by the kernel before the first poll"
            + " (the socket buffer filled while the engine started), 50 dropped by the kernel while running (socket"
            + " buffer full), 36 left in the socket at close, 1 held by the feed at close",
            new FeedCounts("udp:127.0.0.1:9100", "udp", 50_000, 1_200, true, 1, 36, 0, 0, 1_150, 0).describe());
        assertEquals("feed: udp:127.0.0.1:9100: feed_overrun 398: 398 dropped by the kernel before the first poll (the"
            + " socket buffer filled while the engine started)",
            new FeedCounts("udp:127.0.0.1:9100", "udp", 2, 398, true, 0, 0, 0, 0, 398, 0).describe());
    }

    @Test
    void shouldSayTheImagesAndTheBytesConsumedWhetherItOverranOrNotWhenTheFeedIsAeron() {
        final FeedCounts clean = FeedCounts.aeron("aeron:1001@aeron:ipc", 500, 0, 1, 1, 48_000);
        assertTrue(clean.hasLine(), "an Aeron feed always says what it consumed");
        assertEquals(0, clean.feedOverrun());
        assertEquals("feed: aeron:1001@aeron:ipc: 1 image joined, 1 gone, 48,000 bytes consumed",
            clean.describe());
        final FeedCounts left = FeedCounts.aeron("aeron:1001@aeron:ipc", 500, 64, 2, 0, 54_144);
        assertEquals(64, left.feedOverrun(), "what the close drained");
        assertEquals("feed: aeron:1001@aeron:ipc: feed_overrun 64: 64 left in the subscription at close; 2 images"
            + " joined, 0 gone, 54,144 bytes consumed", left.describe());
        assertFalse(UDP.describe().contains("image"), "other feeds have no images");
    }

    @Test
    void shouldWriteEveryKeyAndReadItBackWhenConvertedToJson() {
        final ObjectNode clean = JsonReport.mapper().createObjectNode();
        counts("udp:127.0.0.1:9100", "udp", 3, 0, false, 0, 0, 0, 0).toJson(clean);
        assertEquals("{\"feed\":\"udp:127.0.0.1:9100\",\"type\":\"udp\",\"packets\":3,\"feed_overrun\":0,"
            + "\"kernel_drops\":0,\"kernel_drops_visible\":false,\"held_at_close\":0,\"left_at_close\":0,"
            + "\"link_downs\":0,\"ring_freezes\":0,\"kernel_drops_before_first_poll\":0,"
            + "\"ring_freezes_before_first_poll\":0,\"images_joined\":0,\"images_gone\":0,\"bytes_consumed\":0}",
            clean.toString(), "every key, even when 0, so the keys do not depend on what happened");
        final ObjectNode run = JsonReport.mapper().createObjectNode();
        UDP.toJson(run.putArray(FeedCounts.JSON_ARRAY).addObject());
        RING.toJson(run.withArray(FeedCounts.JSON_ARRAY).addObject());
        final FeedCounts down = counts("afpacket:vb#1", "afpacket", 40, 0, true, 0, 0, 3, 0);
        down.toJson(run.withArray(FeedCounts.JSON_ARRAY).addObject());
        final FeedCounts frozen = new FeedCounts("afpacket:vb#0", "afpacket", 40, 9, true, 0, 0, 0, 4, 5, 2);
        frozen.toJson(run.withArray(FeedCounts.JSON_ARRAY).addObject());
        final FeedCounts aeron = FeedCounts.aeron("aeron:1001@aeron:ipc", 500, 64, 2, 1, 54_144);
        aeron.toJson(run.withArray(FeedCounts.JSON_ARRAY).addObject());
        assertEquals(List.of(UDP, RING, down, frozen, aeron), FeedCounts.allFromJson(run));
        assertEquals(64, run.at("/feed_counts/4/left_at_close").asLong());
        assertEquals(54_144, run.at("/feed_counts/4/bytes_consumed").asLong());
        assertEquals(List.of(), FeedCounts.allFromJson(JsonReport.mapper().createObjectNode()), "not a UDP run");
    }
}
