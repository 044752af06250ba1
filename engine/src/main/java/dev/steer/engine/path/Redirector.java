package dev.steer.engine.path;

import dev.steer.engine.frame.Frame;
import dev.steer.engine.map.BulkQueue;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuMapEntry;
import dev.steer.engine.map.FlushDeadline;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.map.MapSnapshot;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.ring.ManyToOneRing;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;

/**
 * Carries out verdicts for one producer thread: keeps the map snapshot it read at its last quiescence
 * point, one {@link BulkQueue} per key, and the list of queues touched since the last flush (the
 * kernel's per-CPU flush list). Used by an ingress for its steering program and by a consumer for its
 * entry's remote program.
 *
 * <p>Thread contract: owned by one thread. {@link #refresh()} only at a quiescence point, with every bulk
 * queue flushed. Allocation-free.
 */
public final class Redirector {
    /** {@link #steer} result: the caller delivers the frame to its local handler. */
    public static final int PASS = 0;
    /** {@link #steer} result: the frame is in a bulk queue, or dropped, released and counted. */
    public static final int CONSUMED = 1;

    private final CpuMap map;
    private final PathCounters counters;
    private final DropReason dropReason;
    private final DropReason abortReason;
    private final BulkQueue[] queues;
    private final BulkQueue[] touched;
    /** One wait for room per poll, shared by every lossless bulk queue; reset at the end-of-poll flush. */
    private final FlushDeadline flushDeadline = new FlushDeadline();
    private int touchedCount;
    private final CpuMapEntry[] owed;
    private int owedCount;
    private MapSnapshot snapshot;

    /**
     * @param map         the map redirects go to
     * @param counters    the owning thread's counters
     * @param dropReason  how a DROP verdict is counted (program or remote-program drop)
     * @param abortReason how an ABORTED or unknown verdict is counted
     */
    public Redirector(CpuMap map, PathCounters counters, DropReason dropReason, DropReason abortReason) {
        this(map, counters, dropReason, abortReason, false);
    }

    /**
     * @param map         the map redirects go to
     * @param counters    the owning thread's counters
     * @param dropReason  how a DROP verdict is counted (program or remote-program drop)
     * @param abortReason how an ABORTED or unknown verdict is counted
     * @param lossless    whether its bulk queues wait for room a racing producer took, at most
     *                    {@link BulkQueue#LOSSLESS_FLUSH_WAIT_NS} for all of them in one poll (see {@link BulkQueue})
     */
    public Redirector(CpuMap map, PathCounters counters, DropReason dropReason, DropReason abortReason,
                      boolean lossless) {
        this.map = map;
        this.counters = counters;
        this.dropReason = dropReason;
        this.abortReason = abortReason;
        this.queues = new BulkQueue[map.maxEntries()];
        this.touched = new BulkQueue[map.maxEntries()];
        this.owed = new CpuMapEntry[map.maxEntries()];
        for (int i = 0; i < queues.length; i++) {
            queues[i] = new BulkQueue(counters, lossless ? flushDeadline : null);
        }
        this.snapshot = map.snapshot();
    }

    /** The poll's shared wait for room of the lossless bulk queues (unused when not lossless); for tests. */
    FlushDeadline flushDeadline() {
        return flushDeadline;
    }

    /** Reads the map's current snapshot. Only at a quiescence point: every bulk queue must be flushed. */
    public void refresh() {
        snapshot = map.snapshot();
    }

    /** The snapshot in use. */
    public MapSnapshot snapshot() {
        return snapshot;
    }

    /**
     * Carries out {@code verdict} for {@code frame}: PASS (or a redirect whose key has no entry, with fallback
     * PASS) returns {@link #PASS} and the caller delivers the frame; a redirect to an entry queues the frame;
     * DROP, ABORTED, unknown verdicts, a missing entry with fallback DROP or ABORTED, and a frame that does not
     * fit its slot (EOVERFLOW) release the frame and count it.
     */
    public int steer(Frame frame, long verdict) {
        final int action = Verdict.action(verdict);
        if (action == Verdict.REDIRECT) {
            return redirect(frame, verdict);
        }
        if (action == Verdict.PASS) {
            return PASS;
        }
        frame.release();
        discard(verdict);
        return CONSUMED;
    }

