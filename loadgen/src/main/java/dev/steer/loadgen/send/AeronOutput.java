package dev.steer.loadgen.send;

import io.aeron.Aeron;
import io.aeron.Publication;
import org.agrona.DirectBuffer;

/**
 * Frames into an Aeron publication, one frame per message. The channel's MTU must hold the largest frame
 * (the feed takes one fragment as one frame), so channels without an {@code mtu} get one of
 * {@value #DEFAULT_MTU} bytes.
 */
public final class AeronOutput implements FrameOutput {
    /** MTU added to channels that give none: room for a 1518-byte frame (and jumbo frames up to 8 KiB). */
    public static final int DEFAULT_MTU = 8192;

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

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        publication.close();
    }
}
