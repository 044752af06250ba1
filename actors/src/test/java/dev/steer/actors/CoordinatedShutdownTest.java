package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
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
        // Under load: traffic is flowing once a frame has been delivered, however long the start took.
        final long flowing = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (recorder.delivered() == 0 && System.nanoTime() < flowing) {
            Thread.sleep(5);
        }
        assertTrue(recorder.delivered() > 0, "traffic flowed before the shutdown: " + engine.stats().accounting());
        CoordinatedShutdown.get(engine.system()).runAll(CoordinatedShutdown.jvmExitReason());
        engine.system().getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);

        final EngineStats stats = engine.shutdown(); // after the fact: returns the drain's final stats
        assertTrue(stats.accounting().received() > 0, "traffic flowed");
        assertEquals(feed.sent(), stats.accounting().received(), "every packet the feed handed over was counted");
        assertEquals(0, stats.accounting().inFlight(), stats.accounting().toString());
        assertEquals(recorder.delivered(), stats.accounting().delivered());
        assertTrue(stats.poolsFull(), "pools full: " + stats.pools());
    }

    @Test
    void shouldReturnOnlyOnceTheSystemHasTerminatedWhenShutdownFollowsADrainThatCoordinatedShutdownRan()
        throws Exception {
        final SequencedFeed feed = new SequencedFeed("endless", 0, 4, Long.MAX_VALUE);
        final SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(1).entry(0, 1024)
            .program(SequencedFeed.byFlow(1)).handler(new DeliveryRecorder()).feed(feed).pinning(false)
            .systemName("slow-stop").errorHandler((where, error) -> { }).start();
        // An actor that takes a while to stop, as a remoting transport may: the system terminates well after the
        // engine has drained.
        final java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();
        engine.system().systemActorOf(org.apache.pekko.actor.typed.javadsl.Behaviors.receive(Object.class)
            .onSignal(org.apache.pekko.actor.typed.PostStop.class, signal -> {
                Thread.sleep(500);
                stopped.set(true);
                return org.apache.pekko.actor.typed.javadsl.Behaviors.same();
            }).build(), "slow-to-stop", org.apache.pekko.actor.typed.Props.empty());
        CoordinatedShutdown.get(engine.system()).runAll(CoordinatedShutdown.clusterLeavingReason());
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!engine.drained() && System.nanoTime() < deadline) {
            Thread.sleep(5); // not a spin: on two cores it would hold one the drain needs
        }
        assertTrue(engine.drained(), "coordinated shutdown drained the engine");

        final EngineStats stats = engine.shutdown();
        // A caller may exit the JVM now: Pekko's JVM hook finds the system terminated and waits for nothing.
        assertTrue(engine.system().getWhenTerminated().toCompletableFuture().isDone(),
            "shutdown() returned before the actor system terminated");
        assertTrue(stopped.get(), "the slow actor had stopped");
        assertEquals(0, stats.accounting().inFlight(), stats.accounting().toString());
        assertTrue(stats.poolsFull(), "pools full: " + stats.pools());
    }

    /**
     * The drain runs in service-stop; a cluster node leaves and Artery shuts down in later phases, which need the
     * actor system. The drained supervisor (the guardian) used to stop, and with it the system, in the middle of
     * coordinated shutdown: a node's Artery went before its leave, and the last node of a cluster could hang in its
     * own Artery shutdown (docs/cluster.md, "Shutting a node down").
     */
    @Test
    void shouldKeepTheSystemRunningUntilTheLastPhaseWhenCoordinatedShutdownDrainsTheEngine() throws Exception {
        final SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(1).entry(0, 1024)
            .program(SequencedFeed.byFlow(1)).handler(new DeliveryRecorder())
            .feed(new SequencedFeed("endless", 0, 4, Long.MAX_VALUE)).pinning(false).systemName("late-phases")
            .errorHandler((where, error) -> { }).start();
        final ActorRef<ActorRef<Done>> echo = engine.system().systemActorOf(
            Behaviors.<ActorRef<Done>>receiveMessage(replyTo -> {
                replyTo.tell(Done.getInstance());
                return Behaviors.same();
            }), "echo", Props.empty());
        final CompletableFuture<String> lastPhase = new CompletableFuture<>();
        CoordinatedShutdown.get(engine.system()).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
            "late-task", () -> {
                final boolean drained = engine.drained();
                final boolean terminated = engine.system().getWhenTerminated().toCompletableFuture().isDone();
                return AskPattern.<ActorRef<Done>, Done>ask(echo, replyTo -> replyTo, Duration.ofSeconds(3),
                        engine.system().scheduler())
                    .handle((done, failure) -> {
                        lastPhase.complete("drained " + drained + ", terminated " + terminated + ", actor answered "
                            + (failure == null));
                        return Done.getInstance();
                    });
            });
        CoordinatedShutdown.get(engine.system()).runAll(CoordinatedShutdown.clusterLeavingReason());
        engine.system().getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);

        assertEquals("drained true, terminated false, actor answered true",
            lastPhase.completeOnTimeout("the task never ran", 1, TimeUnit.SECONDS).get());
        assertEquals(0, engine.shutdown().accounting().inFlight());
    }
}
