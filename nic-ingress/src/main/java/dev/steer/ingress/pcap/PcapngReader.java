package dev.steer.ingress.pcap;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads pcapng: sections in either byte order, interfaces with their link type, snaplen, {@code if_tsresol},
 * {@code if_tsoffset} and {@code if_fcslen} (the FCS is left out of the frames), enhanced, simple and
 * (obsolete) packet blocks; every other block is skipped by its length. A block that is read (section, interface,
 * packet) is whole in the window before it is used, so its trailing length is checked before any of its content
 * counts; one without a packet above {@link PcapFeed#MAX_BLOCK_LENGTH} is stepped over without being read, only its
 * trailing length checked. Interface tables are preallocated for {@link #MAX_INTERFACES} per section. Packets on a
 * Linux cooked interface become Ethernet frames ({@link CaptureReader#onLink}).
 */
final class PcapngReader extends CaptureReader {
    /** Interfaces one section may describe; one more is damage. */
    static final int MAX_INTERFACES = 1024;
    /** Blocks without a packet skipped by one {@link #next()} before it yields, so a poll stays bounded. */
    private static final int MAX_BLOCKS_PER_CALL = 1024;
    /** Largest |if_tsoffset| in seconds (about 285 years), so that it converts to nanoseconds without overflow. */
    private static final long MAX_TSOFFSET_SECONDS = 9_000_000_000L;
    /** Units per second up to which a fraction times 10^9 fits a long, so conversion is exact. */
    private static final long EXACT_UNITS = 1L << 33;

    private final UnsafeBuffer view;
    private final Path file;
    private final int[] linkTypes = new int[MAX_INTERFACES];
    private final long[] snaplens = new long[MAX_INTERFACES];
    private final int[] fcsBytes = new int[MAX_INTERFACES];
    private final long[] unitsPerSecond = new long[MAX_INTERFACES];
    private final long[] offsetNanos = new long[MAX_INTERFACES];
    private final double[] nanosPerUnit = new double[MAX_INTERFACES];
    /** Blocks skipped by their length: neither section, interface nor packet. Poll thread; the feed publishes it. */
    long skippedBlocks;
    /** Of those, blocks of a type the format does not define: a damaged packet block's type looks like this. */
    long unknownBlocks;
    private ByteOrder order = ByteOrder.LITTLE_ENDIAN;
    private int interfaces;
    private int blockLength;

    PcapngReader(CaptureWindow window, Path file) {
        super(window);
        this.view = window.view;
        this.file = file;
    }

    /**
     * Checks the first section header (the window holds the file's first bytes): {@link #DAMAGED} for a cut
     * header or a bad byte-order magic, else {@link #PACKET} meaning "readable"; the block itself is read by
     * the first {@link #next()}.
     *
     * @throws IllegalArgumentException for a major version other than 1
     */
    int open() throws IOException {
        if (!window.ensure(PcapngFormat.SHB_MIN)) {
            return damaged(0, PcapDamage.Reason.HEADER_CUT, window.available() + " of " + PcapngFormat.SHB_MIN
                + " section header bytes");
        }
        final ByteOrder first = sectionOrder(window.position);
        if (first == null) {
            return damaged(0, PcapDamage.Reason.BAD_MAGIC, String.format("pcapng byte-order magic 0x%08x",
                view.getInt(PcapngFormat.OFFSET_SHB_MAGIC, ByteOrder.BIG_ENDIAN)));
        }
        final int major = view.getShort(PcapngFormat.OFFSET_SHB_MAJOR, first) & 0xffff;
        if (major != PcapngFormat.VERSION_MAJOR) {
            final int minor = view.getShort(PcapngFormat.OFFSET_SHB_MINOR, first) & 0xffff;
            throw new IllegalArgumentException("pcap file " + file + ": pcapng version " + major + "." + minor
                + " is not supported, only 1.x");
        }
        return PACKET;
    }

    /** The byte order of the section header at window offset {@code at}, or null when its magic is neither. */
    private ByteOrder sectionOrder(int at) {
        final int magic = view.getInt(at + PcapngFormat.OFFSET_SHB_MAGIC, ByteOrder.LITTLE_ENDIAN);
        if (magic == PcapngFormat.BYTE_ORDER_MAGIC) {
            return ByteOrder.LITTLE_ENDIAN;
        }
        if (magic == Integer.reverseBytes(PcapngFormat.BYTE_ORDER_MAGIC)) {
            return ByteOrder.BIG_ENDIAN;
        }
        return null;
    }

    @Override
    int next() throws IOException {
        for (int blocks = 0; blocks < MAX_BLOCKS_PER_CALL; blocks++) {
            final long blockOffset = window.offset();
            if (!window.ensure(PcapngFormat.BLOCK_HEADER)) {
                if (!window.endOfFile()) {
                    return WAIT;
                }
                if (window.available() == 0) {
                    return END_OF_FILE;
                }
                return damaged(blockOffset, PcapDamage.Reason.RECORD_HEADER_CUT, window.available() + " of "
                    + PcapngFormat.BLOCK_HEADER + " block header bytes");
            }
            final int type = view.getInt(window.position, order);
            ByteOrder blockOrder = order;
            if (type == PcapngFormat.SHB) {
                if (!window.ensure(PcapngFormat.OFFSET_SHB_MAGIC + 4)) {
                    if (!window.endOfFile()) {
                        return WAIT;
                    }
                    return cut(blockOffset, type, window.available(), PcapngFormat.SHB_MIN);
                }
                blockOrder = sectionOrder(window.position);
                if (blockOrder == null) {
                    return damaged(blockOffset, PcapDamage.Reason.BAD_SECTION, String.format(
                        "byte-order magic 0x%08x", view.getInt(window.position + PcapngFormat.OFFSET_SHB_MAGIC,
                            ByteOrder.BIG_ENDIAN)));
                }
            }
            final long length = view.getInt(window.position + 4, blockOrder) & 0xffff_ffffL;
            final int minimum = minimumLength(type);
            final boolean read = isRead(type);
            if (length < minimum || (length & 3) != 0 || read && length > PcapFeed.MAX_BLOCK_LENGTH) {
                return damaged(blockOffset, PcapDamage.Reason.BAD_BLOCK_LENGTH, "block type " + typeName(type)
                    + " block_total_length " + length + ": must be a multiple of 4, " + minimum + ".."
                    + (read ? PcapFeed.MAX_BLOCK_LENGTH : 0xffff_fffcL));
            }
            if (length > PcapFeed.MAX_BLOCK_LENGTH) {
                // Real captures hold decryption secrets and name resolution blocks of any size: the format says to
                // skip them by their length, so their length is no damage, and they need not fit the window.
                return skipLarge(blockOffset, type, length, blockOrder);
            }
            final int blockBytes = (int) length;
            if (!window.ensure(blockBytes)) {
                if (!window.endOfFile()) {
                    return WAIT;
                }
                return cut(blockOffset, type, window.available(), blockBytes);
            }
            final int at = window.position;
            final long trailing = view.getInt(at + blockBytes - 4, blockOrder) & 0xffff_ffffL;
            if (trailing != length) {
                return damaged(blockOffset, PcapDamage.Reason.BLOCK_LENGTH_MISMATCH, "block type " + typeName(type)
                    + " block_total_length " + length + ", trailing copy " + trailing);
            }
            blockLength = blockBytes;
            switch (type) {
                case PcapngFormat.SHB -> {
                    final int result = section(at, blockOrder, blockOffset);
                    if (result != PACKET) {
                        return result;
                    }
                }
                case PcapngFormat.IDB -> {
                    final int result = describeInterface(at, blockOffset);
                    if (result != PACKET) {
                        return result;
                    }
                }
                case PcapngFormat.EPB, PcapngFormat.PB -> {
                    return packet(at, type, blockOffset);
                }
                case PcapngFormat.SPB -> {
                    return simplePacket(at, blockOffset);
                }
                default -> skipped(type);
            }
            window.position += blockBytes;
        }
        return WAIT;
    }

    /**
     * Statistics, name resolution, secrets, custom blocks: nothing to replay. Counted all the same, so that a packet
     * block whose type was damaged is not skipped without a trace.
     */
    private void skipped(int type) {
        skippedBlocks++;
        if (!PcapngFormat.definedWithoutPacket(type)) {
            unknownBlocks++;
        }
    }

    /**
     * Steps over a block without a packet larger than {@link PcapFeed#MAX_BLOCK_LENGTH} by its length, reading only
     * its trailing length (the window then holds what follows it). Ends the call: each such block costs one window
     * read, so however large and however many they are, a poll reads at most one window for them.
     */
    private int skipLarge(long blockOffset, int type, long length, ByteOrder blockOrder) throws IOException {
        window.seek(blockOffset + length - 4);
        if (!window.ensure(4)) {
            if (!window.endOfFile()) {
                window.seek(blockOffset); // a short read: the whole block again on the next poll
                return WAIT;
            }
            return cut(blockOffset, type, Math.max(0, window.size() - blockOffset), length);
        }
        final long trailing = view.getInt(window.position, blockOrder) & 0xffff_ffffL;
        if (trailing != length) {
            return damaged(blockOffset, PcapDamage.Reason.BLOCK_LENGTH_MISMATCH, "block type " + typeName(type)
                + " block_total_length " + length + ", trailing copy " + trailing);
        }
        window.position += 4;
        skipped(type);
        return WAIT;
    }

    @Override
    void consume() {
        window.restoreRewritten();
        window.position += blockLength;
    }

    @Override
    void rewind() {
        window.seek(0);
    }

    /** True for the blocks whose content the reader needs, and so reads whole: section, interface, packets. */
    private static boolean isRead(int type) {
        return type == PcapngFormat.SHB || type == PcapngFormat.IDB || isPacket(type);
    }

    private static boolean isPacket(int type) {
        return type == PcapngFormat.EPB || type == PcapngFormat.PB || type == PcapngFormat.SPB;
    }

    private static int minimumLength(int type) {
        return switch (type) {
            case PcapngFormat.SHB -> PcapngFormat.SHB_MIN;
            case PcapngFormat.IDB -> PcapngFormat.IDB_MIN;
            case PcapngFormat.EPB -> PcapngFormat.EPB_MIN;
            case PcapngFormat.PB -> PcapngFormat.PB_MIN;
            case PcapngFormat.SPB -> PcapngFormat.SPB_MIN;
            default -> PcapngFormat.BLOCK_OVERHEAD;
        };
    }

    private static String typeName(int type) {
        return switch (type) {
            case PcapngFormat.SHB -> "SHB";
            case PcapngFormat.IDB -> "IDB";
            case PcapngFormat.EPB -> "EPB";
            case PcapngFormat.PB -> "PB";
            case PcapngFormat.SPB -> "SPB";
            default -> String.format("0x%08x", type);
        };
    }

    /**
     * The file ended inside a block, {@code present} of its {@code needed} bytes in it: a packet block counts as one
     * packet cut short.
     */
    private int cut(long blockOffset, int type, long present, long needed) {
        final boolean packet = isPacket(type);
        return damaged(blockOffset, packet ? PcapDamage.Reason.RECORD_DATA_CUT : PcapDamage.Reason.BLOCK_CUT,
            "block type " + typeName(type) + ": " + present + " of " + needed + " bytes", packet);
    }

    /** A new section: its byte order, no interfaces yet. */
    private int section(int at, ByteOrder sectionOrder, long blockOffset) {
        final int major = view.getShort(at + PcapngFormat.OFFSET_SHB_MAJOR, sectionOrder) & 0xffff;
        if (major != PcapngFormat.VERSION_MAJOR) {
            return damaged(blockOffset, PcapDamage.Reason.BAD_SECTION, "version " + major + "."
                + (view.getShort(at + PcapngFormat.OFFSET_SHB_MINOR, sectionOrder) & 0xffff) + ", only 1.x");
        }
        order = sectionOrder;
        interfaces = 0;
        return PACKET;
    }

    /** The next interface of the section; options are walked within the block only. */
    private int describeInterface(int at, long blockOffset) {
        if (interfaces == MAX_INTERFACES) {
            return damaged(blockOffset, PcapDamage.Reason.TOO_MANY_INTERFACES, "more than " + MAX_INTERFACES
                + " interfaces in one section");
        }
        int tsresol = PcapngFormat.DEFAULT_TSRESOL;
        long tsoffset = 0;
        int fcsBits = 0;
        final int end = at + blockLength - 4;
        int option = at + PcapngFormat.OFFSET_IDB_OPTIONS;
        // Each option takes at least 4 bytes, so the walk ends within the block.
        while (option + 4 <= end) {
            final int code = view.getShort(option, order) & 0xffff;
            final int optionLength = view.getShort(option + 2, order) & 0xffff;
            if (code == PcapngFormat.OPT_ENDOFOPT) {
                break;
            }
            if (option + 4 + PcapngFormat.pad4(optionLength) > end) {
                return damaged(blockOffset, PcapDamage.Reason.BAD_INTERFACE, "option " + code + " of " + optionLength
                    + " bytes runs past the block");
            }
            if (code == PcapngFormat.IF_FCSLEN) {
                if (optionLength != 1) {
                    return damaged(blockOffset, PcapDamage.Reason.BAD_INTERFACE, "if_fcslen of " + optionLength
                        + " bytes, must be 1");
                }
                fcsBits = view.getByte(option + 4) & 0xff;
                if (fcsBits % 8 != 0) {
                    return damaged(blockOffset, PcapDamage.Reason.BAD_INTERFACE, "if_fcslen " + fcsBits
                        + " bits: must be whole bytes");
                }
            } else if (code == PcapngFormat.IF_TSRESOL) {
                if (optionLength != 1) {
                    return damaged(blockOffset, PcapDamage.Reason.BAD_INTERFACE, "if_tsresol of " + optionLength
                        + " bytes, must be 1");
                }
                tsresol = view.getByte(option + 4) & 0xff;
            } else if (code == PcapngFormat.IF_TSOFFSET) {
                if (optionLength != 8) {
                    return damaged(blockOffset, PcapDamage.Reason.BAD_INTERFACE, "if_tsoffset of " + optionLength
                        + " bytes, must be 8");
                }
                tsoffset = view.getLong(option + 4, order);
            }
            option += 4 + PcapngFormat.pad4(optionLength);
        }
        final long units = PcapngFormat.unitsPerSecond(tsresol);
        if (units == 0) {
            return damaged(blockOffset, PcapDamage.Reason.BAD_INTERFACE, String.format("if_tsresol 0x%02x: must be "
                + "10^-0..10^-18 or 2^-0..2^-62 s", tsresol));
        }
        if (Math.abs(tsoffset) > MAX_TSOFFSET_SECONDS) {
            return damaged(blockOffset, PcapDamage.Reason.BAD_INTERFACE, "if_tsoffset " + tsoffset + " s: must be "
                + "within +-" + MAX_TSOFFSET_SECONDS);
        }
        final int id = interfaces++;
        linkTypes[id] = (view.getShort(at + PcapngFormat.OFFSET_IDB_LINKTYPE, order) & 0xffff);
        snaplens[id] = view.getInt(at + PcapngFormat.OFFSET_IDB_SNAPLEN, order) & 0xffff_ffffL;
        fcsBytes[id] = fcsBits / 8;
        unitsPerSecond[id] = units;
        nanosPerUnit[id] = 1e9 / units;
        offsetNanos[id] = tsoffset * 1_000_000_000L;
        return PACKET;
    }

    /** An enhanced (or obsolete) packet block: a packet on one of the section's interfaces. */
    private int packet(int at, int type, long blockOffset) {
        final long id = type == PcapngFormat.EPB
            ? view.getInt(at + PcapngFormat.OFFSET_EPB_INTERFACE, order) & 0xffff_ffffL
            : view.getShort(at + PcapngFormat.OFFSET_EPB_INTERFACE, order) & 0xffff;
        final long captured = view.getInt(at + PcapngFormat.OFFSET_EPB_CAPTURED, order) & 0xffff_ffffL;
        final long original = view.getInt(at + PcapngFormat.OFFSET_EPB_ORIGINAL, order) & 0xffff_ffffL;
        if (captured > blockLength - PcapngFormat.EPB_MIN) {
            return damaged(blockOffset, PcapDamage.Reason.BAD_BLOCK_LENGTH, "captured length " + captured
                + " does not fit block_total_length " + blockLength);
        }
        if (id >= interfaces) {
            return damaged(blockOffset, PcapDamage.Reason.UNKNOWN_INTERFACE, "interface id " + id + ", the section"
                + " describes " + interfaces);
        }
        final int ifId = (int) id;
        final int checked = checkLengths(captured, original, snaplens[ifId], blockOffset);
        if (checked != PACKET) {
            return checked;
        }
        final long units = (long) view.getInt(at + PcapngFormat.OFFSET_EPB_TS_HIGH, order) << 32
            | view.getInt(at + PcapngFormat.OFFSET_EPB_TS_LOW, order) & 0xffff_ffffL;
        timestampNs = toNanos(units, ifId);
        timed = true;
        dataOffset = at + PcapngFormat.OFFSET_EPB_DATA;
        capturedLength = (int) captured;
        originalLength = original;
        fcsLength = fcsBytes[ifId];
        return onLink(linkTypes[ifId]);
    }

    /** A simple packet block: interface 0, no timestamp, captured up to that interface's snaplen. */
    private int simplePacket(int at, long blockOffset) {
        if (interfaces == 0) {
            return damaged(blockOffset, PcapDamage.Reason.UNKNOWN_INTERFACE, "simple packet block before the"
                + " section's first interface");
        }
        final long original = view.getInt(at + PcapngFormat.OFFSET_SPB_ORIGINAL, order) & 0xffff_ffffL;
        final long snaplen = snaplens[0];
        final long captured = snaplen == 0 ? original : Math.min(original, snaplen);
        if (captured > blockLength - PcapngFormat.SPB_MIN) {
            return damaged(blockOffset, PcapDamage.Reason.BAD_BLOCK_LENGTH, "original length " + original
                + " (snaplen " + snaplen + ") does not fit block_total_length " + blockLength);
        }
        if (captured > PcapFeed.MAX_RECORD_LENGTH) {
            return damaged(blockOffset, PcapDamage.Reason.RECORD_TOO_LARGE, "captured length " + captured + " > "
                + PcapFeed.MAX_RECORD_LENGTH);
        }
        timed = false;
        aboveSnaplen = false; // its captured length is the snaplen at most, by definition
        dataOffset = at + PcapngFormat.OFFSET_SPB_DATA;
        capturedLength = (int) captured;
        originalLength = original;
        fcsLength = fcsBytes[0];
        return onLink(linkTypes[0]);
    }

    private int checkLengths(long captured, long original, long snaplen, long blockOffset) {
        if (captured > PcapFeed.MAX_RECORD_LENGTH) {
            return damaged(blockOffset, PcapDamage.Reason.RECORD_TOO_LARGE, "captured length " + captured + " > "
                + PcapFeed.MAX_RECORD_LENGTH);
        }
        if (captured > original) {
            return damaged(blockOffset, PcapDamage.Reason.CAPTURED_ABOVE_ORIGINAL, "captured length " + captured
                + " > original length " + original);
        }
        // Above the interface's snaplen is no damage (see ClassicPcapReader): replayed whole, counted apart.
        aboveSnaplen = snaplen != 0 && captured > snaplen;
        return PACKET;
    }

    /** Interface units (unsigned) to nanoseconds since the epoch, with the interface's offset. */
    private long toNanos(long units, int ifId) {
        final long perSecond = unitsPerSecond[ifId];
        final long seconds = Long.divideUnsigned(units, perSecond);
        final long fraction = Long.remainderUnsigned(units, perSecond);
        final long fractionNanos = perSecond <= EXACT_UNITS
            ? fraction * 1_000_000_000L / perSecond
            : (long) (fraction * nanosPerUnit[ifId]);
        return seconds * 1_000_000_000L + fractionNanos + offsetNanos[ifId];
    }
}
