package dev.steer.ingress.pcap;

/** Layout constants of the pcapng format shared by the reader and the writer. */
final class PcapngFormat {
    /** Section Header Block; the same bytes in either byte order. */
    static final int SHB = PcapFormat.PCAPNG_SHB;
    /** Interface Description Block. */
    static final int IDB = 1;
    /** Packet Block, obsolete but still written by old tools; read like an enhanced packet block. */
    static final int PB = 2;
    /** Simple Packet Block. */
    static final int SPB = 3;
    /** Enhanced Packet Block. */
    static final int EPB = 6;
    /** Byte-order magic of a section header, read in the section's byte order. */
    static final int BYTE_ORDER_MAGIC = 0x1a2b3c4d;
    static final int VERSION_MAJOR = 1;
    static final int VERSION_MINOR = 0;

    /** Block type and block total length. */
    static final int BLOCK_HEADER = 8;
    /** Block header and the trailing copy of the total length: the smallest block. */
    static final int BLOCK_OVERHEAD = 12;
    static final int SHB_MIN = 28;
    static final int IDB_MIN = 20;
    static final int EPB_MIN = 32;
    static final int PB_MIN = 32;
    static final int SPB_MIN = 16;

    static final int OFFSET_SHB_MAGIC = 8;
    static final int OFFSET_SHB_MAJOR = 12;
    static final int OFFSET_SHB_MINOR = 14;
    static final int OFFSET_IDB_LINKTYPE = 8;
    static final int OFFSET_IDB_SNAPLEN = 12;
    static final int OFFSET_IDB_OPTIONS = 16;
    static final int OFFSET_EPB_INTERFACE = 8;
    static final int OFFSET_EPB_TS_HIGH = 12;
    static final int OFFSET_EPB_TS_LOW = 16;
    static final int OFFSET_EPB_CAPTURED = 20;
    static final int OFFSET_EPB_ORIGINAL = 24;
    static final int OFFSET_EPB_DATA = 28;
    static final int OFFSET_SPB_ORIGINAL = 8;
    static final int OFFSET_SPB_DATA = 12;

    static final int OPT_ENDOFOPT = 0;
    static final int IF_TSRESOL = 9;
    static final int IF_TSOFFSET = 14;
    /** if_fcslen: the FCS length of the interface's packets, in bits (one byte). */
    static final int IF_FCSLEN = 13;
    /** if_tsresol when absent: 10^-6 s. */
    static final int DEFAULT_TSRESOL = 6;
    /** if_tsresol's top bit: the rest is a power of 2, not of 10. */
    static final int TSRESOL_BASE2 = 0x80;
    /** Finest resolutions whose units per second fit a long. */
    static final int MAX_TSRESOL_BASE10 = 18;
    static final int MAX_TSRESOL_BASE2 = 62;

    private PcapngFormat() {
    }

    /** Timestamp units per second for an if_tsresol value, or 0 when it is out of range. */
    static long unitsPerSecond(int tsresol) {
        if ((tsresol & TSRESOL_BASE2) != 0) {
            final int exponent = tsresol & ~TSRESOL_BASE2;
            return exponent > MAX_TSRESOL_BASE2 ? 0 : 1L << exponent;
        }
        if (tsresol > MAX_TSRESOL_BASE10) {
            return 0;
        }
        long units = 1;
        for (int i = 0; i < tsresol; i++) {
            units *= 10;
        }
        return units;
    }

    /**
     * True for the block types the format defines that hold no packet: name resolution (4), interface statistics
     * (5), the obsolete IRIG timestamp (7) and ARINC 429 (8) blocks, systemd journal export (9), decryption secrets
     * (0x0A) and the two custom blocks (0x0BAD, 0x40000BAD).
     */
    static boolean definedWithoutPacket(int type) {
        return type == 4 || type == 5 || type == 7 || type == 8 || type == 9 || type == 0x0A || type == 0x0BAD
            || type == 0x4000_0BAD;
    }

    /** Rounds a length up to a multiple of 4, the padding of block bodies and options. */
    static int pad4(int length) {
        return (length + 3) & ~3;
    }
}
