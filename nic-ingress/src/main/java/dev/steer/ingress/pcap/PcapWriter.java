package dev.steer.ingress.pcap;

import java.nio.ByteOrder;
import java.nio.file.Path;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes a classic pcap file: either byte order, microsecond or nanosecond timestamps. Records are
 * gathered in one reused direct buffer and written when it fills and at {@link #close()}, so writing
 * allocates nothing per record.
 *
 * <p>Thread contract: one thread at a time. Not for the data path: a write may do file I/O.
 */
public final class PcapWriter extends GatheringFileWriter {
    /** Timestamp resolution of the file, chosen by its magic number. */
    public enum Resolution {
        /** Magic 0xa1b2c3d4: seconds and microseconds. */
        MICROS,
        /** Magic 0xa1b23c4d: seconds and nanoseconds. */
        NANOS
    }

    /** Default snaplen written in the header: {@link PcapFeed#MAX_RECORD_LENGTH}. */
    public static final int DEFAULT_SNAPLEN = PcapFeed.MAX_RECORD_LENGTH;
    /** Link type Ethernet, which {@link PcapFeed} replays as it is (Linux cooked packets it converts to it). */
    public static final int LINKTYPE_ETHERNET = PcapFormat.LINKTYPE_ETHERNET;


    private final UnsafeBuffer arrayView = new UnsafeBuffer(new byte[0]);
    private final ByteOrder order;
    private final Resolution resolution;
    private final int snaplen;
    private long recordCount;

    private PcapWriter(Path file, ByteOrder order, Resolution resolution, int snaplen, int linkType) {
        if (order == null || resolution == null) {
            throw new IllegalArgumentException("order and resolution must not be null");
        }
        if (snaplen < 0) {
            throw new IllegalArgumentException("snaplen=" + snaplen + ": must be 0 or more");
        }
        super(file, "pcap");
        this.order = order;
        this.resolution = resolution;
        this.snaplen = snaplen;
        outView.putInt(0, resolution == Resolution.NANOS ? PcapFormat.MAGIC_NANOS : PcapFormat.MAGIC_MICROS, order);
        outView.putShort(PcapFormat.OFFSET_VERSION_MAJOR, (short) PcapFormat.VERSION_MAJOR, order);
        outView.putShort(PcapFormat.OFFSET_VERSION_MINOR, (short) PcapFormat.VERSION_MINOR, order);
        outView.putInt(8, 0, order);
        outView.putInt(12, 0, order);
        outView.putInt(PcapFormat.OFFSET_SNAPLEN, snaplen, order);
        outView.putInt(PcapFormat.OFFSET_NETWORK, linkType, order);
        used = PcapFormat.FILE_HEADER_LENGTH;
    }

    /** A little-endian microsecond Ethernet file with snaplen {@value #DEFAULT_SNAPLEN}. */
    public static PcapWriter create(Path file) {
        return create(file, ByteOrder.LITTLE_ENDIAN, Resolution.MICROS, DEFAULT_SNAPLEN, LINKTYPE_ETHERNET);
    }

    /** A file with the given byte order, timestamp resolution, snaplen (0 = none) and link type. */
    public static PcapWriter create(Path file, ByteOrder order, Resolution resolution, int snaplen, int linkType) {
        return new PcapWriter(file, order, resolution, snaplen, linkType);
    }

    /**
     * Writes one record captured whole.
     *
     * @param timestampNs capture time in nanoseconds since the epoch; truncated to microseconds for {@link Resolution#MICROS}
     */
    public void write(DirectBuffer buffer, int offset, int length, long timestampNs) {
        write(buffer, offset, length, length, timestampNs);
    }

    /** Writes one record of {@code frame}, captured whole. */
    public void write(byte[] frame, long timestampNs) {
        arrayView.wrap(frame);
        write(arrayView, 0, frame.length, frame.length, timestampNs);
    }

    /**
     * Writes one record of which {@code length} bytes were captured out of {@code originalLength} on the wire.
     *
     * @throws IllegalArgumentException for a length outside 0..{@link PcapFeed#MAX_RECORD_LENGTH}, a length above
     *                                  the original length, or a negative timestamp
     */
    public void write(DirectBuffer buffer, int offset, int length, int originalLength, long timestampNs) {
        if (closed) {
            throw new IllegalStateException("pcap file " + file + ": writer is closed");
        }
        if (length < 0 || length > PcapFeed.MAX_RECORD_LENGTH) {
            throw new IllegalArgumentException("length=" + length + ": must be 0.." + PcapFeed.MAX_RECORD_LENGTH);
        }
        if (originalLength < length) {
            throw new IllegalArgumentException("originalLength=" + originalLength + ": must be at least length " + length);
        }
        if (timestampNs < 0) {
            throw new IllegalArgumentException("timestampNs=" + timestampNs + ": must not be negative");
        }
        if (used + PcapFormat.RECORD_HEADER_LENGTH + length > BUFFER_BYTES) {
            flush();
        }
        final long seconds = timestampNs / 1_000_000_000L;
        final long nanos = timestampNs % 1_000_000_000L;
        outView.putInt(used + PcapFormat.OFFSET_TS_SEC, (int) seconds, order);
        outView.putInt(used + PcapFormat.OFFSET_TS_FRACTION, (int) (resolution == Resolution.NANOS ? nanos : nanos / 1000),
            order);
        outView.putInt(used + PcapFormat.OFFSET_INCL_LEN, length, order);
        outView.putInt(used + PcapFormat.OFFSET_ORIG_LEN, originalLength, order);
        outView.putBytes(used + PcapFormat.RECORD_HEADER_LENGTH, buffer, offset, length);
        used += PcapFormat.RECORD_HEADER_LENGTH + length;
        recordCount++;
    }

    /** Records written so far. */
    public long records() {
        return recordCount;
    }

    /** The snaplen in the file header. */
    public int snaplen() {
        return snaplen;
    }
}
