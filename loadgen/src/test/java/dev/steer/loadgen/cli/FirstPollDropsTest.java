package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.MapResult;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters;
import dev.steer.engine.stats.PathStats;
import dev.steer.loadgen.stats.Interval;
import dev.steer.loadgen.stats.StatsSampler;

class FirstPollDropsTest {
    private static final long BEFORE_FIRST_POLL = 5;

    /**
     * The first poll counts its drops through the sink, {@code received} first and {@code feed_overrun} second, and a
     * snapshot reads the drops first and {@code received} last: a sample taken between the two stores sees the drops
     * received and not yet dropped. No live interval may go negative for it, and the intervals still add up to what
     * the ingress received and dropped while polled.
     */
    @Test
    @Timeout(10)
    void shouldKeepEveryIntervalNonNegativeWhenASampleSeesTheFirstPollsDropsReceivedButNotYetDropped() {
        final AtomicLong beforeFirstPoll = new AtomicLong();
        final Queue<EngineStats> reads = new ArrayDeque<>(List.of(
            ingress(0, 0, 0), // the run's first, discarded read
            ingress(0, 0, 0), // the baseline
            ingress(BEFORE_FIRST_POLL, 0, 0), // mid-count: received, not yet feed_overrun
            ingress(BEFORE_FIRST_POLL + 3, BEFORE_FIRST_POLL, 3), // then 3 frames received and delivered
            ingress(BEFORE_FIRST_POLL + 7, BEFORE_FIRST_POLL + 1, 6))); // 4 more: 3 delivered, 1 overrun
        final FirstPollDrops firstPollDrops = new FirstPollDrops(List.of(beforeFirstPoll::get));
        firstPollDrops.leftOut(reads.remove());
        final StatsSampler sampler = new StatsSampler(() -> firstPollDrops.leftOut(reads.remove()), new AtomicLong()::
            incrementAndGet, null, StatsSampler.Settings.defaults());
        beforeFirstPoll.set(BEFORE_FIRST_POLL); // the first poll sets it before its sink counts the drops
        long received = 0;
        long overrun = 0;
        while (!reads.isEmpty()) {
            final Interval interval = sampler.sample();
            final PathStats row = interval.ingresses().getFirst();
            assertTrue(row.get(PathCounters.Counter.RECEIVED) >= 0, "received in an interval: " + row);
            assertTrue(row.dropped(DropReason.FEED_OVERRUN) >= 0, "feed_overrun in an interval: " + row);
            assertTrue(interval.end().accounting().inFlight() >= 0, "in flight: " + interval.end());
            received += row.get(PathCounters.Counter.RECEIVED);
            overrun += row.dropped(DropReason.FEED_OVERRUN);
        }
        assertEquals(7, received, "received while polled");
        assertEquals(1, overrun, "feed_overrun while polled");
    }

    /**
     * While the first poll counts its drops, stats show them in neither counter, or in {@code received} only: the
     * ingress received nothing else before its first poll, so both read as nothing received, nothing dropped.
     */
    @Test
    @Timeout(10)
    void shouldShowNoneOfTheDropsBeforeTheFirstPollWhileTheFirstPollCountsThem() {
        final FirstPollDrops firstPollDrops = new FirstPollDrops(List.of(() -> BEFORE_FIRST_POLL));
        assertEquals(ingress(0, 0, 0), firstPollDrops.leftOut(ingress(0, 0, 0)));
        assertEquals(ingress(0, 0, 0), firstPollDrops.leftOut(ingress(BEFORE_FIRST_POLL, 0, 0)));
        assertEquals(ingress(2, 0, 2), firstPollDrops.leftOut(ingress(BEFORE_FIRST_POLL + 2, BEFORE_FIRST_POLL, 2)));
    }

    /** One ingress, {@code ingress-0}: received, feed_overrun drops, delivered. */
    private static EngineStats ingress(long received, long overrun, long delivered) {
        final long[] counters = new long[PathCounters.Counter.values().length];
        counters[PathCounters.Counter.RECEIVED.ordinal()] = received;
        counters[PathCounters.Counter.DELIVERED.ordinal()] = delivered;
        final long[] drops = new long[DropReason.values().length];
        drops[DropReason.FEED_OVERRUN.ordinal()] = overrun;
        final PathStats row = new PathStats("ingress-0", PathStats.Kind.INGRESS, -1, counters, drops,
            new long[MapResult.values().length], new long[0]);
        return EngineStats.of(List.of(row), List.of(), List.of(), 0, 0);
    }
}
