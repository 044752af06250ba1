package dev.steer.engine.map;

import dev.steer.engine.frame.Frame;
import dev.steer.engine.frame.FramePool;
import dev.steer.engine.ring.ManyToOneRing;
import dev.steer.engine.stats.CpumapEnqueueEvent;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;

/**
 * Per (producer, entry) queue of up to {@link #SIZE} frames, flushed into the entry's ring with one claim
 * when full and at the end of every poll: the kernel's {@code xdp_bulk_queue}. Frames that do not fit the
 * ring at a flush are returned to their pools and counted as {@link DropReason#RING_FULL} drops.
 *
 * <p>Thread contract: owned by one producer thread. Allocation-free.
 */
public final class BulkQueue {
    /** Frames per bulk: 8, one cache line of references, as CPU_MAP_BULK_SIZE. */
    public static final int SIZE = 8;

    /**
     * Longest a lossless producer waits, in one poll, for consumers to make room that another producer took since
     * this producer's room check: the poll's flushes share it through their {@link FlushDeadline}, so a poll with
     * several blocked queues waits no longer than one. Past it the frames that still do not fit are dropped as
     * {@link DropReason#RING_FULL}.
     */
    public static final long LOSSLESS_FLUSH_WAIT_NS = 100_000_000L;

    private final int[] handles = new int[SIZE];
    private final PathCounters counters;
    /** Null for a queue that drops at once when the ring is full. */
    private final FlushDeadline deadline;
    private CpuMapEntry entry;
    private int count;
    private boolean listed;

    /** A queue whose flushes are recorded in {@code counters}, the producer's; a full ring drops. */
    public BulkQueue(PathCounters counters) {
        this(counters, null);
    }

    /**
     * A queue whose flushes are recorded in {@code counters}, the producer's. A lossless producer checks for room
     * before it takes each frame ({@code ManyToOneRing.hasRoomFor}); with several producers on one ring another one
     * can fill that room before this one flushes, so a lossless queue's flush that meets a full ring wakes the
     * consumer, counts a {@link PathCounters.Counter#FLUSH_WAITS flush wait} and waits for room until
     * {@code deadline}, which all the producer's queues share and the producer resets once per poll (at most
     * {@link #LOSSLESS_FLUSH_WAIT_NS} a poll); once it has passed, such a flush drops at once.
     *
     * @param deadline the producer's per-poll wait, or null for a queue that drops at once when the ring is full
     */
    public BulkQueue(PathCounters counters, FlushDeadline deadline) {
        this.counters = counters;
        this.deadline = deadline;
    }

    /** The entry the queue flushes into, or null before the first {@link #bind}. */
    public CpuMapEntry entry() {
        return entry;
    }

    /** Frames waiting. */
    public int count() {
        return count;
    }

    /** Whether the producer has the queue on its flush list; owned by the producer. */
    public boolean listed() {
        return listed;
    }

    /** Records whether the producer has the queue on its flush list. */
    public void listed(boolean listed) {
        this.listed = listed;
    }

    /** Points an empty queue at {@code entry}; flush it first when it holds frames. */
    public void bind(CpuMapEntry entry) {
        if (count != 0) {
            throw new IllegalStateException("bulk queue for " + this.entry + " still holds " + count + " frames");
        }
        this.entry = entry;
    }

    /**
     * Queues a frame, flushing first when the queue is full.
     *
     * @return frames dropped by that flush (0 when there was none)
     */
    public int enqueue(Frame frame) {
        int dropped = 0;
        if (count == SIZE) {
            dropped = flush();
        }
        handles[count++] = frame.handle();
        return dropped;
    }

    /**
     * Moves the queued frames into the entry's ring with one claim; what does not fit is released to the
     * pool and counted. Does not wake the consumer: the producer does that once per poll, at its
     * end-of-poll flush, as the kernel's {@code __cpu_map_flush} does.
     *
     * @return frames dropped because the ring was full
     */
    public int flush() {
        final int n = count;
        if (n == 0) {
            return 0;
        }
        int taken = entry.ring().offer(handles, 0, n);
        if (taken < n && deadline != null) {
            taken += waitForRoom(taken, n);
        }
        final int drops = n - taken;
        if (drops > 0) {
            FramePool.releaseAll(handles, taken, n);
            counters.drop(DropReason.RING_FULL, drops);
        }
        counters.enqueue(entry.key(), n, drops);
        CpumapEnqueueEvent.emit(entry.mapId(), n, drops, entry.cpu());
        count = 0;
        return drops;
    }

    /**
     * Lossless only: offers {@code handles[from..n)} until the ring takes them or the poll's wait ends; returns how
     * many. When an earlier flush of the poll has used the wait up, takes nothing, without reading the clock.
     */
    private int waitForRoom(int from, int n) {
        final ManyToOneRing ring = entry.ring();
        entry.wake();
        counters.increment(PathCounters.Counter.FLUSH_WAITS);
        if (deadline.passed()) {
            return 0;
        }
        final long until = deadline.deadline();
        int taken = from;
        do {
            Thread.yield(); // on a machine of few cores the consumer may need this one
            taken += ring.offer(handles, taken, n - taken);
        } while (taken < n && System.nanoTime() - until < 0);
        if (taken < n) {
            deadline.pass();
        }
        return taken - from;
    }
}
