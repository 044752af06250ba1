package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuSet;
import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameSink;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters.Counter;

/**
 * A feed that reports its own losses with {@code onDropped(null, n)}: the call is a feed error, reported and counted
 * in {@code feed_errors}, and counts nothing; it must not count the packets as received without a drop reason, which
 * left them in flight for ever.
 */
class FeedSinkMisuseTest {
    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void shouldReportAFeedErrorAndKeepTheAccountingWhenAFeedDropsWithoutAReason() throws Exception {
        final SequencedFeed inner = new SequencedFeed("f", 0, 2, 1_000);
        final Feed feed = new Feed() {
            private boolean reported;

            @Override
            public int poll(FrameSink sink, int budget) {
                if (!reported) {
                    reported = true;
                    sink.onDropped(null, 3);
                }
                return inner.poll(sink, budget);
            }

            @Override
            public String name() {
                return "null-reason";
            }
        };
        final List<Throwable> errors = new ArrayList<>();
        final SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(2).entry(0, 64).entry(1, 64)
            .pinning(false).systemName("feed-null-reason").program(SequencedFeed.byFlow(2)).lossless(true)
            .errorHandler((where, error) -> {
                synchronized (errors) {
                    errors.add(error);
                }
            }).feed(feed).start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!engine.feedsEnded() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        final EngineStats stats = engine.shutdown();
        assertEquals(1_000, stats.accounting().received(), stats.accounting().toString());
        assertEquals(1_000, stats.accounting().delivered(), stats.accounting().toString());
        assertEquals(0, stats.accounting().inFlight(), stats.accounting().toString());
        assertTrue(stats.poolsFull());
        assertEquals(1, stats.ingressTotal(Counter.FEED_ERRORS));
        synchronized (errors) {
            assertTrue(errors.stream().anyMatch(error -> error.getCause() instanceof IllegalArgumentException
                || error instanceof IllegalArgumentException), errors.toString());
        }
    }
}
