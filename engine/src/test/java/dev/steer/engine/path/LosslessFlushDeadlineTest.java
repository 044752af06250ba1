package dev.steer.engine.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.frame.FramePool;
import dev.steer.engine.map.BulkQueue;
import dev.steer.engine.map.Capabilities;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryLifecycle;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapSnapshot;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.ring.ManyToOneRing;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;

/**
 * A lossless producer's flushes wait for room at most {@link BulkQueue#LOSSLESS_FLUSH_WAIT_NS} per poll, however
 * many of its bulk queues meet a full ring: the rings here are filled by "another producer" and never consumed.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class LosslessFlushDeadlineTest {
    private static final int KEYS = 4;
    private static final int QSIZE = 8;
    /** Well under one wait per queue (4 × 100 ms), well over one wait for the whole poll. */
    private static final long POLL_BOUND_NS = TimeUnit.MILLISECONDS.toNanos(250);

    private final FramePool pool = new FramePool(new FramePool.Context().frameCount(256).checked(true));
    private final CpuMap map = CpuMap.create(KEYS, 0, CpuSet.all(KEYS), Capabilities.admin(), EntryLifecycle.NONE).map();
    private final PathCounters counters = new PathCounters("ingress-0", KEYS);
    private Redirector redirector;

    @AfterEach
    void closePool() {
        for (int key = 0; key < KEYS; key++) {
            final ManyToOneRing ring = map.snapshot().entry(key).ring();
            int handle;
            while ((handle = ring.poll()) != ManyToOneRing.EMPTY) {
                FramePool.frame(handle).release();
            }
        }
        assertTrue(pool.close(), "every frame went back to the pool");
    }

    @Test
    void shouldWaitAtMostOnceForAllQueuesWhenOnePollFlushesSeveralFullRings() {
        start();
        for (int key = 0; key < KEYS; key++) {
            redirector.steer(pool.lease().length(60), Verdict.redirect(key, Verdict.DROP));
        }
        fillRings();

        final long start = System.nanoTime();
        redirector.flush();
        final long took = System.nanoTime() - start;

        assertTrue(took >= BulkQueue.LOSSLESS_FLUSH_WAIT_NS, "the first full ring still gets its wait: " + took);
        assertTrue(took < POLL_BOUND_NS, "one poll's flush held the ingress " + took / 1_000_000 + " ms for "
            + KEYS + " full rings; the wait is at most " + BulkQueue.LOSSLESS_FLUSH_WAIT_NS / 1_000_000 + " ms a poll");
        assertEquals(KEYS, counters.get(PathCounters.Counter.FLUSH_WAITS), "every flush that met a full ring counts");
        assertEquals(KEYS, counters.dropped(DropReason.RING_FULL));
        assertEquals(KEYS, counters.droppedTotal());
        assertEquals(KEYS, counters.get(PathCounters.Counter.REDIRECTED));
    }

    @Test
    void shouldShareThePollsWaitWithMidPollFlushesWhenAFullBulkQueueFlushesOnEnqueue() {
        start();
        // Key 0's ninth frame flushes its full bulk queue mid-poll, into a full ring: that flush takes the wait.
        fillRings();
        for (int i = 0; i < BulkQueue.SIZE + 1; i++) {
            redirector.steer(pool.lease().length(60), Verdict.redirect(0, Verdict.DROP));
        }
        for (int key = 1; key < KEYS; key++) {
            redirector.steer(pool.lease().length(60), Verdict.redirect(key, Verdict.DROP));
        }
        final long start = System.nanoTime();
        redirector.flush();
        final long took = System.nanoTime() - start;

        // Under one wait, not a tighter figure: an end-of-poll flush that waited took a full wait at least.
        assertTrue(took < BulkQueue.LOSSLESS_FLUSH_WAIT_NS, "the mid-poll flush used up the poll's wait, so the"
            + " end-of-poll flush drops at once; it took " + took / 1_000_000 + " ms");
        assertEquals(1 + KEYS, counters.get(PathCounters.Counter.FLUSH_WAITS));
        assertEquals(BulkQueue.SIZE + 1 + KEYS - 1, counters.dropped(DropReason.RING_FULL));
        assertEquals(BulkQueue.SIZE + 1 + KEYS - 1, counters.droppedTotal());
    }

    @Test
    void shouldWaitAgainWhenTheNextPollMeetsAFullRing() {
        start();
        fillRings();
        redirector.steer(pool.lease().length(60), Verdict.redirect(0, Verdict.DROP));
        redirector.flush();

        redirector.steer(pool.lease().length(60), Verdict.redirect(1, Verdict.DROP));
        final long start = System.nanoTime();
        redirector.flush();
        final long took = System.nanoTime() - start;

        assertTrue(took >= BulkQueue.LOSSLESS_FLUSH_WAIT_NS, "a new poll has a new wait: " + took);
        assertEquals(2, counters.get(PathCounters.Counter.FLUSH_WAITS));
        assertEquals(2, counters.dropped(DropReason.RING_FULL));
    }

    @Test
    void shouldNotWaitWhenEveryRingHasRoom() {
        start();
        for (int key = 0; key < KEYS; key++) {
            redirector.steer(pool.lease().length(60), Verdict.redirect(key, Verdict.DROP));
        }
        redirector.flush();

        assertEquals(0, counters.get(PathCounters.Counter.FLUSH_WAITS));
        assertEquals(0, counters.droppedTotal());
        for (int key = 0; key < KEYS; key++) {
            assertEquals(1, map.snapshot().entry(key).ring().size());
        }
    }

    private void start() {
        for (int key = 0; key < KEYS; key++) {
            assertTrue(map.update(key, EntryValue.of(QSIZE), CpuMap.ANY).isOk());
        }
        redirector = new Redirector(map, counters, DropReason.PROGRAM_DROP, DropReason.PROGRAM_ABORTED, true);
        redirector.refresh();
    }

    /** Another producer takes all the room of every ring; no consumer ever drains them. */
    private void fillRings() {
        final MapSnapshot snapshot = map.snapshot();
        for (int key = 0; key < KEYS; key++) {
            final ManyToOneRing ring = snapshot.entry(key).ring();
            while (ring.remainingCapacity() > 0) {
                assertTrue(ring.offer(pool.lease().length(60).handle()));
            }
        }
    }
}
