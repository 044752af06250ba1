package dev.steer.loadgen.send;

import org.agrona.MutableDirectBuffer;

/**
 * Where a sender's frames come from: writes the next Ethernet frame into a buffer.
 *
 * <p>Thread contract: called by one sending thread; must not allocate per frame.
 */
@FunctionalInterface
public interface FrameSource {
    /**
     * Writes the next frame at {@code offset} of {@code buffer}, which has room for a frame of the source's
     * largest size.
     *
     * @return the frame's length in bytes
     */
    int next(MutableDirectBuffer buffer, int offset);

    /**
     * A source that repeats {@code frames} round-robin.
     *
     * @throws IllegalArgumentException when there is no frame
     */
    static FrameSource cycling(byte[][] frames) {
        if (frames.length == 0) {
            throw new IllegalArgumentException("a cycling frame source needs at least one frame");
        }
        final byte[][] copy = frames.clone();
        return new FrameSource() {
            private int next;

            @Override
            public int next(MutableDirectBuffer buffer, int offset) {
                final byte[] frame = copy[next];
                next = next + 1 == copy.length ? 0 : next + 1;
                buffer.putBytes(offset, frame);
                return frame.length;
            }
        };
    }
}
