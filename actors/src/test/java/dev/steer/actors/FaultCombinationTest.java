package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.path.FrameSink;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters.Counter;

/** Faults in combination and at awkward times that the runtime already survives: kept as regression tests. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FaultCombinationTest {
    private static SteerEngine.Builder engine(String name, Feed feed, FrameHandler handler) {
        return SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(2).entry(0, 1024)
            .program(SequencedFeed.byFlow(1)).handler(handler).feed(feed).pinning(false).systemName(name)
            .errorHandler((where, error) -> { });
    }

    private static void awaitEnd(SteerEngine engine) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!engine.feedsEnded() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    private static void assertClosed(EngineStats stats, long received) {
        assertEquals(received, stats.accounting().received(), stats.accounting().toString());
        assertEquals(0, stats.accounting().inFlight(), stats.accounting().toString());
        assertTrue(stats.poolsFull(), "pools full: " + stats.pools());
    }

    /** A feed that throws on its first poll, then works. */
    @Test
    void shouldRestartAndDeliverEverythingWhenTheFeedThrowsOnItsFirstPoll() throws Exception {
        final SequencedFeed inner = new SequencedFeed("inner", 0, 1, 5000);
        final AtomicInteger polls = new AtomicInteger();
        final Feed feed = new Feed() {
            @Override
            public int poll(FrameSink sink, int budget) {
                if (polls.incrementAndGet() == 1) {
                    throw new IllegalStateException("first poll");
                }
                return inner.poll(sink, budget);
            }

            @Override
            public String name() {
                return "first";
            }
        };
        final SteerEngine engine = engine("fault-first-poll", feed, b -> { }).start();
        awaitEnd(engine);
        final EngineStats stats = engine.shutdown();
        assertClosed(stats, 5000);
        assertEquals(1, stats.ingresses().get(0).get(Counter.FEED_ERRORS));
        assertEquals(1, stats.ingresses().get(0).get(Counter.RESTARTS));
    }

    /** A feed whose results lie: larger than handed over, and negative values other than END. */
    @Test
    void shouldKeepTheAccountingWhenTheFeedMisreportsItsCount() throws Exception {
        final SequencedFeed inner = new SequencedFeed("inner", 0, 1, 5000);
        final AtomicInteger polls = new AtomicInteger();
        final Feed feed = new Feed() {
            @Override
            public int poll(FrameSink sink, int budget) {
                final int n = inner.poll(sink, budget);
                if (n == END) {
                    return END;
                }
                final int p = polls.incrementAndGet();
                return p % 3 == 0 ? -7 : p % 3 == 1 ? Integer.MAX_VALUE : Integer.MIN_VALUE;
            }

            @Override
            public String name() {
                return "liar";
            }
        };
        final SteerEngine engine = engine("fault-liar", feed, b -> { }).start();
        awaitEnd(engine);
        assertClosed(engine.shutdown(), 5000);
    }

    /** RESTART policy, handler throws on every batch. */
    @Test
    void shouldStayBoundedAndAccountedWhenTheHandlerThrowsOnEveryBatchUnderRestart() throws Exception {
        final SequencedFeed feed = new SequencedFeed("f", 0, 1, 50_000);
        final SteerEngine engine = engine("fault-always-throws", feed, batch -> {
            throw new IllegalStateException("always");
        }).consumerFailure(ConsumerActor.FailurePolicy.RESTART).start();
        awaitEnd(engine);
        Thread.sleep(500);
        final EngineStats stats = engine.shutdown();
        assertClosed(stats, 50_000);
        assertEquals(0, stats.accounting().delivered());
        assertTrue(stats.accounting().dropped(DropReason.HANDLER_ERROR) > 0, stats.accounting().toString());
        assertTrue(stats.consumers().get(0).get(Counter.RESTARTS) > 0, "restarted");
    }

    /** stats(), update(), delete() from inside a handler. */
    @Test
    void shouldAnswerStatsAndMapOperationsCalledFromAHandler() throws Exception {
        final AtomicReference<SteerEngine> self = new AtomicReference<>();
        final AtomicInteger calls = new AtomicInteger();
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        // No traffic before the handler can call the engine.
        final Feed feed = SequencedFeed.gated(new SequencedFeed("f", 0, 1, 20_000), () -> self.get() != null);
        final SteerEngine engine = engine("fault-admin-in-handler", feed, batch -> {
            final SteerEngine e = self.get();
            if (e == null) {
                return;
            }
            try {
                final int c = calls.incrementAndGet();
                if (c < 50) {
                    e.stats();
                    e.update(1, EntryValue.of(64), CpuMap.ANY);
                    e.update(0, EntryValue.of(1024), CpuMap.ANY); // replaces its own entry
                    e.delete(1);
                }
            } catch (Throwable t) {
                thrown.compareAndSet(null, t);
            }
        }).start();
        self.set(engine);
        awaitEnd(engine);
        final EngineStats stats = engine.shutdown();
        assertEquals(null, thrown.get(), "every call answered");
        assertTrue(calls.get() > 0, "the handler reached the engine");
        assertClosed(stats, 20_000);
    }
}
