package dev.steer.ingress.pcap;

/** Layout constants of the classic pcap format shared by the reader and the writer. */
final class PcapFormat {
    /** Magic of a microsecond file, read in the writer's byte order. */
    static final int MAGIC_MICROS = 0xa1b2c3d4;
    /** Magic of a nanosecond file, read in the writer's byte order. */
    static final int MAGIC_NANOS = 0xa1b23c4d;
    /** Block type of a pcapng section header, which starts every pcapng file. */
    static final int PCAPNG_SHB = 0x0a0d0d0a;
    static final int FILE_HEADER_LENGTH = 24;
    static final int RECORD_HEADER_LENGTH = 16;
    static final int VERSION_MAJOR = 2;
    static final int VERSION_MINOR = 4;
    static final int LINKTYPE_ETHERNET = 1;
    /** The link type is the low 28 bits of the header's network field; the top 4 describe an FCS. */
    static final int LINKTYPE_MASK = 0x0fff_ffff;

    static final int OFFSET_VERSION_MAJOR = 4;
    static final int OFFSET_VERSION_MINOR = 6;
    static final int OFFSET_SNAPLEN = 16;
    static final int OFFSET_NETWORK = 20;
    static final int OFFSET_TS_SEC = 0;
    static final int OFFSET_TS_FRACTION = 4;
    static final int OFFSET_INCL_LEN = 8;
    static final int OFFSET_ORIG_LEN = 12;

    private PcapFormat() {
    }
}
