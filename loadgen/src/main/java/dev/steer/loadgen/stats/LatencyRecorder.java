package dev.steer.loadgen.stats;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Records ingress-to-handler latencies in nanoseconds from any number of threads at once, into an
 * HdrHistogram {@link Recorder}, and hands them to one reader as interval histograms (for the time series)
 * and as one cumulative histogram (for the run summary).
 *
 * <p>Writers ({@link #record}) are wait-free and allocation-free: the recorder's active histogram is a fixed
 * {@code AtomicHistogram}. Values outside {@code 0..highestTrackableNs} are clamped into range and counted in
 * {@link #clamped()}, never thrown, so a frame with a bad timestamp cannot break the data path.
 *
 * <p>Readers ({@link #interval()}, {@link #cumulative()}) are synchronised with each other and allocate;
 * call them from the sampling thread, off the data path.
 */
public final class LatencyRecorder {
    /** Default highest latency tracked: 60 s, beyond which values are clamped. */
    public static final long DEFAULT_HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(60);
    /** Default precision: 3 significant digits (0.1 % value error). */
    public static final int DEFAULT_SIGNIFICANT_DIGITS = 3;

    private final long highestTrackableNs;
    private final int significantDigits;
    private final Recorder recorder;
    private final AtomicLong clamped = new AtomicLong();
    private final Histogram total;
    private final Histogram pending;
    private Histogram recycle;

    /** A recorder with the default range and precision. */
    public LatencyRecorder() {
        this(DEFAULT_HIGHEST_TRACKABLE_NS, DEFAULT_SIGNIFICANT_DIGITS);
    }

    /**
     * @param highestTrackableNs largest latency kept exactly, at least 2 ns; larger ones are clamped to it
     * @param significantDigits  HdrHistogram precision, 1 to 5
     * @throws IllegalArgumentException naming the setting, its value and what is allowed
     */
    public LatencyRecorder(long highestTrackableNs, int significantDigits) {
        if (highestTrackableNs < 2) {
            throw new IllegalArgumentException("latency highestTrackableNs=" + highestTrackableNs
                + ": must be at least 2 ns");
        }
        if (significantDigits < 1 || significantDigits > 5) {
            throw new IllegalArgumentException("latency significantDigits=" + significantDigits
                + ": must be 1 to 5");
        }
        this.highestTrackableNs = highestTrackableNs;
        this.significantDigits = significantDigits;
        this.recorder = new Recorder(highestTrackableNs, significantDigits);
        this.total = newHistogram();
        this.pending = newHistogram();
    }

    /**
     * Any thread, wait-free, allocation-free: records one latency in nanoseconds. A negative value (a clock
     * read before the stamp) records 0 and a value above the range records the highest; both are counted.
     */
    public void record(long latencyNs) {
        long value = latencyNs;
        if (value < 0) {
            value = 0;
            clamped.incrementAndGet();
        } else if (value > highestTrackableNs) {
            value = highestTrackableNs;
            clamped.incrementAndGet();
        }
        recorder.recordValue(value);
    }

    /** Values recorded out of range and clamped; any thread. */
    public long clamped() {
        return clamped.get();
    }

    /** Largest value tracked, in nanoseconds. */
    public long highestTrackableNs() {
        return highestTrackableNs;
    }

    /**
     * Reader thread: the latencies recorded since the previous call, as a new histogram the caller owns.
     * Every value lands in exactly one interval and in the cumulative histogram. Allocates one histogram.
     */
    public synchronized Histogram interval() {
        drain();
        final Histogram copy = pending.copy();
        pending.reset();
        return copy;
    }

    /**
     * Reader thread: every latency recorded since construction, as a new histogram the caller owns. Does not
     * take values away from the next {@link #interval()}.
     */
    public synchronized Histogram cumulative() {
        drain();
        return total.copy();
    }

    private void drain() {
        final Histogram latest = recorder.getIntervalHistogram(recycle);
        total.add(latest);
        pending.add(latest);
        recycle = latest;
    }

    private Histogram newHistogram() {
        return new Histogram(highestTrackableNs, significantDigits);
    }
}
