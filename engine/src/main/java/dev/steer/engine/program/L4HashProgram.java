package dev.steer.engine.program;

/**
 * {@code l4-hash}: load-balances by a symmetric hash of the IP address pair, seeded with the transport
 * protocol, so both directions of a flow land on the same target and different protocols between the same
 * hosts may not. The source and destination addresses are added word by word (addition commutes, so
 * swapping them changes nothing), the seed is mixed in, and a 32-bit finaliser spreads the bits; the target
 * is the hash modulo the number of targets. Non-IP frames (ARP, say) go to target 0; truncated or
 * malformed frames are DROPped. Deterministic: the same packet always maps to the same target.
 *
 * <p>Parses into per-instance headers: {@link #forIngress()} returns a fresh instance.
 */
public final class L4HashProgram extends TargetedProgram {
    private static final int SEED = 0x5EED_1234;

    /** @param targets target keys, at least one */
    public L4HashProgram(int[] targets, int fallback) {
        super("l4-hash", targets, fallback);
    }

    @Override
    public long run(PacketView packet) {
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
        return mix(sum * 0x9E37_79B1 + SEED + headers.l4Protocol());
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
