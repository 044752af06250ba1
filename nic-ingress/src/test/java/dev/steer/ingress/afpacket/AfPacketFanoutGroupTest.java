package dev.steer.ingress.afpacket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.ConfigFactory;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.steer.engine.path.Feed;
import dev.steer.ingress.config.ConfigCheck;
import dev.steer.ingress.config.FeedConfig;

/**
 * Feed sets opened from a {@code feed { type = afpacket, queues = 2 }} block, as {@code steer run} opens them, on one
 * veth end: which fanout group each set's queues join. Two sets in one JVM stand for two steer processes whose ids
 * agree (the old default was the pid's low 16 bits).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AfPacketFanoutGroupTest {
    private static final int FLOWS = 64;
    private static final int ROUNDS = 8;
    @RegisterExtension
    static final VethPair veth = VethPair.perTestClass();
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[512]);

    private static FeedConfig.Plan plan(String extra) {
        final ConfigCheck check = new ConfigCheck();
        final FeedConfig.Plan plan = FeedConfig.plan(ConfigFactory.parseString("type = afpacket\nqueues = 2\n"
            + "afpacket { interface = " + VethPair.B + ", netns = \"" + veth.netns() + "\", block-size = 64k,"
            + " block-count = 8, retire-timeout = 2ms" + extra + " }"), check);
        assertTrue(check.ok(), check.errors()::toString);
        assertNotNull(plan);
        return plan;
    }

    @Test
    void shouldGiveEachFeedSetEveryFrameWhenTwoSetsOnOneInterfaceUseTheDefaultGroup() {
        try (FeedConfig.Opened one = FeedConfig.open(plan("")); FeedConfig.Opened two = FeedConfig.open(plan(""))) {
            final List<RecordingSink> sinksOne = sinks(2);
            final List<RecordingSink> sinksTwo = sinks(2);
            final int sent = sendAndPoll(one.feeds(), sinksOne, two.feeds(), sinksTwo, false);
            assertEquals(sent, marked(sinksOne), "the first set got every frame, not a share of a joint group");
            assertEquals(sent, marked(sinksTwo), "the second set got every frame, not a share of a joint group");
            assertFlowsSpreadWithinTheSet(sinksOne);
            assertFlowsSpreadWithinTheSet(sinksTwo);
            final int groupOne = group(one.feeds(), 0);
            final int groupTwo = group(two.feeds(), 0);
            assertEquals(groupOne, group(one.feeds(), 1), "the queues of a set join the group the kernel made for it");
            assertEquals(groupTwo, group(two.feeds(), 1));
            assertNotEquals(groupOne, groupTwo, "each set got a group of its own");
            closeAll(one.feeds());
            closeAll(two.feeds());
        }
    }

    @Test
    void shouldShareOneGroupWhenTwoFeedSetsNameTheSameGroup() {
        final String group = ", fanout-group = 4242";
        try (FeedConfig.Opened one = FeedConfig.open(plan(group)); FeedConfig.Opened two = FeedConfig.open(plan(group))) {
            final List<RecordingSink> sinksOne = sinks(2);
            final List<RecordingSink> sinksTwo = sinks(2);
            final int sent = sendAndPoll(one.feeds(), sinksOne, two.feeds(), sinksTwo, true);
            assertEquals(sent, marked(sinksOne) + marked(sinksTwo), "one group of four: every frame reached one member");
            final Set<Integer> flows = new HashSet<>();
            int members = 0;
            for (RecordingSink sink : concat(sinksOne, sinksTwo)) {
                final Set<Integer> own = flows(sink);
                members += own.isEmpty() ? 0 : 1;
                for (int flow : own) {
                    assertTrue(flows.add(flow), "flow " + flow + " reached two members of the hash group");
                }
            }
            assertEquals(FLOWS, flows.size());
            assertTrue(members >= 2, "the hash spreads 64 flows over the group: " + members + " members got some");
            for (int i = 0; i < 2; i++) {
                assertEquals(4242, group(one.feeds(), i));
                assertEquals(4242, group(two.feeds(), i));
            }
            closeAll(one.feeds());
            closeAll(two.feeds());
        }
    }

    /**
     * Sends ROUNDS x FLOWS frames into A and polls every feed until each set has them all ({@code joint}: the two sets
     * together) or 10 s passed.
     */
    private int sendAndPoll(List<Feed> setOne, List<RecordingSink> sinksOne, List<Feed> setTwo,
                            List<RecordingSink> sinksTwo, boolean joint) {
        int sent = 0;
        try (AfPacketSender sender = veth.sender()) {
            for (int round = 0; round < ROUNDS; round++) {
                for (int flow = 0; flow < FLOWS; flow++) {
                    TestFrames.write(frame, 60, flow, sent);
                    assertEquals(60, sender.send(frame, 0, 60), "errno " + sender.lastErrno());
                    sent++;
                }
                pollAll(setOne, sinksOne);
                pollAll(setTwo, sinksTwo);
            }
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((joint ? marked(sinksOne) + marked(sinksTwo) < sent : marked(sinksOne) < sent || marked(sinksTwo) < sent)
            && System.nanoTime() < deadline) {
            if (pollAll(setOne, sinksOne) + pollAll(setTwo, sinksTwo) == 0) {
                AfPacketFeedTest.pause();
            }
        }
        // A few more retire periods, so that a frame delivered twice or to the wrong set would show.
        for (int i = 0; i < 10; i++) {
            AfPacketFeedTest.pause();
            pollAll(setOne, sinksOne);
            pollAll(setTwo, sinksTwo);
        }
        return sent;
    }

    private static int pollAll(List<Feed> feeds, List<RecordingSink> sinks) {
        int taken = 0;
        for (int i = 0; i < feeds.size(); i++) {
            taken += feeds.get(i).poll(sinks.get(i), 1024);
        }
        return taken;
    }

    private static void assertFlowsSpreadWithinTheSet(List<RecordingSink> sinks) {
        final Set<Integer> first = flows(sinks.get(0));
        final Set<Integer> second = flows(sinks.get(1));
        assertTrue(!first.isEmpty() && !second.isEmpty(),
            "the set's queues share its flows: " + first.size() + " / " + second.size());
        final Set<Integer> both = new HashSet<>(first);
        both.retainAll(second);
        assertTrue(both.isEmpty(), "flows seen by both queues of a set: " + both);
        assertEquals(FLOWS, first.size() + second.size());
    }

    private static List<RecordingSink> sinks(int count) {
        final List<RecordingSink> sinks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sinks.add(new RecordingSink());
        }
        return sinks;
    }

    private static List<RecordingSink> concat(List<RecordingSink> one, List<RecordingSink> two) {
        final List<RecordingSink> all = new ArrayList<>(one);
        all.addAll(two);
        return all;
    }

    private static long marked(List<RecordingSink> sinks) {
        long marked = 0;
        for (RecordingSink sink : sinks) {
            marked += sink.marked();
        }
        return marked;
    }

    private static Set<Integer> flows(RecordingSink sink) {
        final Set<Integer> flows = new HashSet<>();
        for (byte[] bytes : sink.frames) {
            if (TestFrames.marked(new UnsafeBuffer(bytes), 0, bytes.length)) {
                flows.add(TestFrames.flow(new UnsafeBuffer(bytes), 0));
            }
        }
        return flows;
    }

    private static int group(List<Feed> feeds, int queue) {
        return ((AfPacketFeed) feeds.get(queue)).fanoutGroup();
    }

    private static void closeAll(List<Feed> feeds) {
        feeds.forEach(Feed::close);
    }
}
