package dev.steer.ingress.udp;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.function.IntFunction;

import org.agrona.concurrent.UnsafeBuffer;

import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameSink;
import dev.steer.engine.stats.DropReason;
import dev.steer.ingress.FirstPollOverruns;

/**
 * Receives Ethernet frames tunnelled in UDP: each datagram's payload, from any sender, is one frame. A
 * non-blocking {@link DatagramChannel} receives into one reused 64 KiB direct buffer, larger than any UDP
 * payload, so no datagram is cut; its true length goes to the sink, which counts one too large for a
 * frame as {@code oversize}. An empty datagram counts one {@link DropReason#FEED_TRUNCATED} drop. Every
 * frame of a poll is stamped with one cached {@link System#nanoTime()} reading.
 *
 * <p>Back-pressure: a datagram refused with {@link FrameSink#BACK_PRESSURED} stays in the buffer and is
 * offered first on the next poll.
 *
 * <p>Datagrams the kernel drops for this socket (its receive buffer was full: the feed fell behind) never reach
 * the feed; the kernel counts them per socket, and the feed reads that count ({@link SocketDrops}, the
 * {@code drops} column of {@code /proc/net/udp6}) on the first idle poll after work and at least every
 * {@value #DROPS_EVERY_POLLS} polls (those refused by a lossless sink included), and counts the increase as
 * {@link DropReason#FEED_OVERRUN}, as the AF_PACKET feed does with its ring's drops. The first poll reads the count
 * before it takes anything: what the kernel dropped since the open came before anyone polled (an external sender
 * filled the buffer while the engine started), and is kept apart as {@link #overrunsBeforeFirstPoll()}; a feed closed
 * without a poll has its close's read as its first. Where the count cannot be read (see {@link #kernelDropsVisible()})
 * such losses stay invisible here.
 *
 * <p>The ingress' close ({@link #close(FrameSink)}) drains what the socket still holds without handing it over and
 * counts it {@link DropReason#FEED_OVERRUN} ({@link #leftAtClose()}), as the AF_PACKET feed counts what its ring
 * holds: the kernel would free those datagrams with the socket, counted nowhere. The drain reads at most
 * {@link #drainCap()} datagrams, more than the receive buffer can hold, so a sender that keeps sending cannot keep the
 * close from ending; what arrives after the drain, or past the cap, is lost as if sent after the close.
 *
 * <p>Thread contract: polled by one thread at a time; counters readable from any thread. Polling allocates
 * nothing in steady state (the JDK reuses the sender address object while the sender stays the same; a new
 * sender costs one address object). Receive takes the channel's uncontended internal lock.
 */
public final class UdpFeed implements FirstPollOverruns {
    /** Receive buffer size: above the largest UDP payload (65,507 bytes over IPv4, 65,527 over IPv6). */
    public static final int RECEIVE_BUFFER = 64 * 1024;

    /** Most polls between two reads of the kernel's drop count while datagrams keep coming. */
    public static final int DROPS_EVERY_POLLS = 1024;

    /**
     * A lower bound of what the kernel charges a queued datagram against the receive buffer, in bytes: the socket
     * buffer's bookkeeping ({@code sk_buff} and shared info) alone is over 500 bytes on 64-bit Linux, and an empty
     * or one-byte datagram on loopback costs about 830. With it {@link #drainCap()} is above the most datagrams the
     * buffer can hold.
     */
    public static final int MIN_QUEUED_DATAGRAM_BYTES = 256;

    private static final int NONE = -1;

    /** {@link #drainCap()} derived from the receive buffer, as every feed but a test's has it. */
    static final int DERIVED_DRAIN_CAP = 0;

    private final UdpSettings settings;
    private final DatagramChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(RECEIVE_BUFFER);
    private final UnsafeBuffer view = new UnsafeBuffer(buffer);
    private final int boundPort;
    private final int receiveBufferBytes;
    private final int drainCapGiven;
    private int pendingLength = NONE;
    private boolean closed;
    private final SocketDrops socketDrops;
    private long dropsSeen;
    private long dropsPending;
    private int pollsSinceDrops;
    private boolean takenSinceDrops;
    /** False until the first poll (or a close without one), which reads the kernel's drops before the first poll. */
    private boolean polled;

