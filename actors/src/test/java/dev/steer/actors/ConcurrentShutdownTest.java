package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuSet;
import dev.steer.engine.stats.EngineStats;

/** A second, concurrent shutdown() returns non-final stats and terminates the system mid-drain. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConcurrentShutdownTest {
    @Test
    void shouldReturnFinalStatsToEveryConcurrentShutdownCaller() throws Exception {
        final SequencedFeed feed = new SequencedFeed("f", 0, 1, 2000);
        final SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(1).entry(0, 2048)
            .program(SequencedFeed.byFlow(1)).feed(feed).pinning(false).systemName("review-shutdown")
            .closeTimeout(Duration.ofSeconds(10)).errorHandler((w, e) -> { })
            .handler(batch -> {
                try {
                    Thread.sleep(2);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            })
            .start();
        while (!engine.feedsEnded()) {
            Thread.sleep(5);
        }
        final CompletableFuture<Object> first = CompletableFuture.supplyAsync(() -> {
            try {
                return engine.shutdown();
            } catch (RuntimeException ex) {
                return ex;
            }
        });
        Thread.sleep(50);
        final EngineStats second = engine.shutdown(); // e.g. a JVM shutdown hook racing main's close()
        final Object firstResult = first.get(30, TimeUnit.SECONDS);
        assertEquals(0, second.accounting().inFlight(), "second caller got final stats");
        final EngineStats firstStats = assertInstanceOf(EngineStats.class, firstResult, () -> "first caller: " + firstResult);
        assertEquals(0, firstStats.accounting().inFlight(), "first caller got final stats");
        assertEquals(feed.sent(), firstStats.accounting().received(), firstStats.accounting().toString());
        assertEquals(second.accounting().toString(), firstStats.accounting().toString(), "both got the same stats");
    }
}
