package dev.steer.cluster;

import org.apache.pekko.actor.typed.ActorRef;

import dev.steer.actors.DataPath;

/**
 * A batch of frames forwarded to the node that owns their keys, sent by the {@link NodeLink} to that node. In
 * {@code bytes}, {@code segments} segments follow each other, one per key: (int key, int count), then
 * {@code count} packets as (int length, length bytes) each. Allocated once per batch, never per frame.
 *
 * @param sequence the sender's batch number, echoed in the {@link BatchAck}
 * @param segments keys in the batch, each once
 * @param frames   packets in the batch, all segments together
 * @param bytes    the segments, {@code length} bytes used
 * @param length   bytes of {@code bytes} in use
 * @param replyTo  the link that waits for the acknowledgement
 * @param target   the incarnation of the receiving node the batch is for (the uid of its unique address), or
 *                 {@link #ANY_INCARNATION}: a node restarted at the address of a node that died takes no batch that was
 *                 sent to the dead one (see {@link FrameReceiver})
 * @throws IllegalArgumentException when {@code bytes} or {@code replyTo} is null
 */
public record ForwardBatch(long sequence, int segments, int frames, byte[] bytes, int length,
                           ActorRef<BatchAck> replyTo, long target) implements ClusterMessage, DataPath.Command {
    /**
     * The {@code target} of a batch that names no incarnation: whichever node runs at the address takes it. A link
     * sends one only while its node's view has shown no member at the address yet.
     */
    public static final long ANY_INCARNATION = 0;

    /**
     * Refuses what the receiver cannot do without: it answers every batch to {@code replyTo} and reads {@code bytes},
     * and threw at a null one. Counts and a length the bytes cannot hold stay the receiver's to count as a drop.
     */
    public ForwardBatch {
        DataPath.require(bytes, "ForwardBatch", "bytes", "the batch's segments");
        DataPath.require(replyTo, "ForwardBatch", "replyTo", "the ActorRef that receives the BatchAck");
    }
}
