package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.actors.SteerEngine;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.stats.EngineStats;
import dev.steer.loadgen.stats.Interval;
import dev.steer.loadgen.stats.LatencyRecorder;
import dev.steer.loadgen.stats.StatsSampler;
import dev.steer.loadgen.traffic.Scenarios;
import dev.steer.loadgen.traffic.SyntheticFeed;

/**
 * The start of a run's measured time ({@link RunJob#startMeasuring}): every frame the run receives is in one of its
 * live intervals, also when the feed hands its frames over while the baseline is being read (a stats read takes
 * milliseconds, a short run's feed is done in as much).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RunBaselineTest {
    private static final long FRAMES = 64;

    @Test
    void shouldCountEveryReceivedFrameInALiveIntervalWhenTheFeedDeliversDuringTheBaselineRead() {
        final SyntheticFeed feed = new SyntheticFeed("synthetic#0", Scenarios.load("flood-64").traffic(), FRAMES).hold();
        final SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(2).entry(0, 2048)
            .entry(1, 2048).pinning(false).systemName("run-baseline").feed(feed).start();
        // A stats read slower than the feed: once the feed is released, it answers only after every frame is in.
        final Supplier<EngineStats> slowStats = () -> {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            EngineStats stats = engine.stats();
            while (!feed.isHeld() && stats.accounting().received() < FRAMES && System.nanoTime() < deadline) {
                LockSupport.parkNanos(1_000_000);
                stats = engine.stats();
            }
            return stats;
        };
        final EngineStats finalStats;
        final StatsSampler sampler;
        try {
            sampler = RunJob.startMeasuring(slowStats, new LatencyRecorder(),
                new StatsSampler.Settings(Duration.ofMillis(10), 100), List.of(feed));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!engine.feedsEnded() && System.nanoTime() < deadline) {
                LockSupport.parkNanos(1_000_000);
            }
            sampler.sample();
        } finally {
            finalStats = engine.shutdown();
        }
        assertEquals(FRAMES, finalStats.accounting().received(), "the run received the bounded feed's frames");
        long inIntervals = 0;
        for (Interval interval : sampler.series()) {
            inIntervals += interval.accounting().received();
        }
        assertEquals(0, sampler.baseline().accounting().received(), "the baseline is read before the first frame");
        assertEquals(finalStats.accounting().received(), inIntervals,
            "the live intervals add up to the summary's received count");
        assertTrue(sampler.series().size() >= 1);
    }
}
