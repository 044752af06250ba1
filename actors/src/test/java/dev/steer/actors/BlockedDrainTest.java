package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuSet;
import dev.steer.engine.stats.EngineStats;

/**
 * A handler that blocks for longer than the close timeout: close() throws saying what is in flight, and once the
 * handler returns, a later close() returns the final stats with every frame accounted for.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BlockedDrainTest {
    private static final int FRAMES = 500;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(1);

    @Test
    void shouldAccountForEveryFrameOnALaterCloseWhenAHandlerOutlivedTheCloseTimeout() throws Exception {
        final HeldHandler held = new HeldHandler();
        final SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(1).entry(0, 1024)
            .program(SequencedFeed.byFlow(1)).feed(new SequencedFeed("f", 0, 1, FRAMES)).pinning(false)
            .systemName("blocked-drain").closeTimeout(CLOSE_TIMEOUT).errorHandler((where, error) -> { })
            .handler(held).start();
        assertTrue(held.awaitHolding());
        while (!engine.feedsEnded()) {
            Thread.sleep(5);
        }

        final IllegalStateException first = assertThrows(IllegalStateException.class, engine::shutdown);
        assertTrue(first.getMessage().contains("in_flight=" + FRAMES), "says what is in flight: " + first.getMessage());
        // Still blocked past a second close timeout (and past CoordinatedShutdown's service-stop phase, which has the
        // same timeout): the drain must still be able to finish.
        assertThrows(IllegalStateException.class, engine::shutdown);
        assertEquals(FRAMES, engine.stats().accounting().inFlight(), "the frames held up are in flight meanwhile");
        Thread.sleep(CLOSE_TIMEOUT.toMillis());

        held.release();
        final EngineStats stats = engine.shutdown();
        assertEquals(FRAMES, stats.accounting().received(), stats.accounting().toString());
        assertEquals(FRAMES, stats.accounting().delivered(), stats.accounting().toString());
        assertEquals(0, stats.accounting().droppedTotal(), stats.accounting().toString());
        assertEquals(0, stats.accounting().inFlight(), stats.accounting().toString());
        assertTrue(stats.poolsFull(), "pools full: " + stats.pools());
        assertEquals(stats, engine.stats(), "stats() returns the final stats too");
        assertTrue(engine.drained());
    }
}
