package dev.steer.ingress.afpacket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
    /** The ring's blocks: as many frames as may be sent before those sent so far are taken (see {@link FanoutQueues}). */
    private static final int BLOCKS = 8;
    @RegisterExtension
    static final VethPair veth = VethPair.perTestClass();
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[512]);

    private static FeedConfig.Plan plan(String extra) {
        final ConfigCheck check = new ConfigCheck();
        final FeedConfig.Plan plan = FeedConfig.plan(ConfigFactory.parseString("type = afpacket\nqueues = 2\n"
            + "afpacket { interface = " + VethPair.B + ", netns = \"" + veth.netns() + "\", block-size = 64k,"
            + " block-count = " + BLOCKS + ", retire-timeout = 2ms" + extra + " }"), check);
        assertTrue(check.ok(), check.errors()::toString);
        assertNotNull(plan);
        return plan;
    }

    @Test
    void shouldGiveEachFeedSetEveryFrameWhenTwoSetsOnOneInterfaceUseTheDefaultGroup() {
        try (FeedConfig.Opened one = FeedConfig.open(plan("")); FeedConfig.Opened two = FeedConfig.open(plan(""))) {
            final FanoutQueues setOne = new FanoutQueues(one.feeds());
            final FanoutQueues setTwo = new FanoutQueues(two.feeds());
            final int sent = sendAndPoll(List.of(setOne, setTwo));
            final String accounting = "first set: " + setOne.accounting() + "; second set: " + setTwo.accounting();
            assertEquals(sent, setOne.seen.size(), () -> "the first set got every frame, not a share of a joint group: "
                + accounting);
            assertEquals(sent, setTwo.seen.size(), () -> "the second set got every frame, not a share of a joint group: "
                + accounting);
            assertEquals(Map.of(), setOne.copies(), () -> "each frame reached one queue of the first set once: "
                + accounting);
            assertEquals(Map.of(), setTwo.copies(), () -> "each frame reached one queue of the second set once: "
                + accounting);
            setOne.assertNoDrops(accounting);
            setTwo.assertNoDrops(accounting);
            final List<RecordingSink> sinksOne = setOne.sinks;
            final List<RecordingSink> sinksTwo = setTwo.sinks;
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
            // One group of four: the four queues are polled as one, so that a frame at two of them shows.
            final FanoutQueues joint = new FanoutQueues(concat(one.feeds(), two.feeds()));
            final int sent = sendAndPoll(List.of(joint));
            final String accounting = joint.accounting();
            assertEquals(sent, joint.seen.size(), () -> "one group of four: every frame reached a member: " + accounting);
            assertEquals(Map.of(), joint.copies(), () -> "one group of four: each frame reached one member once: "
                + accounting);
            joint.assertNoDrops(accounting);
            final List<RecordingSink> sinksOne = joint.sinks.subList(0, 2);
            final List<RecordingSink> sinksTwo = joint.sinks.subList(2, 4);
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
     * Sends ROUNDS x FLOWS frames into A, {@link #BLOCKS} at a time, and before each further chunk polls every set
     * until it took the frames sent so far (a set is one group: each frame at one of its queues); one deadline of 30 s
     * for it all. Then polls a little longer, so that a frame delivered twice or to the wrong set would show.
     */
    private int sendAndPoll(List<FanoutQueues> sets) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int sent = 0;
        try (AfPacketSender sender = veth.sender()) {
            while (sent < ROUNDS * FLOWS && allTaken(sets, sent, deadline)) {
                final int end = Math.min(ROUNDS * FLOWS, sent + BLOCKS);
                for (; sent < end; sent++) {
                    TestFrames.write(frame, 60, sent % FLOWS, sent);
                    assertEquals(60, sender.send(frame, 0, 60), "errno " + sender.lastErrno());
                }
            }
        }
        allTaken(sets, sent, deadline);
        sets.forEach(FanoutQueues::settle);
        return sent;
    }

    /** Waits until each set took frames 0 to {@code sent - 1}; false if one did not by the deadline. */
    private static boolean allTaken(List<FanoutQueues> sets, int sent, long deadline) {
        for (FanoutQueues set : sets) {
            if (!set.awaitTaken(sent, deadline)) {
                return false;
            }
        }
        return true;
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

    private static <T> List<T> concat(List<? extends T> one, List<? extends T> two) {
        final List<T> all = new ArrayList<>(one);
        all.addAll(two);
        return all;
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
