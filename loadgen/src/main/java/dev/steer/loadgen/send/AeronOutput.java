package dev.steer.loadgen.send;

import java.util.concurrent.locks.LockSupport;

import io.aeron.Aeron;
import io.aeron.AeronCounters;
import io.aeron.Publication;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.status.CountersReader;

/**
 * Frames into an Aeron publication, one frame per message. The channel's MTU must hold the largest frame
 * (the feed takes one fragment as one frame), so channels without an {@code mtu} get one of
 * {@value #DEFAULT_MTU} bytes.
 */
public final class AeronOutput implements FrameOutput {
    /** MTU added to channels that give none: room for a 1518-byte frame (and jumbo frames up to 8 KiB). */
    public static final int DEFAULT_MTU = 8192;

    private static final long LINGER_NS = 100_000_000L;

    private final Aeron aeron;
    private final Publication publication;
    private final String description;

    /**
     * @param aeron    connected client
     * @param channel  Aeron channel URI
     * @param streamId stream id
     */
    public AeronOutput(Aeron aeron, String channel, int streamId) {
        final String withMtu = channel.contains("mtu=") ? channel
            : channel + (channel.contains("?") ? "|" : "?") + "mtu=" + DEFAULT_MTU;
        this.aeron = aeron;
        this.publication = aeron.addPublication(withMtu, streamId);
        this.description = "aeron " + withMtu + " stream " + streamId;
    }

    @Override
    public int send(DirectBuffer buffer, int offset, int length) {
        final long result = publication.offer(buffer, offset, length);
        if (result >= 0) {
            return SENT;
        }
        if (result == Publication.BACK_PRESSURED || result == Publication.ADMIN_ACTION) {
            return BACK_PRESSURED;
        }
        if (result == Publication.NOT_CONNECTED) {
            return NOT_CONNECTED;
        }
        return FAILED;
    }

    /** True once a subscriber is connected. */
    public boolean isConnected() {
        return publication.isConnected();
    }

    /**
     * Waits until the media driver's sender has sent everything published (UDP); IPC has no sender, and its
     * subscribers read the log directly, so it returns at once. Without this, closing an embedded driver right
     * after the last offer would drop what it had not yet sent.
     */
    @Override
    public boolean drain(long timeoutNs) {
        final long deadline = System.nanoTime() + timeoutNs;
        final long target = publication.position();
        final CountersReader counters = aeron.countersReader();
        final int[] senderPosition = {CountersReader.NULL_COUNTER_ID};
        counters.forEach((counterId, typeId, key, label) -> {
            if (typeId == AeronCounters.DRIVER_SENDER_POSITION_TYPE_ID
                && key.getLong(0) == publication.originalRegistrationId()) {
                senderPosition[0] = counterId;
            }
        });
        if (senderPosition[0] == CountersReader.NULL_COUNTER_ID) {
            return true;
        }
        while (counters.getCounterValue(senderPosition[0]) < target) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(1_000_000);
        }
        // Keep the sender up a little longer for retransmissions the receiver may still ask for.
        LockSupport.parkNanos(LINGER_NS);
        return true;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        publication.close();
    }
}
