package dev.steer.loadgen.send;

import org.agrona.DirectBuffer;

import dev.steer.ingress.afpacket.AfPacketSender;

/** Frames out of a network interface through an AF_PACKET socket (needs CAP_NET_RAW). */
public final class AfPacketOutput implements FrameOutput {
    private final AfPacketSender sender;
    private final String description;

    /**
     * Opens a sender on {@code iface}, in network namespace {@code netns} (empty: this process' own).
     *
     * @throws dev.steer.ingress.afpacket.AfPacketException when the socket cannot be opened, saying why
     */
    public AfPacketOutput(String netns, String iface) {
        this.sender = netns.isEmpty() ? AfPacketSender.open(iface) : AfPacketSender.open(netns, iface);
        this.description = "afpacket " + (netns.isEmpty() ? "" : netns + "/") + iface;
    }

    @Override
    public int send(DirectBuffer buffer, int offset, int length) {
        final int result = sender.send(buffer, offset, length);
        if (result >= 0) {
            return SENT;
        }
        return result == AfPacketSender.BACK_PRESSURED ? BACK_PRESSURED : FAILED;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        sender.close();
    }
}