    // Single writer (the poll thread), published once per poll.
    private volatile long datagrams;
    private volatile long empty;
    private volatile long receiveErrors;
    private volatile long kernelDrops;
    private volatile long overrunsBeforeFirstPoll;
    private volatile long heldAtClose;
    private volatile long leftAtClose;

    /**
     * Opens and binds the channel.
     *
     * @throws IllegalArgumentException when the settings are null
     * @throws IllegalStateException    when the host does not resolve here (caused by an {@code UnknownHostException};
     *                                  the lookup is the system resolver's, as long as it takes) or this machine
     *                                  refuses the bind (the port is taken, the address is not one of its own, an IPv6
     *                                  address on a JVM whose sockets are IPv4 only), naming address, port and cause;
     *                                  the socket is closed again
     */
    public UdpFeed(UdpSettings settings) {
        this(settings, port -> settings.name());
    }

    /**
     * Opens and binds the channel, named after the port it bound: {@code nameOfPort.apply(boundPort())} instead of
     * {@code settings.name()}, in {@link #name()} and in {@link #settings()} alike. For a feed on an ephemeral port (0),
     * whose name should say which port the kernel chose, so that a sender can find it and several such feeds have names
     * of their own.
     *
     * @throws IllegalArgumentException when the settings or the function are null, or the function gives a blank name
     *                                  (the channel is closed again)
     * @throws IllegalStateException    when this machine refuses the bind, as {@link #UdpFeed(UdpSettings)}
     * @throws RuntimeException         whatever the function throws, unchanged (the channel is closed again)
     */
    public UdpFeed(UdpSettings settings, IntFunction<String> nameOfPort) {
        this(settings, nameOfPort, DERIVED_DRAIN_CAP);
    }

    /**
     * As {@link #UdpFeed(UdpSettings, IntFunction)}, with {@link #drainCap()} given instead of derived when
     * {@code drainCap} is not {@link #DERIVED_DRAIN_CAP}: for tests, which cannot make a socket hold more than the
     * derived cap and so could not see the close stop at it.
     *
     * @throws IllegalArgumentException also when {@code drainCap} is negative
     */
    UdpFeed(UdpSettings settings, IntFunction<String> nameOfPort, int drainCap) {
        if (drainCap < 0) {
            throw new IllegalArgumentException("drainCap=" + drainCap + ": must be 0 (derived) or positive");
        }
        this.drainCapGiven = drainCap;
        if (settings == null) {
            throw new IllegalArgumentException("settings=null: must be UdpSettings");
        }
        if (nameOfPort == null) {
            throw new IllegalArgumentException("nameOfPort=null: must be a function of the bound port");
        }
        final InetAddress address;
        try {
            address = HostLookup.resolve(settings.bindAddress(), HostLookup.LIMIT);
        } catch (UnknownHostException ex) {
            // This machine's resolver refuses it (or does not answer), as the kernel refuses a bind: a failed start,
            // not a bad argument.
            throw new IllegalStateException("bindAddress='" + settings.bindAddress() + "': "
                + (ex instanceof HostLookup.TimedOut ? ex.getMessage() : "does not resolve"), ex);
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
        } catch (IOException | UnsupportedAddressTypeException ex) {
            closeQuietly(opened);
            // Not a bad setting but a refusal of this machine (the port is taken, the address is not local, its
            // family is not this JVM's): a failed start, as a missing AF_PACKET interface is.
            throw new IllegalStateException("bindAddress='" + settings.bindAddress() + "', port=" + settings.port()
                + ": cannot bind: " + reason(ex), ex);
        }
        this.channel = opened;
        final String name;
        try {
            name = nameOfPort.apply(boundPort);
        } catch (RuntimeException | Error ex) {
            // The caller's function failed: the start failed, and the bound socket must not outlive it.
            closeQuietly(opened);
            throw ex;
        }
        if (name == null || name.isBlank()) {
            closeQuietly(opened);
            throw new IllegalArgumentException("nameOfPort.apply(" + boundPort + ")='" + name + "': must not be blank");
        }
        // One name: a feed of several queues, or on port 0, is not named as the settings it was made from.
        this.settings = name.equals(settings.name()) ? settings : settings.withName(name);
        this.socketDrops = SocketDrops.of(boundPort);
        this.dropsSeen = Math.max(0, socketDrops.read());
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
            reportDrops(sink);
            return END;
        }
        if (!polled) {
            readBeforeFirstPoll(sink);
        }
        final long now = System.nanoTime();
        int taken = 0;
        int emptyNow = 0;
        if (pendingLength != NONE) {
            if (sink.onFrame(view, 0, pendingLength, now) == FrameSink.BACK_PRESSURED) {
                // Still refused: the socket fills up meanwhile, which is when the kernel drops; keep reading its count.
                watchDrops(sink, 0);
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
            takenSinceDrops = true;
        }
        watchDrops(sink, taken);
        return taken == 0 && closed ? END : taken;
    }

