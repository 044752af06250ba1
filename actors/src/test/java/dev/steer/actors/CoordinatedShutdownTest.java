package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.apache.pekko.actor.CoordinatedShutdown;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuSet;
import dev.steer.engine.stats.EngineStats;

/** What a SIGTERM runs, Pekko's CoordinatedShutdown, drains the engine like shutdown() and terminates it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CoordinatedShutdownTest {
    @Test
    void shouldDrainEveryFrameAndTerminateWhenCoordinatedShutdownRunsUnderLoad() throws Exception {
        final DeliveryRecorder recorder = new DeliveryRecorder();
        final SequencedFeed feed = new SequencedFeed("endless", 0, 4, Long.MAX_VALUE);
        final SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(1).entry(0, 1024)
            .program(SequencedFeed.byFlow(1)).handler(recorder).feed(feed).pinning(false).systemName("sigterm")
            .errorHandler((where, error) -> { }).start();
        Thread.sleep(300);
        CoordinatedShutdown.get(engine.system()).runAll(CoordinatedShutdown.jvmExitReason());
        engine.system().getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);

        final EngineStats stats = engine.shutdown(); // after the fact: returns the drain's final stats
        assertTrue(stats.accounting().received() > 0, "traffic flowed");
        assertEquals(feed.sent(), stats.accounting().received(), "every packet the feed handed over was counted");
        assertEquals(0, stats.accounting().inFlight(), stats.accounting().toString());
        assertEquals(recorder.delivered(), stats.accounting().delivered());
        assertTrue(stats.poolsFull(), "pools full: " + stats.pools());
    }
}
