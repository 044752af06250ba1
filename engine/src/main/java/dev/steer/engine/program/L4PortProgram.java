package dev.steer.engine.program;

/**
 * {@code l4-sport} and {@code l4-dport}: the TCP or UDP source (or destination) port modulo the number of
 * targets picks the target. IP packets without ports (ICMP, other protocols, non-first fragments) and
 * non-IP frames go to target 0; truncated or malformed frames are DROPped.
 *
 * <p>Parses into per-instance headers: {@link #forIngress()} returns a fresh instance.
 */
public final class L4PortProgram extends TargetedProgram {
    /** Which port picks the target. */
    public enum Port {
        /** The source port: {@code l4-sport}. */
        SOURCE,
        /** The destination port: {@code l4-dport}. */
        DESTINATION
    }

    private final Port port;

    /** @param targets target keys, at least one */
    public L4PortProgram(int[] targets, int fallback, Port port) {
        super(port == Port.SOURCE ? "l4-sport" : "l4-dport", targets, fallback);
        this.port = port;
    }

    @Override
    public long run(PacketView packet) {
        final int status = PacketParser.parse(packet, headers);
        if (status == PacketHeaders.TRUNCATED || status == PacketHeaders.MALFORMED) {
            return Verdict.of(Verdict.DROP);
        }
        final int value = port == Port.SOURCE ? headers.srcPort() : headers.dstPort();
        return redirectTo(value < 0 ? 0 : value);
    }

    @Override
    public SteeringProgram forIngress() {
        return new L4PortProgram(targets, fallback, port);
    }
}
