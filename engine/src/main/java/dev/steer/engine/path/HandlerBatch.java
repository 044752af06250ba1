package dev.steer.engine.path;

import dev.steer.engine.frame.Frame;
import dev.steer.engine.frame.FramePool;
import dev.steer.engine.ring.ManyToOneRing;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;

/**
 * Collects frames for a {@link FrameHandler}, hands them over in batches of {@code batchSize}, and returns
 * them to their pools in one go when it holds {@code capacity} frames or when {@link #deliver()} is called:
 * the handler sees small batches (8 by default, as CPUMAP_BATCH) while a pool's free ring takes one claim per
 * up to {@code capacity} returned frames (as the kernel's {@code xdp_frame_bulk}). A handler that throws gets
 * its batch counted as {@link DropReason#HANDLER_ERROR} drops, with the exception counted and passed to the
 * error sink; the frames are returned either way.
 *
 * <p>Thread contract: owned by one thread. Allocation-free.
 */
public final class HandlerBatch {
    /** Receives handler exceptions; called on the data-path thread, so it must be cheap and must not throw. */
    @FunctionalInterface
    public interface ErrorSink {
        /** An error sink that ignores the exception (it is still counted). */
        ErrorSink IGNORE = (where, error) -> { };

        /** Reports {@code error}, thrown by the handler of path {@code where}. */
        void onError(String where, Throwable error);
    }

    /**
     * Reports {@code error} to {@code errors}; an exception from the sink itself is contained and counted in
     * {@link PathCounters.Counter#ERROR_HANDLER_FAILURES}, so a faulty error handler cannot break the data path.
     */
    public static void report(ErrorSink errors, PathCounters counters, Throwable error) {
        try {
            errors.onError(counters.name(), error);
        } catch (Throwable sinkFailure) {
            counters.increment(PathCounters.Counter.ERROR_HANDLER_FAILURES);
        }
    }

    private final int[] handles;
    private final int batchSize;
    private final FrameBatch view;
    private final FrameHandler handler;
    private final PathCounters counters;
    private final ErrorSink errors;
    /** Frames held, handed over or not. */
    private int count;
    /** Frames {@code [0, handed)} have been handed to the handler and wait only to be returned. */
    private int handed;
    /** Bit i: the handler refused the call that began at held frame {@code i * batchSize}; see {@link #refusals()}. */
    private long refusals;

    /**
     * A batch for an ingress' local handler ({@link FrameBatch#key()} {@link FrameBatch#LOCAL}) that returns frames
     * after every handler call.
     *
     * @param batchSize frames per handler call, at least 1
     * @param handler   the handler
     * @param counters  the owning path's counters
     * @param errors    where handler exceptions are reported
     */
    public HandlerBatch(int batchSize, FrameHandler handler, PathCounters counters, ErrorSink errors) {
        this(batchSize, batchSize, FrameBatch.LOCAL, FrameBatch.LOCAL, handler, counters, errors);
    }

    /**
     * A batch for an ingress' local handler ({@link FrameBatch#key()} {@link FrameBatch#LOCAL}).
     *
     * @param batchSize frames per handler call, at least 1
     * @param capacity  frames held before they are returned to their pools, at least {@code batchSize}
     * @param handler   the handler
     * @param counters  the owning path's counters
     * @param errors    where handler exceptions are reported
     */
    public HandlerBatch(int batchSize, int capacity, FrameHandler handler, PathCounters counters, ErrorSink errors) {
        this(batchSize, capacity, FrameBatch.LOCAL, FrameBatch.LOCAL, handler, counters, errors);
    }

    /**
     * @param batchSize frames per handler call, at least 1
     * @param capacity  frames held before they are returned to their pools, at least {@code batchSize}
     * @param key       what {@link FrameBatch#key()} tells the handler: the entry's key, or {@link FrameBatch#LOCAL}
     * @param cpu       what {@link FrameBatch#cpu()} tells the handler: the entry's CPU, or {@link FrameBatch#LOCAL}
     * @param handler   the handler
     * @param counters  the owning path's counters
     * @param errors    where handler exceptions are reported
     */
    public HandlerBatch(int batchSize, int capacity, int key, int cpu, FrameHandler handler, PathCounters counters,
                        ErrorSink errors) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size=" + batchSize + ": must be at least 1");
        }
        if (capacity < batchSize) {
            throw new IllegalArgumentException("capacity=" + capacity + ": must be at least the batch size "
                + batchSize);
        }
        this.handles = new int[capacity];
        this.batchSize = batchSize;
        this.view = new FrameBatch(handles, key, cpu);
        this.handler = handler;
        this.counters = counters;
        this.errors = errors;
    }

    /** Adds a frame; hands a batch to the handler when one is complete, and returns all held frames when full. */
    public void add(Frame frame) {
        if (count == handles.length) {
            deliver();
        }
        handles[count++] = frame.handle();
        if (count - handed == batchSize) {
            handOver(handed, batchSize);
            handed = count;
        }
    }

    /**
     * Drains up to {@code capacity} frames from {@code ring} straight into the (emptied) batch, saving a copy
     * through an intermediate array; {@link #deliver()} then hands them over and returns them. Consumer thread of
     * the ring only.
     *
     * @return frames taken
     */
    public int drainFrom(ManyToOneRing ring) {
        if (count != 0) {
            deliver();
        }
        count = ring.drain(handles, handles.length);
        return count;
    }

    /** Frames held, handed over or not. */
    public int count() {
        return count;
    }

    /**
     * The handler calls that threw since {@link #clearRefusals()}: bit {@code i} set when the call that began at held
     * frame {@code i * batchSize} did (calls always begin at a multiple of the batch size; a {@link #deliver()} starts
     * counting from frame 0 again, and the 65th call of a round would share bit 0). Lets a caller that knows where its
     * frames were held say which of them were refused; set only on the refusal path, so free otherwise.
     */
    long refusals() {
        return refusals;
    }

    /** Forgets the refusals {@link #refusals()} reports. */
    void clearRefusals() {
        refusals = 0;
    }

    /** Hands the frames not yet handed over to the handler, in batches, then returns every held frame. */
    public void deliver() {
        final int n = count;
        if (n == 0) {
            return;
        }
        try {
            for (int at = handed; at < n; at += batchSize) {
                handOver(at, Math.min(batchSize, n - at));
            }
        } finally {
            handed = 0;
            count = 0;
            FramePool.releaseAll(handles, 0, n);
        }
    }

    private void handOver(int from, int size) {
        view.window(from, size);
        try {
            handler.onFrames(view);
            counters.add(PathCounters.Counter.DELIVERED, size);
        } catch (Throwable error) {
            counters.increment(PathCounters.Counter.HANDLER_EXCEPTIONS);
            counters.drop(DropReason.HANDLER_ERROR, size);
            refusals |= 1L << (from / batchSize);
            report(errors, counters, error);
        } finally {
            view.window(0, 0);
        }
    }
}
