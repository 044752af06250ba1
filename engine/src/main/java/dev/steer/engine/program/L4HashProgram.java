package dev.steer.engine.program;

/**
 * {@code l4-hash}: load-balances by a symmetric hash of the IP address pair, seeded with the protocol
 * number ({@link PacketHeaders#datagramProtocol()}), so both directions of a flow land on the same target and
 * different protocols between the same hosts may not. The hash reads only what every fragment of a datagram
 * carries (no ports; for IPv6, the Fragment header's next header, not the AH or destination options that
 * only the first fragment shows after it), so all fragments reach the consumer that reassembles them. The
 * source and destination addresses are added word by word (addition commutes, so swapping them changes
 * nothing), the seed is mixed in, and a 32-bit finaliser spreads the bits; the target is the hash modulo the
 * number of targets. Non-IP frames (ARP, say) go to target 0; truncated or malformed frames are DROPped.
 * Deterministic: the same packet always maps to the same target.
 *
 * <p>The common case, an untagged IPv4 packet without options or fragmentation carrying UDP or TCP, takes
 * a fast path that reads only the six fields the verdict depends on, after one bounds check for the whole
 * header stack; it gives exactly the verdict of the full parse, which every other packet goes through.
 *
 * <p>Parses into per-instance headers: {@link #forIngress()} returns a fresh instance.
 */
public final class L4HashProgram extends TargetedProgram {
    private static final int SEED = 0x5EED_1234;
    /** Ethernet (14) + IPv4 without options (20) + UDP (8): the shortest packet the fast path takes. */
    private static final int FAST_UDP_LENGTH = 42;
    /** Ethernet (14) + IPv4 without options (20) + TCP without options (20). */
    private static final int FAST_TCP_LENGTH = 54;
    /** IPv4 total length that holds a UDP header after a 20-byte IPv4 header. */
    private static final int IP_UDP_LENGTH = 28;
    /** IPv4 total length that holds a TCP header (no options) after a 20-byte IPv4 header. */
    private static final int IP_TCP_LENGTH = 40;
    /** A TCP header without options. */
    private static final int TCP_HEADER = 20;

    /** @param targets target keys, at least one */
    public L4HashProgram(int[] targets, int fallback) {
        super("l4-hash", targets, fallback);
    }

    @Override
    public long run(PacketView packet) {
        // Fast path: the conditions below are exactly those under which the full parse ends OK at a UDP or
        // TCP header right after a 20-byte IPv4 header with no VLAN tag and no fragment offset, inside both the
        // frame and the IP total length; the hash then reads the same words. Anything else (and any doubt) goes
        // to the full parse.
        final int length = packet.length();
        if (length >= FAST_UDP_LENGTH && packet.u16Unchecked(12) == 0x0800 && packet.u8Unchecked(14) == 0x45
            && (packet.u16Unchecked(20) & 0x1FFF) == 0) {
            final int protocol = packet.u8Unchecked(23);
            final int totalLength = packet.u16Unchecked(16);
            if (protocol == PacketHeaders.PROTO_UDP && totalLength >= IP_UDP_LENGTH
                || protocol == PacketHeaders.PROTO_TCP && length >= FAST_TCP_LENGTH && tcpFits(packet, length, totalLength)) {
                return redirectTo(mix((packet.i32Unchecked(26) + packet.i32Unchecked(30)) * 0x9E37_79B1 + SEED + protocol));
            }
        }
        return runParsed(packet);
    }

    /**
     * True when the TCP header at offset 34 has a data offset of at least 5 words and ends, options included, inside
     * both the frame and the IP total length: what the full parse requires for OK. The frame holds byte 46.
     */
    private static boolean tcpFits(PacketView packet, int length, int totalLength) {
        final int tcpLength = (packet.u8Unchecked(46) >>> 4) * 4;
        return tcpLength >= TCP_HEADER && FAST_TCP_LENGTH - TCP_HEADER + tcpLength <= length
            && IP_TCP_LENGTH - TCP_HEADER + tcpLength <= totalLength;
    }

    /** The verdict through the full parse: the reference the fast path must agree with. */
    long runParsed(PacketView packet) {
        final int status = PacketParser.parse(packet, headers);
        if (status == PacketHeaders.NOT_IP) {
            return redirectTo(0);
        }
        if (status != PacketHeaders.OK) {
            return Verdict.of(Verdict.DROP);
        }
        return redirectTo(hash(packet, headers));
    }

    /** The symmetric flow hash of a parsed IP packet. */
    public static int hash(PacketView packet, PacketHeaders headers) {
        int sum = 0;
        for (int i = 0; i < headers.addressLength(); i += 4) {
            sum += packet.i32(headers.srcAddressOffset() + i) + packet.i32(headers.dstAddressOffset() + i);
        }
        return mix(sum * 0x9E37_79B1 + SEED + headers.datagramProtocol());
    }

    /** The finaliser of MurmurHash3: every input bit affects every output bit. */
    static int mix(int value) {
        int h = value;
        h ^= h >>> 16;
        h *= 0x85EB_CA6B;
        h ^= h >>> 13;
        h *= 0xC2B2_AE35;
        h ^= h >>> 16;
        return h;
    }

    @Override
    public SteeringProgram forIngress() {
        return new L4HashProgram(targets, fallback);
    }
}
