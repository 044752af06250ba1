package dev.steer.engine.map;

import static dev.steer.engine.frame.TestFrames.handles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.frame.Frame;
import dev.steer.engine.frame.FramePool;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;

/** The bulk queue in front of an entry's ring: the seed's {@code bq_enqueue} and {@code bq_flush_to_queue}. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class BulkQueueTest {
    private static final int KEY = 2;
    private static final int MAX_KEYS = 4;

    private final FramePool pool = new FramePool(new FramePool.Context().id("bq").frameCount(64).frameSize(256)
        .headroom(64).checked(true));
    private final PathCounters counters = new PathCounters("ingress-test", MAX_KEYS);
    private final BulkQueue queue = new BulkQueue(counters);
    private int wakes;

    @Test
    void shouldFlushTheFirstEightWhenANinthFrameIsEnqueued() {
        final CpuMapEntry entry = entry(64);
        queue.bind(entry);
        final Frame[] frames = lease(9);
        for (int i = 0; i < BulkQueue.SIZE; i++) {
            assertEquals(0, queue.enqueue(frames[i]));
        }
        assertEquals(0, entry.ring().size(), "eight frames wait in the queue");
        assertEquals(0, wakes, "a bulk queue never wakes the consumer: the end-of-poll flush does");
        assertEquals(BulkQueue.SIZE, queue.count());

        assertEquals(0, queue.enqueue(frames[8]));
        assertEquals(1, queue.count());
        assertEquals(BulkQueue.SIZE, entry.ring().size());
        assertEquals(0, wakes, "a bulk queue never wakes the consumer: the end-of-poll flush does");
        for (int i = 0; i < BulkQueue.SIZE; i++) {
            assertEquals(frames[i].handle(), entry.ring().poll(), "ring order is queue order");
        }
        assertEnqueueCounters(BulkQueue.SIZE, 0, 1);
    }

    @Test
    void shouldMoveEveryQueuedFrameWhenFlushedExplicitly() {
        final CpuMapEntry entry = entry(64);
        queue.bind(entry);
        final Frame[] frames = lease(3);
        for (Frame frame : frames) {
            queue.enqueue(frame);
        }
        assertEquals(0, queue.flush());
        assertEquals(0, queue.count());
        assertEquals(3, entry.ring().size());
        assertEquals(0, wakes, "a bulk queue never wakes the consumer: the end-of-poll flush does");
        assertEnqueueCounters(3, 0, 1);

        assertEquals(0, queue.flush(), "an empty flush does nothing");
        assertEquals(0, wakes, "a bulk queue never wakes the consumer: the end-of-poll flush does");
        assertEnqueueCounters(3, 0, 1);
    }

    @Test
    void shouldDropExactlyTheSuffixThatDoesNotFitWhenTheRingIsFullAtFlush() {
        final CpuMapEntry entry = entry(5);
        queue.bind(entry);
        final Frame[] earlier = lease(2);
        assertEquals(2, entry.ring().offer(handles(earlier), 0, 2));
        final Frame[] frames = lease(6);
        for (Frame frame : frames) {
            queue.enqueue(frame);
        }
        assertEquals(64 - 8, pool.available());

        assertEquals(3, queue.flush());

        assertEquals(64 - 5, pool.available(), "the three dropped frames went back to the pool");
        assertEquals(3, pool.returns());
        for (int i = 3; i < 6; i++) {
            assertEquals(FramePool.DOUBLE_RETURN, frames[i].release(), "frame " + i + " was already returned");
        }
        assertEquals(earlier[0].handle(), entry.ring().poll());
        assertEquals(earlier[1].handle(), entry.ring().poll());
        for (int i = 0; i < 3; i++) {
            assertEquals(frames[i].handle(), entry.ring().poll(), "the prefix entered the ring in order");
        }
        assertTrue(entry.ring().isEmpty());
        assertEquals(3, counters.dropped(DropReason.RING_FULL));
        assertEquals(3, counters.droppedTotal());
        assertEnqueueCounters(6, 3, 1);
        assertEquals(0, wakes, "a bulk queue never wakes the consumer: the end-of-poll flush does");
    }

    @Test
    void shouldReportTheDropsOfTheImplicitFlushWhenEnqueueFindsTheQueueFull() {
        final CpuMapEntry entry = entry(3);
        queue.bind(entry);
        final Frame[] frames = lease(9);
        for (int i = 0; i < BulkQueue.SIZE; i++) {
            queue.enqueue(frames[i]);
        }
        assertEquals(5, queue.enqueue(frames[8]));
        assertEquals(1, queue.count());
        assertEquals(5, counters.dropped(DropReason.RING_FULL));
        assertEnqueueCounters(8, 5, 1);
    }

    @Test
    void shouldDropEverythingWithoutWakingWhenNothingFitsTheRing() {
        final CpuMapEntry entry = entry(1);
        queue.bind(entry);
        assertTrue(entry.ring().offer(lease(1)[0].handle()));
        for (Frame frame : lease(4)) {
            queue.enqueue(frame);
        }
        assertEquals(4, queue.flush());
        assertEquals(0, wakes, "a bulk queue never wakes the consumer: the end-of-poll flush does");
        assertEquals(4, counters.dropped(DropReason.RING_FULL));
        assertEnqueueCounters(4, 4, 1);
        assertEquals(64 - 1, pool.available());
    }

    @Test
    void shouldCountAFlushAsOneBulkWhenSeveralFlushesHappen() {
        final CpuMapEntry entry = entry(64);
        queue.bind(entry);
        final Frame[] frames = lease(20);
        for (Frame frame : frames) {
            queue.enqueue(frame);
        }
        queue.flush();
        assertEnqueueCounters(20, 0, 3);
        assertEquals(0, wakes, "a bulk queue never wakes the consumer: the end-of-poll flush does");
        assertEquals(0, counters.enqueueProcessed(KEY + 1), "other keys untouched");
    }

    @Test
    void shouldThrowWhenBindingAQueueThatStillHoldsFrames() {
        final CpuMapEntry first = entry(8);
        final CpuMapEntry second = entry(8);
        queue.bind(first);
        queue.enqueue(lease(1)[0]);
        final IllegalStateException error = assertThrows(IllegalStateException.class, () -> queue.bind(second));
        assertTrue(error.getMessage().contains("1 frames"), error.getMessage());
        assertSame(first, queue.entry());

        queue.flush();
        queue.bind(second);
        assertSame(second, queue.entry());
    }

    @Test
    void shouldWaitForTheConsumerWhenALosslessFlushMeetsARingAnotherProducerFilled() throws Exception {
        final CpuMapEntry entry = new CpuMapEntry(1, KEY, 1, EntryValue.of(4), MAX_KEYS);
        final java.util.concurrent.CountDownLatch woken = new java.util.concurrent.CountDownLatch(1);
        entry.wakeup(woken::countDown);
        final BulkQueue lossless = new BulkQueue(counters, new FlushDeadline());
        lossless.bind(entry);
        final Frame[] frames = lease(6);
        assertEquals(4, entry.ring().offer(handles(frames[0], frames[1], frames[2], frames[3]), 0, 4),
            "another producer fills the ring");
        lossless.enqueue(frames[4]);
        lossless.enqueue(frames[5]);
        final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        // The consumer drains only once the flush has found the ring full and woken it, as a parked one would.
        final Thread consumer = new Thread(() -> {
            try {
                woken.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
                return;
            }
            for (int taken = 0; taken < 6 && System.nanoTime() < until; ) {
                if (entry.ring().poll() != dev.steer.engine.ring.ManyToOneRing.EMPTY) {
                    taken++;
                }
            }
        });
        consumer.setDaemon(true);
        consumer.start();
        assertEquals(0, lossless.flush(), "nothing dropped: the flush waited for room");
        consumer.join(5_000);
        assertEquals(1, counters.get(PathCounters.Counter.FLUSH_WAITS));
        assertEquals(0, counters.dropped(DropReason.RING_FULL));
        assertEquals(0, woken.getCount(), "the consumer was woken before the wait");
    }

    @Test
    void shouldDropWhatStillDoesNotFitWhenALosslessFlushHasWaitedItsLongest() {
        final CpuMapEntry entry = entry(2);
        final BulkQueue lossless = new BulkQueue(counters, new FlushDeadline());
        lossless.bind(entry);
        final Frame[] frames = lease(3);
        assertEquals(2, entry.ring().offer(handles(frames[0], frames[1]), 0, 2));
        lossless.enqueue(frames[2]);
        final long start = System.nanoTime();
        assertEquals(1, lossless.flush(), "no consumer: bounded wait, then the frame is dropped");
        assertTrue(System.nanoTime() - start >= BulkQueue.LOSSLESS_FLUSH_WAIT_NS);
        assertEquals(1, counters.dropped(DropReason.RING_FULL));
        assertEquals(62, pool.available(), "the dropped frame went back to its pool");
    }

    private CpuMapEntry entry(int qsize) {
        final CpuMapEntry entry = new CpuMapEntry(1, KEY, 1, EntryValue.of(qsize), MAX_KEYS);
        entry.wakeup(() -> wakes++);
        return entry;
    }

    private Frame[] lease(int count) {
        final Frame[] frames = new Frame[count];
        for (int i = 0; i < count; i++) {
            frames[i] = pool.lease();
        }
        return frames;
    }

    private void assertEnqueueCounters(long processed, long drops, long bulks) {
        assertEquals(processed, counters.enqueueProcessed(KEY), "processed");
        assertEquals(drops, counters.enqueueDrops(KEY), "drops");
        assertEquals(bulks, counters.enqueueBulks(KEY), "bulks");
    }
}
