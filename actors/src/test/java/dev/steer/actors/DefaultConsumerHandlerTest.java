package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.path.EngineWarning;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.program.SteeringProgram;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters.Counter;

/**
 * Frames an entry's consumer takes from its ring (those its remote program passes, when it has one) go to the
 * handler and count as delivered. The default one discards them: that is said once per key for the engine's life
 * (a replaced entry's new consumer does not say it again), through the error handler, as the default local handler
 * says it once per ingress; a handler set by the builder, {@code FrameHandler.NO_OP} included, is a choice and says
 * nothing.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DefaultConsumerHandlerTest {
    private static final int FRAMES = 1_000;

    private record Report(String where, Throwable error) {
        boolean aboutDefaultHandler() {
            return String.valueOf(error.getMessage()).contains("default handler");
        }
    }

    /** Two entries, flow f to key f % 2, lossless; entry 1's remote program passes every frame to the handler. */
    private static EngineStats run(String name, FrameHandler handler, List<Report> reports) throws Exception {
        final SteerEngine.Builder builder = SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(2).entry(0, 64)
            .entry(1, new EntryValue(64, view -> Verdict.of(Verdict.PASS))).pinning(false).lossless(true)
            .systemName(name)
            .program(SequencedFeed.byFlow(2)).feed(new SequencedFeed("f", 0, 2, FRAMES))
            .errorHandler((where, error) -> {
                synchronized (reports) {
                    reports.add(new Report(where, error));
                }
            });
        if (handler != null) {
            builder.handler(handler);
        }
        final SteerEngine engine = builder.start();
        final EngineStats stats = EngineRuns.runToEnd(engine, Duration.ofSeconds(10));
        assertEquals(FRAMES, stats.accounting().received(), stats.accounting().toString());
        assertEquals(FRAMES, stats.consumerTotal(Counter.DELIVERED), "every frame delivered by a consumer");
        return stats;
    }

    @Test
    void shouldWarnOncePerEntryWhenFramesReachTheDefaultHandler() throws Exception {
        final List<Report> reports = new ArrayList<>();
        run("default-consumer", null, reports);
        final List<Report> warnings;
        synchronized (reports) {
            warnings = reports.stream().filter(Report::aboutDefaultHandler).toList();
        }
        assertEquals(2, warnings.size(), "once per entry, not per batch: " + reports);
        assertEquals(List.of("key-0#", "key-1#"), warnings.stream()
            .map(w -> w.where().substring(0, w.where().indexOf('#') + 1)).sorted().toList(), warnings.toString());
        for (Report warning : warnings) {
            assertInstanceOf(EngineWarning.class, warning.error());
            assertTrue(warning.error().getMessage().contains("discards"), warning.error().getMessage());
            assertTrue(warning.error().getMessage().contains("handler(...)"), warning.error().getMessage());
        }
    }

    @Test
    void shouldNotWarnWhenTheBuilderSetsAHandler() throws Exception {
        final AtomicLong handled = new AtomicLong();
        for (FrameHandler handler : List.<FrameHandler>of(batch -> handled.addAndGet(batch.size()), FrameHandler.NO_OP)) {
            final List<Report> reports = new ArrayList<>();
            run("set-consumer", handler, reports);
            synchronized (reports) {
                assertTrue(reports.stream().noneMatch(Report::aboutDefaultHandler), reports.toString());
            }
        }
        assertEquals(FRAMES, handled.get(), "the set handler got every frame");
    }

    /**
     * Every update that replaces an entry starts a new consumer; were the warning once per consumer, map churn would
     * send the error handler one per update, without bound. Entry 1 is replaced {@code REPLACEMENTS} times, each of
     * its generations seen to get frames (its remote program counts them) before the next replaces it.
     */
    @Test
    void shouldWarnOncePerKeyForTheEnginesLifeWhenAnEntryIsReplacedUnderTraffic() throws Exception {
        final int replacements = 5;
        final List<Report> reports = new ArrayList<>();
        final AtomicInteger firstSeen = new AtomicInteger();
        final SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(2).entry(0, 64)
            .entry(1, new EntryValue(64, countingPass(firstSeen))).pinning(false).systemName("replaced-consumer")
            .program(SequencedFeed.byFlow(2)).feed(new SequencedFeed("f", 0, 2, Long.MAX_VALUE))
            .errorHandler((where, error) -> {
                synchronized (reports) {
                    reports.add(new Report(where, error));
                }
            })
            .start();
        try {
            awaitFrames(firstSeen, "the first entry 1");
            for (int i = 0; i < replacements; i++) {
                final AtomicInteger seen = new AtomicInteger();
                assertEquals(MapResult.OK, engine.update(1, new EntryValue(64, countingPass(seen)), CpuMap.EXIST));
                awaitFrames(seen, "replacement " + i + " of entry 1");
            }
        } finally {
            engine.shutdown();
        }
        final List<Report> warnings;
        synchronized (reports) {
            warnings = reports.stream().filter(Report::aboutDefaultHandler).toList();
        }
        assertEquals(List.of("key-0#", "key-1#"), warnings.stream()
            .map(w -> w.where().substring(0, w.where().indexOf('#') + 1)).sorted().toList(),
            "once per key for the engine's life, not once per consumer: " + warnings);
    }

    private static SteeringProgram countingPass(AtomicInteger seen) {
        return view -> {
            seen.incrementAndGet();
            return Verdict.of(Verdict.PASS);
        };
    }

    private static void awaitFrames(AtomicInteger seen, String what) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (seen.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertTrue(seen.get() > 0, what + " got no frames in 10 s");
    }
}
