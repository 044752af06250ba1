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

    /**
     * Stages the frame; a batch goes out with one sendmmsg(2) when it is full or at {@link #flush()}. A frame the kernel
     * refuses for itself (longer than the interface's MTU) is {@link #REJECTED} here when it is sent alone (longer than a
     * batch slot), or counted in {@link #rejected()} when its batch goes out.
     */
    @Override
    public int send(DirectBuffer buffer, int offset, int length) {
        final int result = sender.stage(buffer, offset, length);
        if (result >= 0) {
            return SENT;
        }
        return switch (result) {
            case AfPacketSender.BACK_PRESSURED -> BACK_PRESSURED;
            case AfPacketSender.TOO_LONG -> REJECTED;
            default -> FAILED;
        };
    }

    @Override
    public long rejected() {
        return sender.refused();
    }

    @Override
    public String refusalWarning() {
        return "refuses frames longer than the interface's MTU allows (EMSGSIZE): they are not sent and count as"
            + " refused; raise the MTU (`ip link set dev " + sender.iface() + " mtu N`) or send smaller --sizes";
    }

    @Override
    public int flush() {
        return sender.flush() == AfPacketSender.FAILED ? FAILED : SENT;
    }

    @Override
    public long discarded() {
        return sender.discarded();
    }

    @Override
    public long droppedBytes() {
        return sender.droppedBytes();
    }

    @Override
    public String lastError() {
        return sender.lastError();
    }

    @Override
    public boolean drain(long timeoutNs) {
        final long deadline = System.nanoTime() + timeoutNs;
        while (sender.staged() > 0) {
            if (sender.flush() == AfPacketSender.FAILED || System.nanoTime() > deadline) {
                return sender.staged() == 0;
            }
            Thread.onSpinWait();
        }
        return true;
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
