package dev.steer.ingress.afpacket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.steer.actors.SteerEngine;
import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.EngineStats;

@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AfPacketFanoutTest {
    private static final int FLOWS = 64;
    @RegisterExtension
    static final VethPair veth = VethPair.perTestClass();
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[512]);

    @Test
    void shouldKeepEachFlowOnOneMemberWhenFanoutHashes() {
        final AfPacketSettings settings = veth.feedSettings().withFanout(7, AfPacketSettings.FanoutMode.HASH);
        try (AfPacketFeed first = AfPacketFeed.open("first", settings);
             AfPacketFeed second = AfPacketFeed.open("second", settings);
             AfPacketSender sender = veth.sender()) {
            final FanoutQueues members = new FanoutQueues(List.of(first, second));
            final int total = 8 * FLOWS;
            sendInChunks(sender, members, total, settings.blockCount(), sent -> sent % FLOWS);
            final RecordingSink one = members.sinks.get(0);
            final RecordingSink two = members.sinks.get(1);
            final String accounting = members.accounting();
            assertEquals(total, members.seen.size(), () -> "every frame reached a member: " + accounting);
            assertEquals(Map.of(), members.copies(), () -> "each frame reached one member once: " + accounting);
            assertEquals(total, one.frames.size() + two.frames.size(), accounting);
            members.assertNoDrops(accounting);
            final Set<Integer> flowsOne = flows(one);
            final Set<Integer> flowsTwo = flows(two);
            assertTrue(!flowsOne.isEmpty() && !flowsTwo.isEmpty(),
                "the hash spreads 64 flows over both members: " + flowsOne.size() + " / " + flowsTwo.size());
            final Set<Integer> both = new HashSet<>(flowsOne);
            both.retainAll(flowsTwo);
            assertTrue(both.isEmpty(), "flows seen by both members: " + both);
            assertEquals(FLOWS, flowsOne.size() + flowsTwo.size());
        }
    }

    @Test
    void shouldSplitOneFlowOverBothMembersWhenFanoutLoadBalances() {
        final AfPacketSettings settings = veth.feedSettings().withFanout(8, AfPacketSettings.FanoutMode.LOAD_BALANCE);
        try (AfPacketFeed first = AfPacketFeed.open("first", settings);
             AfPacketFeed second = AfPacketFeed.open("second", settings);
             AfPacketSender sender = veth.sender()) {
            final FanoutQueues members = new FanoutQueues(List.of(first, second));
            sendInChunks(sender, members, 64, settings.blockCount(), sent -> 1);
            final String accounting = members.accounting();
            assertEquals(64, members.seen.size(), () -> "every frame reached a member: " + accounting);
            assertEquals(Map.of(), members.copies(), () -> "each frame reached one member once: " + accounting);
            members.assertNoDrops(accounting);
            // Round robin: one flow is spread (a hash would keep it on one member).
            assertEquals(32, members.sinks.get(0).marked(), () -> "first member's share: " + accounting);
            assertEquals(32, members.sinks.get(1).marked(), () -> "second member's share: " + accounting);
        }
    }

    /**
     * The engine's accounting of 2,000 frames over two fanout members. The test sends as many frames as a ring has
     * blocks and waits until the engine received them before sending more, as the ring's room is the precondition
     * for the next frames: sending on with a pause every 100 let a sender that lost the CPU fill a ring, and the
     * kernel dropped the rest as overruns. With that room, no frame is dropped for any reason.
     */
    @Test
    void shouldAccountEveryFrameWhenEngineRunsTwoFanoutFeeds() {
        final AfPacketSettings settings = veth.feedSettings().withFanout(8, AfPacketSettings.FanoutMode.HASH);
        final int count = 2_000;
        final int chunk = settings.blockCount();
        final AfPacketFeed first = AfPacketFeed.open("afpacket-0", settings);
        final AfPacketFeed second = AfPacketFeed.open("afpacket-1", settings);
        final SteerEngine engine = SteerEngine.builder().pinning(false).systemName("afpacket-test")
            .closeTimeout(Duration.ofSeconds(30)).feed(first).feed(second).start();
        EngineStats stats;
        int sent = 0;
        long caughtUp = 0;
        try (AfPacketSender sender = veth.sender()) {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
            while (sent < count && caughtUp == sent && System.nanoTime() < deadline) {
                final int end = Math.min(count, sent + chunk);
                for (; sent < end; sent++) {
                    TestFrames.write(frame, 60 + sent % 200, sent % FLOWS, sent);
                    assertEquals(60 + sent % 200, sender.send(frame, 0, 60 + sent % 200), "errno " + sender.lastErrno());
                }
                caughtUp = awaitReceived(engine, sent, deadline);
            }
        } finally {
            stats = engine.shutdown();
        }
        final Accounting accounting = stats.accounting();
        final String where = "sent " + sent + ", engine received " + caughtUp + " before the last wait ended; "
            + queue(first, stats, 0) + "; " + queue(second, stats, 1) + "; " + accounting;
        assertEquals(count, sent, () -> "the engine kept up with each chunk: " + where);
        assertEquals(count, accounting.received(), () -> "received, " + where);
        assertEquals(accounting.received(), accounting.delivered() + accounting.droppedTotal(), where);
        assertEquals(0, accounting.inFlight(), where);
        assertEquals(0, accounting.droppedTotal(), () -> "nothing dropped for any reason: " + where);
        assertTrue(stats.poolsFull(), "every pool frame is back");
        assertTrue(first.packets() > 0 && second.packets() > 0, () -> "both ingresses took part: " + where);
        assertEquals(count, first.packets() + second.packets() + first.overruns() + second.overruns(), where);
        assertEquals(Feed_END, first.poll(new RecordingSink(), 1), "the engine closed the feed");
    }

    /**
     * Sends frames 0 to {@code count - 1} ({@code flow} of each by its sequence), {@code chunk} at a time, and before
     * each further chunk polls until the frames sent so far were taken; one deadline for it all. Then polls a little
     * longer, so that a second copy of a frame would show.
     */
    private void sendInChunks(AfPacketSender sender, FanoutQueues members, int count, int chunk, IntUnaryOperator flow) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int sent = 0;
        while (sent < count && members.awaitTaken(sent, deadline)) {
            final int end = Math.min(count, sent + chunk);
            for (; sent < end; sent++) {
                TestFrames.write(frame, 60, flow.applyAsInt(sent), sent);
                assertEquals(60, sender.send(frame, 0, 60), "errno " + sender.lastErrno());
            }
        }
        members.awaitTaken(sent, deadline);
        members.settle();
    }

    /** Polls the engine's received count until it reaches {@code sent} or the deadline passed; returns the last read. */
    private static long awaitReceived(SteerEngine engine, long sent, long deadline) {
        long received = engine.stats().accounting().received();
        while (received < sent && System.nanoTime() < deadline) {
            AfPacketFeedTest.pause();
            received = engine.stats().accounting().received();
        }
        return received;
    }

    /** One feed's part, after the engine closed it: what the kernel gave it, what it took, and the ingress' counters. */
    private static String queue(AfPacketFeed feed, EngineStats stats, int index) {
        return feed.name() + " received " + feed.statistics().packets() + ", took " + feed.packets() + ", overruns "
            + feed.overruns() + " (left at close " + feed.leftAtClose() + "), truncated " + feed.truncated()
            + ", ingress [" + (index < stats.ingresses().size() ? stats.ingresses().get(index) : "none") + "]";
    }

    private static final int Feed_END = dev.steer.engine.path.Feed.END;

    private static Set<Integer> flows(RecordingSink sink) {
        final Set<Integer> flows = new HashSet<>();
        for (byte[] bytes : sink.frames) {
            flows.add(TestFrames.flow(new UnsafeBuffer(bytes), 0));
        }
        return flows;
    }
}
