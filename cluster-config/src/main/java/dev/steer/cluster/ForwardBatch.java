package dev.steer.cluster;

import org.apache.pekko.actor.typed.ActorRef;

import dev.steer.actors.DataPath;

/**
 * A batch of frames forwarded to the node that owns entry {@code key}: {@code frames} packets laid out in
 * {@code bytes} as (int length, length bytes) each. Allocated once per batch, never per frame.
 *
 * @param key      the map key; the receiving node enqueues into its local entry of that key
 * @param sequence the sender's batch number, echoed in the {@link BatchAck}
 * @param frames   packets in the batch
 * @param bytes    the packets, {@code length} bytes used
 * @param length   bytes of {@code bytes} in use
 * @param replyTo  the forwarder that waits for the acknowledgement
 */
public record ForwardBatch(int key, long sequence, int frames, byte[] bytes, int length,
                           ActorRef<DataPath.Command> replyTo) implements ClusterMessage, DataPath.Command {
}
