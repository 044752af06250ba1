package dev.steer.ingress.udp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;

import org.agrona.concurrent.UnsafeBuffer;

import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameSink;
import dev.steer.engine.stats.DropReason;

/**
 * Receives Ethernet frames tunnelled in UDP: each datagram's payload, from any sender, is one frame. A
 * non-blocking {@link DatagramChannel} receives into one reused 64 KiB direct buffer, larger than any UDP
 * payload, so no datagram is cut; its true length goes to the sink, which counts one too large for a
 * frame as {@code oversize}. An empty datagram counts one {@link DropReason#FEED_TRUNCATED} drop. Every
 * frame of a poll is stamped with one cached {@link System#nanoTime()} reading.
 *
 * <p>Back-pressure: a datagram refused with {@link FrameSink#BACK_PRESSURED} stays in the buffer and is
 * offered first on the next poll. Datagrams the kernel drops because the socket buffer is full are not
 * seen by the feed and cannot be counted here (see {@code /proc/net/snmp} RcvbufErrors).
 *
 * <p>Thread contract: polled by one thread at a time; counters readable from any thread. Polling allocates
 * nothing in steady state (the JDK reuses the sender address object while the sender stays the same; a new
 * sender costs one address object). Receive takes the channel's uncontended internal lock.
 */
public final class UdpFeed implements Feed {
    /** Receive buffer size: above the largest UDP payload (65,507 bytes over IPv4, 65,527 over IPv6). */
    public static final int RECEIVE_BUFFER = 64 * 1024;

    private static final int NONE = -1;

    private final UdpSettings settings;
    private final DatagramChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(RECEIVE_BUFFER);
    private final UnsafeBuffer view = new UnsafeBuffer(buffer);
    private final int boundPort;
    private final int receiveBufferBytes;
    private int pendingLength = NONE;
    private boolean closed;

    // Single writer (the poll thread), published once per poll.
    private volatile long datagrams;
    private volatile long empty;
    private volatile long receiveErrors;

    /**
     * Opens and binds the channel.
     *
     * @throws IllegalArgumentException when the bind address does not resolve or the address cannot be bound,
     *                                  naming the setting and value
     */
    public UdpFeed(UdpSettings settings) {
        if (settings == null) {
            throw new IllegalArgumentException("settings=null: must be UdpSettings");
        }
        this.settings = settings;
        final InetAddress address;
        try {
            address = InetAddress.getByName(settings.bindAddress());
        } catch (UnknownHostException ex) {
            throw new IllegalArgumentException("bindAddress='" + settings.bindAddress() + "': does not resolve");
        }
        DatagramChannel opened = null;
        try {
            opened = DatagramChannel.open();
            opened.configureBlocking(false);
            if (settings.receiveBufferBytes() != 0) {
                opened.setOption(StandardSocketOptions.SO_RCVBUF, settings.receiveBufferBytes());
            }
            opened.bind(new InetSocketAddress(address, settings.port()));
            this.boundPort = ((InetSocketAddress) opened.getLocalAddress()).getPort();
            this.receiveBufferBytes = opened.getOption(StandardSocketOptions.SO_RCVBUF);
        } catch (IOException ex) {
            closeQuietly(opened);
            throw new IllegalArgumentException("bindAddress='" + settings.bindAddress() + "', port=" + settings.port()
                + ": cannot bind: " + ex.getMessage());
        }
        this.channel = opened;
    }

    /**
     * Hands at most {@code budget} datagrams to {@code sink}, a back-pressured one first. Never blocks;
     * allocation-free in steady state.
     *
     * @return datagrams taken (handed over or counted as dropped), 0 when none was waiting, {@link Feed#END} once closed
     */
    @Override
    public int poll(FrameSink sink, int budget) {
        if (closed) {
            return END;
        }
        final long now = System.nanoTime();
        int taken = 0;
        int emptyNow = 0;
        if (pendingLength != NONE) {
            if (sink.onFrame(view, 0, pendingLength, now) == FrameSink.BACK_PRESSURED) {
                return 0;
            }
            pendingLength = NONE;
            taken++;
        }
        try {
            while (taken < budget) {
                buffer.clear();
                final SocketAddress sender = channel.receive(buffer);
                if (sender == null) {
                    break;
                }
                final int length = buffer.position();
                if (length == 0) {
                    sink.onDropped(DropReason.FEED_TRUNCATED, 1);
                    emptyNow++;
                } else if (sink.onFrame(view, 0, length, now) == FrameSink.BACK_PRESSURED) {
                    pendingLength = length;
                    break;
                }
                taken++;
            }
        } catch (ClosedChannelException ex) {
            closed = true;
        } catch (IOException ex) {
            // An ICMP error or the like on an unconnected socket: nothing was received; count it and go on.
            receiveErrors++;
        }
        if (taken != 0) {
            datagrams += taken - emptyNow;
            if (emptyNow != 0) {
                empty += emptyNow;
            }
        }
        return taken == 0 && closed ? END : taken;
    }

    /** The port the feed is bound to (the ephemeral one when the settings said 0). Any thread. */
    public int boundPort() {
        return boundPort;
    }

    /** SO_RCVBUF as the kernel set it (Linux reports twice the size asked for, capped by rmem_max). */
    public int receiveBufferBytes() {
        return receiveBufferBytes;
    }

    /** Non-empty datagrams handed to the sink, which counts too large ones as oversize. Any thread. */
    public long datagrams() {
        return datagrams;
    }

    /** Empty datagrams counted as {@code feed_truncated}. Any thread. */
    public long emptyDatagrams() {
        return empty;
    }

    /** Receive calls that failed with an I/O error. Any thread. */
    public long receiveErrors() {
        return receiveErrors;
    }

    /** True while a back-pressured datagram waits in the buffer. Poll thread. */
    public boolean hasPending() {
        return pendingLength != NONE;
    }

    /** The settings the feed was opened with. */
    public UdpSettings settings() {
        return settings;
    }

    @Override
    public String name() {
        return settings.name();
    }

    /** Closes the socket; a datagram still pending is lost with it. Later polls return {@link Feed#END}. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(channel);
    }

    private static void closeQuietly(DatagramChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ex) {
                // Closing a datagram socket has nothing to flush; the descriptor is released either way.
            }
        }
    }
}
