package dev.steer.engine.stats;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything an engine counted: per ingress, per entry key (live consumer plus every retired generation of that
 * key), per pool, and the accounting invariant over all of them. Immutable.
 *
 * <p>Live stats ({@code SteerEngine.stats()} while the engine runs) are not one moment: they are read counter by
 * counter while the data path goes on. What holds for them: each counter only grows from one call to the next;
 * {@link Accounting#inFlight()} is never negative (what ended is read before what entered; on x86-64, see
 * docs/output.md), but may be high by the frames that were received and ended while the read ran, far beyond the
 * frames that can exist at once; a pool's {@code leases - returns} and {@code capacity - available} are two such
 * readings and need not agree. Use differences between samples for rates, not one sample's totals for exact checks.
 * The final stats ({@code shutdown()}) are exact: nothing runs, nothing is in flight, every pool is full.
 *
 * @param ingresses  one row per ingress
 * @param consumers  one row per key that has had an entry, named {@code key-KEY} (where it ran is not in the stats: a key of a cluster map need not be a CPU)
 * @param pools      one row per frame pool
 * @param accounting the invariant over ingresses and consumers
 * @param entries    entries in the map now
 * @param mapVersion the published snapshot's version
 */
public record EngineStats(List<PathStats> ingresses, List<PathStats> consumers, List<PoolStats> pools,
                          Accounting accounting, int entries, long mapVersion) {
    /** Builds the stats, computing the accounting from the path rows. */
    public static EngineStats of(List<PathStats> ingresses, List<PathStats> consumers, List<PoolStats> pools,
                                 int entries, long mapVersion) {
        final List<PathStats> all = new ArrayList<>(ingresses);
        all.addAll(consumers);
        return new EngineStats(List.copyOf(ingresses), List.copyOf(consumers), List.copyOf(pools),
            Accounting.of(all), entries, mapVersion);
    }

    /**
     * True when every pool has all its frames back, no more and no fewer ({@link PoolStats#isFull()}): false while
     * frames are out, and for good in a pool that took a double release ({@link PoolStats#excessReturns()}).
     */
    public boolean poolsFull() {
        return pools.stream().allMatch(PoolStats::isFull);
    }

    /** Sum of {@code counter} over every ingress. */
    public long ingressTotal(PathCounters.Counter counter) {
        return ingresses.stream().mapToLong(p -> p.get(counter)).sum();
    }

    /** Sum of {@code counter} over every consumer. */
    public long consumerTotal(PathCounters.Counter counter) {
        return consumers.stream().mapToLong(p -> p.get(counter)).sum();
    }
}
