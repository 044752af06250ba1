package dev.steer.cluster;

import java.util.Arrays;

/**
 * The receiving node's answer to a {@link ForwardBatch}: every frame of the batch is now counted there. Per
 * segment (in the batch's order), how many frames it dropped because the key's ring was full and how many for
 * another reason (no such local entry, pool exhausted, oversize, a corrupt batch); the rest went into the ring.
 * One per batch, never per frame.
 *
 * @param sequence     the batch's number
 * @param ringFull     per segment: frames dropped as {@code ring_full} on the receiving node
 * @param otherDropped per segment: frames dropped for another reason on the receiving node
 */
public record BatchAck(long sequence, int[] ringFull, int[] otherDropped) implements ClusterMessage, NodeLink.Command {
    /**
     * @throws IllegalArgumentException when the two arrays differ in length
     */
    public BatchAck {
        if (ringFull.length != otherDropped.length) {
            throw new IllegalArgumentException("ringFull has " + ringFull.length + " segments, otherDropped "
                + otherDropped.length);
        }
    }

    /** Segments acknowledged. */
    public int segments() {
        return ringFull.length;
    }

    /** Frames of segment {@code segment} dropped on a full ring. */
    public int ringFull(int segment) {
        return ringFull[segment];
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof BatchAck ack && ack.sequence == sequence && Arrays.equals(ack.ringFull, ringFull)
            && Arrays.equals(ack.otherDropped, otherDropped);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(sequence) * 31 + Arrays.hashCode(ringFull) * 17 + Arrays.hashCode(otherDropped);
    }

    @Override
    public String toString() {
        return "BatchAck[sequence=" + sequence + ", ringFull=" + Arrays.toString(ringFull) + ", otherDropped="
            + Arrays.toString(otherDropped) + "]";
    }
}
