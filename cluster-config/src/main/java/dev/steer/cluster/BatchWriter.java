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
 * in-flight slot, and starts a batch in the smallest spare that holds it. Only when none does it makes a new
 * array, sized for the batch at hand ({@link #arrayBytes}: at most an eighth more, at most a full batch of full
 * frames) rather than for a full batch: an array whose batch is given up may stay in Artery's send queue, so what a
 * batch holds there is about what it carries, not {@code batchFrames × frameSize} whatever it carries. Spares
 * grow to the largest batches a link sends, so in steady state a link allocates no batch array. Owned by one
 * {@link NodeLink}: its thread only. Per batch: a scan of the spares; per frame: a copy, no allocation.
 */
final class BatchWriter {
    /** Byte order of every int in a batch, whatever the machine's. */
    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    /** Bytes before each segment's frames: key and frame count. */
    static final int SEGMENT_HEADER = 2 * Integer.BYTES;
    /** The finest step of new array sizes. */
    static final int MIN_STEP = 64;

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
     * Starts a batch of {@code bytes}: the smallest spare array that holds it, or a new one of
     * {@link #arrayBytes}. Write its segments with {@link #putSegment} from offset 0.
     */
    byte[] start(int bytes) {
        int best = -1;
        int smallest = -1;
        for (int i = 0; i < spareCount; i++) {
            final int length = spares[i].length;
            if (length >= bytes && (best < 0 || length < spares[best].length)) {
                best = i;
            }
            if (smallest < 0 || length < spares[smallest].length) {
                smallest = i;
            }
        }
        final byte[] data;
        if (best >= 0) {
            data = takeSpare(best);
        } else {
            if (smallest >= 0) {
                // Every spare is too small: drop one, so that the larger array takes its place once acknowledged.
                takeSpare(smallest);
            }
            data = new byte[arrayBytes(bytes, fullBatchBytes)];
        }
        out.wrap(data);
        return data;
    }

    /**
     * The size of a new array for a batch of {@code bytes}: rounded up to a multiple of an eighth of its highest
     * power of two, at least {@value #MIN_STEP} bytes (so at most 12.5 % or {@value #MIN_STEP} bytes more, and a
     * few sizes per octave serve every batch), but no more than a full batch ({@code fullBatchBytes}) unless the
     * batch itself is larger.
     */
    static int arrayBytes(int bytes, int fullBatchBytes) {
        final int step = Math.max(MIN_STEP, Integer.highestOneBit(bytes) >>> 3);
        final int rounded = (bytes + step - 1) / step * step;
        return Math.max(bytes, Math.min(rounded, fullBatchBytes));
    }

    private byte[] takeSpare(int i) {
        final byte[] spare = spares[i];
        spares[i] = spares[--spareCount];
        spares[spareCount] = null;
        return spare;
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
