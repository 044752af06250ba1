package dev.steer.engine.program;

import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;

import dev.steer.engine.frame.Frame;

/**
 * Bounds-checked, read-only flyweight over one packet, reused for every frame a thread handles: what a
 * {@link SteeringProgram} sees of a frame. Reads outside the packet return -1 instead of throwing, so a
 * program on a truncated packet gets a value it can test, never an exception.
 *
 * <p>Multi-byte reads are big-endian (network order). Offsets are relative to the first packet byte.
 * Every read is checked once, against the packet length, which {@code wrap} clamps to the buffer; the read
 * itself then goes straight to memory through Agrona's {@link UnsafeApi}, without the buffer's own second
 * bounds check. Not thread-safe: one view per thread.
 */
public final class PacketView {
    private Object base;
    private long address;
    private int length;
    private int feedId;
    private int queueIndex;
    private long timestampNs;

    /** Points the view at a frame's packet data. */
    public PacketView wrap(Frame frame) {
        point(frame.buffer(), frame.dataOffset(), frame.length());
        this.feedId = frame.feedId();
        this.queueIndex = frame.queueIndex();
        this.timestampNs = frame.timestampNs();
        return this;
    }

    /** Points the view at {@code length} bytes of {@code buffer} from {@code offset}; metadata set to 0. */
    public PacketView wrap(DirectBuffer buffer, int offset, int length) {
        point(buffer, offset, length);
        this.feedId = 0;
        this.queueIndex = 0;
        this.timestampNs = 0;
        return this;
    }

    /**
     * Points the view at a packet still in its feed's buffer, with the metadata its frame will carry: the ingress
     * runs its program there, before it leases and fills a frame, as XDP runs on the packet in the RX ring.
     */
    public PacketView wrap(DirectBuffer buffer, int offset, int length, int feedId, int queueIndex, long timestampNs) {
        point(buffer, offset, length);
        this.feedId = feedId;
        this.queueIndex = queueIndex;
        this.timestampNs = timestampNs;
        return this;
    }

    /** Clamps the packet to the buffer, so that the one check per read in {@link #has} is enough. */
    private void point(DirectBuffer buffer, int offset, int length) {
        final int capacity = buffer.capacity();
        this.base = buffer.byteArray();
        this.address = buffer.addressOffset() + offset;
        this.length = offset < 0 || offset > capacity ? 0 : Math.max(0, Math.min(length, capacity - offset));
    }

    /** Packet length in bytes. */
    public int length() {
        return length;
    }

    /** Id of the feed that received the packet (the analogue of {@code ingress_ifindex}). */
    public int feedId() {
        return feedId;
    }

    /** Queue index within the feed (the analogue of {@code rx_queue_index}). */
    public int queueIndex() {
        return queueIndex;
    }

    /** Receive timestamp in nanoseconds. */
    public long timestampNs() {
        return timestampNs;
    }

    /** True when {@code count} bytes from {@code at} are inside the packet. */
    public boolean has(int at, int count) {
        return at >= 0 && count >= 0 && (long) at + count <= length;
    }

    /** Unsigned byte at {@code at}, or -1 when outside the packet. */
    public int u8(int at) {
        return has(at, 1) ? UnsafeApi.getByte(base, address + at) & 0xFF : -1;
    }

    /** Unsigned big-endian 16-bit value at {@code at}, or -1 when outside the packet. */
    public int u16(int at) {
        if (!has(at, 2)) {
            return -1;
        }
        return UnsafeApi.getShortUnaligned(base, address + at, true) & 0xFFFF;
    }

    /** Unsigned big-endian 32-bit value at {@code at}, or -1 when outside the packet. */
    public long u32(int at) {
        if (!has(at, 4)) {
            return -1;
        }
        return UnsafeApi.getIntUnaligned(base, address + at, true) & 0xFFFF_FFFFL;
    }

    /** Unsigned byte at {@code at}, unchecked: the caller has checked {@code has(at, 1)} (or a range holding it). */
    int u8Unchecked(int at) {
        return UnsafeApi.getByte(base, address + at) & 0xFF;
    }

    /** Unsigned big-endian 16-bit value at {@code at}, unchecked: the caller has checked the range. */
    int u16Unchecked(int at) {
        return UnsafeApi.getShortUnaligned(base, address + at, true) & 0xFFFF;
    }

    /** Big-endian 32-bit value at {@code at}, unchecked: the caller has checked the range. */
    int i32Unchecked(int at) {
        return UnsafeApi.getIntUnaligned(base, address + at, true);
    }

    /** Big-endian 32-bit value at {@code at} as an int, or 0 when outside; pair it with {@link #has}. */
    public int i32(int at) {
        return has(at, 4) ? UnsafeApi.getIntUnaligned(base, address + at, true) : 0;
    }
}
