package dev.steer.engine.program;

/**
 * {@code l4-proto} (and, with the filter on, {@code l4-filter}): separates traffic by transport protocol.
 * TCP goes to target 0, UDP to target 1, ICMP and ICMPv6 to target 2 (indexes modulo the number of
 * targets); other IP protocols, IP fragments without a transport header, and non-IP frames (ARP, say) go
 * to target 0. Truncated or malformed frames are DROPped. {@code l4-filter} also DROPs UDP to port 9, the
 * discard port that pktgen floods by default.
 *
 * <p>Parses into per-instance headers: {@link #forIngress()} returns a fresh instance.
 */
public final class L4ProtoProgram extends TargetedProgram {
    /** The port {@code l4-filter} drops: discard, pktgen's default. */
    public static final int DISCARD_PORT = 9;

    private final boolean filter;

    /**
     * @param targets target keys, at least one
     * @param filter  true for {@code l4-filter}: drop UDP to port {@value #DISCARD_PORT}
     */
    public L4ProtoProgram(int[] targets, int fallback, boolean filter) {
        super(filter ? "l4-filter" : "l4-proto", targets, fallback);
        this.filter = filter;
    }

    @Override
    public long run(PacketView packet) {
        final int status = PacketParser.parse(packet, headers);
        if (status == PacketHeaders.TRUNCATED || status == PacketHeaders.MALFORMED) {
            return Verdict.of(Verdict.DROP);
        }
        if (headers.isFragment()) {
            return redirectTo(0); // no transport header: its protocol's target and the port filter do not apply
        }
        return switch (headers.l4Protocol()) {
            case PacketHeaders.PROTO_TCP -> redirectTo(0);
            case PacketHeaders.PROTO_UDP -> filter && headers.dstPort() == DISCARD_PORT
                ? Verdict.of(Verdict.DROP) : redirectTo(1);
            case PacketHeaders.PROTO_ICMP, PacketHeaders.PROTO_ICMPV6 -> redirectTo(2);
            default -> redirectTo(0);
        };
    }

    @Override
    public SteeringProgram forIngress() {
        return new L4ProtoProgram(targets, fallback, filter);
    }
}
