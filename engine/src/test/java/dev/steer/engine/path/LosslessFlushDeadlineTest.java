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
 * many of its bulk queues meet a full ring: the rings here are filled by "another producer" and never consumed. How
 * many waits ran until a deadline is read from the producer's {@link FlushDeadline}, not from the wall clock: a flush
 * that did not wait but lost the CPU for longer than a wait on a loaded host must not fail a test. A wait that ran
 * lasted a full wait at least, which the clock can show whatever the load.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class LosslessFlushDeadlineTest {
    private static final int KEYS = 4;
    private static final int QSIZE = 8;

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
        assertEquals(1, redirector.flushDeadline().expiries(), "waits that ran until the deadline for " + KEYS
            + " full rings in one poll; the wait is at most one a poll");
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
        redirector.flush();

        assertEquals(1, redirector.flushDeadline().expiries(), "the mid-poll flush used up the poll's wait, so the"
            + " end-of-poll flush drops at once without waiting again");
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
        assertEquals(2, redirector.flushDeadline().expiries(), "one wait until the deadline in each poll");
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
        assertEquals(0, redirector.flushDeadline().expiries());
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
