package dev.steer.engine.stats;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

import dev.steer.engine.map.MapResult;

/**
 * Immutable copy of one path's counters ({@link PathCounters#snapshot}), or the sum of several. Off the
 * hot path: creating and adding snapshots allocates.
 *
 * @param name   the path's name, e.g. {@code ingress-0} or {@code key-1}
 * @param kind   ingress or consumer
 * @param key    the entry key of a consumer, -1 for an ingress
 * @param counters values indexed by {@link PathCounters.Counter#ordinal()}
 * @param drops    drops indexed by {@link DropReason#ordinal()}
 * @param redirectErrors redirect errors indexed by {@link MapResult#ordinal()}
 * @param enqueue  per target key: processed, drops, bulks (3 values a key)
 */
public record PathStats(String name, Kind kind, int key, long[] counters, long[] drops, long[] redirectErrors,
                        long[] enqueue) {
    /** What kind of path the counters belong to. */
    public enum Kind {
        /** An ingress: its RECEIVED counts frames entering the engine. */
        INGRESS,
        /** An entry's consumer: its RECEIVED counts frames taken from the ring. */
        CONSUMER
    }

    /** Copies the arrays, so that the snapshot stays what it was whatever the caller does with its arguments. */
    public PathStats {
        counters = counters.clone();
        drops = drops.clone();
        redirectErrors = redirectErrors.clone();
        enqueue = enqueue.clone();
    }

    /** Values indexed by {@link PathCounters.Counter#ordinal()}: a copy, as the snapshot is immutable. */
    @Override
    public long[] counters() {
        return counters.clone();
    }

    /** Drops indexed by {@link DropReason#ordinal()}: a copy. */
    @Override
    public long[] drops() {
        return drops.clone();
    }

    /** Redirect errors indexed by {@link MapResult#ordinal()}: a copy. */
    @Override
    public long[] redirectErrors() {
        return redirectErrors.clone();
    }

    /** Per target key: processed, drops, bulks (3 values a key): a copy. */
    @Override
    public long[] enqueue() {
        return enqueue.clone();
    }

    /** Equal when name, kind, key and every value are. */
    @Override
    public boolean equals(Object other) {
        return other instanceof PathStats that && name.equals(that.name) && kind == that.kind && key == that.key
            && Arrays.equals(counters, that.counters) && Arrays.equals(drops, that.drops)
            && Arrays.equals(redirectErrors, that.redirectErrors) && Arrays.equals(enqueue, that.enqueue);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, kind, key, Arrays.hashCode(counters), Arrays.hashCode(drops),
            Arrays.hashCode(redirectErrors), Arrays.hashCode(enqueue));
    }

    /** The name and every non-zero counter, drop reason and redirect error, e.g. {@code key-1 received=8 delivered=8}. */
    @Override
    public String toString() {
        final StringBuilder out = new StringBuilder(name);
        for (PathCounters.Counter counter : PathCounters.Counter.values()) {
            if (counters[counter.ordinal()] != 0) {
                out.append(' ').append(counter.name().toLowerCase(Locale.ROOT)).append('=').append(counters[counter.ordinal()]);
            }
        }
        for (DropReason reason : DropReason.values()) {
            if (drops[reason.ordinal()] != 0) {
                out.append(' ').append(reason.label()).append('=').append(drops[reason.ordinal()]);
            }
        }
        for (MapResult result : MapResult.values()) {
            if (result.ordinal() < redirectErrors.length && redirectErrors[result.ordinal()] != 0) {
                out.append(" redirect_").append(result.name()).append('=').append(redirectErrors[result.ordinal()]);
            }
        }
        return out.toString();
    }

    /** An all-zero snapshot with room for {@code maxKeys} target keys. */
    public static PathStats empty(String name, Kind kind, int key, int maxKeys) {
        return new PathStats(name, kind, key, new long[PathCounters.Counter.values().length],
            new long[DropReason.values().length], new long[MapResult.values().length], new long[3 * maxKeys]);
    }

    /** Value of {@code counter}. */
    public long get(PathCounters.Counter counter) {
        return counters[counter.ordinal()];
    }

    /** Frames dropped for {@code reason}. */
    public long dropped(DropReason reason) {
        return drops[reason.ordinal()];
    }

    /** Frames dropped for any reason. */
    public long droppedTotal() {
        return Arrays.stream(drops).sum();
    }

    /** Redirects refused with {@code result}. */
    public long redirectErrors(MapResult result) {
        return redirectErrors[result.ordinal()];
    }

    /** Number of target keys the enqueue counters cover. */
    public int maxKeys() {
        return enqueue.length / 3;
    }

    /** Frames flushed towards {@code key}. */
    public long enqueueProcessed(int key) {
        return enqueue[3 * key];
    }

    /** Frames flushed towards {@code key} that did not fit its ring. */
    public long enqueueDrops(int key) {
        return enqueue[3 * key + 1];
    }

    /** Flushes towards {@code key}. */
    public long enqueueBulks(int key) {
        return enqueue[3 * key + 2];
    }

    /** Average frames per flush towards {@code key}, 0 when there was none. */
    public double averageBulk(int key) {
        final long bulks = enqueueBulks(key);
        return bulks == 0 ? 0 : (double) enqueueProcessed(key) / bulks;
    }

    /** The element-wise sum of this and {@code other}, keeping this one's name, kind and key. */
    public PathStats plus(PathStats other) {
        return new PathStats(name, kind, key, add(counters, other.counters), add(drops, other.drops),
            add(redirectErrors, other.redirectErrors), add(enqueue, other.enqueue));
    }

    /** The same values under another name. */
    public PathStats renamed(String newName) {
        return new PathStats(newName, kind, key, counters, drops, redirectErrors, enqueue);
    }

    private static long[] add(long[] a, long[] b) {
        final long[] sum = Arrays.copyOf(a, Math.max(a.length, b.length));
        for (int i = 0; i < b.length; i++) {
            sum[i] += b[i];
        }
        return sum;
    }
}
