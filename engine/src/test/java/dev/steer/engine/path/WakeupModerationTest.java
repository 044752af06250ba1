package dev.steer.engine.path;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.frame.FramePool;
import dev.steer.engine.map.Capabilities;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuMapEntry;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryLifecycle;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;

/**
 * Interrupt moderation of consumer wake-ups: while the feed keeps delivering, an ingress wakes an entry's
 * consumer at the latest on the fourth poll after flushing frames to it; an empty poll, the end of the feed,
 * a full ring or leaving the poll loop wakes it at once.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class WakeupModerationTest {
    private final FramePool pool = new FramePool(new FramePool.Context().id("wake").frameCount(4096).checked(true));
    private final CpuMap map = CpuMap.create(1, 0, CpuSet.all(1), Capabilities.admin(), EntryLifecycle.NONE).map();
    private final UnsafeBuffer packet = new UnsafeBuffer(TestPackets.redirect(0, 0, 1));
    private int wakeups;

    /** A feed that hands out the given numbers of packets, one number per poll, then ends. */
    private final class Script implements Feed {
        private final int[] perPoll;
        private int poll;

        Script(int... perPoll) {
            this.perPoll = perPoll;
        }

        @Override
        public int poll(FrameSink sink, int budget) {
            if (poll == perPoll.length) {
                return END;
            }
            final int count = Math.min(budget, perPoll[poll++]);
            for (int i = 0; i < count; i++) {
                sink.onFrame(packet, 0, packet.capacity(), i);
            }
            return count;
        }

        @Override
        public String name() {
            return "script";
        }
    }

    private CpuMapEntry entry(int qsize) {
        assertEquals(MapResult.OK, map.update(0, EntryValue.of(qsize), CpuMap.ANY));
        final CpuMapEntry entry = map.snapshot().entry(0);
        entry.wakeup(() -> wakeups++);
        return entry;
    }

    private IngressPath ingress() {
        return new IngressPath(1, 0, pool, TestPackets.INGRESS, map, FrameHandler.NO_OP, 8, IngressPath.DEFAULT_BUDGET,
            false, new PathCounters("ingress-0", 1), HandlerBatch.ErrorSink.IGNORE);
    }

    @Test
    void shouldWakeOnEveryFourthPollWhileTheFeedDeliversAndAtOnceWhenItRunsDry() {
        entry(4096);
        final IngressPath ingress = ingress();
        final Feed feed = new Script(64, 64, 64, 64, 10, 1, 0, 0, 64);
        final int[] expected = {0, 0, 0, 1, 1, 1, 2, 2, 2};
        for (int i = 0; i < expected.length; i++) {
            ingress.poll(feed);
            assertEquals(expected[i], wakeups, "after poll " + (i + 1));
        }
        assertEquals(Feed.END, ingress.poll(feed));
        assertEquals(3, wakeups, "the feed has ended: what is owed is paid");
        assertEquals(64 * 5 + 10 + 1, ingress.counters().get(PathCounters.Counter.REDIRECTED));
    }

    @Test
    void shouldWakeAtOnceWhenAFlushMeetsAFullRingOrTheIngressLeavesItsLoop() {
        final CpuMapEntry entry = entry(16);
        final IngressPath ingress = ingress();
        final Feed feed = new Script(8, 64, 8);
        ingress.poll(feed);
        assertEquals(0, wakeups, "8 frames flushed, the wake-up deferred");
        ingress.poll(feed);
        assertEquals(1, wakeups, "the ring overflowed: its consumer is woken now");
        assertEquals(64 + 8 - 16, ingress.counters().dropped(DropReason.RING_FULL));
        entry.ring().drain(new int[16], 16);
        ingress.poll(feed);
        assertEquals(1, wakeups);
        ingress.wakeConsumers();
        assertEquals(2, wakeups, "an ingress that leaves its loop pays what it owes");
        ingress.wakeConsumers();
        assertEquals(2, wakeups, "once");
    }
}
