package dev.steer.ingress.afpacket;

import java.lang.foreign.MemorySegment;
import java.util.function.Function;

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
 * interface's MTU (or {@link #MAX_FRAME}), {@link #FAILED} for anything else ({@link #lastErrno()} says what), a
 * frame shorter than {@link #MIN_FRAME} included. A frame the kernel refuses inside a staged batch costs that frame
 * only: the frames behind it are sent.
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
    /** Shortest frame accepted: an Ethernet header; the kernel refuses shorter ones with EINVAL. */
    public static final int MIN_FRAME = 14;
    /** Frames one {@link #flush()} hands to the kernel with a single {@code sendmmsg(2)}. */
    public static final int BATCH = 32;
    /** Longest frame that is staged; longer ones are sent alone, in order, by {@link #stage}. */
    public static final int BATCH_SLOT = 2048;
    // struct mmsghdr on LP64 Linux: struct msghdr (56 bytes) + unsigned int msg_len, padded to 64.
    private static final int MMSGHDR = 64;
    private static final int MSG_IOV = 16;
    private static final int MSG_IOVLEN = 24;
    private static final int IOVEC = 16;

    private final String iface;
    private final PacketSocket socket;
    private final MemorySegment staging;
    private final UnsafeBuffer stagingBuffer;
    private final MemorySegment slots;
    private final UnsafeBuffer slotBuffer;
    private final MemorySegment iovecs;
    private final MemorySegment messages;
    private final int[] lengths = new int[BATCH];
    private int staged;
    private int head;
    private long sent;
    private long backPressured;
    private long failed;
    private long refused;
    private long discarded;
    private long droppedBytes;
    private int lastErrno;
    private boolean closed;

    private AfPacketSender(String iface, PacketSocket socket) {
        this.iface = iface;
        this.socket = socket;
        this.staging = socket.arena().allocate(MAX_FRAME, 64);
        this.stagingBuffer = new UnsafeBuffer(staging.address(), MAX_FRAME);
        this.slots = socket.arena().allocate((long) BATCH * BATCH_SLOT, 64);
        this.slotBuffer = new UnsafeBuffer(slots.address(), BATCH * BATCH_SLOT);
        this.iovecs = socket.arena().allocate((long) BATCH * IOVEC, 64);
        this.messages = socket.arena().allocate((long) BATCH * MMSGHDR, 64);
        // Fixed parts of each message: no address (the socket is bound to the interface), one iovec.
        for (int i = 0; i < BATCH; i++) {
            iovecs.set(java.lang.foreign.ValueLayout.JAVA_LONG, (long) i * IOVEC, slots.address() + (long) i * BATCH_SLOT);
            messages.set(java.lang.foreign.ValueLayout.JAVA_LONG, (long) i * MMSGHDR + MSG_IOV, iovecs.address() + (long) i * IOVEC);
            messages.set(java.lang.foreign.ValueLayout.JAVA_LONG, (long) i * MMSGHDR + MSG_IOVLEN, 1L);
        }
    }

    /** Opens a sender on {@code iface} in the caller's network namespace. */
    public static AfPacketSender open(String iface) {
        return open("", iface);
    }

    /**
     * Opens a sender on {@code iface} in network namespace {@code netns} (empty: the caller's); the calling
     * thread switches there and back. Off the hot path.
     *
     * @throws AfPacketException     one line: no CAP_NET_RAW, no such interface or namespace; the socket is closed
     * @throws IllegalStateException when the thread could not switch back out of the namespace: the sender made is
     *                               closed again, the switch's failure is the cause
     */
    public static AfPacketSender open(String netns, String iface) {
        return open(netns, iface, NetNamespace::enter);
    }

    /**
     * {@link #open(String, String)} entering the namespace with {@code enter}: {@link NetNamespace#enter}, or in tests
     * one that makes the thread's way back fail, to show that the sender made is closed again then.
     */
    static AfPacketSender open(String netns, String iface, Function<String, NetNamespace.Scope> enter) {
        final String namespace = netns == null ? "" : netns;
        return NetNamespace.inside(namespace, enter, () -> openHere(namespace, iface), AfPacketSender::close,
            PacketSocket.where(iface, namespace));
    }

    /** Sets the sender up in the calling thread's namespace; on any failure closes the socket. */
    private static AfPacketSender openHere(String namespace, String iface) {
        final PacketSocket socket = new PacketSocket(iface, namespace, 0);
        try {
            socket.resolveInterface();
            socket.bind(0);
            // Straight to the driver: a loadgen wants the device's rate, not the qdisc's.
            socket.setInt(Libc.PACKET_QDISC_BYPASS, 1, "setsockopt(PACKET_QDISC_BYPASS)");
            return new AfPacketSender(iface, socket);
        } catch (RuntimeException | Error ex) {
            socket.close(); // idempotent: a refused call closed it already
            throw ex;
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
            refused++;
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
        if (errno == Libc.EMSGSIZE) {
            refused++;
            return TOO_LONG;
        }
        return FAILED;
    }

    /**
     * Stages a frame for the next {@link #flush()}, which sends every staged frame with one {@code sendmmsg(2)}
     * call: the fast path of a load generator. When the batch is full it is flushed first; a frame longer than
     * {@link #BATCH_SLOT} is sent alone after the staged ones, keeping the order.
     *
     * @return {@code length} when staged (or sent), else {@link #BACK_PRESSURED} (the batch is full and the socket
     *     took none of it: try again later), {@link #TOO_LONG} or {@link #FAILED} (nothing staged: a frame shorter than
     *     {@link #MIN_FRAME}, or the flush this call made failed and discarded the staged frames, see
     *     {@link #discarded()})
     */
    public int stage(DirectBuffer buffer, int offset, int length) {
        if (length < MIN_FRAME) {
            // Refused here, not by the batch's sendmmsg, so that the caller learns of it with this frame.
            lastErrno = Libc.EINVAL;
            failed++;
            return FAILED;
        }
        if (length > BATCH_SLOT) {
            final int result = flush();
            if (result == FAILED) {
                return FAILED; // the staged frames are gone: the caller hears of it with this frame, not never
            }
            if (result < 0 && staged > 0) {
                return BACK_PRESSURED;
            }
            return send(buffer, offset, length);
        }
        if (staged == BATCH) {
            final int result = flush();
            if (result == FAILED) {
                return FAILED;
            }
            if (staged == BATCH) {
                return BACK_PRESSURED;
            }
        }
        slotBuffer.putBytes(staged * BATCH_SLOT, buffer, offset, length);
        iovecs.set(java.lang.foreign.ValueLayout.JAVA_LONG, (long) staged * IOVEC + 8, length);
        lengths[staged] = length;
        staged++;
        return length;
    }

    /**
     * Sends the staged frames with {@code sendmmsg(2)}, as many as the socket takes; the rest stay staged, in
     * order, for the next call. The frames the socket took are counted in {@link #sent()} whatever the result, so a
     * caller counts nothing from the result itself.
     *
     * @return 0 when every staged frame went; {@link #BACK_PRESSURED} when the socket's buffer filled (EAGAIN,
     *     ENOBUFS) before all went, whether it took some of them first or none: {@link #staged()} says how many wait
     *     for the next call; {@link #FAILED} after any other error, the frames not yet sent then counted failed and
     *     discarded ({@link #discarded()}), those sent before it staying sent. A frame the kernel refuses for itself
     *     (EMSGSIZE: above the MTU; EINVAL) is no failure of the call: it is counted failed and refused and skipped,
     *     and the frames behind it are sent
     */
    public int flush() {
        while (head < staged) {
            final int n = Libc.sendmmsg(socket.state(), socket.fd(), messages.asSlice((long) head * MMSGHDR),
                staged - head, Libc.MSG_DONTWAIT);
            if (n > 0) {
                head += n;
                sent += n;
                continue;
            }
            final int errno = Libc.errno(socket.state());
            lastErrno = errno;
            if (errno == Libc.EAGAIN || errno == Libc.ENOBUFS) {
                backPressured++;
                compact();
                return BACK_PRESSURED;
            }
            if (errno == Libc.EMSGSIZE || errno == Libc.EINVAL) {
                // sendmmsg stops at the first frame the kernel refuses; that frame alone is bad.
                failed++;
                refused++;
                droppedBytes += lengths[head];
                head++;
                continue;
            }
            discardStaged();
            return FAILED;
        }
        head = 0;
        staged = 0;
        return 0;
    }

    /** Moves the frames the socket has not taken yet to the front of the batch. */
    private void compact() {
        if (head == 0) {
            return;
        }
        for (int i = head; i < staged; i++) {
            final int to = i - head;
            slotBuffer.putBytes(to * BATCH_SLOT, slotBuffer, i * BATCH_SLOT, lengths[i]);
            lengths[to] = lengths[i];
            iovecs.set(java.lang.foreign.ValueLayout.JAVA_LONG, (long) to * IOVEC + 8, lengths[i]);
        }
        staged -= head;
        head = 0;
    }

    /** Frames staged and not sent yet. */
    public int staged() {
        return staged - head;
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

    /**
     * Frames the kernel refused for themselves and that were dropped, not sent: {@link #TOO_LONG} from {@link #send}
     * or {@link #stage} (EMSGSIZE: longer than the interface's MTU allows, or than {@link #MAX_FRAME}), and the frames a
     * {@link #flush()} skipped (EMSGSIZE, EINVAL). Sending such a frame again cannot succeed. Also in {@link #failed()}.
     */
    public long refused() {
        return refused;
    }

    /**
     * Staged frames a failed {@link #flush()} dropped unsent (an error other than a refusal of one frame, such as
     * ENETDOWN for an interface that is down), and those still staged at {@link #close()}. Also in {@link #failed()}.
     */
    public long discarded() {
        return discarded;
    }

    /**
     * Bytes of the frames {@link #stage} took (it returned their length) and that were then dropped, not sent: those a
     * {@link #flush()} skipped as refused, and those {@link #discarded()}. So a caller counting the bytes it staged can
     * count those that left. Frames refused or failed by the call that was given them are not in it.
     */
    public long droppedBytes() {
        return droppedBytes;
    }

    /** The last refused or failed send's errno as text, such as {@code ENETDOWN (Network is down)}; empty before any. */
    public String lastError() {
        return lastErrno == 0 ? "" : Libc.describe(lastErrno);
    }

    /** The errno of the last refused or failed send, 0 before any. */
    public int lastErrno() {
        return lastErrno;
    }

    /**
     * Closes the socket; idempotent. Frames still staged (a flush the socket never took them in, a caller that did not
     * flush) are dropped unsent and counted failed and {@link #discarded()}, so that no frame staged vanishes uncounted.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        discardStaged();
        socket.close();
    }

    /** Drops the frames staged and not sent, counted failed and {@link #discarded()}. */
    private void discardStaged() {
        failed += staged - head;
        discarded += staged - head;
        for (int i = head; i < staged; i++) {
            droppedBytes += lengths[i];
        }
        head = 0;
        staged = 0;
    }
}
