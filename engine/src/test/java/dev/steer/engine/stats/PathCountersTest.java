package dev.steer.engine.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A path's counters: one writer's adds, reads by key and reason, and a refused negative key count. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PathCountersTest {
    @Test
    void shouldKeepEachCounterApartAndIgnoreEnqueuesOfKeysOutsideItsRange() {
        final PathCounters counters = new PathCounters("ingress-0", 2);
        counters.increment(PathCounters.Counter.RECEIVED);
        counters.add(PathCounters.Counter.RECEIVED, 9);
        counters.drop(DropReason.RING_FULL, 3);
        counters.enqueue(1, 8, 3);
        counters.enqueue(2, 8, 0); // outside 0..1: not tracked
        assertEquals(10, counters.get(PathCounters.Counter.RECEIVED));
        assertEquals(0, counters.get(PathCounters.Counter.DELIVERED));
        assertEquals(3, counters.dropped(DropReason.RING_FULL));
        assertEquals(3, counters.droppedTotal());
        assertEquals(8, counters.enqueueProcessed(1));
        assertEquals(3, counters.enqueueDrops(1));
        assertEquals(1, counters.enqueueBulks(1));
        assertEquals(0, counters.enqueueProcessed(0));
        assertEquals(0, counters.enqueueProcessed(2));
    }

    @Test
    void shouldRefuseANegativeKeyCountNamingIt() {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> new PathCounters("key-1", -1));
        assertEquals("counters key-1: maxKeys=-1: must not be negative", error.getMessage());
    }
}
