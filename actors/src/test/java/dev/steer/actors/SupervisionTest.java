package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.steer.engine.map.CpuSet;
import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.path.FrameSink;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters.Counter;
import dev.steer.engine.stats.PathStats;

/** Handlers and feeds that throw: counted, frames returned, and the engine goes on. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SupervisionTest {
    private static final long FRAMES = 200_000;

    private static SteerEngine.Builder engine(String name, Feed feed, FrameHandler handler) {
        return SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(1).entry(0, 1024)
            .program(SequencedFeed.byFlow(1)).handler(handler).feed(feed).pinning(false).systemName(name)
            .errorHandler((where, error) -> { });
    }

    private static EngineStats runToEnd(SteerEngine engine) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!engine.feedsEnded() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return engine.shutdown();
    }

    @ParameterizedTest
    @EnumSource(ConsumerActor.FailurePolicy.class)
    void shouldCountHandlerFailuresAndKeepDeliveringWhenHandlerThrows(ConsumerActor.FailurePolicy policy)
        throws Exception {
        final AtomicLong delivered = new AtomicLong();
        final AtomicInteger calls = new AtomicInteger();
        // The first call fails, then every 1000th: how many batches reach the handler depends on how many frames
        // the ring (1024, drop mode) took during the burst, and at least one failure must happen whatever that is.
        final FrameHandler flaky = batch -> {
            if (calls.incrementAndGet() % 1000 == 1) {
                throw new IllegalStateException("handler failure");
            }
            delivered.addAndGet(batch.size());
        };
        final SequencedFeed feed = new SequencedFeed("flaky", 0, 4, FRAMES);
        final EngineStats stats = runToEnd(engine("supervision-" + policy.name().toLowerCase(), feed, flaky)
            .consumerFailure(policy).start());

        final PathStats consumer = stats.consumers().get(0);
        final long errors = consumer.get(Counter.HANDLER_EXCEPTIONS);
        assertTrue(errors > 0, "the handler failed at least once: " + stats.accounting());
        assertEquals(FRAMES, stats.accounting().received());
        assertEquals(0, stats.accounting().inFlight(), stats.accounting().toString());
        assertEquals(delivered.get(), stats.accounting().delivered());
        assertTrue(stats.accounting().dropped(DropReason.HANDLER_ERROR) >= errors, "each failure drops its batch");
        assertTrue(stats.poolsFull(), "pools full: " + stats.pools());
        if (policy == ConsumerActor.FailurePolicy.RESTART) {
            assertEquals(errors, consumer.get(Counter.RESTARTS), "one restart per failure");
        } else {
            assertEquals(0, consumer.get(Counter.RESTARTS));
        }
    }

    @Test
    void shouldRestartIngressWithCountedErrorWhenFeedThrows() throws Exception {
        final SequencedFeed inner = new SequencedFeed("inner", 0, 4, FRAMES);
        final AtomicInteger polls = new AtomicInteger();
        final Feed failing = new Feed() {
            @Override
            public int poll(FrameSink sink, int budget) {
                if (polls.incrementAndGet() % 500 == 0) {
                    // Part of a poll went through before the failure: those frames must not be stranded.
                    inner.poll(sink, budget / 2);
                    throw new IllegalStateException("feed failure");
                }
                return inner.poll(sink, budget);
            }

            @Override
            public String name() {
                return "failing";
            }
        };
        final AtomicLong delivered = new AtomicLong();
        final EngineStats stats = runToEnd(engine("feed-restart", failing,
            batch -> delivered.addAndGet(batch.size())).start());

        final PathStats ingress = stats.ingresses().get(0);
        assertTrue(ingress.get(Counter.FEED_ERRORS) > 0, "feed failures counted");
        assertEquals(ingress.get(Counter.FEED_ERRORS), ingress.get(Counter.RESTARTS), "one restart per failure");
        assertEquals(FRAMES, stats.accounting().received(), "traffic went on after each restart");
        assertEquals(0, stats.accounting().inFlight());
        assertEquals(delivered.get(), stats.accounting().delivered());
        assertTrue(stats.poolsFull());
    }

    @Test
    void shouldNameEverySettingWhenBuilderIsInvalid() {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> SteerEngine.builder()
            .cpus(CpuSet.all(2)).maxEntries(3).budget(0).consumerBatch(5000).entry(1, 20_000).poolFrames(0)
            .conclude());
        final String message = error.getMessage();
        for (String expected : new String[] {"maxEntries=3", "budget=0", "consumerBatch=5000", "qsize=20000",
            "poolFrames=0"}) {
            assertTrue(message.contains(expected), "message names " + expected + ": " + message);
        }
    }
}
