package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.stats.EngineStats;

/**
 * {@link MapSupervisor.AwaitRetired} answers only once the entries replaced or deleted before it have drained and
 * stopped: what a cluster node's map agent relies on before it tells the map owner that a change has settled. The
 * waits the supervisor holds are bounded: each for its timeout at most, and at most
 * {@link BarrierLifecycle#MAX_RETIRED_WAITERS} of them, also while an entry's handler hangs for good.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AwaitRetiredTest {
    private static final int FRAMES = 300;
    private static final int CHANGES = 20;
    private static final Duration SHORT = Duration.ofMillis(200);
    private static final Duration LONG = Duration.ofSeconds(20);

    @Test
    void shouldAnswerAwaitRetiredOnlyWhenTheDeletedEntryHasDrainedWhenItsHandlerBlocks() throws Exception {
        final HeldHandler held = new HeldHandler();
        final SteerEngine engine = blockedEngine("await-retired", held);
        try {
            assertTrue(awaitCondition(engine::feedsEnded) && held.awaitHolding(), "the handler holds");
            assertTrue(ask(engine).get(10, TimeUnit.SECONDS).isRetired()); // nothing retiring: answered at once

            assertEquals(MapResult.OK, engine.delete(0));
            final CompletableFuture<MapSupervisor.Retired> retired = ask(engine);
            // Deterministic, not a timing: the old entry cannot drain while its handler is held.
            Thread.sleep(300);
            assertFalse(retired.isDone(), "not answered while the deleted entry still holds frames");
            held.release();
            assertTrue(retired.get(10, TimeUnit.SECONDS).isRetired());
            final EngineStats stats = engine.stats();
            assertEquals(FRAMES, stats.accounting().delivered(), "every frame of the entry was delivered first: "
                + stats.accounting());
        } finally {
            held.release();
            engine.shutdown();
        }
    }

    @Test
    void shouldHoldAWaitNoLongerThanItsTimeoutWhenAnEntryNeverDrains() throws Exception {
        final HeldHandler held = new HeldHandler();
        final SteerEngine engine = blockedEngine("await-retired-bounded", held);
        try {
            assertTrue(awaitCondition(engine::feedsEnded) && held.awaitHolding(), "the handler holds");
            assertEquals(MapResult.OK, engine.delete(0)); // retiring for good: its consumer never returns
            for (int change = 0; change < CHANGES; change++) {
                // What a map agent does per publication: a change, then a wait for its retirements, whose ask gives up
                // when the wait's timeout has passed.
                assertEquals(MapResult.OK, engine.update(1, EntryValue.of(64 + change), CpuMap.ANY));
                final CompletableFuture<MapSupervisor.Retired> retired = ask(engine, SHORT, SHORT);
                assertThrows(ExecutionException.class, () -> retired.get(10, TimeUnit.SECONDS),
                    "not retired while the deleted entry's handler holds");
            }
            assertTrue(awaitCondition(() -> waiters(engine) == 0),
                "the waiters of asks that timed out are gone: " + waiters(engine) + " of " + CHANGES + " left");
            // An ask that outlives its wait gets the supervisor's answer, not its own timeout.
            assertEquals(MapSupervisor.Retired.Outcome.TIMED_OUT,
                ask(engine, SHORT, Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS).outcome());
            assertEquals(0, waiters(engine));
        } finally {
            held.release();
            engine.shutdown();
        }
    }

    @Test
    void shouldRefuseAWaitBeyondTheLimitAtOnceWhenAnEntryNeverDrains() throws Exception {
        final HeldHandler handler = new HeldHandler();
        final SteerEngine engine = blockedEngine("await-retired-limit", handler);
        try {
            assertTrue(awaitCondition(engine::feedsEnded) && handler.awaitHolding(), "the handler holds");
            assertEquals(MapResult.OK, engine.delete(0)); // retiring for good: its consumer never returns
            final List<CompletableFuture<MapSupervisor.Retired>> held = new ArrayList<>();
            for (int i = 0; i < BarrierLifecycle.MAX_RETIRED_WAITERS; i++) {
                held.add(ask(engine, LONG, LONG));
            }
            final int extra = 10;
            for (int i = 0; i < extra; i++) {
                assertEquals(MapSupervisor.Retired.Outcome.REFUSED,
                    ask(engine, LONG, LONG).get(10, TimeUnit.SECONDS).outcome(), "a wait beyond the limit");
            }
            assertEquals(BarrierLifecycle.MAX_RETIRED_WAITERS, waiters(engine));
            assertTrue(held.stream().noneMatch(CompletableFuture::isDone), "the waits held are not answered");

            handler.release(); // the entry drains: every wait held is answered
            for (CompletableFuture<MapSupervisor.Retired> wait : held) {
                assertTrue(wait.get(10, TimeUnit.SECONDS).isRetired());
            }
            assertEquals(0, waiters(engine));
        } finally {
            handler.release();
            engine.shutdown();
        }
    }

    @Test
    void shouldRetireAnEntryWhenAnotherEntrysHandlerBlocksAndNeitherHasARemoteProgram() throws Exception {
        final HeldHandler held = new HeldHandler();
        final SteerEngine engine = blockedBuilder("await-retired-other", held).entry(1, 64).start();
        try {
            assertTrue(awaitCondition(engine::feedsEnded) && held.awaitHolding(), "the handler of entry 0 holds");
            assertEquals(MapResult.OK, engine.delete(1));
            // Entry 0's consumer cannot write into any ring, so no barrier needs its answer. A wait of 10 s: the
            // retirement takes milliseconds, or never happens while entry 0 holds; a loaded machine can take seconds.
            assertEquals(MapSupervisor.Retired.Outcome.RETIRED,
                ask(engine, Duration.ofSeconds(10), LONG).get(20, TimeUnit.SECONDS).outcome());
        } finally {
            held.release();
            engine.shutdown();
        }
    }

    @Test
    void shouldNotKeepReplacedConsumersRunningWhenAnotherEntrysHandlerBlocks() throws Exception {
        final HeldHandler held = new HeldHandler();
        final String name = "await-retired-replaced";
        final SteerEngine engine = blockedBuilder(name, held).entry(1, 64).start();
        try {
            assertTrue(awaitCondition(engine::feedsEnded) && held.awaitHolding(), "the handler of entry 0 holds");
            // Entry 0's consumer is held in the handler; the only consumer parked in its loop is entry 1's.
            final List<Thread> consumers = new ArrayList<>();
            assertTrue(awaitNewIdleConsumer(name, consumers), "entry 1's consumer runs");
            for (int change = 0; change < CHANGES; change++) {
                assertEquals(MapResult.OK, engine.update(1, EntryValue.of(64 + change), CpuMap.ANY));
                assertTrue(awaitNewIdleConsumer(name, consumers), "replacement " + change
                    + " of entry 1 runs a consumer on a thread of its own: " + consumers);
            }
            // A stopped consumer's pinned thread ends after the dispatcher's shutdown timeout (1 s).
            final Thread current = consumers.getLast();
            assertTrue(awaitCondition(() -> consumers.stream().filter(Thread::isAlive).count() == 1),
                "each replaced consumer of entry 1 stops with its thread: "
                    + consumers.stream().filter(t -> t != current && t.isAlive()).count() + " of " + CHANGES
                    + " still run");
            assertTrue(current.isAlive(), "the consumer of entry 1's last value runs");
        } finally {
            held.release();
            engine.shutdown();
        }
    }

    @Test
    void shouldRefuseAWaitTimeoutThatIsNotAboveZeroOrAboveADayWhenTheWaitIsMade() {
        for (Duration bad : new Duration[] {null, Duration.ZERO, Duration.ofMillis(-1), Duration.ofDays(1).plusNanos(1)}) {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> new MapSupervisor.AwaitRetired(null, bad));
            assertTrue(ex.getMessage().contains("timeout=" + bad), ex.getMessage());
        }
    }

    private static SteerEngine blockedEngine(String name, HeldHandler held) {
        return blockedBuilder(name, held).start();
    }

    /** Entry 0 gets every frame of the feed, and its handler holds the first batch until released. */
    private static SteerEngine.Builder blockedBuilder(String name, HeldHandler held) {
        return SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(2).entry(0, 1024)
            .program(SequencedFeed.byFlow(1)).feed(new SequencedFeed("f", 0, 1, FRAMES)).pinning(false)
            .systemName(name).closeTimeout(Duration.ofSeconds(10)).handler(held);
    }

    /**
     * Waits up to 10 s for a thread of the engine named {@code name} parked in a consumer's idle loop (the parking
     * blocker is its {@link ConsumerActor}: not an ingress, not a stopped consumer's thread waiting to end) that is not
     * in {@code seen}, and adds it; true when one came. An idle consumer leaves the park only every 100 ms, to read its
     * mailbox.
     */
    private static boolean awaitNewIdleConsumer(String name, List<Thread> seen) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        do {
            for (Thread thread : Thread.getAllStackTraces().keySet()) {
                if (thread.getName().startsWith(name + "-" + BarrierLifecycle.PINNED_DISPATCHER)
                    && LockSupport.getBlocker(thread) instanceof ConsumerActor && !seen.contains(thread)) {
                    seen.add(thread);
                    return true;
                }
            }
            Thread.sleep(5);
        } while (System.nanoTime() < deadline);
        return false;
    }

    private static int waiters(SteerEngine engine) {
        return AskPattern.<MapSupervisor.Command, Integer>ask(engine.actorSystem(), MapSupervisor.GetRetiredWaiters::new,
            Duration.ofSeconds(10), engine.actorSystem().scheduler()).toCompletableFuture().join();
    }

    private static CompletableFuture<MapSupervisor.Retired> ask(SteerEngine engine, Duration wait, Duration askTimeout) {
        return AskPattern.<MapSupervisor.Command, MapSupervisor.Retired>ask(engine.actorSystem(),
            replyTo -> new MapSupervisor.AwaitRetired(replyTo, wait), askTimeout, engine.actorSystem().scheduler())
            .toCompletableFuture();
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
