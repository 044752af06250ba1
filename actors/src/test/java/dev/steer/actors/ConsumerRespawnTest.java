package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.stats.EngineStats;

/**
 * A consumer that stops unexpectedly is respawned on its ring, and its entry is given up past
 * {@link BarrierLifecycle#MAX_RESPAWNS} respawns within the respawn window. A consumer that stops while it is the last
 * participant a quiescence barrier waits for completes the barrier by stopping; the entries the barrier retires must
 * still be stopped and released: a respawned consumer of a retiring entry is told to drain and stop, a given-up one's
 * ring is reclaimed. Entry 1's consumers come from {@link QuiesceDyingConsumers}, so that a death is a barrier's
 * answer; each change of entry 0 starts a barrier.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConsumerRespawnTest {
    private static final Duration WAIT = Duration.ofSeconds(2);

    @Test
    void shouldStopTheRespawnedConsumerWhenTheDeadConsumerWasTheLastParticipantOfTheBarrierRetiringItsEntry() {
        final QuiesceDyingConsumers consumers = new QuiesceDyingConsumers(n -> n == 1);
        final SteerEngine engine = builder("respawn-last-delete", consumers).start();
        assertEquals(MapResult.OK, engine.delete(1));
        assertEquals(MapSupervisor.Retired.Outcome.RETIRED, awaitRetired(engine),
            "the consumer respawned on the retiring entry's ring is stopped and the entry released");
        assertEquals(2, consumers.made(), "one consumer died, one was respawned");
        assertEquals(0, engine.shutdown().accounting().inFlight());
    }

    @Test
    void shouldShutDownWhenTheDeadConsumerWasTheLastParticipantOfTheShutdownBarrier() {
        final QuiesceDyingConsumers consumers = new QuiesceDyingConsumers(n -> n == 1);
        final SteerEngine engine = builder("respawn-last-shutdown", consumers).start();
        final EngineStats stats = engine.shutdown(); // closes the map: one barrier retires every entry
        assertEquals(0, stats.accounting().inFlight(), stats.accounting().toString());
        assertTrue(stats.poolsFull(), "pools full: " + stats.pools());
        assertEquals(2, consumers.made(), "one consumer died, one was respawned");
    }

    @Test
    void shouldReclaimTheGivenUpEntryWhenItsConsumerDiesPastTheRespawnLimitAsTheLastParticipant() {
        final QuiesceDyingConsumers consumers = new QuiesceDyingConsumers(n -> true);
        final AtomicInteger givenUp = new AtomicInteger();
        final SteerEngine engine = builder("respawn-give-up", consumers).errorHandler(countGivenUp(givenUp)).start();
        killConsumerOfEntry1(engine, BarrierLifecycle.MAX_RESPAWNS);
        assertNotNull(engine.lookup(1), "respawned every time so far");
        assertEquals(MapResult.OK, engine.delete(1)); // the last death: past the limit, as the barrier's last answer
        assertEquals(MapSupervisor.Retired.Outcome.RETIRED, awaitRetired(engine), "the given-up entry is reclaimed");
        assertEquals(1, givenUp.get(), "given up once");
        assertEquals(BarrierLifecycle.MAX_RESPAWNS + 1, consumers.made());
        final EngineStats stats = engine.shutdown();
        assertEquals(0, stats.accounting().inFlight(), stats.accounting().toString());
    }

    @Test
    void shouldGiveTheEntryUpWhenItsConsumerFailsPastTheLimitWithinTheWindow() {
        final QuiesceDyingConsumers consumers = new QuiesceDyingConsumers(n -> true);
        final AtomicInteger givenUp = new AtomicInteger();
        final SteerEngine engine = builder("respawn-within-window", consumers).errorHandler(countGivenUp(givenUp))
            .start();
        killConsumerOfEntry1(engine, BarrierLifecycle.MAX_RESPAWNS + 1);
        assertNull(engine.lookup(1), "given up and deleted");
        assertEquals(1, givenUp.get(), "given up once");
        assertEquals(0, engine.shutdown().accounting().inFlight());
    }

    @Test
    void shouldKeepTheEntryWhenItsConsumerFailsPastTheLimitSpreadOverMoreThanTheWindow() throws Exception {
        final QuiesceDyingConsumers consumers = new QuiesceDyingConsumers(n -> true);
        final AtomicInteger givenUp = new AtomicInteger();
        final Duration window = Duration.ofMillis(500);
        final SteerEngine engine = builder("respawn-window", consumers).errorHandler(countGivenUp(givenUp))
            .respawnWindow(window).start();
        killConsumerOfEntry1(engine, BarrierLifecycle.MAX_RESPAWNS);
        Thread.sleep(window.toMillis() + 200); // the burst's respawns leave the window
        killConsumerOfEntry1(engine, BarrierLifecycle.MAX_RESPAWNS);
        assertNotNull(engine.lookup(1), "two bursts, each within the limit: the entry stays");
        assertEquals(0, givenUp.get(), "never given up");
        assertEquals(2 * BarrierLifecycle.MAX_RESPAWNS + 1, consumers.made());
        assertEquals(0, engine.shutdown().accounting().inFlight());
    }

    /** Entry 0 local, entry 1 remote with {@code consumers}; no feed. */
    private static SteerEngine.Builder builder(String name, QuiesceDyingConsumers consumers) {
        return SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(2).entry(0, 64)
            .entry(1, EntryValue.remote(64, "node-b", 0)).remoteConsumers(consumers).pinning(false)
            .closeTimeout(Duration.ofSeconds(5)).systemName(name).errorHandler((where, error) -> { });
    }

    /** Counts the reports of an entry given up. */
    private static ErrorHandler countGivenUp(AtomicInteger givenUp) {
        return (where, error) -> {
            if (String.valueOf(error.getMessage()).contains(BarrierLifecycle.MAX_RESPAWNS + " respawns")) {
                givenUp.incrementAndGet();
            }
        };
    }

    /**
     * Replaces entry 0 {@code times} times, each followed by a wait for its retirement: each barrier kills entry 1's
     * consumer once, and it is respawned (or given up) before the barrier completes.
     */
    private static void killConsumerOfEntry1(SteerEngine engine, int times) {
        for (int change = 0; change < times; change++) {
            assertEquals(MapResult.OK, engine.update(0, EntryValue.of(64 + change), CpuMap.ANY));
            assertEquals(MapSupervisor.Retired.Outcome.RETIRED, awaitRetired(engine));
        }
    }

    private static MapSupervisor.Retired.Outcome awaitRetired(SteerEngine engine) {
        return AskPattern.<MapSupervisor.Command, MapSupervisor.Retired>ask(engine.actorSystem(),
            replyTo -> new MapSupervisor.AwaitRetired(replyTo, WAIT), WAIT.multipliedBy(2),
            engine.actorSystem().scheduler()).toCompletableFuture().join().outcome();
    }
}
