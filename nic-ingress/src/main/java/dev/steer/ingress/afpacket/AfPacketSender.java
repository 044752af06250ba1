package dev.steer.ingress.afpacket;

import java.lang.foreign.MemorySegment;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Sends raw Ethernet frames out of one interface through an AF_PACKET socket: the traffic source of the
 * AF_PACKET tests, its benchmark and {@code steer loadgen --to afpacket:IFACE}. Each {@link #send} copies
 * the frame into a preallocated native buffer and makes one non-blocking {@code send(2)}; the socket
 * bypasses the qdisc ({@code PACKET_QDISC_BYPASS}) and hears nothing (it is bound with protocol 0).
 *
 * <p>Results are codes, never exceptions: the frame's length when it was sent, {@link #BACK_PRESSURED}
 * when the socket's send buffer is full (try again later), {@link #TOO_LONG} when the frame exceeds the
 * interface's MTU (or {@link #MAX_FRAME}), {@link #FAILED} for anything else ({@link #lastErrno()} says what).
 *
 * <p>Thread contract: one sending thread at a time; {@link #close()} after the last send. Allocation-free per
 * frame; counters are single-writer and may be read (possibly stale) from any thread.
 */
public final class AfPacketSender implements AutoCloseable {
    /** Result: the socket's send buffer is full (EAGAIN / ENOBUFS); the frame was not sent. */
    public static final int BACK_PRESSURED = -1;
    /** Result: the frame is longer than the interface allows (EMSGSIZE) or than {@link #MAX_FRAME}. */
    public static final int TOO_LONG = -2;
    /** Result: another error; see {@link #lastErrno()}. */
    public static final int FAILED = -3;
    /** Longest frame accepted. */
    public static final int MAX_FRAME = 65_536;

    private final String iface;
    private final PacketSocket socket;
    private final MemorySegment staging;
    private final UnsafeBuffer stagingBuffer;
    private long sent;
    private long backPressured;
    private long failed;
    private int lastErrno;
    private boolean closed;

    private AfPacketSender(String iface, PacketSocket socket) {
        this.iface = iface;
        this.socket = socket;
        this.staging = socket.arena().allocate(MAX_FRAME, 64);
        this.stagingBuffer = new UnsafeBuffer(staging.address(), MAX_FRAME);
    }

    /** Opens a sender on {@code iface} in the caller's network namespace. */
    public static AfPacketSender open(String iface) {
        return open("", iface);
    }

    /**
     * Opens a sender on {@code iface} in network namespace {@code netns} (empty: the caller's); the calling
     * thread switches there and back. Off the hot path.
     *
     * @throws AfPacketException one line: no CAP_NET_RAW, no such interface or namespace
     */
    public static AfPacketSender open(String netns, String iface) {
        final String namespace = netns == null ? "" : netns;
        try (NetNamespace.Scope ignored = NetNamespace.enter(namespace)) {
            final PacketSocket socket = new PacketSocket(iface, namespace, 0);
            socket.resolveInterface();
            socket.bind(0);
            // Straight to the driver: a loadgen wants the device's rate, not the qdisc's.
            socket.setInt(Libc.PACKET_QDISC_BYPASS, 1, "setsockopt(PACKET_QDISC_BYPASS)");
            return new AfPacketSender(iface, socket);
        }
    }

    /**
     * Sends {@code length} bytes of {@code buffer} from {@code offset} as one frame (destination MAC first).
     *
     * @return {@code length} when sent, else {@link #BACK_PRESSURED}, {@link #TOO_LONG} or {@link #FAILED}
     */
    public int send(DirectBuffer buffer, int offset, int length) {
        if (length > MAX_FRAME) {
            failed++;
            return TOO_LONG;
        }
        stagingBuffer.putBytes(0, buffer, offset, length);
        final long result = Libc.send(socket.state(), socket.fd(), staging, length, Libc.MSG_DONTWAIT);
        if (result >= 0) {
            sent++;
            return length;
        }
        final int errno = Libc.errno(socket.state());
        lastErrno = errno;
        if (errno == Libc.EAGAIN || errno == Libc.ENOBUFS) {
            backPressured++;
            return BACK_PRESSURED;
        }
        failed++;
        return errno == Libc.EMSGSIZE ? TOO_LONG : FAILED;
    }

    /** The interface frames go out of. */
    public String iface() {
        return iface;
    }

    /** Frames sent. */
    public long sent() {
        return sent;
    }

    /** Sends refused because the socket was full. */
    public long backPressured() {
        return backPressured;
    }

    /** Sends that failed for another reason. */
    public long failed() {
        return failed;
    }

    /** The errno of the last refused or failed send, 0 before any. */
    public int lastErrno() {
        return lastErrno;
    }

    /** Closes the socket; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        socket.close();
    }
}
