package dev.steer.cluster;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What one {@link NodeLink} has sent to its node since the actor system started: batches, the key segments and
 * frames in them, their bytes (the frames' layout, without Kryo's and Artery's envelopes), how each batch left the
 * link's window, and acknowledgements that came after their batch was given up. Written by the link only (once per
 * batch), read from any thread.
 *
 * <p>Each batch leaves the window once, in exactly one way, so with nothing in flight
 * {@code batches() = acknowledged() + timedOut() + abandoned()} (in flight: the difference, at most
 * {@code maxInFlight}). {@link #lateAcknowledged()} counts acknowledgements of batches already counted in
 * {@link #timedOut()} or {@link #abandoned()}, so it is at most their sum. On the sending node's entries,
 * {@code unreachable} = {@link #timedOutFrames()} + the frames counted when an entry was given up (its node removed,
 * its drain timed out): no frame is in both.
 */
public final class LinkStats {
    private final String address;
    private final String node;
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong segments = new AtomicLong();
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();
    private final AtomicLong timedOutFrames = new AtomicLong();
    private final AtomicLong late = new AtomicLong();
    private final AtomicLong abandoned = new AtomicLong();

    LinkStats(String address, String node) {
        this.address = address;
        this.node = node;
    }

    void sent(int segmentCount, int frameCount, int byteCount) {
        batches.lazySet(batches.get() + 1);
        segments.lazySet(segments.get() + segmentCount);
        frames.lazySet(frames.get() + frameCount);
        bytes.lazySet(bytes.get() + byteCount);
    }

    void acked() {
        acknowledged.lazySet(acknowledged.get() + 1);
    }

    void timedOut(int frameCount) {
        timedOut.lazySet(timedOut.get() + 1);
        timedOutFrames.lazySet(timedOutFrames.get() + frameCount);
    }

    void lateAck() {
        late.lazySet(late.get() + 1);
    }

    void abandon() {
        abandoned.lazySet(abandoned.get() + 1);
    }

    /**
     * The name of the node the link sends to, as its deployment names it ({@link ClusterSettings#nodeName}), or
     * its {@link #address()} when it has no name.
     */
    public String node() {
        return node;
    }

    /** The address of the node the link sends to, {@code pekko://system@host:port}. */
    public String address() {
        return address;
    }

    /** Batches sent. */
    public long batches() {
        return batches.get();
    }

    /** Key segments in the batches sent: above {@link #batches()} when batches carried several keys. */
    public long segments() {
        return segments.get();
    }

    /** Frames in the batches sent. */
    public long frames() {
        return frames.get();
    }

    /** Bytes of the batches sent: frames with their length prefixes and segment headers. */
    public long bytes() {
        return bytes.get();
    }

    /**
     * Batches acknowledged by the node while the link waited for them, also those some of whose entries were given
     * up meanwhile (those entries' frames are counted {@code unreachable} already; the acknowledgement counts the
     * others {@code forwarded}).
     */
    public long acknowledged() {
        return acknowledged.get();
    }

    /**
     * Batches whose acknowledgement did not come within the ack timeout: their frames are counted
     * {@code unreachable} on this node and their credits were freed.
     */
    public long timedOut() {
        return timedOut.get();
    }

    /**
     * Frames the {@link #timedOut()} batches counted {@code unreachable}: their frames but those of entries given up
     * before the timeout, which the give-up counted. A bound on the frames counted twice across the cluster because
     * an acknowledgement was late or lost.
     */
    public long timedOutFrames() {
        return timedOutFrames.get();
    }

    /**
     * Batches let go without an acknowledgement because every entry in them was given up (their node was removed, or
     * their drains timed out): their frames were counted {@code unreachable} then.
     */
    public long abandoned() {
        return abandoned.get();
    }

    /**
     * Acknowledgements that came after their batch was given up ({@link #timedOut()} or {@link #abandoned()}), so at
     * most the sum of the two. Those frames reached the node after all, so they are counted twice across the
     * cluster: {@code unreachable} here and received there. An acknowledgement lost on the way does the same
     * unseen, so 0 here proves nothing while {@link #timedOut()} is above 0. (An acknowledgement of a waiting batch
     * some of whose entries were given up meanwhile is in {@link #acknowledged()} only.)
     */
    public long lateAcknowledged() {
        return late.get();
    }

    @Override
    public String toString() {
        return "LinkStats[node=" + node + ", address=" + address + ", batches=" + batches() + ", segments="
            + segments() + ", frames=" + frames() + ", bytes=" + bytes() + ", acknowledged=" + acknowledged()
            + ", timedOut=" + timedOut() + ", timedOutFrames=" + timedOutFrames() + ", abandoned=" + abandoned()
            + ", lateAcknowledged=" + lateAcknowledged() + "]";
    }
}
