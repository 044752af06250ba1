package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuSet;
import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.path.FrameSink;
import dev.steer.engine.stats.EngineStats;

/**
 * close() called on one of the engine's own data-path threads waits for that thread: it must fail at once, not hold
 * the data path for the close timeout, and leave the engine running for a close from elsewhere.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShutdownFromDataPathTest {
    private static final long FRAMES = 5000;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(20);

    private static SteerEngine.Builder engine(String name, Feed feed, FrameHandler handler) {
        return SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(1).entry(0, 1024)
            .program(SequencedFeed.byFlow(1)).handler(handler).feed(feed).pinning(false).systemName(name)
            .closeTimeout(CLOSE_TIMEOUT).errorHandler((where, error) -> { });
    }

    /** Calls close() on the calling thread once; records what it threw and how long it took. */
    private static final class CloseOnce {
        final AtomicReference<SteerEngine> engine = new AtomicReference<>();
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final AtomicLong tookNanos = new AtomicLong();
        final CountDownLatch done = new CountDownLatch(1);

        void closeHere() {
            final SteerEngine target = engine.get();
            if (target == null || done.getCount() == 0) {
                return;
            }
            final long start = System.nanoTime();
            try {
                target.close();
            } catch (Throwable error) {
                thrown.set(error);
            }
            tookNanos.set(System.nanoTime() - start);
            done.countDown();
        }

        void assertFailedAtOnce() throws InterruptedException {
            assertTrue(done.await(CLOSE_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS), "close() returned");
            // Half the close timeout: what tells "at once" from "after the close timeout" on a loaded machine too.
            assertTrue(tookNanos.get() < CLOSE_TIMEOUT.toNanos() / 2,
                "close() on a data-path thread fails at once, not after the close timeout: took "
                    + tookNanos.get() / 1_000_000 + " ms, threw " + thrown.get());
            assertNotNull(thrown.get());
            assertInstanceOf(IllegalStateException.class, thrown.get());
            assertTrue(thrown.get().getMessage().contains("data-path thread"), thrown.get().getMessage());
        }
    }

    private static EngineStats closeFromTestThread(SteerEngine engine) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!engine.feedsEnded() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return engine.shutdown();
    }

    @Test
    void shouldFailAtOnceAndKeepRunningWhenAHandlerClosesItsOwnEngine() throws Exception {
        final CloseOnce close = new CloseOnce();
        final AtomicLong delivered = new AtomicLong();
        final SequencedFeed inner = new SequencedFeed("inner", 0, 1, FRAMES);
        final Feed feed = new Feed() {
            @Override
            public int poll(FrameSink sink, int budget) {
                // No traffic before the handler can reach the engine: else every frame could pass before it can.
                return close.engine.get() == null ? 0 : inner.poll(sink, budget);
            }

            @Override
            public String name() {
                return "gated";
            }
        };
        final SteerEngine engine = engine("close-in-handler", feed, batch -> {
            delivered.addAndGet(batch.size());
            close.closeHere();
        }).start();
        close.engine.set(engine);
        close.assertFailedAtOnce();

        final EngineStats stats = closeFromTestThread(engine);
        assertEquals(FRAMES, stats.accounting().received(), "the engine went on: " + stats.accounting());
        assertEquals(delivered.get(), stats.accounting().delivered());
        assertEquals(0, stats.accounting().inFlight(), stats.accounting().toString());
        assertTrue(stats.poolsFull(), "pools full: " + stats.pools());
    }

    @Test
    void shouldFailAtOnceAndKeepRunningWhenAFeedClosesItsOwnEngine() throws Exception {
        final CloseOnce close = new CloseOnce();
        final SequencedFeed inner = new SequencedFeed("inner", 0, 1, FRAMES);
        final Feed feed = new Feed() {
            @Override
            public int poll(FrameSink sink, int budget) {
                if (close.engine.get() == null) {
                    return 0; // not ended before the engine is known: else the feed could end before it closes it
                }
                close.closeHere();
                return inner.poll(sink, budget);
            }

            @Override
            public String name() {
                return "closing";
            }
        };
        final SteerEngine engine = engine("close-in-feed", feed, batch -> { }).start();
        close.engine.set(engine);
        close.assertFailedAtOnce();

        final EngineStats stats = closeFromTestThread(engine);
        assertEquals(FRAMES, stats.accounting().received(), "the engine went on: " + stats.accounting());
        assertEquals(0, stats.accounting().inFlight(), stats.accounting().toString());
        assertTrue(stats.poolsFull(), "pools full: " + stats.pools());
    }
}