    /**
     * Counts a DROP, ABORTED or unknown verdict: for a packet that has no frame (the ingress runs its program
     * before it leases one), and for a frame {@link #steer} has released.
     */
    public void discard(long verdict) {
        counters.drop(Verdict.action(verdict) == Verdict.DROP ? dropReason : abortReason, 1);
    }

    private int redirect(Frame frame, long verdict) {
        final int key = Verdict.key(verdict);
        final CpuMapEntry entry = snapshot.entry(key);
        if (entry == null) {
            final int fallback = Verdict.fallback(verdict);
            if (fallback == Verdict.PASS) {
                return PASS;
            }
            drop(frame, fallback == Verdict.DROP ? DropReason.NO_ENTRY : abortReason);
            return CONSUMED;
        }
        if (!frame.fits()) {
            counters.redirectError(MapResult.EOVERFLOW);
            drop(frame, DropReason.REDIRECT_ERROR);
            return CONSUMED;
        }
        final BulkQueue queue = queues[key];
        if (queue.entry() != entry) {
            queue.flush();
            queue.bind(entry);
        }
        if (!queue.listed()) {
            queue.listed(true);
            touched[touchedCount++] = queue;
        }
        queue.enqueue(frame);
        counters.increment(PathCounters.Counter.REDIRECTED);
        return CONSUMED;
    }

    private void drop(Frame frame, DropReason reason) {
        frame.release();
        counters.drop(reason, 1);
    }

    /** Flushes every bulk queue touched since the last flush, waking their consumers and any owed a wake-up. */
    public void flush() {
        flush(false);
    }

    /**
     * Flushes every bulk queue touched since the last flush. With {@code deferWakeups} the consumers of the
     * queues that took all their frames are not woken now but owed a wake-up, which the next flush without it
     * or {@link #wakeOwed()} pays (interrupt moderation: a parked consumer then wakes to several polls' worth
     * of frames, for one unpark); a queue whose flush met a full ring wakes its consumer at once. Ends the poll
     * for the lossless wait: the flushes since the previous call, this one's included, shared one wait for room.
     */
    public void flush(boolean deferWakeups) {
        final int n = touchedCount;
        for (int i = 0; i < n; i++) {
            final BulkQueue queue = touched[i];
            if (queue.flush() > 0) {
                queue.entry().wake();
            } else {
                owe(queue.entry());
            }
            queue.listed(false);
            touched[i] = null;
        }
        touchedCount = 0;
        flushDeadline.reset();
        if (!deferWakeups) {
            wakeOwed();
        }
    }

    /** Wakes the consumers owed a wake-up by deferred flushes. */
    public void wakeOwed() {
        for (int i = 0; i < owedCount; i++) {
            owed[i].wake();
            owed[i] = null;
        }
        owedCount = 0;
    }

    private void owe(CpuMapEntry entry) {
        for (int i = 0; i < owedCount; i++) {
            if (owed[i] == entry) {
                return;
            }
        }
        if (owedCount == owed.length) {
            entry.wake(); // more distinct entries than keys (replaced ones among them): no room to defer
            return;
        }
        owed[owedCount++] = entry;
    }

    /**
     * Whether a redirect to {@code key} would find room in its ring for the frames this thread already has
     * queued for it plus one more; true when the key has no entry (the redirect then takes its fallback). For
     * lossless feeds, which must not overfill a ring. The ring's cached limit answers without touching the
     * consumer's index, which is read only when the cached limit says no (see {@link ManyToOneRing#hasRoomFor}).
     * Another producer may still fill the ring before this thread flushes; a lossless bulk queue's flush then waits
     * for the consumer to make room (see {@link BulkQueue#LOSSLESS_FLUSH_WAIT_NS}).
     */
    public boolean hasRoom(int key) {
        final CpuMapEntry entry = snapshot.entry(key);
        if (entry == null) {
            return true;
        }
        final BulkQueue queue = queues[key];
        final int pending = queue.entry() == entry ? queue.count() : 0;
        return entry.ring().hasRoomFor(pending + 1);
    }
}
