package dev.steer.loadgen.send;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

import org.agrona.DirectBuffer;

import dev.steer.ingress.udp.HostLookup;
import dev.steer.ingress.udp.UdpSender;
import dev.steer.ingress.udp.UdpSenderSettings;

/** Frames as UDP datagrams to a host and port: Ethernet frames tunnelled in UDP, one per datagram. */
public final class UdpOutput implements FrameOutput {
    /**
     * How long the host's lookup may take: a name server that never answers would otherwise hang the command, and with
     * it Ctrl-C, whose hook waits for the send to end.
     */
    public static final Duration RESOLVE_LIMIT = HostLookup.LIMIT;

    private final UdpSender sender;
    /** The target as the user wrote it, HOST:PORT (an IPv6 address in brackets), not InetSocketAddress' "/addr:port". */
    private final String target;

    /**
     * Looks {@code host} up, for at most {@link #RESOLVE_LIMIT}, and opens a sender to it and {@code port}.
     *
     * @throws IllegalArgumentException when the host does not resolve, not within the limit, or the sender cannot be
     *                                  set up, naming the host
     */
    public UdpOutput(String host, int port) {
        this.sender = new UdpSender(UdpSenderSettings.of(resolve(host, RESOLVE_LIMIT).getHostAddress(), port));
        this.target = (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * {@code host}'s address, looked up for at most {@code limit} ({@link HostLookup}). Off the hot path.
     *
     * @throws IllegalArgumentException naming the host (and the limit, when it ran over)
     */
    static InetAddress resolve(String host, Duration limit) {
        try {
            return HostLookup.resolve(host, limit);
        } catch (HostLookup.TimedOut ex) {
            throw new IllegalArgumentException("host " + host + " " + ex.getMessage());
        } catch (UnknownHostException ex) {
            throw new IllegalArgumentException("host " + host + " does not resolve; give an address, or a name the resolver"
                + " answers");
        }
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