    /**
     * Reads and reports the kernel's drop count on the first idle poll after work and at least every
     * {@link #DROPS_EVERY_POLLS} polls, whether the polls take datagrams or a lossless sink keeps refusing one.
     */
    private void watchDrops(FrameSink sink, int taken) {
        if (++pollsSinceDrops >= DROPS_EVERY_POLLS || (taken == 0 && takenSinceDrops)) {
            readDrops();
            reportDrops(sink);
        }
    }

    /**
     * The first read (one {@link SocketDrops#read()}, once per feed): what the kernel dropped since the open came
     * before anyone polled, and is kept apart as {@link #overrunsBeforeFirstPoll()} before the sink counts it.
     */
    private void readBeforeFirstPoll(FrameSink sink) {
        readDrops();
        markFirstRead();
        reportDrops(sink);
    }

    /**
     * Takes the drops read so far, reported or pending, as those before the first poll: a volatile write, fenced so
     * that the sink's counts of those drops, reported after, cannot become visible before it.
     */
    private void markFirstRead() {
        polled = true;
        overrunsBeforeFirstPoll = kernelDrops + dropsPending;
        VarHandle.releaseFence();
    }

    /** Reads the kernel's count and keeps the increase for {@link #reportDrops}. */
    private void readDrops() {
        pollsSinceDrops = 0;
        takenSinceDrops = false;
        final long now = socketDrops.read();
        if (now > dropsSeen) {
            dropsPending += now - dropsSeen;
            dropsSeen = now;
        }
    }

    private void reportDrops(FrameSink sink) {
        while (dropsPending > 0) {
            final int n = (int) Math.min(Integer.MAX_VALUE, dropsPending);
            sink.onDropped(DropReason.FEED_OVERRUN, n);
            dropsPending -= n;
            kernelDrops += n;
        }
    }

    /** The port the feed is bound to (the ephemeral one when the settings said 0). Any thread. */
    public int boundPort() {
        return boundPort;
    }

    /**
     * SO_RCVBUF as the kernel granted it: the size asked for, capped at {@code net.core.rmem_max} (Linux keeps
     * twice that for its bookkeeping and the JDK halves what it reads back, so this is comparable to the setting).
     */
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

    /**
     * Datagrams the kernel dropped for this socket, counted {@code feed_overrun} so far, those before the first poll
     * ({@link #overrunsBeforeFirstPoll()}) included. Any thread.
     */
    public long kernelDrops() {
        return kernelDrops;
    }

    /**
     * The part of {@link #kernelDrops()} the first poll found: datagrams the kernel dropped for a full receive buffer
     * between the open and the first poll, when nobody was polling yet (an external sender filled it while the engine
     * started). Not a sign that the feed fell behind while polled. For a feed closed before it was ever polled, the
     * close's read is the first: all its {@link #kernelDrops()} are here. Any thread (a volatile read, published
     * before the drops reach the sink as {@link FirstPollOverruns#overrunsBeforeFirstPoll()} says).
     */
    @Override
    public long overrunsBeforeFirstPoll() {
        return overrunsBeforeFirstPoll;
    }

    /**
     * True when the kernel's per-socket drop count can be read here (the socket's row is in
     * {@code /proc/net/udp6} or {@code /proc/net/udp}); false means such drops go uncounted.
     */
    public boolean kernelDropsVisible() {
        return socketDrops.available();
    }

