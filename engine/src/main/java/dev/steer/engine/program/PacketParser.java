package dev.steer.engine.program;

/**
 * Parses Ethernet (with up to two 802.1Q / 802.1ad tags), IPv4 (with options), IPv6 (walking at most
 * {@value #MAX_IPV6_EXTENSIONS} extension headers), TCP, UDP, ICMP and ICMPv6 into a {@link PacketHeaders}.
 * Every read goes through the bounds-checked {@link PacketView}, so no input can make it throw; every loop
 * is bounded, and no header is read past the IP packet's own length (padding after it is not the packet's).
 * Allocation-free; stateless, so any thread may call it with its own headers object.
 */
public final class PacketParser {
    /** IPv6 extension headers walked before the packet counts as malformed. */
    public static final int MAX_IPV6_EXTENSIONS = 8;

    private static final int ETH_HEADER = 14;
    private static final int ETH_P_IPV4 = 0x0800;
    private static final int ETH_P_IPV6 = 0x86DD;
    private static final int ETH_P_8021Q = 0x8100;
    private static final int ETH_P_8021AD = 0x88A8;

    private PacketParser() {
    }

    /**
     * Parses {@code view} into {@code out}.
     *
     * @return the status, also in {@code out.status()}
     */
    public static int parse(PacketView view, PacketHeaders out) {
        out.reset();
        return out.status = parseEthernet(view, out);
    }

    private static int parseEthernet(PacketView view, PacketHeaders out) {
        if (!view.has(0, ETH_HEADER)) {
            return PacketHeaders.TRUNCATED;
        }
        int type = view.u16(12);
        int offset = ETH_HEADER;
        while ((type == ETH_P_8021Q || type == ETH_P_8021AD) && out.vlanCount < 2) {
            if (!view.has(offset, 4)) {
                return PacketHeaders.TRUNCATED;
            }
            out.vlanIds[out.vlanCount++] = view.u16(offset) & 0x0FFF;
            type = view.u16(offset + 2);
            offset += 4;
        }
        out.ethType = type;
        return switch (type) {
            case ETH_P_IPV4 -> parseIpv4(view, offset, out);
            case ETH_P_IPV6 -> parseIpv6(view, offset, out);
            default -> PacketHeaders.NOT_IP;
        };
    }

    private static int parseIpv4(PacketView view, int offset, PacketHeaders out) {
        if (!view.has(offset, 20)) {
            return PacketHeaders.TRUNCATED;
        }
        final int versionIhl = view.u8(offset);
        final int headerLength = (versionIhl & 0x0F) * 4;
        final int totalLength = view.u16(offset + 2);
        if (versionIhl >>> 4 != 4 || headerLength < 20 || totalLength < headerLength) {
            return PacketHeaders.MALFORMED;
        }
        if (!view.has(offset, headerLength)) {
            return PacketHeaders.TRUNCATED;
        }
        out.l3Kind = PacketHeaders.L3_IPV4;
        out.l3Offset = offset;
        out.srcAddressOffset = offset + 12;
        out.dstAddressOffset = offset + 16;
        out.addressLength = 4;
        out.l4Protocol = view.u8(offset + 9);
        out.datagramProtocol = out.l4Protocol;
        if ((view.u16(offset + 6) & 0x1FFF) != 0) {
            out.fragment = true;
            return PacketHeaders.OK;
        }
        return parseTransport(view, offset + headerLength, ipEnd(view, offset + totalLength), out);
    }

    /**
     * Where the IP packet ends: at its own length, or earlier where the frame does. Bytes after it (Ethernet
     * padding, which some NICs fill with stale data; a trailer) are not the packet's, so no header is read there.
     */
    private static int ipEnd(PacketView view, int end) {
        return Math.min(view.length(), end);
    }

