package dev.steer.engine.path;

import dev.steer.engine.frame.Frame;
import dev.steer.engine.frame.FramePool;

/**
 * A batch of frames as a {@link FrameHandler} sees it: a read-only view over the frame handles the
 * consumer took from its ring. {@link #frame(int)} resolves a handle with two array loads; nothing is
 * copied or allocated. Valid only during the handler call; one view per consumer, reused for every batch.
 */
public final class FrameBatch {
    private final int[] handles;
    private int offset;
    private int size;

    FrameBatch(int[] handles) {
        this.handles = handles;
    }

    /** Points the view at {@code handles[offset, offset + size)}. */
    void window(int offset, int size) {
        this.offset = offset;
        this.size = size;
    }

    /** Frames in the batch, at least 1 during a handler call. */
    public int size() {
        return size;
    }

    /** Frame {@code i} of the batch, 0 to {@code size() - 1}. */
    public Frame frame(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("frame " + i + " of a batch of " + size);
        }
        return FramePool.frame(handles[offset + i]);
    }

    /** Handle of frame {@code i}, 0 to {@code size() - 1}. */
    public int handle(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("frame " + i + " of a batch of " + size);
        }
        return handles[offset + i];
    }
}
