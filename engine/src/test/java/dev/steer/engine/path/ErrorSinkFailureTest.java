package dev.steer.engine.path;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.frame.FramePool;
import dev.steer.engine.map.Capabilities;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryLifecycle;
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

    @Test
    void shouldCountAFeedErrorAndReportItOnceWhenTheFeedReportsItWithoutThrowing() {
        final CpuMap map = CpuMap.create(1, 0, CpuSet.all(1), Capabilities.admin(), EntryLifecycle.NONE).map();
        final List<String> reported = new ArrayList<>();
        final PathCounters counters = new PathCounters("ingress-0", 1);
        final FramePool pool = new FramePool(new FramePool.Context().id("feed-error").frameCount(8).checked(true));
        final IngressPath path = new IngressPath(1, 0, pool, TestPackets.INGRESS, map, FrameHandler.NO_OP, 8,
            IngressPath.DEFAULT_BUDGET, false, counters, (where, error) -> reported.add(where + ": " + error.getMessage()));
        path.onFeedError(new IllegalStateException("client error"));
        assertEquals(1, counters.get(PathCounters.Counter.FEED_ERRORS));
        assertEquals(List.of("ingress-0: client error"), reported);
        assertEquals(0, counters.get(PathCounters.Counter.RECEIVED), "an error is no frame");
        final IngressPath throwing = new IngressPath(1, 0, pool, TestPackets.INGRESS, map, FrameHandler.NO_OP, 8,
            IngressPath.DEFAULT_BUDGET, false, counters, (where, error) -> {
                throw new RuntimeException("sink");
            });
        throwing.onFeedError(new IllegalStateException("client error"));
        assertEquals(2, counters.get(PathCounters.Counter.FEED_ERRORS));
        assertEquals(1, counters.get(PathCounters.Counter.ERROR_HANDLER_FAILURES), "the sink's failure is contained");
        assertEquals(8, pool.available(), "no frame taken");
        pool.close();
    }
}
