package dev.steer.ingress.pcap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes a classic pcap file: either byte order, microsecond or nanosecond timestamps. Records are
 * gathered in one reused direct buffer and written when it fills and at {@link #close()}, so writing
 * allocates nothing per record.
 *
 * <p>Thread contract: one thread at a time. Not for the data path: a write may do file I/O.
 */
public final class PcapWriter implements AutoCloseable {
    /** Timestamp resolution of the file, chosen by its magic number. */
    public enum Resolution {
        /** Magic 0xa1b2c3d4: seconds and microseconds. */
        MICROS,
        /** Magic 0xa1b23c4d: seconds and nanoseconds. */
        NANOS
    }

    /** Default snaplen written in the header: {@link PcapFeed#MAX_RECORD_LENGTH}. */
    public static final int DEFAULT_SNAPLEN = PcapFeed.MAX_RECORD_LENGTH;
    /** Link type Ethernet, the only one {@link PcapFeed} replays. */
    public static final int LINKTYPE_ETHERNET = PcapFormat.LINKTYPE_ETHERNET;

    private static final int BUFFER_BYTES = 1 << 20;

    private final Path file;
    private final FileChannel channel;
    private final ByteBuffer out = ByteBuffer.allocateDirect(BUFFER_BYTES);
    private final UnsafeBuffer outView = new UnsafeBuffer(out);
    private final UnsafeBuffer arrayView = new UnsafeBuffer(new byte[0]);
    private final ByteOrder order;
    private final Resolution resolution;
    private final int snaplen;
    private int used;
    private long written;
    private long recordCount;
    private boolean closed;

    private PcapWriter(Path file, ByteOrder order, Resolution resolution, int snaplen, int linkType) {
        if (order == null || resolution == null) {
            throw new IllegalArgumentException("order and resolution must not be null");
        }
        if (snaplen < 0) {
            throw new IllegalArgumentException("snaplen=" + snaplen + ": must be 0 or more");
        }
        this.file = file;
        this.order = order;
        this.resolution = resolution;
        this.snaplen = snaplen;
        try {
            this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException ex) {
            throw new IllegalArgumentException("pcap file " + file + ": cannot be created: " + ex);
        }
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

    /** Bytes of the file so far, header included: the offset the next record will start at. */
    public long position() {
        return written + used;
    }

    /** Records written so far. */
    public long records() {
        return recordCount;
    }

    /** The snaplen in the file header. */
    public int snaplen() {
        return snaplen;
    }

    /** Writes out everything gathered so far. */
    public void flush() {
        out.limit(used).position(0);
        try {
            while (out.hasRemaining()) {
                channel.write(out, written + out.position());
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("pcap file " + file + ": write failed", ex);
        }
        written += used;
        used = 0;
        out.clear();
    }

    /** Flushes and closes the file. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            flush();
        } finally {
            closed = true;
            try {
                channel.close();
            } catch (IOException ex) {
                throw new UncheckedIOException("pcap file " + file + ": close failed", ex);
            }
        }
    }
}
