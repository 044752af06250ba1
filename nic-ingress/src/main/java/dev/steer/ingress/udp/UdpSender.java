package dev.steer.ingress.udp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.UnsupportedAddressTypeException;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Sends frames as UDP datagrams to one {@link UdpFeed} (or anything listening on host:port): the sending
 * side of the UDP feed, for {@code steer loadgen} and tests. The channel is non-blocking and connected to
 * the target, so a send is one copy into a reused direct buffer and one {@code write}, allocation-free.
 * Results follow Aeron's style: the bytes sent, or a negative code.
 *
 * <p>Thread contract: one thread at a time.
 */
public final class UdpSender implements AutoCloseable {
    /** The socket's send buffer is full: nothing was sent; try again later. */
    public static final int BACK_PRESSURED = -1;
    /**
     * The frame is empty or longer than {@link #MAX_DATAGRAM}: nothing was sent. (NIO cannot send an empty
     * datagram, and an empty Ethernet frame means nothing.)
     */
    public static final int BAD_LENGTH = -2;
    /** The target answered a previous datagram with ICMP port unreachable: nothing was sent. */
    public static final int UNREACHABLE = -3;
    /** The sender is closed. */
    public static final int CLOSED = -4;
    /** Largest UDP payload over IPv4. */
    public static final int MAX_DATAGRAM = 65_507;

    private final DatagramChannel channel;
    private final ByteBuffer out = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    private final UnsafeBuffer outView = new UnsafeBuffer(out);
    private final InetSocketAddress target;

    /**
     * Opens a channel connected to {@code settings}' target.
     *
     * @throws IllegalArgumentException when the host does not resolve or the channel cannot be set up (an IPv6 host on
     *                                  a JVM whose sockets are IPv4 only, say), naming host and port; nothing stays
     *                                  open
     */
    public UdpSender(UdpSenderSettings settings) {
        if (settings == null) {
            throw new IllegalArgumentException("settings=null: must be UdpSenderSettings");
        }
        try {
            this.target = new InetSocketAddress(HostLookup.resolve(settings.host(), HostLookup.LIMIT), settings.port());
        } catch (UnknownHostException ex) {
            throw new IllegalArgumentException("host='" + settings.host() + "': "
                + (ex instanceof HostLookup.TimedOut ? ex.getMessage() : "does not resolve"));
        }
        DatagramChannel opened = null;
        try {
            opened = DatagramChannel.open();
            opened.configureBlocking(false);
            if (settings.sendBufferBytes() != 0) {
                opened.setOption(StandardSocketOptions.SO_SNDBUF, settings.sendBufferBytes());
            }
            opened.connect(target);
        } catch (IOException | UnsupportedAddressTypeException ex) {
            if (opened != null) {
                try {
                    opened.close();
                } catch (IOException closeFailure) {
                    ex.addSuppressed(closeFailure);
                }
            }
            throw new IllegalArgumentException("host='" + settings.host() + "', port=" + settings.port()
                + ": cannot set up a sender: " + UdpFeed.reason(ex), ex);
        }
        this.channel = opened;
    }

    /**
     * Sends {@code length} bytes of {@code buffer} from {@code offset} as one datagram.
     *
     * @return {@code length} when sent, else {@link #BACK_PRESSURED}, {@link #BAD_LENGTH}, {@link #UNREACHABLE}
     *         or {@link #CLOSED}
     * @throws UncheckedIOException for any other socket error
     */
    public int send(DirectBuffer buffer, int offset, int length) {
        if (length <= 0 || length > MAX_DATAGRAM) {
            return BAD_LENGTH;
        }
        out.clear();
        outView.putBytes(0, buffer, offset, length);
        out.limit(length);
        try {
            final int sent = channel.write(out);
            return sent == 0 ? BACK_PRESSURED : sent;
        } catch (PortUnreachableException ex) {
            return UNREACHABLE;
        } catch (ClosedChannelException ex) {
            return CLOSED;
        } catch (IOException ex) {
            throw new UncheckedIOException("udp sender to " + target + ": send failed", ex);
        }
    }

    /** The target address. */
    public InetSocketAddress target() {
        return target;
    }

    /** Closes the channel. Idempotent. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ex) {
            throw new UncheckedIOException("udp sender to " + target + ": close failed", ex);
        }
    }
}
