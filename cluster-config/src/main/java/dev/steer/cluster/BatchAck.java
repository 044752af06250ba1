package dev.steer.cluster;

import dev.steer.actors.DataPath;

/**
 * The receiving node's answer to a {@link ForwardBatch}: every frame of the batch is now counted there, as
 * {@code accepted} into the entry's ring, {@code ringFull} dropped because the ring was full, or
 * {@code otherDropped} dropped for another reason (no such local entry, pool exhausted, oversize).
 *
 * @param sequence     the batch's number
 * @param accepted     frames enqueued into the ring
 * @param ringFull     frames dropped as {@code ring_full} on the receiving node
 * @param otherDropped frames dropped for another reason on the receiving node
 */
public record BatchAck(long sequence, int accepted, int ringFull, int otherDropped)
    implements ClusterMessage, DataPath.Command {
    /** Frames of the batch. */
    public int frames() {
        return accepted + ringFull + otherDropped;
    }
}
