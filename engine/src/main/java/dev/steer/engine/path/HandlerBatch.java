package dev.steer.engine.path;

import dev.steer.engine.frame.Frame;
import dev.steer.engine.frame.FramePool;
import dev.steer.engine.ring.ManyToOneRing;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;

/**
 * Collects frames for a {@link FrameHandler} and hands them over in batches, then returns them to their
 * pools. A handler that throws gets the batch counted as {@link DropReason#HANDLER_ERROR} drops, with the
 * exception counted and passed to the error sink; the frames are returned either way.
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
    private final FrameBatch view;
    private final FrameHandler handler;
    private final PathCounters counters;
    private final ErrorSink errors;
    private int count;

    /**
     * @param capacity frames per handler call, at least 1
     * @param handler  the handler
     * @param counters the owning path's counters
     * @param errors   where handler exceptions are reported
     */
    public HandlerBatch(int capacity, FrameHandler handler, PathCounters counters, ErrorSink errors) {
        if (capacity < 1) {
            throw new IllegalArgumentException("batch size=" + capacity + ": must be at least 1");
        }
        this.handles = new int[capacity];
        this.view = new FrameBatch(handles);
        this.handler = handler;
        this.counters = counters;
        this.errors = errors;
    }

    /** Adds a frame, handing the batch over first when it is full. */
    public void add(Frame frame) {
        if (count == handles.length) {
            deliver();
        }
        handles[count++] = frame.handle();
    }

    /**
     * Drains up to a batch of frames from {@code ring} straight into the (empty) batch, saving a copy
     * through an intermediate array. Consumer thread of the ring only.
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

    /** Frames waiting. */
    public int count() {
        return count;
    }

    /** Hands the waiting frames to the handler, then releases them. */
    public void deliver() {
        final int n = count;
        if (n == 0) {
            return;
        }
        view.size(n);
        try {
            handler.onFrames(view);
            counters.add(PathCounters.Counter.DELIVERED, n);
        } catch (Throwable error) {
            counters.increment(PathCounters.Counter.HANDLER_EXCEPTIONS);
            counters.drop(DropReason.HANDLER_ERROR, n);
            report(errors, counters, error);
        } finally {
            view.size(0);
            count = 0;
            FramePool.releaseAll(handles, 0, n);
        }
    }
}
