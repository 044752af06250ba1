package dev.steer.ingress.afpacket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.DropReason;
import dev.steer.ingress.FeedChurn;

/**
 * The accounting invariant on a real AF_PACKET feed on a veth pair while both map entries churn and the engine closes
 * in the middle of the traffic, in drop and in lossless mode. Needs root and namespaces; skipped otherwise.
 *
 * <p>Sender's side: frames the veth's backlog drops before the socket are invisible to the feed, and so are those
 * sent after the close. What reached the socket the kernel counts ({@code PACKET_STATISTICS tp_packets}, drops
 * included): every one of those was taken by the feed or counted lost by it, a full ring's drop or a packet still in
 * the ring when the feed closed.
 */
@Timeout(value = 40, unit = TimeUnit.SECONDS)
class AfPacketChurnTest {
    @RegisterExtension
    static final VethPair veth = VethPair.perTestClass();

    /** The close loses what the ring still holds with the socket, so it counts it: sent = taken + counted lost. */
    @Test
    void shouldCountThePacketsLeftInTheRingWhenTheFeedClosesBeforeTakingThem() throws Exception {
        final int count = 100;
        final AfPacketFeed feed = AfPacketFeed.open(veth.feedSettings());
        final RecordingSink sink = new RecordingSink();
        try {
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[64]);
            try (AfPacketSender raw = veth.sender()) {
                for (int i = 0; i < count; i++) {
                    TestFrames.write(frame, 60, 0, i);
                    assertEquals(60, raw.send(frame, 0, 60), "send " + i + ", errno " + raw.lastErrno());
                }
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (sink.frames.size() < 40) {
                assertTrue(System.nanoTime() < deadline, "the ring's block was not retired: " + sink.frames.size());
                if (feed.poll(sink, 8) == 0) {
                    Thread.sleep(1);
                }
            }
            // Every frame sent has reached the socket: the kernel's count, read by polls that take nothing (a budget
            // of 0), not a guess of how long the kernel takes to hand a frame across the veth pair.
            while (feed.statistics().packets() < count) {
                assertTrue(System.nanoTime() < deadline, "the kernel gave the socket " + feed.statistics().packets()
                    + " of " + count);
                feed.poll(sink, 0);
                Thread.sleep(1);
            }
        } finally {
            feed.close(sink);
        }
        final long dropped = sink.drops.values().stream().mapToLong(Long::longValue).sum();
        assertEquals(count, sink.frames.size() + dropped, "taken " + sink.frames.size() + " + counted lost " + sink.drops);
        assertEquals(count - sink.frames.size(), feed.leftAtClose(), "left in the ring at the close");
        assertEquals(Long.valueOf(feed.leftAtClose()), sink.drops.get(DropReason.FEED_OVERRUN), "as feed_overrun");
        assertEquals(count, feed.statistics().packets(), "the kernel gave the socket every frame");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldAccountForEveryPacketWhenTheMapChurnsAndTheEngineClosesMidTraffic(boolean lossless) throws Exception {
        final AfPacketFeed feed = AfPacketFeed.open(veth.feedSettings());
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[FeedChurn.FRAME_LENGTH]);
        frame.putBytes(0, new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1});
        final long[] sent = new long[1];
        try (AfPacketSender raw = veth.sender()) {
            final FeedChurn.Sender sender = () -> {
                for (int i = 0; i < 32; i++) {
                    FeedChurn.frame(frame, (int) sent[0]);
                    final int result = raw.send(frame, 0, FeedChurn.FRAME_LENGTH);
                    if (result == FeedChurn.FRAME_LENGTH) {
                        sent[0]++;
                    } else if (result == AfPacketSender.BACK_PRESSURED) {
                        Thread.yield();
                        return;
                    } else {
                        throw new IllegalStateException("send failed: " + result + ", errno " + raw.lastErrno());
                    }
                }
            };
            final FeedChurn.Result result = FeedChurn.run("afpacket-churn-" + (lossless ? "lossless" : "drop"), feed,
                lossless, lossless ? Verdict.PASS : Verdict.DROP, sender,
                lossless ? EnumSet.of(DropReason.FEED_OVERRUN)
                    : EnumSet.of(DropReason.RING_FULL, DropReason.NO_ENTRY, DropReason.POOL_EXHAUSTED, DropReason.FEED_OVERRUN),
                true);
            final Accounting accounting = result.accounting();
            assertEquals(0, feed.truncated(), "no packet cut");
            assertEquals(0, feed.damagedBlocks());
            assertEquals(0, feed.statistics().failures());
            assertEquals(feed.packets() + feed.overruns() + feed.leftAtClose(), accounting.received(),
                "the engine received what the feed took and what it counted lost: " + accounting);
            assertEquals(feed.overruns() + feed.leftAtClose(), accounting.dropped(DropReason.FEED_OVERRUN),
                "feed_overrun = the full ring's drops + the packets left in the ring at the close: " + accounting);
            final long kernelPackets = feed.statistics().packets();
            assertEquals(kernelPackets, feed.packets() + feed.outgoing() + feed.overruns() + feed.leftAtClose(),
                "every packet the kernel gave the socket was taken or counted lost");
            assertTrue(sent[0] >= kernelPackets, "sent " + sent[0] + " >= reached the socket " + kernelPackets);
            final long missing = result.recorder().highest() + 1L - result.recorder().distinct();
            assertTrue(missing <= accounting.droppedTotal() + (sent[0] - kernelPackets),
                missing + " numbers below the highest delivered are missing: " + accounting);
            if (lossless) {
                assertEquals(accounting.dropped(DropReason.FEED_OVERRUN), accounting.droppedTotal(),
                    "lossless: only what the feed could not keep: " + accounting);
            }
        } finally {
            feed.close();
        }
    }
}