    /** A back-pressured datagram still held when the ingress closed the feed: 0 or 1, counted {@code feed_overrun}. */
    public long heldAtClose() {
        return heldAtClose;
    }

    /**
     * Datagrams still queued in the socket, not taken, when the ingress closed the feed ({@link #close(FrameSink)}):
     * drained unread and counted {@code feed_overrun}. Any thread.
     */
    public long leftAtClose() {
        return leftAtClose;
    }

    /**
     * Most datagrams {@link #close(FrameSink)} drains: twice {@link #receiveBufferBytes()} (what Linux keeps) over
     * {@link #MIN_QUEUED_DATAGRAM_BYTES}, plus one, above what the receive buffer can hold.
     */
    public int drainCap() {
        if (drainCapGiven != DERIVED_DRAIN_CAP) {
            return drainCapGiven;
        }
        // The one more: one datagram may overshoot what Linux keeps.
        return (int) Math.min(Integer.MAX_VALUE, 2L * receiveBufferBytes / MIN_QUEUED_DATAGRAM_BYTES + 1);
    }

    /** True while a back-pressured datagram waits in the buffer. Poll thread. */
    public boolean hasPending() {
        return pendingLength != NONE;
    }

    /**
     * The settings the feed was opened with (port 0 for an ephemeral port: {@link #boundPort()} says which), named as
     * the feed ({@link #name()}).
     */
    public UdpSettings settings() {
        return settings;
    }

    @Override
    public String name() {
        return settings.name();
    }

    /**
     * Closes the socket; a datagram still pending, and those still queued in the socket, are lost with it uncounted
     * (only {@link #close(FrameSink)} counts them: this close may run on another thread during a poll, whose buffer
     * and socket a drain would share). The kernel's drop count is read a last time first (for a feed never polled,
     * the read of its {@link #overrunsBeforeFirstPoll()}); {@link #close(FrameSink)} (the ingress' close) or a later
     * poll reports it, the poll then returning {@link Feed#END}.
     */
    @Override
    public void close() {
        if (!closed) {
            readDrops();
            if (!polled) {
                // Never polled (the engine stopped before the ingress' first poll): nobody polled while these dropped.
                markFirstRead();
            }
        }
        closed = true;
        closeQuietly(channel);
        socketDrops.close();
    }

    /**
     * Drains the datagrams still queued in the socket without handing them over, closes, then reports to {@code sink}
     * the kernel drops that the last read found, the drained datagrams ({@link #leftAtClose()}, whatever their length),
     * and a datagram that a lossless sink refused and that was still waiting to be offered again: all as
     * {@code feed_overrun}, since all go with the socket. Draining before the last read of the drop count means drops
     * during the drain are counted too. Poll thread, after the last poll (the drain reuses the poll's buffer); costs
     * at most {@link #drainCap()} receives.
     */
    @Override
    public void close(FrameSink sink) {
        final boolean held = !closed && pendingLength != NONE;
        final int left = closed ? 0 : drainQueued();
        close();
        reportDrops(sink);
        if (left > 0) {
            leftAtClose += left;
            sink.onDropped(DropReason.FEED_OVERRUN, left);
        }
        if (held) {
            pendingLength = NONE;
            heldAtClose++;
            sink.onDropped(DropReason.FEED_OVERRUN, 1);
        }
    }

    /** Receives and discards what the socket holds, at most {@link #drainCap()} datagrams; returns how many. */
    private int drainQueued() {
        final int cap = drainCap();
        int left = 0;
        for (int i = 0; i < cap; i++) {
            buffer.clear();
            try {
                if (channel.receive(buffer) == null) {
                    break;
                }
                left++;
            } catch (ClosedChannelException ex) {
                break;
            } catch (IOException ex) {
                // As in poll: nothing was received; count it and go on, the cap bounds a run of them.
                receiveErrors++;
            }
        }
        return left;
    }

    /**
     * What a failed open says: the exception's message, or for an address of a family the JVM's sockets do not take
     * (whose exception has no message) what that means.
     */
    public static String reason(Exception ex) {
        return ex instanceof UnsupportedAddressTypeException
            ? "an IPv6 address, but this JVM's sockets are IPv4 only (java.net.preferIPv4Stack=true, or no IPv6 here)"
            : ex.getMessage();
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
