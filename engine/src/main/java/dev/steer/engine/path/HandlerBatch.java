package dev.steer.engine.path;

import dev.steer.engine.frame.Frame;
import dev.steer.engine.frame.FramePool;
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

    private final Frame[] frames;
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
        this.frames = new Frame[capacity];
        this.handler = handler;
        this.counters = counters;
        this.errors = errors;
    }

    /** Adds a frame, handing the batch over first when it is full. */
    public void add(Frame frame) {
        if (count == frames.length) {
            deliver();
        }
        frames[count++] = frame;
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
        try {
            handler.onFrames(frames, n);
            counters.add(PathCounters.Counter.DELIVERED, n);
        } catch (Throwable error) {
            counters.increment(PathCounters.Counter.HANDLER_EXCEPTIONS);
            counters.drop(DropReason.HANDLER_ERROR, n);
            errors.onError(counters.name(), error);
        }
        FramePool.releaseAll(frames, 0, n);
        for (int i = 0; i < n; i++) {
            frames[i] = null;
        }
        count = 0;
    }
}
