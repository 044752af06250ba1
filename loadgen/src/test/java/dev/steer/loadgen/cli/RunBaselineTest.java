package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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
                new StatsSampler.Settings(Duration.ofMillis(10), 100), feed::release);
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

    @Test
    void shouldCountEveryFrameOfAPcapFeedInALiveIntervalWhenTheCaptureStartsWithABurst(@TempDir Path dir)
        throws IOException {
        // 2,000 records at the capture's first instant, replayed at once when the feed is first polled, then one at
        // 600 ms so that the run spans intervals. The feed was polled from the engine's start on, before the stats
        // baseline, so the burst was in the summary but in no live interval.
        final long[] stamps = new long[BURST + 1];
        stamps[BURST] = 600_000_000L;
        final Path capture = RunCommandTest.writeCapture(dir.resolve("burst.pcap"), stamps);
        final Path report = dir.resolve("report");
        final CliRunner result = CliRunner.run("run", "--feed", "pcap", "--pcap", capture.toString(), "--pace", "capture",
            "--interval", "250ms", "--duration", "30s", "--lossless", "--no-pin", "--report", report.toString());
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final List<String> rows = Files.readAllLines(report.resolve("timeseries.csv"));
        final List<String> header = List.of(rows.get(0).split(","));
        double inIntervals = 0;
        for (String row : rows.subList(1, rows.size())) {
            final String[] cells = row.split(",");
            inIntervals += Double.parseDouble(cells[header.indexOf("rx_pps")])
                * Double.parseDouble(cells[header.indexOf("interval_s")]);
        }
        // Rates and lengths are printed to 3 decimals: the frames they give back are exact to well within 1 %.
        assertEquals(BURST + 1, inIntervals, (BURST + 1) * 0.01,
            "the live intervals add up to every frame of the capture:\n" + String.join("\n", rows) + "\n" + result);
    }

    private static final int BURST = 2_000;
}
