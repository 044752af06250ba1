package dev.steer.engine.path;

import dev.steer.engine.frame.Frame;
import dev.steer.engine.frame.FramePool;
import dev.steer.engine.program.PacketView;

/**
 * A batch of frames as a {@link FrameHandler} sees it: a read-only view over the frame handles the
 * consumer took from its ring. {@link #frame(int)} resolves a handle with two array loads; nothing is
 * copied or allocated. Valid only during the handler call; one view per consumer, reused for every batch, and so
 * is the {@link PacketView} that {@link #packet(int)} points at a frame: a reader of the consumer's own thread.
 *
 * <p>{@link #key()} and {@link #cpu()} say which path called the handler: the entry's key and CPU for an entry's
 * consumer, {@link #LOCAL} for an ingress' local handler. Both are fixed when the path is built, so reading them
 * costs a field load and the batch carries nothing per frame.
 */
public final class FrameBatch {
    /**
     * {@link #key()} and {@link #cpu()} of a batch handed to an ingress' local handler (frames its program passed,
     * which reached no entry): -1, never a map key.
     */
    public static final int LOCAL = -1;

    private final int[] handles;
    private final int key;
    private final int cpu;
    private final PacketView packet = new PacketView();
    private int offset;
    private int size;

    FrameBatch(int[] handles, int key, int cpu) {
        this.handles = handles;
        this.key = key;
        this.cpu = cpu;
    }

    /** Points the view at {@code handles[offset, offset + size)}. */
    void window(int offset, int size) {
        this.offset = offset;
        this.size = size;
    }

    /**
     * The map key of the entry whose consumer calls the handler, or {@link #LOCAL} for an ingress' local handler.
     * Fixed for the consumer's life: a field load, any thread. It names the entry, not the thread: while an entry
     * is replaced, its old consumer drains its ring while the new one already runs, two threads with one key, so
     * state indexed by key that the handler writes must still allow two writers (an atomic add per batch, say).
     */
    public int key() {
        return key;
    }

    /**
     * The CPU of the entry whose consumer calls the handler, which runs pinned to it (unless pinning is off or the
     * OS refused it): the entry value's CPU, which on one node is the key. {@link #LOCAL} for an ingress' local handler, whose CPU the ingress settings
     * give ({@code ingressCpus}). Fixed for the consumer's life: a field load, any thread.
     */
    public int cpu() {
        return cpu;
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

    /**
     * The packet of frame {@code i}, 0 to {@code size() - 1}, through this batch's own bounds-checked view: offsets
     * from the packet's first byte (not the slot's), big-endian reads, -1 for an unsigned read outside the packet
     * ({@link PacketView}). The same view every call, pointed at the frame anew, so it reads frame {@code i} until
     * the next {@code packet} call, and only during the handler call; the consumer's thread only. Allocation-free.
     */
    public PacketView packet(int i) {
        return packet.wrap(frame(i));
    }

    /** Handle of frame {@code i}, 0 to {@code size() - 1}. */
    public int handle(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("frame " + i + " of a batch of " + size);
        }
        return handles[offset + i];
    }
}
