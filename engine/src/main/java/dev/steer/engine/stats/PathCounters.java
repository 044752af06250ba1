package dev.steer.engine.stats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import dev.steer.engine.map.MapResult;

/**
 * The counters of one data-path thread, an ingress or an entry's consumer, all with that thread as
 * their single writer: frames received, delivered and redirected, drops by {@link DropReason}, redirect
 * errors by {@link MapResult}, and per target key the enqueue counters of the kernel's
 * {@code xdp_cpumap_enqueue} tracepoint (processed, drops, bulks).
 *
 * <p>Thread contract: the recording methods from the owning thread only; getters from any thread.
 * Allocation-free after construction.
 */
public final class PathCounters {
    /** Counters that are not drops. */
    public enum Counter {
        /** Frames that entered this path: received by an ingress, or taken from the ring by a consumer. */
        RECEIVED,
        /** Frames handed to a frame handler, which is their end. */
        DELIVERED,
        /** Frames put into a bulk queue towards an entry. */
        REDIRECTED,
        /** Exceptions thrown out of a steering program (counted as ABORTED too). */
        PROGRAM_EXCEPTIONS,
        /** Exceptions thrown out of a frame handler. */
        HANDLER_EXCEPTIONS,
        /** Polls (ingress) or non-empty drains of the ring (consumer), a drain taking up to several batches. */
        POLLS,
        /** Times the thread found nothing to do and went idle: the tracepoint's {@code sched}. */
        SCHED,
        /** Remote program verdicts PASS. */
        REMOTE_PASS,
        /** Remote program verdicts DROP (ABORTED included). */
        REMOTE_DROP,
        /**
         * Remote program verdicts REDIRECT, whether the redirect then reached a bulk queue or not (a key without an
         * entry, a cut cycle); the {@code CpumapKthreadEvent}'s {@code redirect} counts only those that did.
         */
        REMOTE_REDIRECT,
        /** Frames a lossless feed left in place because their target ring was full. */
        BACK_PRESSURED,
        /**
         * Exceptions thrown out of the feed's poll (the ingress restarts the feed), and failures a feed reports
         * without stopping ({@code FrameSink#onFeedError}: an Aeron client's asynchronous errors).
         */
        FEED_ERRORS,
        /** Restarts of the path's actor after a failure. */
        RESTARTS,
        /** Exceptions thrown by the error handler itself while reporting a failure (contained, counted). */
        ERROR_HANDLER_FAILURES,
        /**
         * Frames handed to another node's receiver and acknowledged by it: their end on this node (the receiving
         * node counts them received, then delivered or dropped). An end state in {@link Accounting}.
         */
        FORWARDED,
        /**
         * Of the {@link #FORWARDED} frames, those the receiving node dropped because the target ring was full;
         * counted as {@code ring_full} drops there, reported here for the sender's information (not a drop here).
         */
        REMOTE_RING_FULL,
        /**
         * Lossless flushes that found the ring filled by another producer since this one's room check, and waited for
         * the consumer, or dropped at once because an earlier flush of the same poll had used up the poll's wait
         * (see {@code BulkQueue.LOSSLESS_FLUSH_WAIT_NS}).
         */
        FLUSH_WAITS
    }

    private static final Counter[] COUNTERS = Counter.values();
    private static final int PAD = 16;
    private static final VarHandle VALUES = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int DROP_BASE = COUNTERS.length;
    private static final int ERROR_BASE = DROP_BASE + DropReason.all().length;
    private static final int ENQUEUE_BASE = ERROR_BASE + MapResult.values().length;
    private static final int ENQUEUE_PROCESSED = 0;
    private static final int ENQUEUE_DROPS = 1;
    private static final int ENQUEUE_BULKS = 2;
    private static final int ENQUEUE_STRIDE = 3;

    private final String name;
    private final int maxKeys;
    /**
     * The counters, padded at both ends so that two writers' counters never share a cache line: one writer
     * (the path's thread) adds with a plain read and an opaque store (no fence, no atomic instruction); readers
     * on any thread see every value within a short delay and never a torn one. Held here, not in a wrapper, so
     * that a counter update is one dependent load fewer on the hot path.
     */
    private final long[] values;

    /**
     * @param name    name of the path, e.g. {@code ingress-0} or {@code key-1#3}
     * @param maxKeys number of map keys tracked by the enqueue counters (the map's max entries)
     */
    public PathCounters(String name, int maxKeys) {
        if (maxKeys < 0) {
            throw new IllegalArgumentException("counters " + name + ": maxKeys=" + maxKeys + ": must not be negative");
        }
        this.name = name;
        this.maxKeys = maxKeys;
        this.values = new long[ENQUEUE_BASE + ENQUEUE_STRIDE * maxKeys + 2 * PAD];
    }

    private void add(int index, long delta) {
        final int slot = PAD + index;
        VALUES.setOpaque(values, slot, values[slot] + delta);
    }

    private long value(int index) {
        return (long) VALUES.getOpaque(values, PAD + index);
    }

    /** Name of the path. */
    public String name() {
        return name;
    }

    /** Number of keys the enqueue counters track. */
    public int maxKeys() {
        return maxKeys;
    }

