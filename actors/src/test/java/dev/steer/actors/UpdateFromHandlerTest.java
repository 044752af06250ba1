package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.path.Feed;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.EngineStats;

/**
 * An update called from a handler is answered once the new snapshot is published, before the quiescence barrier it
 * starts: even when that barrier waits for the calling consumer itself (an entry with a remote program takes part in
 * barriers), the update does not wait for its own caller. What an update waits for is the supervisor's turn and the
 * start of the new entry's consumer, the same from any thread.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UpdateFromHandlerTest {
    private static final long FRAMES = 5_000;

    @Test
    void shouldAnswerAnUpdateFromAHandlerBeforeTheBarrierThatWaitsForThatHandlersOwnConsumer() throws Exception {
        final AtomicReference<SteerEngine> self = new AtomicReference<>();
        final AtomicReference<MapResult> updated = new AtomicReference<>();
        final AtomicReference<EntryValue> lookedUp = new AtomicReference<>();
        final AtomicReference<MapSupervisor.Retired> retiredInHandler = new AtomicReference<>();
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final CountDownLatch called = new CountDownLatch(1);
        // No traffic before the handler can call the engine.
        final Feed gated = SequencedFeed.gated(new SequencedFeed("f", 0, 1, FRAMES), () -> self.get() != null);
        final SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(2)
            // A remote program makes entry 0's consumer a barrier participant; every frame goes to entry 0.
            .entry(0, new EntryValue(1024, view -> Verdict.PASS)).entry(1, 64)
            .program(SequencedFeed.byFlow(1)).feed(gated).pinning(false).systemName("update-from-handler")
            .errorHandler((where, error) -> { })
            .handler(batch -> {
                final SteerEngine e = self.get();
                if (e == null || batch.key() != 0 || called.getCount() == 0) {
                    return;
                }
                try {
                    // Replaces entry 1: the barrier that retires the old entry waits for this very consumer.
                    updated.set(e.update(1, EntryValue.of(128), CpuMap.ANY));
                    lookedUp.set(e.lookup(1));
                    // Still inside the handler, so this consumer has not acknowledged: the retirement cannot end.
                    retiredInHandler.set(awaitRetired(e, Duration.ofMillis(300)));
                } catch (Throwable t) {
                    thrown.set(t);
                } finally {
                    called.countDown();
                }
            }).start();
        self.set(engine);
        final EngineStats stats;
        try {
            assertTrue(called.await(30, TimeUnit.SECONDS), "the handler of entry 0 was called");
            assertEquals(null, thrown.get(), "every call from the handler answered");
            assertEquals(MapResult.OK, updated.get(), "the update answered while its barrier waited for the caller");
            assertEquals(128, lookedUp.get().qsize(), "the new entry was published before the answer");
            assertEquals(MapSupervisor.Retired.Outcome.TIMED_OUT, retiredInHandler.get().outcome(),
                "the old entry cannot retire while the consumer the barrier waits for is inside its handler");
            assertEquals(MapSupervisor.Retired.Outcome.RETIRED, awaitRetired(engine, Duration.ofSeconds(20)).outcome(),
                "once the handler returned, the consumer acknowledged and the old entry retired");
        } finally {
            stats = EngineRuns.runToEnd(engine, Duration.ofSeconds(20));
        }
        assertEquals(FRAMES, stats.accounting().received(), stats.accounting().toString());
        assertEquals(0, stats.accounting().inFlight(), stats.accounting().toString());
        assertTrue(stats.poolsFull(), "pools full: " + stats.pools());
    }

    private static MapSupervisor.Retired awaitRetired(SteerEngine engine, Duration wait) {
        return AskPattern.<MapSupervisor.Command, MapSupervisor.Retired>ask(engine.actorSystem(),
                replyTo -> new MapSupervisor.AwaitRetired(replyTo, wait), wait.plusSeconds(10),
                engine.actorSystem().scheduler())
            .toCompletableFuture().join();
    }
}
