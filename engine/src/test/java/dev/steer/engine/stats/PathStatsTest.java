package dev.steer.engine.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A path snapshot is immutable, compares by value and prints its values. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PathStatsTest {
    @Test
    void shouldKeepItsValuesWhenACallerWritesIntoTheArraysItGaveOrGot() {
        final PathCounters counters = new PathCounters("key-1", 2);
        counters.add(PathCounters.Counter.RECEIVED, 8);
        counters.drop(DropReason.RING_FULL, 3);
        counters.enqueue(1, 8, 3);
        final PathStats stats = counters.snapshot(PathStats.Kind.CONSUMER, 1);
        stats.counters()[PathCounters.Counter.RECEIVED.ordinal()] = 0;
        stats.drops()[DropReason.RING_FULL.ordinal()] = 0;
        stats.enqueue()[3] = 0;
        final long[] given = new long[PathCounters.Counter.values().length];
        final PathStats built = new PathStats("x", PathStats.Kind.INGRESS, -1, given, stats.drops(),
            stats.redirectErrors(), stats.enqueue());
        given[PathCounters.Counter.RECEIVED.ordinal()] = 5;
        assertEquals(8, stats.get(PathCounters.Counter.RECEIVED));
        assertEquals(3, stats.dropped(DropReason.RING_FULL));
        assertEquals(8, stats.enqueueProcessed(1));
        assertEquals(0, built.get(PathCounters.Counter.RECEIVED));
    }

    @Test
    void shouldCompareByValueAndPrintNonZeroValuesWhenTwoSnapshotsHoldTheSameCounts() {
        final PathCounters counters = new PathCounters("key-1", 2);
        counters.add(PathCounters.Counter.RECEIVED, 8);
        counters.drop(DropReason.RING_FULL, 3);
        final PathStats a = counters.snapshot(PathStats.Kind.CONSUMER, 1);
        final PathStats b = counters.snapshot(PathStats.Kind.CONSUMER, 1);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals("key-1 received=8 ring_full=3", a.toString());
    }
}
