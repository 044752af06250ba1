package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.stats.EngineStats;

/**
 * A consumer that stops while it is the last participant a quiescence barrier waits for completes the barrier by
 * stopping; the entries the barrier retires must still be stopped and released: a respawned consumer of a retiring
 * entry is told to drain and stop, a given-up one's ring is reclaimed. The consumers here come from a remote consumer
 * factory whose actors die on a {@link DataPath.Quiesce}, so that the death is the barrier's last answer.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LastParticipantStopTest {
    private static final Duration WAIT = Duration.ofSeconds(2);

    @Test
    void shouldStopTheRespawnedConsumerWhenTheDeadConsumerWasTheLastParticipantOfTheBarrierRetiringItsEntry() {
        final AtomicInteger made = new AtomicInteger();
        final SteerEngine engine = engine("last-participant-delete", dyingOnQuiesce(made, n -> n == 1));
        assertEquals(MapResult.OK, engine.delete(1));
        assertEquals(MapSupervisor.Retired.Outcome.RETIRED, awaitRetired(engine),
            "the consumer respawned on the retiring entry's ring is stopped and the entry released");
        assertEquals(2, made.get(), "one consumer died, one was respawned");
        assertEquals(0, engine.shutdown().accounting().inFlight());
    }

    @Test
    void shouldShutDownWhenTheDeadConsumerWasTheLastParticipantOfTheShutdownBarrier() {
        final AtomicInteger made = new AtomicInteger();
        final SteerEngine engine = engine("last-participant-shutdown", dyingOnQuiesce(made, n -> n == 1));
        final EngineStats stats = engine.shutdown(); // closes the map: one barrier retires every entry
        assertEquals(0, stats.accounting().inFlight(), stats.accounting().toString());
        assertTrue(stats.poolsFull(), "pools full: " + stats.pools());
        assertEquals(2, made.get(), "one consumer died, one was respawned");
    }

    @Test
    void shouldReclaimTheGivenUpEntryWhenItsConsumerDiesPastTheRespawnLimitAsTheLastParticipant() {
        final AtomicInteger made = new AtomicInteger();
        final AtomicInteger givenUp = new AtomicInteger();
        final SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(2).entry(0, 64)
            .entry(1, EntryValue.remote(64, "node-b", 0)).remoteConsumers(dyingOnQuiesce(made, n -> true))
            .pinning(false).closeTimeout(Duration.ofSeconds(5)).systemName("last-participant-give-up")
            .errorHandler((where, error) -> {
                if (String.valueOf(error.getMessage()).contains("respawns")) {
                    givenUp.incrementAndGet();
                }
            })
            .start();
        for (int change = 0; change < BarrierLifecycle.MAX_RESPAWNS; change++) {
            // Each barrier kills entry 1's consumer once; it is respawned before the barrier completes.
            assertEquals(MapResult.OK, engine.update(0, EntryValue.of(64 + change), CpuMap.ANY));
            assertEquals(MapSupervisor.Retired.Outcome.RETIRED, awaitRetired(engine));
        }
        assertEquals(MapResult.OK, engine.delete(1)); // the last death: past the limit, as the barrier's last answer
        assertEquals(MapSupervisor.Retired.Outcome.RETIRED, awaitRetired(engine), "the given-up entry is reclaimed");
        assertEquals(1, givenUp.get(), "given up once");
        assertEquals(BarrierLifecycle.MAX_RESPAWNS + 1, made.get());
        final EngineStats stats = engine.shutdown();
        assertEquals(0, stats.accounting().inFlight(), stats.accounting().toString());
    }

    private static SteerEngine engine(String name, RemoteConsumerFactory consumers) {
        return SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(2).entry(1, EntryValue.remote(64, "node-b", 0))
            .remoteConsumers(consumers).pinning(false).closeTimeout(Duration.ofSeconds(5)).systemName(name)
            .errorHandler((where, error) -> { }).start();
    }

    /**
     * Consumers numbered from 1 as made; those whose number {@code dies} accepts stop on their first
     * {@link DataPath.Quiesce}, the others acknowledge it. Every one stops on {@link DataPath.Stop} (their ring stays
     * empty: no feed).
     */
    private static RemoteConsumerFactory dyingOnQuiesce(AtomicInteger made, IntPredicate dies) {
        return (entry, signal) -> Behaviors.setup(context -> {
            final boolean dieOnQuiesce = dies.test(made.incrementAndGet());
            return Behaviors.receive(DataPath.Command.class)
                .onMessage(DataPath.Quiesce.class, quiesce -> {
                    if (dieOnQuiesce) {
                        return Behaviors.stopped();
                    }
                    DataPath.acknowledge(quiesce, context.getSelf());
                    return Behaviors.same();
                })
                .onMessageEquals(DataPath.Stop.INSTANCE, Behaviors::stopped)
                .onAnyMessage(message -> Behaviors.same())
                .build();
        });
    }

    private static MapSupervisor.Retired.Outcome awaitRetired(SteerEngine engine) {
        return AskPattern.<MapSupervisor.Command, MapSupervisor.Retired>ask(engine.actorSystem(),
            replyTo -> new MapSupervisor.AwaitRetired(replyTo, WAIT), WAIT.multipliedBy(2),
            engine.actorSystem().scheduler()).toCompletableFuture().join().outcome();
    }
}
