package dev.steer.engine.path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.TimeUnit;

import org.agrona.collections.IntArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.frame.Frame;
import dev.steer.engine.frame.FramePool;
import dev.steer.engine.ring.ManyToOneRing;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;

/** Handler batches: the handler sees batches of its size while the frames go back to the pool a capacity at a time. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class HandlerBatchTest {
    private final FramePool pool = new FramePool(new FramePool.Context().id("batch").frameCount(32).checked(true));
    private final PathCounters counters = new PathCounters("p", 1);
    private final IntArrayList sizes = new IntArrayList();
    private final IntArrayList seen = new IntArrayList();

    private FrameHandler recording(int failingCall) {
        return batch -> {
            sizes.addInt(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                seen.addInt(batch.frame(i).index());
                assertEquals(batch.handle(i), batch.frame(i).handle());
            }
            if (sizes.size() == failingCall) {
                throw new IllegalStateException("handler");
            }
        };
    }

    @Test
    void shouldHandOverFullBatchesAtOnceAndReturnFramesOnlyWhenFullOrDelivered() {
        final HandlerBatch batch = new HandlerBatch(3, 7, recording(-1), counters, HandlerBatch.ErrorSink.IGNORE);
        final IntArrayList leased = new IntArrayList();
        for (int i = 0; i < 7; i++) {
            final Frame frame = pool.lease();
            leased.addInt(frame.index());
            batch.add(frame);
        }
        assertArrayEquals(new int[] {3, 3}, sizes.toIntArray(), "complete batches go to the handler as they fill");
        assertEquals(25, pool.available(), "handed-over frames stay out until the batch returns them together");
        for (int i = 0; i < 3; i++) {
            final Frame frame = pool.lease();
            leased.addInt(frame.index());
            batch.add(frame); // the first of these finds the batch full: the 7th frame is handed over, all 7 returned
        }
        assertArrayEquals(new int[] {3, 3, 1, 3}, sizes.toIntArray());
        assertEquals(32 - 3, pool.available());
        batch.deliver();
        assertEquals(32, pool.available());
        assertEquals(0, batch.count());
        assertArrayEquals(leased.toIntArray(), seen.toIntArray(), "every frame once, in order");
        assertEquals(10, counters.get(PathCounters.Counter.DELIVERED));
        assertEquals(0, pool.doubleReturns());
    }

    @Test
    void shouldCountOnlyTheFailedBatchAndReturnEveryFrameWhenTheHandlerThrowsMidDrain() {
        final ManyToOneRing ring = new ManyToOneRing(64);
        for (int i = 0; i < 20; i++) {
            ring.offer(pool.lease().handle());
        }
        final HandlerBatch batch = new HandlerBatch(8, 64, recording(2), counters, HandlerBatch.ErrorSink.IGNORE);
        assertEquals(20, batch.drainFrom(ring), "one drain takes up to the capacity");
        batch.deliver();
        assertArrayEquals(new int[] {8, 8, 4}, sizes.toIntArray());
        assertEquals(12, counters.get(PathCounters.Counter.DELIVERED));
        assertEquals(8, counters.dropped(DropReason.HANDLER_ERROR), "the second batch, and only it");
        assertEquals(1, counters.get(PathCounters.Counter.HANDLER_EXCEPTIONS));
        assertEquals(32, pool.available());
        assertEquals(0, pool.doubleReturns());
    }

    @Test
    void shouldRefuseACapacitySmallerThanTheBatchNamingBoth() {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> new HandlerBatch(8, 4, FrameHandler.NO_OP, counters, HandlerBatch.ErrorSink.IGNORE));
        assertEquals("capacity=4: must be at least the batch size 8", error.getMessage());
    }
}
