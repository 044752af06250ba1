package dev.steer.cluster;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What this node's {@link FrameReceiver} refused since the actor system started: batches (and their frames) that name
 * another incarnation of this node's address, sent to a node that ran here before this one. They are not in the
 * receiver's ingress row (not received, not dropped here): their senders count the frames {@code unreachable}. The
 * frames are as many as the batches claim. Written by the receiver only (once per refused batch), read from any
 * thread.
 */
public final class ReceiverStats {
    private final AtomicLong refusedBatches = new AtomicLong();
    private final AtomicLong refusedFrames = new AtomicLong();

    void refused(int frames) {
        refusedBatches.lazySet(refusedBatches.get() + 1);
        refusedFrames.lazySet(refusedFrames.get() + frames);
    }

    /** Batches refused because they name another incarnation of this node's address. */
    public long refusedBatches() {
        return refusedBatches.get();
    }

    /** Frames the {@link #refusedBatches()} claimed to hold. */
    public long refusedFrames() {
        return refusedFrames.get();
    }

    @Override
    public String toString() {
        return "ReceiverStats[refusedBatches=" + refusedBatches() + ", refusedFrames=" + refusedFrames() + "]";
    }
}
