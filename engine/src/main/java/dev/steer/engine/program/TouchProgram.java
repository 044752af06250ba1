package dev.steer.engine.program;

/**
 * {@code touch}: reads the Ethernet type, so every frame's first cache line is touched on the ingress,
 * then redirects to the first target. A runt (under 14 bytes) and an 802.3 frame (type field below 0x0600,
 * a length) are DROPped; every other frame, IP or not, is redirected.
 */
public final class TouchProgram extends TargetedProgram {
    private static final int ETH_P_802_3_MIN = 0x0600;

    /** @param targets target keys, at least one; only the first is used */
    public TouchProgram(int[] targets, int fallback) {
        super("touch", targets, fallback);
    }

    @Override
    public long run(PacketView packet) {
        final int type = packet.u16(12);
        if (type < ETH_P_802_3_MIN) { // -1 for a runt as well
            return Verdict.of(Verdict.DROP);
        }
        return redirectTo(0);
    }

    @Override
    public SteeringProgram forIngress() {
        return this; // stateless
    }
}
