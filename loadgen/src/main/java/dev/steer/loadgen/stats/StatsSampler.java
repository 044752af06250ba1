package dev.steer.loadgen.stats;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import dev.steer.engine.stats.EngineStats;

/**
 * Samples an engine's statistics at a fixed interval and keeps the run's time series, bounded.
 *
 * <p>Construction takes the baseline sample. Each {@link #sample()} reads the stats, timed at the middle of the
 * stats call (the clock is read before and after it), and (when given) the latency recorder's interval histogram,
 * and returns the {@link Interval} since the previous sample, which is also appended to the series.
 *
 * <p>Bound: the series holds at most {@link Settings#maxSamples()} intervals. When it is full, adjacent
 * pairs are merged (halving the resolution, doubling each interval's length) and from then on that many
 * raw samples are merged before one is appended, so the series always covers the whole run at an even
 * spacing, in memory bounded by {@code maxSamples}. Counter rates of merged intervals are exact; their
 * latency percentiles are upper bounds ({@link LatencySnapshot#mergeUpperBound}).
 *
 * <p>Thread contract: one sampling thread calls {@link #sample()} and {@link #runUntil}; {@link #series()}
 * may be read from any thread (it returns a copy). Allocates per sample, off the data path.
 */
public final class StatsSampler {
    /**
     * Settings of a sampler.
     *
     * @param interval   time between samples, 10 ms to 1 h
     * @param maxSamples intervals kept in the series, an even number from 2 to {@value #MAX_SAMPLES_LIMIT}
     */
    public record Settings(Duration interval, int maxSamples) {
        /** Default time between samples: one second, as xdp-bench's default. */
        public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
        /** Default bound of the series: one hour of one-second samples. */
        public static final int DEFAULT_MAX_SAMPLES = 3600;
        /** Largest allowed bound of the series. */
        public static final int MAX_SAMPLES_LIMIT = 1_000_000;
        /** Shortest allowed interval. */
        public static final Duration MIN_INTERVAL = Duration.ofMillis(10);
        /** Longest allowed interval. */
        public static final Duration MAX_INTERVAL = Duration.ofHours(1);

        /** Validates every setting; the message names the setting, the value and what is allowed. */
        public Settings {
            Objects.requireNonNull(interval, "interval");
            if (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0) {
                throw new IllegalArgumentException("stats interval=" + interval + ": must be " + MIN_INTERVAL
                    + " to " + MAX_INTERVAL);
            }
            if (maxSamples < 2 || maxSamples > MAX_SAMPLES_LIMIT || maxSamples % 2 != 0) {
                throw new IllegalArgumentException("stats maxSamples=" + maxSamples
                    + ": must be an even number from 2 to " + MAX_SAMPLES_LIMIT);
            }
        }

        /** The defaults: one-second samples, at most {@value #DEFAULT_MAX_SAMPLES} kept. */
        public static Settings defaults() {
            return new Settings(DEFAULT_INTERVAL, DEFAULT_MAX_SAMPLES);
        }
    }

    private final Supplier<EngineStats> stats;
    private final LongSupplier clockNs;
    private final LatencyRecorder latency;
    private final Settings settings;
    private final long baselineNs;
    private final EngineStats baseline;
    private final List<Interval> series = new ArrayList<>();
    private long lastNs;
    private EngineStats last;
    private int stride = 1;
    private Interval partial;
    private int partialCount;
    private long samples;

    /**
     * Takes the baseline sample now.
     *
     * @param stats    where samples come from, e.g. {@code engine::stats}
     * @param clockNs  monotonic clock in nanoseconds, e.g. {@code System::nanoTime}
     * @param latency  latencies to take an interval histogram from at every sample; null for none
     * @param settings interval and bound
     */
    public StatsSampler(Supplier<EngineStats> stats, LongSupplier clockNs, LatencyRecorder latency, Settings settings) {
        this.stats = Objects.requireNonNull(stats, "stats");
        this.clockNs = Objects.requireNonNull(clockNs, "clockNs");
        this.latency = latency;
        this.settings = Objects.requireNonNull(settings, "settings");
        if (latency != null) {
            latency.interval(); // what was recorded before the baseline belongs to no interval
        }
        final long before = clockNs.getAsLong();
        this.baseline = Objects.requireNonNull(stats.get(), "stats supplier returned null");
        this.baselineNs = readAt(before, clockNs.getAsLong());
        this.last = baseline;
        this.lastNs = baselineNs;
    }

