package dev.steer.ingress.pcap;

import java.nio.ByteOrder;
import java.nio.file.Path;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes a pcapng file: a section header, interface descriptions (link type, snaplen, {@code if_tsresol},
 * {@code if_tsoffset}) and enhanced packet blocks; also simple packet blocks, further sections in either byte
 * order, and arbitrary blocks (to test readers with blocks they must skip). Blocks are gathered in one
 * reused direct buffer and written when it fills and at {@link #close()}, so writing a packet allocates
 * nothing.
 *
 * <p>Thread contract: one thread at a time. Not for the data path: a write may do file I/O.
 */
public final class PcapngWriter extends GatheringFileWriter {
    /** Link type Ethernet, which {@link PcapFeed} hands over as it is (Linux cooked packets it converts to it). */
    public static final int LINKTYPE_ETHERNET = PcapFormat.LINKTYPE_ETHERNET;
    /** if_tsresol of microseconds (10^-6 s), the pcapng default. */
    public static final int TSRESOL_MICROS = PcapngFormat.DEFAULT_TSRESOL;
    /** if_tsresol of nanoseconds (10^-9 s). */
    public static final int TSRESOL_NANOS = 9;
    /** The if_tsresol bit that makes the exponent a power of 2 ({@code TSRESOL_BASE2 | 20} = 2^-20 s). */
    public static final int TSRESOL_BASE2 = PcapngFormat.TSRESOL_BASE2;
    /** Default snaplen of an interface: {@link PcapFeed#MAX_RECORD_LENGTH}. */
    public static final int DEFAULT_SNAPLEN = PcapFeed.MAX_RECORD_LENGTH;
    /** Interfaces one section may describe. */
    public static final int MAX_INTERFACES = PcapngReader.MAX_INTERFACES;

    /** Finest resolutions the writer converts exactly from nanoseconds. */
    private static final int MAX_WRITER_TSRESOL_BASE10 = 9;
    private static final int MAX_WRITER_TSRESOL_BASE2 = 30;

    private final UnsafeBuffer arrayView = new UnsafeBuffer(new byte[0]);
    private final int[] snaplens = new int[MAX_INTERFACES];
    private final long[] unitsPerSecond = new long[MAX_INTERFACES];
    private final long[] offsetSeconds = new long[MAX_INTERFACES];
    private ByteOrder order;
    private int interfaces;
    private long packetCount;

    private PcapngWriter(Path file, ByteOrder order) {
        if (order == null) {
            throw new IllegalArgumentException("order=null: must be LITTLE_ENDIAN or BIG_ENDIAN");
        }
        super(file, "pcapng");
        startSection(order);
    }

    /** A little-endian file with one Ethernet interface (id 0) of microsecond timestamps and the default snaplen. */
    public static PcapngWriter create(Path file) {
        final PcapngWriter writer = new PcapngWriter(file, ByteOrder.LITTLE_ENDIAN);
        writer.addInterface(LINKTYPE_ETHERNET, DEFAULT_SNAPLEN, TSRESOL_MICROS, 0);
        return writer;
    }

    /** A file whose first section has byte order {@code order} and no interfaces yet: add them next. */
    public static PcapngWriter create(Path file, ByteOrder order) {
        return new PcapngWriter(file, order);
    }

    /**
     * Starts a new section in byte order {@code sectionOrder}: a section header block, after which the section
     * has no interfaces until {@link #addInterface} is called.
     */
    public void startSection(ByteOrder sectionOrder) {
        checkOpen();
        if (sectionOrder == null) {
            throw new IllegalArgumentException("order=null: must be LITTLE_ENDIAN or BIG_ENDIAN");
        }
        order = sectionOrder;
        interfaces = 0;
        final int at = reserve(PcapngFormat.SHB_MIN);
        outView.putInt(at, PcapngFormat.SHB, order);
        outView.putInt(at + 4, PcapngFormat.SHB_MIN, order);
        outView.putInt(at + PcapngFormat.OFFSET_SHB_MAGIC, PcapngFormat.BYTE_ORDER_MAGIC, order);
        outView.putShort(at + PcapngFormat.OFFSET_SHB_MAJOR, (short) PcapngFormat.VERSION_MAJOR, order);
        outView.putShort(at + PcapngFormat.OFFSET_SHB_MINOR, (short) PcapngFormat.VERSION_MINOR, order);
        outView.putLong(at + 16, -1L, order); // section length not given
        outView.putInt(at + 24, PcapngFormat.SHB_MIN, order);
        used += PcapngFormat.SHB_MIN;
    }

    /**
     * Describes the next interface of the current section.
     *
     * @param linkType       link type (1 = Ethernet)
     * @param snaplen        largest captured length, 0 = none
     * @param tsresol        if_tsresol: {@code n} for 10^-n s (0..9), or {@link #TSRESOL_BASE2}{@code | n} for
     *                       2^-n s (0..30)
     * @param offsetSeconds  if_tsoffset: seconds added to every timestamp of the interface (0 = option left out)
     * @return the interface id, counted from 0 in each section
     */
    public int addInterface(int linkType, int snaplen, int tsresol, long offsetSeconds) {
        return addInterface(linkType, snaplen, tsresol, offsetSeconds, 0);
    }

    /**
     * As {@link #addInterface(int, int, int, long)}, with an {@code if_fcslen} option: the interface's packets end
     * in {@code fcsBits} bits of FCS, which the frames written on it must include (0 = option left out).
     */
    public int addInterface(int linkType, int snaplen, int tsresol, long offsetSeconds, int fcsBits) {
        checkOpen();
        if (fcsBits < 0 || fcsBits > 0xff) {
            throw new IllegalArgumentException("fcsBits=" + fcsBits + ": must be 0..255");
        }
        if (linkType < 0 || linkType > 0xffff) {
            throw new IllegalArgumentException("linkType=" + linkType + ": must be 0..65535");
        }
        if (snaplen < 0) {
            throw new IllegalArgumentException("snaplen=" + snaplen + ": must be 0 or more");
        }
        final boolean base2 = (tsresol & PcapngFormat.TSRESOL_BASE2) != 0;
        final int exponent = tsresol & ~PcapngFormat.TSRESOL_BASE2;
        if (tsresol < 0 || tsresol > 0xff || exponent > (base2 ? MAX_WRITER_TSRESOL_BASE2 : MAX_WRITER_TSRESOL_BASE10)) {
            throw new IllegalArgumentException("tsresol=" + tsresol + ": must be 0..9 (10^-n s) or TSRESOL_BASE2 | 0..30"
                + " (2^-n s)");
        }
        if (interfaces == MAX_INTERFACES) {
            throw new IllegalStateException("pcapng file " + file + ": more than " + MAX_INTERFACES
                + " interfaces in one section");
        }
        final int length = PcapngFormat.IDB_MIN + 8 + (offsetSeconds != 0 ? 12 : 0) + (fcsBits != 0 ? 8 : 0) + 4;
        final int at = reserve(length);
        outView.putInt(at, PcapngFormat.IDB, order);
        outView.putInt(at + 4, length, order);
        outView.putShort(at + PcapngFormat.OFFSET_IDB_LINKTYPE, (short) linkType, order);
        outView.putShort(at + PcapngFormat.OFFSET_IDB_LINKTYPE + 2, (short) 0, order);
        outView.putInt(at + PcapngFormat.OFFSET_IDB_SNAPLEN, snaplen, order);
        int option = at + PcapngFormat.OFFSET_IDB_OPTIONS;
        outView.putShort(option, (short) PcapngFormat.IF_TSRESOL, order);
        outView.putShort(option + 2, (short) 1, order);
        outView.putInt(option + 4, 0);
        outView.putByte(option + 4, (byte) tsresol);
        option += 8;
        if (offsetSeconds != 0) {
            outView.putShort(option, (short) PcapngFormat.IF_TSOFFSET, order);
            outView.putShort(option + 2, (short) 8, order);
            outView.putLong(option + 4, offsetSeconds, order);
            option += 12;
        }
        if (fcsBits != 0) {
            outView.putShort(option, (short) PcapngFormat.IF_FCSLEN, order);
            outView.putShort(option + 2, (short) 1, order);
            outView.putInt(option + 4, 0);
            outView.putByte(option + 4, (byte) fcsBits);
            option += 8;
        }
        outView.putInt(option, PcapngFormat.OPT_ENDOFOPT, order); // opt_endofopt: code 0, length 0
        outView.putInt(at + length - 4, length, order);
        used += length;
        snaplens[interfaces] = snaplen;
        unitsPerSecond[interfaces] = PcapngFormat.unitsPerSecond(tsresol);
        this.offsetSeconds[interfaces] = offsetSeconds;
        return interfaces++;
    }

    /** Writes {@code frame} as an enhanced packet block on interface {@code interfaceId}, captured whole. */
    public void write(int interfaceId, byte[] frame, long timestampNs) {
        arrayView.wrap(frame);
        write(interfaceId, arrayView, 0, frame.length, frame.length, timestampNs);
    }

    /**
     * Writes an enhanced packet block of which {@code length} bytes were captured out of {@code originalLength}.
     *
     * @param timestampNs capture time in nanoseconds since the epoch, at or after the interface's if_tsoffset;
     *                    truncated to the interface's resolution
     * @throws IllegalArgumentException for an interface the section has not described, a length outside
     *                                  0..{@link PcapFeed#MAX_RECORD_LENGTH}, a length above the original length,
     *                                  or a timestamp before the interface's offset
     */
    public void write(int interfaceId, DirectBuffer buffer, int offset, int length, int originalLength, long timestampNs) {
        checkOpen();
        if (interfaceId < 0 || interfaceId >= interfaces) {
            throw new IllegalArgumentException("interfaceId=" + interfaceId + ": must be 0.." + (interfaces - 1)
                + ", the interfaces of this section");
        }
        checkLengths(length, originalLength);
        final long sinceOffset = timestampNs - offsetSeconds[interfaceId] * 1_000_000_000L;
        if (sinceOffset < 0) {
            throw new IllegalArgumentException("timestampNs=" + timestampNs + ": must not be before the interface's"
                + " if_tsoffset of " + offsetSeconds[interfaceId] + " s");
        }
        final long perSecond = unitsPerSecond[interfaceId];
        // perSecond <= 10^9 here, so the fraction scales without overflow.
        final long units = sinceOffset / 1_000_000_000L * perSecond + sinceOffset % 1_000_000_000L * perSecond
            / 1_000_000_000L;
        final int blockLength = PcapngFormat.EPB_MIN + PcapngFormat.pad4(length);
        final int at = reserve(blockLength);
        outView.putInt(at, PcapngFormat.EPB, order);
        outView.putInt(at + 4, blockLength, order);
        outView.putInt(at + PcapngFormat.OFFSET_EPB_INTERFACE, interfaceId, order);
        outView.putInt(at + PcapngFormat.OFFSET_EPB_TS_HIGH, (int) (units >>> 32), order);
        outView.putInt(at + PcapngFormat.OFFSET_EPB_TS_LOW, (int) units, order);
        outView.putInt(at + PcapngFormat.OFFSET_EPB_CAPTURED, length, order);
        outView.putInt(at + PcapngFormat.OFFSET_EPB_ORIGINAL, originalLength, order);
        putPadded(at + PcapngFormat.OFFSET_EPB_DATA, buffer, offset, length);
        outView.putInt(at + blockLength - 4, blockLength, order);
        used += blockLength;
        packetCount++;
    }

    /**
     * Writes a simple packet block (interface 0, no timestamp) of a packet of {@code originalLength} bytes on the
     * wire; the block holds the first min(originalLength, snaplen of interface 0) bytes of {@code frame}.
     */
    public void writeSimple(byte[] frame, int originalLength) {
        checkOpen();
        if (interfaces == 0) {
            throw new IllegalStateException("pcapng file " + file + ": a simple packet block needs interface 0");
        }
        final int snaplen = snaplens[0];
        final int length = snaplen == 0 ? originalLength : Math.min(originalLength, snaplen);
        if (length > frame.length) {
            throw new IllegalArgumentException("frame of " + frame.length + " bytes: must hold the " + length
                + " captured bytes");
        }
        checkLengths(length, originalLength);
        arrayView.wrap(frame);
        final int blockLength = PcapngFormat.SPB_MIN + PcapngFormat.pad4(length);
        final int at = reserve(blockLength);
        outView.putInt(at, PcapngFormat.SPB, order);
        outView.putInt(at + 4, blockLength, order);
        outView.putInt(at + PcapngFormat.OFFSET_SPB_ORIGINAL, originalLength, order);
        putPadded(at + PcapngFormat.OFFSET_SPB_DATA, arrayView, 0, length);
        outView.putInt(at + blockLength - 4, blockLength, order);
        used += blockLength;
        packetCount++;
    }

    /**
     * Writes a block of any type with {@code body} (padded to 4 bytes) between its header and its trailing
     * length: statistics, name resolution or custom blocks, or deliberately malformed ones for tests.
     */
    public void writeBlock(int type, byte[] body) {
        checkOpen();
        final int blockLength = PcapngFormat.BLOCK_OVERHEAD + PcapngFormat.pad4(body.length);
        if (blockLength > BUFFER_BYTES) {
            throw new IllegalArgumentException("body of " + body.length + " bytes: must fit a block of at most "
                + BUFFER_BYTES + " bytes");
        }
        arrayView.wrap(body);
        final int at = reserve(blockLength);
        outView.putInt(at, type, order);
        outView.putInt(at + 4, blockLength, order);
        putPadded(at + PcapngFormat.BLOCK_HEADER, arrayView, 0, body.length);
        outView.putInt(at + blockLength - 4, blockLength, order);
        used += blockLength;
    }

    /** Packet blocks (enhanced and simple) written so far. */
    public long packets() {
        return packetCount;
    }

    /** Interfaces described in the current section. */
    public int interfaces() {
        return interfaces;
    }


    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("pcapng file " + file + ": writer is closed");
        }
    }

    private static void checkLengths(int length, int originalLength) {
        if (length < 0 || length > PcapFeed.MAX_RECORD_LENGTH) {
            throw new IllegalArgumentException("length=" + length + ": must be 0.." + PcapFeed.MAX_RECORD_LENGTH);
        }
        if (originalLength < length) {
            throw new IllegalArgumentException("originalLength=" + originalLength + ": must be at least length "
                + length);
        }
    }

    /** Room for a block of {@code length} bytes at the returned buffer offset, flushing first when needed. */
    private int reserve(int length) {
        if (used + length > BUFFER_BYTES) {
            flush();
        }
        return used;
    }

    private void putPadded(int at, DirectBuffer buffer, int offset, int length) {
        outView.putBytes(at, buffer, offset, length);
        for (int i = length; i < PcapngFormat.pad4(length); i++) {
            outView.putByte(at + i, (byte) 0);
        }
    }
}
