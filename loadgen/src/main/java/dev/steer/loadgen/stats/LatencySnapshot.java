package dev.steer.loadgen.stats;

import org.HdrHistogram.Histogram;

/**
 * Latency percentiles of a histogram, in nanoseconds; all 0 for an empty one. Immutable; off the hot path.
 *
 * @param count values recorded
 * @param min   smallest value
 * @param p50   median
 * @param p90   90th percentile
 * @param p99   99th percentile
 * @param p999  99.9th percentile
 * @param max   largest value
 * @param mean  arithmetic mean
 */
public record LatencySnapshot(long count, long min, long p50, long p90, long p99, long p999, long max, double mean) {
    /** No values. */
    public static final LatencySnapshot EMPTY = new LatencySnapshot(0, 0, 0, 0, 0, 0, 0, 0);

    /** The percentiles of {@code histogram}; {@link #EMPTY} when it is null or empty. */
    public static LatencySnapshot of(Histogram histogram) {
        if (histogram == null || histogram.getTotalCount() == 0) {
            return EMPTY;
        }
        return new LatencySnapshot(histogram.getTotalCount(), histogram.getMinValue(),
            histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(90),
            histogram.getValueAtPercentile(99), histogram.getValueAtPercentile(99.9),
            histogram.getMaxValue(), histogram.getMean());
    }

    /**
     * A bound for two adjacent intervals merged into one when only their percentiles are kept: counts add,
     * the mean is weighted, and every percentile is the larger of the two (an upper bound of the true one).
     */
    public LatencySnapshot mergeUpperBound(LatencySnapshot other) {
        if (count == 0) {
            return other;
        }
        if (other.count == 0) {
            return this;
        }
        final long n = count + other.count;
        return new LatencySnapshot(n, Math.min(min, other.min), Math.max(p50, other.p50), Math.max(p90, other.p90),
            Math.max(p99, other.p99), Math.max(p999, other.p999), Math.max(max, other.max),
            (mean * count + other.mean * other.count) / n);
    }
}
