package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.stats.EngineStats;

/** A consumer that fails past its restart limit while draining strands the rest of its ring. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DrainFailureTest {
    @Test
    void shouldNotStrandFramesWhenDrainingConsumerExceedsRestartLimit() throws Exception {
        final CountDownLatch blocked = new CountDownLatch(1);
        final CountDownLatch gate = new CountDownLatch(1);
        final AtomicInteger calls = new AtomicInteger();
        final SequencedFeed feed = new SequencedFeed("f", 0, 1, 2000);
        final SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(1).entry(0, 2048)
            .program(SequencedFeed.byFlow(1)).feed(feed).pinning(false).systemName("review-drain")
            .consumerFailure(ConsumerActor.FailurePolicy.RESTART)
            .errorHandler((w, e) -> { })
            .handler(batch -> {
                if (calls.incrementAndGet() == 1) {
                    blocked.countDown();
                    try {
                        gate.await();
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }
                throw new IllegalStateException("handler down");
            })
            .start();
        assertTrue(blocked.await(10, TimeUnit.SECONDS));
        while (!engine.feedsEnded()) {
            Thread.sleep(5);
        }
        assertEquals(MapResult.OK, engine.delete(0)); // barrier + Stop while the ring holds ~1990 frames
        gate.countDown();
        // The retired consumer fails past its restart limit on the frames it holds, before the shutdown: wait until
        // they are accounted for, not a fixed 2 s a loaded machine may not be done in.
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (engine.stats().accounting().inFlight() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        final EngineStats stats = engine.shutdown();
        assertEquals(0, stats.accounting().inFlight(), stats.accounting().toString());
        assertTrue(stats.poolsFull(), "pools full: " + stats.pools());
    }
}
