package dev.steer.cluster;

import java.nio.ByteOrder;

import org.agrona.concurrent.UnsafeBuffer;

import dev.steer.engine.frame.Frame;
import dev.steer.engine.frame.FramePool;

/**
 * The byte layout of a {@link ForwardBatch} and the sender's writer of it. A batch is segments one after the
 * other, one per key: (int key, int count), then {@code count} packets as (int length, length bytes), every int
 * in {@link #ORDER}. {@link FrameReceiver} reads what this writes.
 *
 * <p>The writer keeps the arrays that acknowledged batches give back ({@link #recycle}), at most one per
 * in-flight slot, and makes a new one sized for a full batch of full frames only when none is spare, so that in
 * steady state a link allocates no batch array. Owned by one {@link NodeLink}: its thread only. Per frame: a
 * copy, no allocation.
 */
final class BatchWriter {
    /** Byte order of every int in a batch, whatever the machine's. */
    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    /** Bytes before each segment's frames: key and frame count. */
    static final int SEGMENT_HEADER = 2 * Integer.BYTES;

    private final UnsafeBuffer out = new UnsafeBuffer(new byte[0]);
    private final byte[][] spares;
    private int spareCount;
    private final int fullBatchBytes;

    /**
     * @param maxInFlight most batches unacknowledged at once: the most spare arrays worth keeping
     * @param batchFrames most frames in a batch
     * @param frameSize   the node's frame size, a bound on every packet's length
     */
    BatchWriter(int maxInFlight, int batchFrames, int frameSize) {
        this.spares = new byte[maxInFlight][];
        this.fullBatchBytes = batchFrames * (Integer.BYTES + frameSize + SEGMENT_HEADER);
    }

    /** Bytes that a segment of the frames {@code handles[from, from + count)} takes in a batch. */
    static int segmentBytes(int[] handles, int from, int count) {
        int bytes = SEGMENT_HEADER;
        for (int i = from; i < from + count; i++) {
            bytes += Integer.BYTES + FramePool.frame(handles[i]).length();
        }
        return bytes;
    }

    /**
     * Starts a batch of {@code bytes}: a spare array that holds it, or a new one. Write its segments with
     * {@link #putSegment} from offset 0.
     */
    byte[] start(int bytes) {
        byte[] data = null;
        while (spareCount > 0 && data == null) {
            final byte[] spare = spares[--spareCount];
            spares[spareCount] = null;
            if (spare.length >= bytes) {
                data = spare;
            }
        }
        if (data == null) {
            data = new byte[Math.max(bytes, fullBatchBytes)];
        }
        out.wrap(data);
        return data;
    }

    /**
     * Writes the segment of {@code key} with the frames {@code handles[from, from + count)} at {@code offset} of
     * the batch begun by {@link #start}; the frames stay leased.
     *
     * @return the offset after the segment
     */
    int putSegment(int offset, int key, int[] handles, int from, int count) {
        out.putInt(offset, key, ORDER);
        out.putInt(offset + Integer.BYTES, count, ORDER);
        int at = offset + SEGMENT_HEADER;
        for (int i = from; i < from + count; i++) {
            final Frame frame = FramePool.frame(handles[i]);
            final int length = frame.length();
            out.putInt(at, length, ORDER);
            out.putBytes(at + Integer.BYTES, frame.buffer(), frame.dataOffset(), length);
            at += Integer.BYTES + length;
        }
        return at;
    }

    /**
     * Takes back the array of an acknowledged batch for a later one. Only for acknowledged batches: acknowledged
     * means received, so Artery has long serialised it; a batch given up may still be held by Artery.
     */
    void recycle(byte[] data) {
        if (data != null && spareCount < spares.length) {
            spares[spareCount++] = data;
        }
    }
}
