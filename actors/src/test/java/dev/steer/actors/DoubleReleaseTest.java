package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuSet;
import dev.steer.engine.path.EngineWarning;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PoolStats;

/**
 * A handler that releases a frame it was handed breaks FrameHandler's contract (the consumer returns every frame
 * itself): the frame goes back twice. A checked pool refuses the second return and counts it, an unchecked one takes
 * it; either way the engine says so once, at shutdown, naming the pool and what the counts mean, instead of leaving a
 * count (or, unchecked, {@code returns = leases + 1}) for the service to notice.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DoubleReleaseTest {
    private static final int FRAMES = 1_000;

    private record Report(String where, Throwable error) {
    }

    /** One entry; the handler releases the first frame of its first batch when {@code releaseOne}. */
    private static EngineStats run(String name, SteerEngine.Builder builder, boolean releaseOne, List<Report> reports)
        throws Exception {
        final AtomicBoolean released = new AtomicBoolean(!releaseOne);
        final SteerEngine engine = builder.cpus(CpuSet.all(2)).maxEntries(1).entry(0, 256).pinning(false)
            .systemName(name).program(view -> Verdict.redirect(0, Verdict.DROP))
            .handler(batch -> {
                if (released.compareAndSet(false, true)) {
                    batch.frame(0).release();
                }
            })
            .feed(new SequencedFeed("f", 0, 2, FRAMES)).lossless(true)
            .errorHandler((where, error) -> {
                synchronized (reports) {
                    reports.add(new Report(where, error));
                }
            }).start();
        final EngineStats stats = EngineRuns.runToEnd(engine, Duration.ofSeconds(10));
        assertEquals(FRAMES, stats.accounting().delivered(), stats.accounting().toString());
        return stats;
    }

    private static List<Report> poolReports(List<Report> reports) {
        synchronized (reports) {
            return reports.stream().filter(r -> r.where().endsWith("-pool")).toList();
        }
    }

    /** One report about the pool: an EngineWarning from ingress-0-pool naming the broken contract and {@code detail}. */
    private static void assertSaidOnce(List<Report> reports, String detail) {
        final List<Report> said = poolReports(reports);
        assertEquals(1, said.size(), "said once: " + reports);
        assertEquals("ingress-0-pool", said.get(0).where());
        assertInstanceOf(EngineWarning.class, said.get(0).error());
        final String message = said.get(0).error().getMessage();
        assertTrue(message.contains("released a frame it did not own, or released one twice"), message);
        assertTrue(message.contains(detail), message);
    }

    @Test
    void shouldReportAtShutdownWhenAHandlerReleasedAFrameOfACheckedPool() throws Exception {
        final List<Report> reports = new ArrayList<>();
        final EngineStats stats = run("double-release-checked", SteerEngine.builder().checkedPools(true), true,
            reports);
        final PoolStats pool = stats.pools().get(0);
        assertTrue(pool.doubleReturns() >= 1, "the checked pool refused the second return: " + pool);
        assertSaidOnce(reports, "refused as double or foreign by this checked pool");
    }

    @Test
    void shouldReportAtShutdownWhenAHandlerReleasedAFrameOfAnUncheckedPool() throws Exception {
        final List<Report> reports = new ArrayList<>();
        final EngineStats stats = run("double-release-unchecked", SteerEngine.builder().checkedPools(false), true,
            reports);
        final PoolStats pool = stats.pools().get(0);
        assertEquals(0, pool.doubleReturns(), "an unchecked pool refuses nothing: " + pool);
        assertEquals(1, pool.excessReturns(), "it took the frame twice: " + pool);
        assertEquals(pool.leases() + 1, pool.returns(), pool.toString());
        assertEquals(pool.capacity(), pool.available(), pool.toString());
        assertFalse(pool.isFull(), "not full, for good: " + pool);
        assertFalse(stats.poolsFull());
        assertSaidOnce(reports, "1 more return than leases");
    }

    @Test
    void shouldSayNothingAboutThePoolsWhenEveryFrameWasReturnedOnce() throws Exception {
        final List<Report> reports = new ArrayList<>();
        final EngineStats stats = run("double-release-none", SteerEngine.builder(), false, reports);
        assertTrue(stats.poolsFull(), stats.pools().toString());
        assertEquals(List.of(), poolReports(reports));
    }
}
