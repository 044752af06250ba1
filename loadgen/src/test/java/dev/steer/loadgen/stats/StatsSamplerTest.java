package dev.steer.loadgen.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters.Counter;
import dev.steer.engine.stats.PathStats;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StatsSamplerTest {
    private static EngineRun run;

    @BeforeAll
    static void runEngine() {
        run = EngineRun.run("sampler", FrameHandler.NO_OP);
    }

    @Test
    void shouldSumIntervalDeltasToTheRunTotalWhenSampledLive() {
        final StatsSampler sampler = run.sampler();
        final List<Interval> series = sampler.series();
        assertTrue(series.size() >= 1, "at least the final sample");
        assertEquals(sampler.samples(), series.size(), "stride 1: one interval per sample");
        long received = 0;
        long delivered = 0;
        long previousEnd = series.get(0).startNs();
        for (Interval interval : series) {
            assertEquals(previousEnd, interval.startNs(), "intervals are contiguous");
            previousEnd = interval.endNs();
            received += interval.accounting().received();
            delivered += interval.accounting().delivered();
        }
        final EngineStats first = sampler.baseline();
        final EngineStats last = sampler.latest();
        assertEquals(last.accounting().received() - first.accounting().received(), received, "received deltas");
        assertEquals(last.accounting().delivered() - first.accounting().delivered(), delivered, "delivered deltas");
        assertEquals(EngineRun.FRAMES, run.finalStats().accounting().received(), "the feed's frames were received");
        assertEquals(0, run.finalStats().accounting().inFlight(), "nothing in flight after shutdown");
    }

    @Test
    void shouldComputeRatesFromTheClockWhenTheClockIsGiven() {
        final Iterator<EngineStats> snapshots = run.snapshots().iterator();
        final AtomicLong clock = new AtomicLong(1_000);
        final StatsSampler sampler = new StatsSampler(snapshots::next, clock::get, null,
            new StatsSampler.Settings(Duration.ofSeconds(1), 100));
        clock.addAndGet(250_000_000); // a quarter second
        final Interval interval = sampler.sample();
        final EngineStats start = run.snapshots().get(0);
        final EngineStats end = run.snapshots().get(1);
        assertEquals(0.25, interval.seconds(), 1e-12);
        for (PathStats row : interval.consumers()) {
            final long before = start.consumers().stream().filter(r -> r.name().equals(row.name()))
                .mapToLong(r -> r.get(Counter.RECEIVED)).sum();
            final long after = end.consumers().stream().filter(r -> r.name().equals(row.name()))
                .mapToLong(r -> r.get(Counter.RECEIVED)).findFirst().orElseThrow();
            assertEquals(after - before, row.get(Counter.RECEIVED), row.name() + " delta");
            assertEquals((after - before) * 4.0, interval.rate(row.get(Counter.RECEIVED)), 1e-6, row.name() + " rate");
        }
        assertEquals((end.accounting().received() - start.accounting().received()) * 4.0,
            interval.rate(interval.accounting().received()), 1e-6, "received rate");
    }

    @Test
    void shouldTimeEachSampleAtItsStatsReadNotAtTheEndOfASlowCallWhenTheCallsTakeDifferentTimes() {
        // engine.stats() is an ask: the counters are read somewhere inside the call, which takes long on a loaded
        // machine (0.2 to 0.3 s seen with 2 cores under load). Here each call waits `lag` before and after its read:
        // the baseline call 300 ms in all, the next one nothing. The counters are read 1 s apart.
        final Iterator<EngineStats> snapshots = run.snapshots().iterator();
        final AtomicLong clock = new AtomicLong(1_000_000_000L);
        final AtomicLong lag = new AtomicLong(150_000_000L);
        final long[] readAt = new long[2];
        final int[] calls = {0};
        final StatsSampler sampler = new StatsSampler(() -> {
            clock.addAndGet(lag.get());
            readAt[calls[0]++] = clock.get();
            final EngineStats stats = snapshots.next();
            clock.addAndGet(lag.get());
            return stats;
        }, clock::get, null, new StatsSampler.Settings(Duration.ofSeconds(1), 100));
        lag.set(0);
        clock.set(readAt[0] + 1_000_000_000L);
        final Interval interval = sampler.sample();
        assertEquals(1_000_000_000L, readAt[1] - readAt[0], "the counters were read 1 s apart");
        assertEquals(1.0, interval.seconds(), 1e-9, "the interval is the time between the reads of its counters");
    }

    @Test
    void shouldHalveTheSeriesAndKeepCoveringTheRunWhenTheBoundIsReached() {
        final List<EngineStats> snapshots = run.snapshots();
        final int[] next = {0};
        final AtomicLong clock = new AtomicLong();
        final StatsSampler sampler = new StatsSampler(() -> snapshots.get(Math.min(next[0]++, snapshots.size() - 1)),
            clock::get, null, new StatsSampler.Settings(Duration.ofMillis(10), 4));
        final int samples = 11;
        for (int i = 0; i < samples; i++) {
            clock.addAndGet(10_000_000);
            sampler.sample();
            assertTrue(sampler.series().size() <= 4 + 1, "bounded: " + sampler.series().size());
        }
        // Bound 4: full after 4 raw samples, halved to 2 of 2 (stride 2); full again after 8 raw, halved to 2 of 4
        // (stride 4); samples 9 to 11 wait in the pending merge.
        assertEquals(4, sampler.stride());
        final List<Interval> series = sampler.series();
        assertEquals(0, series.get(0).startNs(), "starts at the baseline");
        assertEquals(clock.get(), series.get(series.size() - 1).endNs(), "ends at the latest sample");
        assertEquals(3, series.size(), "two merged intervals and the pending one");
        assertEquals(0.04, series.get(0).seconds(), 1e-12, "each merged interval spans 4 raw samples");
        assertEquals(0.03, series.get(2).seconds(), 1e-12, "the pending merge spans 3");
        long received = 0;
        for (Interval interval : series) {
            received += interval.accounting().received();
        }
        assertEquals(sampler.latest().accounting().received() - sampler.baseline().accounting().received(), received);
    }

    @Test
    void shouldSkipMissedTicksNotBurstWhenTheSamplingThreadStalls() {
        final long period = TimeUnit.MILLISECONDS.toNanos(10);
        final AtomicLong clock = new AtomicLong();
        // Every clock read moves time on by a millisecond, so the loop's waits end without real sleeps.
        final StatsSampler sampler = new StatsSampler(() -> run.finalStats(), () -> clock.addAndGet(1_000_000), null,
            new StatsSampler.Settings(Duration.ofNanos(period), 100));
        final List<Interval> seen = new ArrayList<>();
        sampler.runUntil(() -> seen.size() >= 8, interval -> {
            if (seen.isEmpty()) {
                clock.addAndGet(5 * period + period / 2); // the thread stalls for five and a half periods
            }
            seen.add(interval);
        });
        for (Interval interval : seen.subList(0, seen.size() - 1)) {
            assertTrue(interval.endNs() - interval.startNs() >= period / 2, "no catch-up burst: " + seen.stream()
                .map(i -> i.seconds() * 1e3 + " ms").toList());
        }
        assertEquals(7 * period, StatsSampler.nextTick(6 * period, period, 6 * period + 1), "on time: one period on");
        assertEquals(30 * period, StatsSampler.nextTick(6 * period, period, 29 * period), "late: one period from now");
    }

    @Test
    void shouldRejectSettingsWhenOutOfRange() {
        final IllegalArgumentException odd = assertThrows(IllegalArgumentException.class,
            () -> new StatsSampler.Settings(Duration.ofSeconds(1), 3));
        assertTrue(odd.getMessage().contains("maxSamples=3"), odd.getMessage());
        final IllegalArgumentException fast = assertThrows(IllegalArgumentException.class,
            () -> new StatsSampler.Settings(Duration.ofMillis(1), 100));
        assertTrue(fast.getMessage().contains("interval=PT0.001S"), fast.getMessage());
    }
}
