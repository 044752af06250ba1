package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryLocation;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.path.EngineWarning;
import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameSink;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters.Counter;

/**
 * An embedding service using the public API the wrong way, or at its edges: every case ends in the contract's result
 * code, a counted drop or a documented exception, and the accounting closes (received = delivered + dropped by reason,
 * nothing in flight, pools full) however the engine was used.
 */
class EmbeddingMisuseTest {
    private static SteerEngine.Builder engine(String name) {
        return SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(2).entry(0, 64).entry(1, 64).pinning(false)
            .systemName(name).errorHandler((where, error) -> { });
    }

    private static EngineStats runToEnd(SteerEngine engine) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!engine.feedsEnded() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return engine.shutdown();
    }

    private static void assertSettled(EngineStats stats, long received) {
        assertEquals(received, stats.accounting().received(), stats.accounting().toString());
        assertEquals(received, stats.accounting().delivered() + stats.accounting().droppedTotal(),
            stats.accounting().toString());
        assertEquals(0, stats.accounting().inFlight(), stats.accounting().toString());
        assertTrue(stats.poolsFull(), stats.pools().toString());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void shouldRunAndSettleWhenBuiltWithoutHandlerOrFeed() {
        final SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(2)).pinning(false).systemName("misuse-bare")
            .errorHandler((where, error) -> { }).start();
        assertEquals(SteerEngine.Builder.DEFAULT_QSIZE, engine.lookup(0).qsize(), "an entry per usable CPU");
        assertTrue(engine.feedsEnded(), "no feed: nothing to wait for");
        assertSettled(engine.shutdown(), 0);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void shouldAnswerEveryMapOperationWithTheContractsCodeWhenArgumentsAreOutOfRange() {
        try (SteerEngine engine = engine("misuse-map-codes").start()) {
            assertEquals(MapResult.OK, engine.update(1, EntryValue.of(0), CpuMap.ANY), "qsize 0 deletes");
            assertNull(engine.lookup(1));
            assertEquals(MapResult.EOVERFLOW, engine.update(1, EntryValue.of(CpuMap.MAX_QSIZE + 1), CpuMap.ANY));
            assertEquals(MapResult.EOVERFLOW, engine.update(1, EntryValue.of(-1), CpuMap.ANY), "qsize is unsigned");
            assertEquals(MapResult.E2BIG, engine.update(2, EntryValue.of(8), CpuMap.ANY));
            assertEquals(MapResult.E2BIG, engine.update(Integer.MAX_VALUE, EntryValue.of(8), CpuMap.ANY));
            assertEquals(MapResult.E2BIG, engine.update(-1, EntryValue.of(8), CpuMap.ANY), "keys are unsigned");
            assertEquals(MapResult.ENODEV,
                engine.update(1, new EntryValue(8, null, EntryLocation.local(1_000_000)), CpuMap.ANY));
            assertEquals(MapResult.EINVAL, engine.update(1, EntryValue.of(8), 7));
            assertEquals(MapResult.EINVAL, engine.update(1, null, CpuMap.ANY));
            assertEquals(MapResult.EEXIST, engine.update(1, EntryValue.of(8), CpuMap.NOEXIST));
            assertNull(engine.lookup(1), "no refused update changed the map");
            assertEquals(MapResult.OK, engine.update(1, EntryValue.of(1), CpuMap.ANY), "the smallest ring");
            assertEquals(MapResult.OK, engine.update(1, EntryValue.of(CpuMap.MAX_QSIZE), CpuMap.ANY));
            assertEquals(MapResult.OK, engine.delete(1));
            assertEquals(MapResult.OK, engine.delete(1), "deleting an empty slot succeeds");
            assertEquals(MapResult.EINVAL, engine.delete(2));
            assertEquals(MapResult.EINVAL, engine.delete(-1));
            assertNull(engine.lookup(-1));
            assertEquals(new CpuMap.NextKey(MapResult.OK, 0), engine.nextKey(CpuMap.NO_KEY));
            assertEquals(new CpuMap.NextKey(MapResult.OK, 0), engine.nextKey(7));
            assertEquals(new CpuMap.NextKey(MapResult.ENOENT, CpuMap.NO_KEY), engine.nextKey(1));
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void shouldAnswerEnomemAndWarnWithoutAStackTraceWhenAnUpdatePlacesAnEntryOnAnotherNodeWithoutRemoteConsumers() {
        final List<Throwable> reported = new CopyOnWriteArrayList<>();
        try (SteerEngine engine = engine("misuse-remote-update").errorHandler((where, error) -> reported.add(error))
            .start()) {
            assertEquals(MapResult.ENOMEM, engine.update(1, EntryValue.remote(64, "node-2", 3), CpuMap.ANY),
                "no consumer can be had for an entry on another node");
            assertEquals(EntryValue.of(64), engine.lookup(1), "the map is unchanged");
        }
        assertEquals(1, reported.size(), reported.toString());
        final Throwable warning = reported.get(0);
        assertTrue(warning instanceof EngineWarning,
            "Steer's own condition, not a failure of user code: " + warning);
        assertTrue(warning.getMessage().contains("entry 1") && warning.getMessage().contains("node-2")
            && warning.getMessage().contains("remoteConsumers"), warning.getMessage());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void shouldAnswerAsAClosedMapWhenCalledAfterClose() {
        final SteerEngine engine = engine("misuse-after-close").start();
        final EngineStats last = engine.shutdown();
        engine.close();
        assertEquals(MapResult.EINVAL, engine.update(0, EntryValue.of(8), CpuMap.ANY));
        assertEquals(MapResult.E2BIG, engine.update(5, EntryValue.of(8), CpuMap.ANY), "the earlier checks first");
        assertEquals(MapResult.OK, engine.delete(0));
        assertNull(engine.lookup(0));
        assertEquals(new CpuMap.NextKey(MapResult.OK, 1), engine.nextKey(0));
        assertEquals(last, engine.stats());
        assertEquals(last, engine.shutdown());
        assertTrue(engine.feedsEnded());
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void shouldNeverThrowFromMapOperationsOrStatsWhenTheEngineClosesUnderThem() throws Exception {
        final SteerEngine engine = engine("misuse-close-under-calls").program(SequencedFeed.byFlow(2))
            .feed(new SequencedFeed("f", 0, 4, Long.MAX_VALUE)).start();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicLong calls = new AtomicLong();
        final Thread caller = new Thread(() -> {
            int i = 0;
            try {
                while (!stop.get()) {
                    final MapResult result = engine.update(i & 1, EntryValue.of(8 + (i & 7)), CpuMap.ANY);
                    if (result != MapResult.OK && result != MapResult.EINVAL) {
                        throw new AssertionError("update: " + result);
                    }
                    engine.delete(1 - (i & 1));
                    engine.lookup(i & 1);
                    engine.nextKey(i & 1);
                    if (engine.stats().accounting().inFlight() < 0) {
                        throw new AssertionError("negative in flight");
                    }
                    calls.incrementAndGet();
                    i++;
                }
            } catch (Throwable ex) {
                failure.set(ex);
            }
        });
        caller.start();
        while (calls.get() < 50 && failure.get() == null) {
            Thread.sleep(5);
        }
        final EngineStats stats = engine.shutdown();
        // Calls that reach the closed engine: ten more than had returned at the close, however slow the caller.
        final long atClose = calls.get();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (calls.get() < atClose + 10 && failure.get() == null) {
            assertTrue(System.nanoTime() < deadline, "calls on the closed engine: " + (calls.get() - atClose));
            Thread.sleep(5);
        }
        stop.set(true);
        caller.join();
        assertNull(failure.get(), () -> "a call failed: " + failure.get());
        assertSettled(stats, stats.accounting().received());
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void shouldGiveEveryCallerTheFinalStatsWhenClosedFromTwoThreadsAtOnce() throws Exception {
        final SteerEngine engine = engine("misuse-close-twice").program(SequencedFeed.byFlow(2))
            .feed(new SequencedFeed("f", 0, 4, Long.MAX_VALUE)).start();
        final ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            final Future<EngineStats> first = threads.submit(engine::shutdown);
            final Future<EngineStats> second = threads.submit(() -> {
                engine.close();
                return engine.stats();
            });
            assertEquals(first.get(), second.get());
            assertSettled(first.get(), first.get().accounting().received());
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void shouldCountOnlyWhatReachedTheSinkWhenAFeedLiesAboutItsCount() throws Exception {
        final Feed liar = new Feed() {
            private final UnsafeBuffer packet = new UnsafeBuffer(new byte[SequencedFeed.SIZE]);
            private int polls;

            @Override
            public int poll(FrameSink sink, int budget) {
                polls++;
                if (polls > 30) {
                    return END;
                }
                if (polls > 20) {
                    return -7; // a negative that is not END
                }
                for (int i = 0; i < 5 * budget; i++) { // more than its budget
                    sink.onFrame(packet, 0, SequencedFeed.SIZE, System.nanoTime());
                }
                return Integer.MAX_VALUE;
            }

            @Override
            public String name() {
                return "liar";
            }
        };
        final SteerEngine engine = engine("misuse-feed-liar").program(view -> Verdict.redirect(0, Verdict.DROP))
            .feed(liar).start();
        assertSettled(runToEnd(engine), 20 * 5 * 64);
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void shouldCountEveryFrameWhenTheProgramReturnsGarbageVerdicts() throws Exception {
        final long[] verdicts = {
            0xFFL,                                         // unknown action: aborted
            3,                                             // unknown action: aborted
            -1L,                                           // unknown action: aborted
            Long.MIN_VALUE,                                // action 0, ABORTED
            Verdict.redirect(99, 77),                      // no entry, unknown fallback: aborted
            Verdict.redirect(5, 200) | (0xABL << 16),      // no entry, unknown fallback, junk bits: aborted
            Verdict.redirect(1_000_000, Verdict.DROP),     // no entry, DROP fallback: no_entry
            Verdict.redirect(-1, Verdict.PASS),            // no entry, PASS fallback: the local handler
            Verdict.redirect(1, Verdict.ABORTED),          // a real entry
        };
        final AtomicLong next = new AtomicLong();
        final SteerEngine engine = engine("misuse-garbage-verdicts")
            .program(view -> verdicts[(int) (next.getAndIncrement() % verdicts.length)])
            .feed(new SequencedFeed("f", 0, 4, 9 * 5_000)).start();
        final EngineStats stats = runToEnd(engine);
        assertSettled(stats, 9 * 5_000);
        assertEquals(6 * 5_000, stats.accounting().dropped(DropReason.PROGRAM_ABORTED));
        assertEquals(5_000, stats.accounting().dropped(DropReason.NO_ENTRY));
        assertEquals(5_000 + 5_000, stats.accounting().delivered() + stats.accounting().dropped(DropReason.RING_FULL));
        assertEquals(0, stats.ingressTotal(Counter.PROGRAM_EXCEPTIONS), "a garbage verdict is not an exception");
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void shouldCountTheFailureAndSettleWhenTheFeedThrowsFromClose() throws Exception {
        final SequencedFeed inner = new SequencedFeed("f", 0, 4, 10_000);
        final List<Throwable> reported = new ArrayList<>();
        final Feed feed = new Feed() {
            @Override
            public int poll(FrameSink sink, int budget) {
                return inner.poll(sink, budget);
            }

            @Override
            public String name() {
                return "throws-on-close";
            }

            @Override
            public void close() {
                throw new IllegalStateException("close failed");
            }
        };
        final SteerEngine engine = engine("misuse-feed-close").program(SequencedFeed.byFlow(2)).feed(feed)
            .errorHandler((where, error) -> {
                synchronized (reported) {
                    reported.add(error);
                }
            }).start();
        final EngineStats stats = runToEnd(engine);
        assertSettled(stats, 10_000);
        assertEquals(1, stats.ingressTotal(Counter.FEED_ERRORS));
        synchronized (reported) {
            assertTrue(reported.stream().anyMatch(error -> "close failed".equals(error.getMessage())), reported.toString());
        }
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void shouldDeliverEverythingWhenTheHandlerBlocksForAWhile() throws Exception {
        final SteerEngine engine = engine("misuse-slow-handler").program(SequencedFeed.byFlow(2)).lossless(true)
            .handler(batch -> {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }).feed(new SequencedFeed("f", 0, 4, 2_000)).start();
        final EngineStats stats = runToEnd(engine);
        assertSettled(stats, 2_000);
        assertEquals(2_000, stats.accounting().delivered(), "lossless: a slow handler back-pressures the feed");
    }

    @Test
    @Timeout(value = 25, unit = TimeUnit.SECONDS)
    void shouldKeepTheAccountingWhenStatsArePolledFastDuringChurn() throws Exception {
        final SteerEngine engine = engine("misuse-stats-churn").program(SequencedFeed.byFlow(2))
            .feed(new SequencedFeed("f", 0, 4, 1_000_000)).start();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicLong polls = new AtomicLong();
        final Thread poller = new Thread(() -> {
            try {
                while (!stop.get()) {
                    final EngineStats stats = engine.stats();
                    if (stats.accounting().inFlight() < 0) {
                        throw new AssertionError("in flight below 0: " + stats.accounting());
                    }
                    polls.incrementAndGet();
                }
            } catch (Throwable ex) {
                failure.set(ex);
            }
        });
        poller.start();
        final Set<MapResult> allowed = Set.of(MapResult.OK);
        for (int i = 0; i < 200 && !engine.feedsEnded(); i++) {
            assertTrue(allowed.contains(engine.update(i & 1, EntryValue.of(8 << (i % 4)), CpuMap.ANY)));
            if (i % 5 == 0) {
                assertEquals(MapResult.OK, engine.delete(1 - (i & 1)));
            }
            // Iterate the keys while they change: next-key is stateless, so the walk always ends.
            int key = CpuMap.NO_KEY;
            int steps = 0;
            for (CpuMap.NextKey k = engine.nextKey(key); k.result() == MapResult.OK; k = engine.nextKey(key)) {
                key = k.key();
                steps++;
            }
            assertEquals(2, steps);
        }
        final EngineStats stats = runToEnd(engine);
        stop.set(true);
        poller.join();
        assertNull(failure.get(), () -> "stats failed: " + failure.get());
        assertTrue(polls.get() > 0);
        assertSettled(stats, 1_000_000);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void shouldRefuseNullRightsWhenAHandleIsDerived() {
        try (SteerEngine engine = engine("misuse-null-rights").start()) {
            final IllegalArgumentException refused =
                assertThrows(IllegalArgumentException.class, () -> engine.withCapabilities(null));
            assertTrue(refused.getMessage().contains("rights=null"), refused.getMessage());
        }
    }
}
