package dev.steer.engine.frame;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One fixed-size slot of a {@link FramePool}'s off-heap memory holding a packet: the analogue of the
 * kernel's {@code xdp_frame}.
 *
 * <p>Layout of the slot, {@link #capacity()} bytes long:
 * <pre>
 * 0 ........ headroom-metaLength ..... headroom ................. headroom+length ..... capacity
 * | free headroom       | metadata     | packet data (Ethernet frame)  | tailroom           |
 * </pre>
 * A frame is leased from its pool by one thread, handed from thread to thread through rings (which
 * publish it safely), and returned to its pool exactly once with {@link #release()}. Between lease
 * and release it belongs to exactly one thread at a time; none of its setters is thread-safe.
 * Frames are preallocated with the pool and never allocated on the hot path.
 */
public final class Frame {
    /**
     * Headroom that must stay free in front of the metadata for a frame to be redirected: space for
     * the steering header that a transport may write in front of the frame (the kernel keeps its
     * {@code struct xdp_frame} there). A frame with less is refused by a redirect with EOVERFLOW.
     */
    public static final int MIN_REDIRECT_HEADROOM = 32;

    /**
     * Redirects by remote programs one frame may take: the next one is dropped as {@code redirect_loop}. Entries
     * whose remote programs send frames to each other would otherwise keep a frame circling for ever, burning
     * both consumers, and deliver nothing. Deep enough for any chain of entries a deployment means to build.
     */
    public static final int MAX_REMOTE_REDIRECTS = 8;

    static final int FREE = 0;
    static final int LEASED = 1;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Frame.class, "state", int.class);
        } catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final FramePool pool;
    private final int index;
    private final int handle;
    private final UnsafeBuffer buffer;
    /** The slot's address and size, held here too so that the ingress' copy does not go through the buffer. */
    private final long address;
    private final int capacity;
    private final int defaultHeadroom;

    private int headroom;
    private int length;
    private int metaLength;
    private int feedId;
    private int queueIndex;
    private long timestampNs;
    private int remoteRedirects;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;

    Frame(FramePool pool, int index, ByteBuffer memory, int offset, int capacity, int defaultHeadroom) {
        this.pool = pool;
        this.index = index;
        this.handle = FramePool.handle(pool.poolId(), index);
        this.buffer = new UnsafeBuffer(memory, offset, capacity);
        this.address = buffer.addressOffset();
        this.capacity = capacity;
        this.defaultHeadroom = defaultHeadroom;
        this.headroom = defaultHeadroom;
    }

    /** The pool this frame belongs to and returns to. */
    public FramePool pool() {
        return pool;
    }

    /** Index of this frame within its pool, 0 to {@code pool.capacity() - 1}; stable for the pool's life. */
    public int index() {
        return index;
    }

    /**
     * The frame's handle: its pool's id and its index in one non-negative int, which is what rings and
     * batches carry instead of the reference. {@link FramePool#frame(int)} turns it back into the frame.
     */
    public int handle() {
        return handle;
    }

    /**
     * The whole slot as a buffer, offsets relative to the start of the slot, not of the packet: the packet is the
     * {@link #length()} bytes from {@link #dataOffset()}, so {@code buffer().getShort(12)} reads headroom. Agrona's
     * reads without a {@code ByteOrder} are in the machine's order (little-endian on x86-64); network fields need
     * {@code getShort(dataOffset() + 12, ByteOrder.BIG_ENDIAN)}. {@code new PacketView().wrap(frame)} (in a handler,
     * {@code FrameBatch.packet(i)}) reads the packet bounds-checked, in network order, from its first byte.
     */
    public MutableDirectBuffer buffer() {
        return buffer;
    }

    /** Size of the slot in bytes: headroom + metadata + data + tailroom. */
    public int capacity() {
        return capacity;
    }

    /**
     * Copies the packet's {@link #length()} bytes from {@code source} at {@code offset} into the frame's data, as
     * {@code buffer().putBytes(dataOffset(), source, offset, length())} does, but with the frame's own address:
     * the copy an ingress makes of every packet it keeps, one object and one bounds check fewer.
     *
     * @throws IndexOutOfBoundsException when the bytes are not all inside {@code source}, or the data would
     *                                   run past the slot
     */
    public void copyData(DirectBuffer source, int offset) {
        final int bytes = length;
        final int at = headroom;
        if (offset < 0 || (long) offset + bytes > source.capacity() || at + bytes > capacity) {
            throw new IndexOutOfBoundsException("copy of " + bytes + " bytes from offset " + offset + " of a buffer of "
                + source.capacity() + " to offset " + at + " of a frame of " + capacity);
        }
        UnsafeApi.copyMemory(source.byteArray(), source.addressOffset() + offset, null, address + at, bytes);
    }

    /** Offset of the first packet byte within {@link #buffer()}; equals the headroom. Add it to every packet offset. */
    public int dataOffset() {
        return headroom;
    }

    /** Bytes in front of the packet data, metadata included. */
    public int headroom() {
        return headroom;
    }

    /** Packet length in bytes. */
    public int length() {
        return length;
    }

    /** Length of the metadata that sits directly in front of the packet data. */
    public int metaLength() {
        return metaLength;
    }

    /** Id of the feed that received the frame. */
    public int feedId() {
        return feedId;
    }

    /** Index of the feed queue (the RX queue analogue) that received the frame. */
    public int queueIndex() {
        return queueIndex;
    }

    /** Receive timestamp in nanoseconds of the clock the feed uses ({@link System#nanoTime()} by default). */
    public long timestampNs() {
        return timestampNs;
    }

    /**
     * Counts a redirect of this frame by a remote program; consumer thread, a field increment.
     *
     * @return false when the frame already took {@link #MAX_REMOTE_REDIRECTS} such redirects (nothing counted):
     *         the caller drops it
     */
    public boolean countRemoteRedirect() {
        if (remoteRedirects >= MAX_REMOTE_REDIRECTS) {
            return false;
        }
        remoteRedirects++;
        return true;
    }

    /**
     * Sets the packet length. No check against the slot: {@link #fits()} tells whether the frame is
     * consistent, and a redirect refuses a frame that is not.
     */
    public Frame length(int length) {
        this.length = length;
        return this;
    }

    /** Sets where the packet data starts; see {@link #length(int)} for what is checked. */
    public Frame headroom(int headroom) {
        this.headroom = headroom;
        return this;
    }

    /** Sets the metadata length; see {@link #length(int)} for what is checked. */
    public Frame metaLength(int metaLength) {
        this.metaLength = metaLength;
        return this;
    }

    /** Records where and when the frame was received. */
    public Frame origin(int feedId, int queueIndex, long timestampNs) {
        this.feedId = feedId;
        this.queueIndex = queueIndex;
        this.timestampNs = timestampNs;
        return this;
    }

    /** Shortest packet {@link #adjustHead} leaves: an Ethernet header, as the kernel's ETH_HLEN. */
    public static final int MIN_PACKET_LENGTH = 14;

    /**
     * Moves the start of the packet by {@code delta} bytes (negative grows the packet at the front),
     * like {@code bpf_xdp_adjust_head}: the metadata moves with it, so it stays directly in front of the
     * packet. Returns false and changes nothing when the result would leave the slot, leave no room for the
     * metadata, or shrink the packet below {@link #MIN_PACKET_LENGTH} bytes.
     */
    public boolean adjustHead(int delta) {
        final int newHeadroom = headroom + delta;
        final int newLength = length - delta;
        if (newHeadroom < metaLength || newLength < MIN_PACKET_LENGTH || (long) newHeadroom + newLength > capacity()) {
            return false;
        }
        if (metaLength > 0) {
            buffer.putBytes(newHeadroom - metaLength, buffer, headroom - metaLength, metaLength);
        }
        headroom = newHeadroom;
        length = newLength;
        return true;
    }

    /**
     * True when the frame is consistent and can be redirected: length and metadata not negative,
     * data within the slot, and at least {@link #MIN_REDIRECT_HEADROOM} bytes free in front of the
     * metadata. Costs a few comparisons.
     */
    public boolean fits() {
        // In long: the setters check nothing, and in int a negative headroom minus the metadata can wrap to a large
        // positive value. With the metadata not negative this also keeps the headroom at MIN_REDIRECT_HEADROOM or more.
        return length >= 0 && metaLength >= 0
            && (long) headroom - metaLength >= MIN_REDIRECT_HEADROOM
            && (long) headroom + length <= capacity();
    }

    /**
     * Returns the frame to its pool. Must be called exactly once per lease, by the thread that owns the
     * frame at that point; the frame must not be touched afterwards.
     *
     * @return {@link FramePool#OK}, or {@link FramePool#DOUBLE_RETURN} when the pool runs checked and the
     *         frame was not leased (the return is refused and counted).
     */
    public int release() {
        return pool.release(this);
    }

    void resetForLease() {
        resetForLease(0, 0, 0, 0);
    }

    void resetForLease(int length, int feedId, int queueIndex, long timestampNs) {
        headroom = defaultHeadroom;
        this.length = length;
        metaLength = 0;
        this.feedId = feedId;
        this.queueIndex = queueIndex;
        this.timestampNs = timestampNs;
        remoteRedirects = 0;
    }

    boolean casState(int expected, int value) {
        return STATE.compareAndSet(this, expected, value);
    }

    @Override
    public String toString() {
        return "Frame{pool=" + pool.name() + ", index=" + index + ", headroom=" + headroom + ", length=" + length
            + ", metaLength=" + metaLength + ", feedId=" + feedId + ", queueIndex=" + queueIndex + '}';
    }
}
