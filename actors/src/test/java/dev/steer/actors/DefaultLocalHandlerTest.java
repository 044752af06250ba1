package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuSet;
import dev.steer.engine.path.EngineWarning;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters.Counter;

/**
 * Frames a program passes at the ingress (PASS, or a redirect to a key without an entry whose fallback is PASS) go to
 * the local handler and count as delivered. The default one discards them: that is said once per ingress, through the
 * error handler, so that a service whose own counts fall short of {@code delivered} learns why; a local handler set
 * by the builder, {@code FrameHandler.NO_OP} included, is a choice and says nothing.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DefaultLocalHandlerTest {
    private static final int FRAMES = 1_000;

    private record Report(String where, Throwable error) {
        boolean aboutDefaultLocalHandler() {
            return String.valueOf(error.getMessage()).contains("default local handler");
        }
    }

    /** One entry, on key 0; every frame is redirected to key 1, which has none, with fallback PASS. */
    private static EngineStats run(String name, FrameHandler localHandler, List<Report> reports) throws Exception {
        final SteerEngine.Builder builder = SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(2).entry(0, 64)
            .pinning(false).systemName(name).program(view -> Verdict.redirect(1, Verdict.PASS))
            .feed(new SequencedFeed("f", 0, 2, FRAMES))
            .errorHandler((where, error) -> {
                synchronized (reports) {
                    reports.add(new Report(where, error));
                }
            });
        if (localHandler != null) {
            builder.localHandler(localHandler);
        }
        final SteerEngine engine = builder.start();
        final EngineStats stats = EngineRuns.runToEnd(engine, Duration.ofSeconds(10));
        assertEquals(FRAMES, stats.accounting().received(), stats.accounting().toString());
        assertEquals(FRAMES, stats.ingressTotal(Counter.DELIVERED), "every frame passed at the ingress");
        return stats;
    }

    @Test
    void shouldWarnOnceWhenFramesReachTheDefaultLocalHandler() throws Exception {
        final List<Report> reports = new ArrayList<>();
        run("default-local", null, reports);
        final List<Report> warnings;
        synchronized (reports) {
            warnings = reports.stream().filter(Report::aboutDefaultLocalHandler).toList();
        }
        assertEquals(1, warnings.size(), "once, not per batch: " + reports);
        final Report warning = warnings.get(0);
        assertEquals("ingress-0", warning.where());
        assertInstanceOf(EngineWarning.class, warning.error());
        assertTrue(warning.error().getMessage().contains("discards"), warning.error().getMessage());
        assertTrue(warning.error().getMessage().contains("localHandler(...)"), warning.error().getMessage());
    }

    @Test
    void shouldNotWarnWhenTheBuilderSetsALocalHandler() throws Exception {
        final AtomicLong handled = new AtomicLong();
        for (FrameHandler handler : List.<FrameHandler>of(batch -> handled.addAndGet(batch.size()), FrameHandler.NO_OP)) {
            final List<Report> reports = new ArrayList<>();
            run("set-local", handler, reports);
            synchronized (reports) {
                assertTrue(reports.stream().noneMatch(Report::aboutDefaultLocalHandler), reports.toString());
            }
        }
        assertEquals(FRAMES, handled.get(), "the set handler got every passed frame");
    }
}
