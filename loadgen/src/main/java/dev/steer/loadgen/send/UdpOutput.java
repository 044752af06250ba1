package dev.steer.loadgen.send;

import org.agrona.DirectBuffer;

import dev.steer.ingress.udp.UdpSender;
import dev.steer.ingress.udp.UdpSenderSettings;

/** Frames as UDP datagrams to a host and port: Ethernet frames tunnelled in UDP, one per datagram. */
public final class UdpOutput implements FrameOutput {
    private final UdpSender sender;
    /** The target as the user wrote it, HOST:PORT (an IPv6 address in brackets), not InetSocketAddress' "/addr:port". */
    private final String target;

    /** Opens a sender to {@code host:port}. */
    public UdpOutput(String host, int port) {
        this.sender = new UdpSender(UdpSenderSettings.of(host, port));
        this.target = (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public int send(DirectBuffer buffer, int offset, int length) {
        final int result = sender.send(buffer, offset, length);
        if (result >= 0) {
            return SENT;
        }
        return switch (result) {
            case UdpSender.BACK_PRESSURED -> BACK_PRESSURED;
            // ICMP port unreachable: nothing listens there. Not a full socket: counted apart from back-pressure.
            case UdpSender.UNREACHABLE -> REFUSED;
            default -> FAILED;
        };
    }

    @Override
    public String refusalWarning() {
        return "answers port unreachable: nothing receives there (is the engine's UDP feed listening on that address and"
            + " port?); such sends count as refused";
    }

    @Override
    public String describe() {
        return "udp " + target;
    }

    @Override
    public void close() {
        sender.close();
    }
}
