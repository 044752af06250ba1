package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.stats.EngineStats;

/**
 * {@link MapSupervisor.AwaitRetired} answers only once the entries replaced or deleted before it have drained and
 * stopped: what a cluster node's map agent relies on before it tells the map owner that a change has settled.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AwaitRetiredTest {
    private static final int FRAMES = 300;

    @Test
    void shouldAnswerAwaitRetiredOnlyWhenTheDeletedEntryHasDrainedWhenItsHandlerBlocks() throws Exception {
        final CountDownLatch blocked = new CountDownLatch(1);
        final CountDownLatch gate = new CountDownLatch(1);
        final SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(2).entry(0, 1024)
            .program(SequencedFeed.byFlow(1)).feed(new SequencedFeed("f", 0, 1, FRAMES)).pinning(false)
            .systemName("await-retired").closeTimeout(Duration.ofSeconds(10))
            .handler(batch -> {
                blocked.countDown();
                try {
                    gate.await();
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            })
            .start();
        try {
            assertTrue(awaitCondition(engine::feedsEnded) && blocked.await(10, TimeUnit.SECONDS), "the handler holds");
            ask(engine).get(10, TimeUnit.SECONDS); // nothing retiring: answered at once

            assertEquals(MapResult.OK, engine.delete(0));
            final CompletableFuture<MapSupervisor.Retired> retired = ask(engine);
            // Deterministic, not a timing: the old entry cannot drain while its handler is held.
            Thread.sleep(300);
            assertFalse(retired.isDone(), "not answered while the deleted entry still holds frames");
            gate.countDown();
            retired.get(10, TimeUnit.SECONDS);
            final EngineStats stats = engine.stats();
            assertEquals(FRAMES, stats.accounting().delivered(), "every frame of the entry was delivered first: "
                + stats.accounting());
        } finally {
            gate.countDown();
            engine.shutdown();
        }
    }

    private static CompletableFuture<MapSupervisor.Retired> ask(SteerEngine engine) {
        return AskPattern.<MapSupervisor.Command, MapSupervisor.Retired>ask(engine.actorSystem(),
            MapSupervisor.AwaitRetired::new, Duration.ofSeconds(20), engine.actorSystem().scheduler())
            .toCompletableFuture();
    }

    /** Polls {@code condition} every 5 ms for at most 10 s. */
    private static boolean awaitCondition(java.util.function.BooleanSupplier condition) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && !condition.getAsBoolean()) {
            Thread.sleep(5);
        }
        return condition.getAsBoolean();
    }
}
