package dev.steer.engine.program;

/**
 * Where the headers of one packet are, as {@link PacketParser} found them: a mutable result holder, one
 * per thread, overwritten by every parse so that parsing allocates nothing. Offsets are relative to the
 * first packet byte; -1 means absent.
 */
public final class PacketHeaders {
    /** Parsed to the end of what the programs need. */
    public static final int OK = 0;
    /** A valid Ethernet frame whose type is not IPv4 or IPv6 (ARP, say), or has more than two VLAN tags. */
    public static final int NOT_IP = 1;
    /** The packet ends inside a header that the headers before it announced. */
    public static final int TRUNCATED = 2;
    /** A header holds impossible values: wrong IP version, IHL below 5, too many IPv6 extension headers. */
    public static final int MALFORMED = 3;

    /** Layer-3 kind: none. */
    public static final int L3_NONE = 0;
    /** Layer-3 kind: IPv4. */
    public static final int L3_IPV4 = 4;
    /** Layer-3 kind: IPv6. */
    public static final int L3_IPV6 = 6;

    /** IP protocol numbers the programs know. */
    public static final int PROTO_ICMP = 1;
    /** TCP. */
    public static final int PROTO_TCP = 6;
    /** UDP. */
    public static final int PROTO_UDP = 17;
    /** ICMPv6. */
    public static final int PROTO_ICMPV6 = 58;

    int status;
    int ethType;
    int vlanCount;
    final int[] vlanIds = new int[2];
    int l3Kind;
    int l3Offset;
    int srcAddressOffset;
    int dstAddressOffset;
    int addressLength;
    int l4Protocol;
    int datagramProtocol;
    int l4Offset;
    int srcPort;
    int dstPort;
    int icmpType;
    int icmpCode;
    boolean fragment;

    PacketHeaders l4Protocol(int protocol) {
        this.l4Protocol = protocol;
        return this;
    }

    void reset() {
        status = OK;
        ethType = -1;
        vlanCount = 0;
        vlanIds[0] = -1;
        vlanIds[1] = -1;
        l3Kind = L3_NONE;
        l3Offset = -1;
        srcAddressOffset = -1;
        dstAddressOffset = -1;
        addressLength = 0;
        l4Protocol = -1;
        datagramProtocol = -1;
        l4Offset = -1;
        srcPort = -1;
        dstPort = -1;
        icmpType = -1;
        icmpCode = -1;
        fragment = false;
    }

    /** {@link #OK}, {@link #NOT_IP}, {@link #TRUNCATED} or {@link #MALFORMED}. */
    public int status() {
        return status;
    }

    /** True for a packet parsed through its IP header (status OK). */
    public boolean isIp() {
        return status == OK && l3Kind != L3_NONE;
    }

    /** Ethernet type after the VLAN tags, -1 for a runt. */
    public int ethType() {
        return ethType;
    }

    /** Number of 802.1Q / 802.1ad tags, 0 to 2. */
    public int vlanCount() {
        return vlanCount;
    }

    /** VLAN id of tag {@code index} (0 outer), -1 when absent. */
    public int vlanId(int index) {
        return index >= 0 && index < vlanIds.length ? vlanIds[index] : -1;
    }

    /** {@link #L3_IPV4}, {@link #L3_IPV6} or {@link #L3_NONE}. */
    public int l3Kind() {
        return l3Kind;
    }

    /** Offset of the IP header, -1 when none. */
    public int l3Offset() {
        return l3Offset;
    }

    /** Offset of the source address. */
    public int srcAddressOffset() {
        return srcAddressOffset;
    }

    /** Offset of the destination address. */
    public int dstAddressOffset() {
        return dstAddressOffset;
    }

    /** Address length: 4 (IPv4), 16 (IPv6), 0 when none. */
    public int addressLength() {
        return addressLength;
    }

    /** IP protocol of the transport header (after IPv6 extension headers), -1 when none. */
    public int l4Protocol() {
        return l4Protocol;
    }

    /**
     * The protocol number every fragment of the IP datagram carries, so a hash seeded with it keeps the
     * fragments together: IPv4's protocol field; for IPv6 with a Fragment header, that header's next header
     * (AH or destination options may follow it, in the first fragment only); otherwise {@link #l4Protocol()}.
     * -1 when none.
     */
    public int datagramProtocol() {
        return datagramProtocol;
    }

    /** Offset of the transport header, -1 when absent (non-first fragments included). */
    public int l4Offset() {
        return l4Offset;
    }

    /** TCP or UDP source port, -1 when none. */
    public int srcPort() {
        return srcPort;
    }

    /** TCP or UDP destination port, -1 when none. */
    public int dstPort() {
        return dstPort;
    }

    /** ICMP or ICMPv6 type, -1 when none. */
    public int icmpType() {
        return icmpType;
    }

    /** ICMP or ICMPv6 code, -1 when none. */
    public int icmpCode() {
        return icmpCode;
    }

    /** True for a non-first IP fragment, which carries no transport header. */
    public boolean isFragment() {
        return fragment;
    }
}