    /** Takes a sample now and returns the interval since the previous one (or the baseline). */
    public Interval sample() {
        final long before = clockNs.getAsLong();
        final EngineStats now = Objects.requireNonNull(stats.get(), "stats supplier returned null");
        final long nowNs = readAt(before, clockNs.getAsLong());
        final LatencySnapshot lat = latency == null ? LatencySnapshot.EMPTY : LatencySnapshot.of(latency.interval());
        final Interval interval = new Interval(lastNs, Math.max(nowNs, lastNs), last, now, lat);
        last = now;
        lastNs = interval.endNs();
        samples++;
        append(interval);
        return interval;
    }

    /**
     * When the counters of a stats call that ran from {@code before} to {@code after} were read: the middle of the
     * call. A live {@code engine.stats()} is an ask, and its counters are read somewhere inside it; on a loaded machine
     * the call takes long (0.2 to 0.3 s seen with 2 cores under load), and by very different times from one call to
     * the next. Timed at its end, an interval after a slow baseline was that much shorter than the time between its
     * counters' reads, and its rates that much higher; the middle halves that error at most, and removes it when the
     * wait before the read and the wait after it are alike.
     */
    private static long readAt(long before, long after) {
        return after - before <= 0 ? after : before + (after - before) / 2;
    }

    /**
     * Blocks the calling thread: samples every {@link Settings#interval()}, hands each interval to
     * {@code each}, until {@code done} says so (checked before every wait, so at most one interval late),
     * then takes one last sample that it hands over too. Returns at once if the thread is interrupted,
     * leaving the interrupt flag set.
     */
    public void runUntil(BooleanSupplier done, Consumer<Interval> each) {
        final long period = settings.interval().toNanos();
        long next = lastNs + period;
        while (!done.getAsBoolean() && !Thread.currentThread().isInterrupted()) {
            final long wait = next - clockNs.getAsLong();
            if (wait > 0) {
                LockSupport.parkNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(50)));
                continue;
            }
            each.accept(sample());
            next = nextTick(next, period, lastNs);
        }
        each.accept(sample());
    }

    /**
     * When the sample after one due at {@code due} is due: one {@code period} later, or, when that moment has
     * passed already at {@code nowNs} (the sampling thread stalled: a GC pause, a descheduled host, a blocked
     * output), one period after {@code nowNs}. Missed ticks are skipped, not fired back to back to catch up: that
     * burst would be intervals of almost no length, with absurd rates. Pure; any thread.
     *
     * @param due    when the sample just taken was due, nanoseconds
     * @param period the sampling period, nanoseconds
     * @param nowNs  the clock when the sample was taken (or now), nanoseconds
     */
    public static long nextTick(long due, long period, long nowNs) {
        final long next = due + period;
        return next - nowNs < 0 ? nowNs + period : next;
    }

    /** Clock reading of the baseline sample, nanoseconds: where the first interval starts. */
    public long baselineNs() {
        return baselineNs;
    }

    /** The series so far, oldest first, including a merge still being filled; a copy. */
    public List<Interval> series() {
        final List<Interval> out = new ArrayList<>(series);
        if (partial != null) {
            out.add(partial);
        }
        return Collections.unmodifiableList(out);
    }

    /** One interval from the baseline to the latest sample. */
    public Interval total() {
        return new Interval(baselineNs, lastNs, baseline, last,
            latency == null ? LatencySnapshot.EMPTY : LatencySnapshot.of(latency.cumulative()));
    }

    /** Stats of the baseline sample. */
    public EngineStats baseline() {
        return baseline;
    }

    /** Stats of the latest sample (the baseline before the first). */
    public EngineStats latest() {
        return last;
    }

    /** Samples taken after the baseline. */
    public long samples() {
        return samples;
    }

    /** Raw samples merged into each interval of the series now: 1, then 2, 4... after each halving. */
    public int stride() {
        return stride;
    }

    /** The settings. */
    public Settings settings() {
        return settings;
    }

    private void append(Interval interval) {
        partial = partial == null ? interval : partial.merge(interval);
        if (++partialCount < stride) {
            return;
        }
        series.add(partial);
        partial = null;
        partialCount = 0;
        if (series.size() == settings.maxSamples()) {
            final List<Interval> halved = new ArrayList<>(series.size() / 2);
            for (int i = 0; i + 1 < series.size(); i += 2) {
                halved.add(series.get(i).merge(series.get(i + 1)));
            }
            series.clear();
            series.addAll(halved);
            stride *= 2;
        }
    }
}
