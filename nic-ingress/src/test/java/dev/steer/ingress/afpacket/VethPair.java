package dev.steer.ingress.afpacket;

import org.junit.jupiter.api.Assumptions;

/**
 * A private network namespace with a veth pair {@link #A} - {@link #B} (MTU 9000, IPv6 off, no addresses):
 * frames sent into A arrive at B and nothing else does. Skips the calling test when namespaces cannot be
 * created here; {@link #close()} deletes the namespace.
 */
final class VethPair implements AutoCloseable {
    static final String A = "steer-a";
    static final String B = "steer-b";
    static final int MTU = 9000;

    final NetNamespace namespace;

    private VethPair(NetNamespace namespace) {
        this.namespace = namespace;
    }

    static VethPair createOrSkip() {
        final String reason = NetNamespace.unavailableReason();
        Assumptions.assumeTrue(reason == null, () -> "AF_PACKET tests skipped: " + reason);
        final NetNamespace namespace = NetNamespace.createUnique("steer");
        try {
            namespace.addVethPair(A, B, MTU);
            return new VethPair(namespace);
        } catch (RuntimeException ex) {
            namespace.close();
            throw ex;
        }
    }

    String netns() {
        return namespace.name();
    }

    /** Settings for a feed on B with a short retire timeout, so that tests do not wait for partly filled blocks. */
    AfPacketSettings feedSettings() {
        return AfPacketSettings.of(B).withNetns(netns()).withRing(1 << 16, 8).withRetireTimeoutMs(2);
    }

    AfPacketSender sender() {
        return AfPacketSender.open(netns(), A);
    }

    @Override
    public void close() {
        namespace.close();
    }
}
