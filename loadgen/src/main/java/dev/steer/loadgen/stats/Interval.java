package dev.steer.loadgen.stats;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathStats;
import dev.steer.engine.stats.PoolStats;

/**
 * What an engine did between two statistics samples: the counters of every path as differences
 * (end minus start, rows matched by name, a row new at the end counted from 0), the pools, the interval's
 * own accounting and the latency percentiles of the frames handled in it. Immutable; off the hot path.
 *
 * <p>Rates are per second of the interval's measured length ({@link #seconds()}), not of the nominal one,
 * so a late sample does not inflate them.
 */
public final class Interval {
    private final long startNs;
    private final long endNs;
    private final EngineStats start;
    private final EngineStats end;
    private final LatencySnapshot latency;
    private final List<PathStats> ingresses;
    private final List<PathStats> consumers;
    private final List<PoolStats> pools;
    private final Accounting accounting;

    /**
     * @param startNs clock reading of the start sample, nanoseconds
     * @param endNs   clock reading of the end sample, not before {@code startNs}
     * @param start   stats at the start
     * @param end     stats at the end
     * @param latency latencies recorded in the interval; {@link LatencySnapshot#EMPTY} when not recorded
     */
    public Interval(long startNs, long endNs, EngineStats start, EngineStats end, LatencySnapshot latency) {
        if (endNs < startNs) {
            throw new IllegalArgumentException("interval endNs=" + endNs + ": must not be before startNs=" + startNs);
        }
        this.startNs = startNs;
        this.endNs = endNs;
        this.start = Objects.requireNonNull(start, "start");
        this.end = Objects.requireNonNull(end, "end");
        this.latency = Objects.requireNonNull(latency, "latency");
        this.ingresses = minus(end.ingresses(), start.ingresses());
        this.consumers = minus(end.consumers(), start.consumers());
        this.pools = poolDeltas(end.pools(), start.pools());
        final List<PathStats> all = new ArrayList<>(ingresses);
        all.addAll(consumers);
        this.accounting = Accounting.of(all);
    }

    /** One interval spanning this one and the adjacent {@code next} (which must start where this ends). */
    public Interval merge(Interval next) {
        if (next.start != end) {
            throw new IllegalArgumentException("intervals are not adjacent: the next one must start at this one's end");
        }
        return new Interval(startNs, next.endNs, start, next.end, latency.mergeUpperBound(next.latency));
    }

    /** Clock reading of the start sample. */
    public long startNs() {
        return startNs;
    }

    /** Clock reading of the end sample. */
    public long endNs() {
        return endNs;
    }

    /** Measured length in seconds. */
    public double seconds() {
        return (endNs - startNs) / 1e9;
    }

    /** {@code count} per second of this interval; 0 for an empty interval. */
    public double rate(long count) {
        return endNs == startNs ? 0 : count * 1e9 / (endNs - startNs);
    }

    /** Stats at the start. */
    public EngineStats start() {
        return start;
    }

    /** Stats at the end. */
    public EngineStats end() {
        return end;
    }

    /** Per ingress: what it counted in the interval. */
    public List<PathStats> ingresses() {
        return ingresses;
    }

    /** Per consumer row ({@code key-KEY}): what it counted in the interval. */
    public List<PathStats> consumers() {
        return consumers;
    }

    /**
     * Per pool: capacity and available frames at the end; leases, returns, exhausted and double returns
     * counted in the interval.
     */
    public List<PoolStats> pools() {
        return pools;
    }

    /** The invariant over the interval's differences; {@code inFlight} is the change in frames in flight. */
    public Accounting accounting() {
        return accounting;
    }

    /** Latencies of the frames handled in the interval. */
    public LatencySnapshot latency() {
        return latency;
    }

    static List<PathStats> minus(List<PathStats> ends, List<PathStats> starts) {
        final Map<String, PathStats> byName = new HashMap<>();
        for (PathStats row : starts) {
            byName.put(row.name(), row);
        }
        final List<PathStats> out = new ArrayList<>(ends.size());
        for (PathStats row : ends) {
            final PathStats before = byName.get(row.name());
            out.add(before == null ? row : new PathStats(row.name(), row.kind(), row.key(),
                minus(row.counters(), before.counters()), minus(row.drops(), before.drops()),
                minus(row.redirectErrors(), before.redirectErrors()), minus(row.enqueue(), before.enqueue())));
        }
        return List.copyOf(out);
    }

    private static long[] minus(long[] a, long[] b) {
        final long[] out = a.clone();
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            out[i] -= b[i];
        }
        return out;
    }

    private static List<PoolStats> poolDeltas(List<PoolStats> ends, List<PoolStats> starts) {
        final Map<String, PoolStats> byId = new HashMap<>();
        for (PoolStats pool : starts) {
            byId.put(pool.id(), pool);
        }
        final List<PoolStats> out = new ArrayList<>(ends.size());
        for (PoolStats pool : ends) {
            final PoolStats b = byId.get(pool.id());
            out.add(b == null ? pool : new PoolStats(pool.id(), pool.capacity(), pool.available(),
                pool.leases() - b.leases(), pool.returns() - b.returns(), pool.exhausted() - b.exhausted(),
                pool.doubleReturns() - b.doubleReturns()));
        }
        return List.copyOf(out);
    }
}
