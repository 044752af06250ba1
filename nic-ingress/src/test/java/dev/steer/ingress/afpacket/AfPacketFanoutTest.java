package dev.steer.ingress.afpacket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.steer.actors.SteerEngine;
import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.DropReason;
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
            final RecordingSink one = new RecordingSink();
            final RecordingSink two = new RecordingSink();
            int sent = 0;
            for (int round = 0; round < 8; round++) {
                for (int flow = 0; flow < FLOWS; flow++) {
                    TestFrames.write(frame, 60, flow, sent);
                    assertEquals(60, sender.send(frame, 0, 60), "errno " + sender.lastErrno());
                    sent++;
                }
                first.poll(one, 1024);
                second.poll(two, 1024);
            }
            final int total = sent;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (one.frames.size() + two.frames.size() < total && System.nanoTime() < deadline) {
                if (first.poll(one, 1024) + second.poll(two, 1024) == 0) {
                    AfPacketFeedTest.pause();
                }
            }
            assertEquals(total, one.frames.size() + two.frames.size(), "every frame reached exactly one member");
            assertEquals(total, one.marked() + two.marked());
            assertEquals(one.frames.size(), first.packets());
            assertEquals(two.frames.size(), second.packets());
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
            final RecordingSink one = new RecordingSink();
            final RecordingSink two = new RecordingSink();
            for (int i = 0; i < 64; i++) {
                TestFrames.write(frame, 60, 1, i);
                assertEquals(60, sender.send(frame, 0, 60), "errno " + sender.lastErrno());
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (one.marked() + two.marked() < 64 && System.nanoTime() < deadline) {
                if (first.poll(one, 1024) + second.poll(two, 1024) == 0) {
                    AfPacketFeedTest.pause();
                }
            }
            assertEquals(64, one.marked() + two.marked(), "every frame reached exactly one member");
            // Round robin: one flow is spread (a hash would keep it on one member).
            assertEquals(32, one.marked(), "first member's share");
            assertEquals(32, two.marked(), "second member's share");
        }
    }

    @Test
    void shouldAccountEveryFrameWhenEngineRunsTwoFanoutFeeds() {
        final AfPacketSettings settings = veth.feedSettings().withFanout(8, AfPacketSettings.FanoutMode.HASH);
        final int count = 2_000;
        final AfPacketFeed first = AfPacketFeed.open("afpacket-0", settings);
        final AfPacketFeed second = AfPacketFeed.open("afpacket-1", settings);
        final SteerEngine engine = SteerEngine.builder().pinning(false).systemName("afpacket-test")
            .closeTimeout(Duration.ofSeconds(30)).feed(first).feed(second).start();
        EngineStats stats;
        try (AfPacketSender sender = veth.sender()) {
            for (int i = 0; i < count; i++) {
                TestFrames.write(frame, 60 + i % 200, i % FLOWS, i);
                assertEquals(60 + i % 200, sender.send(frame, 0, 60 + i % 200), "errno " + sender.lastErrno());
                if (i % 100 == 99) {
                    AfPacketFeedTest.pause();
                }
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (engine.stats().accounting().received() < count && System.nanoTime() < deadline) {
                AfPacketFeedTest.pause();
            }
        } finally {
            stats = engine.shutdown();
        }
        final Accounting accounting = stats.accounting();
        assertEquals(count, accounting.received(), () -> "received, " + accounting);
        assertEquals(accounting.received(), accounting.delivered() + accounting.droppedTotal(), accounting::toString);
        assertEquals(0, accounting.inFlight());
        assertEquals(0, accounting.dropped(DropReason.FEED_TRUNCATED));
        assertTrue(stats.poolsFull(), "every pool frame is back");
        assertTrue(first.packets() > 0 && second.packets() > 0, "both ingresses took part: " + first + " " + second);
        assertEquals(count, first.packets() + second.packets() + first.overruns() + second.overruns());
        assertEquals(Feed_END, first.poll(new RecordingSink(), 1), "the engine closed the feed");
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
