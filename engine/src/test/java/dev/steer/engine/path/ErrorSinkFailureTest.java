package dev.steer.engine.path;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.frame.FramePool;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;

/** an error sink that throws leaves a handler batch's frames out of the pool, counted as dropped, and re-delivered later. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ErrorSinkFailureTest {
    @Test
    void shouldReturnAndCountTheBatchOnceWhenTheErrorHandlerItselfThrows() {
        final FramePool pool = new FramePool(new FramePool.Context().id("sink").frameCount(8).checked(true));
        final PathCounters counters = new PathCounters("p", 1);
        final int[] calls = {0};
        final HandlerBatch batch = new HandlerBatch(4, b -> {
            if (calls[0]++ == 0) {
                throw new IllegalStateException("handler");
            }
        }, counters, (where, error) -> {
            throw new RuntimeException("sink");
        });
        for (int i = 0; i < 4; i++) {
            batch.add(pool.lease());
        }
        batch.deliver();
        assertEquals(8, pool.available(), "the failed batch went back to the pool");
        assertEquals(0, batch.count());
        assertEquals(4, counters.dropped(DropReason.HANDLER_ERROR));
        assertEquals(1, counters.get(PathCounters.Counter.ERROR_HANDLER_FAILURES), "the sink's failure is counted");
        batch.deliver(); // the next end-of-poll flush: nothing left to deliver again
        assertEquals(0, counters.get(PathCounters.Counter.DELIVERED), "nothing delivered twice");
        assertEquals(1, calls[0]);
        assertEquals(0, pool.doubleReturns());
    }
}
