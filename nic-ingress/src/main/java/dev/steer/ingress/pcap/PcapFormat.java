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
    /** Linux cooked capture, v1 and v2: what {@code tcpdump -i any} writes (v2 by default, v1 with -y LINUX_SLL). */
    static final int LINKTYPE_LINUX_SLL = 113;
    static final int LINKTYPE_LINUX_SLL2 = 276;
    /**
     * The link type is the low 16 bits of the header's network field; above them, libpcap's FCS description:
     * bit 26 says the top 4 bits give the FCS appended to every packet, in 16-bit words. The rest is reserved.
     */
    static final int LINKTYPE_MASK = 0xffff;
    /** The network field's flag: the FCS length is given ({@link #fcsBytes}). */
    static final int FCS_PRESENT = 0x0400_0000;

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

    /** A link type captures are likely to have: its number, libpcap's name for it, and what it is. */
    private record LinkType(int number, String name, String description) {
    }

    /** The link types that get a name and a description; one table serves both, so they cannot disagree. */
    private static final LinkType[] KNOWN_LINK_TYPES = {
        new LinkType(0, "NULL", "BSD loopback"),
        new LinkType(LINKTYPE_ETHERNET, "ETHERNET", "Ethernet"),
        new LinkType(101, "RAW", "IP packets without a link-layer header"),
        new LinkType(105, "IEEE802_11", "Wi-Fi"),
        new LinkType(LINKTYPE_LINUX_SLL, "LINUX_SLL", "Linux cooked capture, as tcpdump -i any writes"),
        new LinkType(127, "IEEE802_11_RADIOTAP", "Wi-Fi with radiotap headers"),
        new LinkType(228, "IPV4", "IPv4 packets without a link-layer header"),
        new LinkType(229, "IPV6", "IPv6 packets without a link-layer header"),
        new LinkType(LINKTYPE_LINUX_SLL2, "LINUX_SLL2", "Linux cooked capture v2, as tcpdump -i any writes"),
    };

    private static LinkType known(int linkType) {
        for (LinkType known : KNOWN_LINK_TYPES) {
            if (known.number() == linkType) {
                return known;
            }
        }
        return null;
    }

    /** The name libpcap gives a link type captures are likely to have, else null. */
    static String linkTypeName(int linkType) {
        final LinkType known = known(linkType);
        return known == null ? null : known.name();
    }

    /**
     * A link type a classic file cannot be replayed from, as an open-time error names it: its number, then, for the
     * ones real captures are likely to have, its name and what it is, and which link types are replayed.
     */
    static String unsupportedLinkType(int linkType) {
        final LinkType known = known(linkType);
        return "link type " + linkType + (known == null ? "" : " (" + known.name() + ", " + known.description() + ")")
            + " is not supported, only Ethernet (1) and the Linux cooked captures of tcpdump -i any (113 LINUX_SLL,"
            + " 276 LINUX_SLL2)";
    }

    /** Bytes of FCS at the end of every packet, from the header's network field: 0 when not given. */
    static int fcsBytes(int network) {
        return (network & FCS_PRESENT) != 0 ? (network >>> 28) * 2 : 0;
    }
}