    /** Owner only: adds 1 to {@code counter}. */
    public void increment(Counter counter) {
        add(counter.ordinal(), 1);
    }

    /** Owner only: adds {@code delta} to {@code counter}. */
    public void add(Counter counter, long delta) {
        add(counter.ordinal(), delta);
    }

    /** Owner only: counts {@code frames} dropped for {@code reason}. */
    public void drop(DropReason reason, long frames) {
        add(DROP_BASE + reason.ordinal(), frames);
    }

    /** Owner only: counts a redirect refused with {@code result}. */
    public void redirectError(MapResult result) {
        add(ERROR_BASE + result.ordinal(), 1);
    }

    /**
     * Owner only: records one bulk-queue flush towards {@code key}: {@code processed} frames flushed, of
     * which {@code drops} did not fit the ring. Ignored for keys outside the tracked range.
     */
    public void enqueue(int key, int processed, int drops) {
        if (key >= 0 && key < maxKeys) {
            final int base = ENQUEUE_BASE + ENQUEUE_STRIDE * key;
            add(base + ENQUEUE_PROCESSED, processed);
            add(base + ENQUEUE_DROPS, drops);
            add(base + ENQUEUE_BULKS, 1);
        }
    }

    /** Current value of {@code counter}. */
    public long get(Counter counter) {
        return value(counter.ordinal());
    }

    /** Frames dropped for {@code reason}. */
    public long dropped(DropReason reason) {
        return value(DROP_BASE + reason.ordinal());
    }

    /** Frames dropped for any reason. */
    public long droppedTotal() {
        long sum = 0;
        for (DropReason reason : DropReason.all()) {
            sum += dropped(reason);
        }
        return sum;
    }

    /** Redirects refused with {@code result}. */
    public long redirectErrors(MapResult result) {
        return value(ERROR_BASE + result.ordinal());
    }

    /** Frames flushed towards {@code key}, dropped or not. */
    public long enqueueProcessed(int key) {
        return enqueueValue(key, ENQUEUE_PROCESSED);
    }

    /** Frames flushed towards {@code key} that did not fit its ring. */
    public long enqueueDrops(int key) {
        return enqueueValue(key, ENQUEUE_DROPS);
    }

    /** Flushes towards {@code key}; processed / bulks is the average bulk size. */
    public long enqueueBulks(int key) {
        return enqueueValue(key, ENQUEUE_BULKS);
    }

    /**
     * A copy of every counter, taken field by field while the writer may still be running. {@link Counter#RECEIVED}
     * is read last, each read with acquire semantics so that none moves before an earlier one: counters only grow,
     * and a frame is counted received before it is counted delivered, forwarded or dropped, so what a snapshot
     * counts as having ended was received before its own {@code RECEIVED} read, and its
     * {@code received - delivered - forwarded - dropped} is never negative. That needs the writer's stores to become
     * visible in program order too: true of x86-64 (TSO), where the project runs and is tested; the writer's opaque
     * stores do not promise it on a weaker memory model (AArch64), where a live snapshot could show a frame ended
     * before it shows it received. Any thread; allocates the copy.
     */
    public PathStats snapshot(PathStats.Kind kind, int key) {
        final long[] drops = new long[DropReason.all().length];
        for (DropReason reason : DropReason.all()) {
            drops[reason.ordinal()] = acquired(DROP_BASE + reason.ordinal());
        }
        final long[] counters = new long[COUNTERS.length];
        for (Counter counter : COUNTERS) {
            if (counter != Counter.RECEIVED) {
                counters[counter.ordinal()] = acquired(counter.ordinal());
            }
        }
        final MapResult[] results = MapResult.values();
        final long[] errors = new long[results.length];
        for (MapResult result : results) {
            errors[result.ordinal()] = acquired(ERROR_BASE + result.ordinal());
        }
        final long[] enqueue = new long[ENQUEUE_STRIDE * maxKeys];
        for (int i = 0; i < enqueue.length; i++) {
            enqueue[i] = acquired(ENQUEUE_BASE + i);
        }
        counters[Counter.RECEIVED.ordinal()] = acquired(Counter.RECEIVED.ordinal());
        return new PathStats(name, kind, key, counters, drops, errors, enqueue);
    }

    /** A reader's load that later loads cannot pass (the snapshot's read order is what keeps it consistent). */
    private long acquired(int index) {
        return (long) VALUES.getAcquire(values, PAD + index);
    }

    private long enqueueValue(int key, int field) {
        return key >= 0 && key < maxKeys ? value(ENQUEUE_BASE + ENQUEUE_STRIDE * key + field) : 0;
    }

    @Override
    public String toString() {
        final StringBuilder out = new StringBuilder("PathCounters{").append(name);
        for (Counter counter : COUNTERS) {
            final long value = get(counter);
            if (value != 0) {
                out.append(", ").append(counter.name().toLowerCase()).append('=').append(value);
            }
        }
        for (DropReason reason : DropReason.all()) {
            final long value = dropped(reason);
            if (value != 0) {
                out.append(", drop.").append(reason.label()).append('=').append(value);
            }
        }
        return out.append('}').toString();
    }
}