    private static int parseIpv6(PacketView view, int offset, PacketHeaders out) {
        if (!view.has(offset, 40)) {
            return PacketHeaders.TRUNCATED;
        }
        if (view.u8(offset) >>> 4 != 6) {
            return PacketHeaders.MALFORMED;
        }
        out.l3Kind = PacketHeaders.L3_IPV6;
        out.l3Offset = offset;
        out.srcAddressOffset = offset + 8;
        out.dstAddressOffset = offset + 24;
        out.addressLength = 16;
        final int payloadLength = view.u16(offset + 4);
        int next = view.u8(offset + 6);
        if (payloadLength == 0 && next == 0) {
            return PacketHeaders.MALFORMED; // a jumbogram (RFC 2675): its length is in a hop-by-hop option; unsupported
        }
        final int end = ipEnd(view, offset + 40 + payloadLength);
        int at = offset + 40;
        for (int walked = 0; ; walked++) {
            if (walked == MAX_IPV6_EXTENSIONS && isExtension(next)) {
                return PacketHeaders.MALFORMED; // before the header is read: a fragment header past the bound too
            }
            final int length;
            switch (next) {
                case 0, 43, 60 -> { // hop-by-hop, routing, destination options: (len + 1) * 8 bytes
                    if (at + 2 > end) {
                        return PacketHeaders.TRUNCATED;
                    }
                    length = (view.u8(at + 1) + 1) * 8;
                }
                case 51 -> { // authentication header: (len + 2) * 4 bytes
                    if (at + 2 > end) {
                        return PacketHeaders.TRUNCATED;
                    }
                    length = (view.u8(at + 1) + 2) * 4;
                }
                case 44 -> { // fragment header: 8 bytes; a non-first fragment has no transport header
                    if (at + 8 > end) {
                        return PacketHeaders.TRUNCATED;
                    }
                    if (out.datagramProtocol < 0) { // the outermost: its next header is in every fragment
                        out.datagramProtocol = view.u8(at);
                    }
                    if ((view.u16(at + 2) >>> 3) != 0) {
                        out.l4Protocol = view.u8(at);
                        out.fragment = true;
                        return PacketHeaders.OK;
                    }
                    length = 8;
                }
                default -> {
                    if (out.datagramProtocol < 0) {
                        out.datagramProtocol = next;
                    }
                    return parseTransport(view, at, end, out.l4Protocol(next));
                }
            }
            if (at + length > end) {
                return PacketHeaders.TRUNCATED;
            }
            next = view.u8(at);
            at += length;
        }
    }

    /** True for the IPv6 extension headers the parser walks: hop-by-hop, routing, fragment, destination options, AH. */
    private static boolean isExtension(int next) {
        return next == 0 || next == 43 || next == 44 || next == 60 || next == 51;
    }

    /** Parses the transport header at {@code offset}, which must end by {@code end}, within the view. */
    private static int parseTransport(PacketView view, int offset, int end, PacketHeaders out) {
        final int protocol = out.l4Protocol;
        out.l4Offset = offset;
        switch (protocol) {
            case PacketHeaders.PROTO_TCP -> {
                if (offset + 20 > end) {
                    return PacketHeaders.TRUNCATED;
                }
                final int dataOffset = view.u8(offset + 12) >>> 4;
                if (dataOffset < 5) {
                    return PacketHeaders.MALFORMED;
                }
                if (offset + dataOffset * 4 > end) { // the options the header announces end after the IP packet
                    return PacketHeaders.TRUNCATED;
                }
                out.srcPort = view.u16(offset);
                out.dstPort = view.u16(offset + 2);
            }
            case PacketHeaders.PROTO_UDP -> {
                if (offset + 8 > end) {
                    return PacketHeaders.TRUNCATED;
                }
                out.srcPort = view.u16(offset);
                out.dstPort = view.u16(offset + 2);
            }
            case PacketHeaders.PROTO_ICMP, PacketHeaders.PROTO_ICMPV6 -> {
                if (offset + 4 > end) {
                    return PacketHeaders.TRUNCATED;
                }
                out.icmpType = view.u8(offset);
                out.icmpCode = view.u8(offset + 1);
            }
            default -> {
                // Another transport: the programs need nothing more from it.
            }
        }
        return PacketHeaders.OK;
    }
}
