package dev.steer.cluster;

import org.agrona.concurrent.UnsafeBuffer;

import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameSink;

/**
 * Test feed: {@code limit} packets of {@value #LENGTH} bytes, packet i carrying i at {@link #SEQ_OFFSET}, handed
 * out only once {@link #open()} is called, so that a test can set the cluster map up first.
 */
final class SequenceFeed implements Feed {
    static final int LENGTH = 96;
    static final int SEQ_OFFSET = 16;

    private final long limit;
    private final long perMilli;
    private long openedAt;
    private final UnsafeBuffer packet = new UnsafeBuffer(new byte[LENGTH]);
    private volatile boolean open;
    private volatile long sent;

    SequenceFeed(long limit) {
        this(limit, 0);
    }

    /** A feed paced to at most {@code perMilli} packets per millisecond (0: unpaced). */
    SequenceFeed(long limit, long perMilli) {
        this.limit = limit;
        this.perMilli = perMilli;
    }

    void open() {
        openedAt = System.nanoTime();
        open = true;
    }

    long sent() {
        return sent;
    }

    @Override
    public int poll(FrameSink sink, int budget) {
        if (!open) {
            return 0;
        }
        long next = sent;
        if (next >= limit) {
            return END;
        }
        int taken = 0;
        final long now = System.nanoTime();
        final long allowed = perMilli == 0 ? limit : Math.min(limit, (now - openedAt) / 1_000_000 * perMilli);
        while (taken < budget && next < allowed) {
            packet.putLong(SEQ_OFFSET, next);
            if (sink.onFrame(packet, 0, LENGTH, now) == FrameSink.BACK_PRESSURED) {
                break;
            }
            next++;
            taken++;
        }
        sent = next;
        return taken;
    }

    @Override
    public String name() {
        return "sequence";
    }
}
