package dev.steer.ingress.afpacket;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A private network namespace with a veth pair {@link #A} - {@link #B} (MTU 9000, IPv6 off, no addresses):
 * frames sent into A arrive at B and nothing else does. Skips the calling test (or test class) when namespaces
 * cannot be created here; {@link #close()} deletes the namespace.
 *
 * <p>A test that owns its pair takes one from {@link #createOrSkip()}; a class whose tests share one holds
 * {@link #perTestClass()} in a static {@code @RegisterExtension} field.
 */
final class VethPair implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
    static final String A = "steer-a";
    static final String B = "steer-b";
    static final int MTU = 9000;

    private NetNamespace namespace;

    private VethPair() {
    }

    /** A pair created now, for the caller to close; skips the calling test where namespaces cannot be created. */
    static VethPair createOrSkip() {
        final VethPair pair = new VethPair();
        pair.create();
        return pair;
    }

    /**
     * A pair for every test of a class, to be held in a static {@code @RegisterExtension} field: created before the
     * class's first test (skipping the whole class where namespaces cannot be created), deleted after its last.
     */
    static VethPair perTestClass() {
        return new VethPair();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        create();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    private void create() {
        final String reason = NetNamespace.unavailableReason();
        Assumptions.assumeTrue(reason == null, () -> "AF_PACKET tests skipped: " + reason);
        final NetNamespace created = NetNamespace.createUnique("steer");
        try {
            created.addVethPair(A, B, MTU);
        } catch (RuntimeException ex) {
            created.close();
            throw ex;
        }
        namespace = created;
    }

    /** The namespace the pair is in. */
    NetNamespace namespace() {
        if (namespace == null) {
            throw new IllegalStateException("no veth pair: take one from createOrSkip(), or register perTestClass() "
                + "as a static @RegisterExtension field");
        }
        return namespace;
    }

    String netns() {
        return namespace().name();
    }

    /** Settings for a feed on B with a short retire timeout, so that tests do not wait for partly filled blocks. */
    AfPacketSettings feedSettings() {
        return AfPacketSettings.of(B).withNetns(netns()).withRing(1 << 16, 8).withRetireTimeoutMs(2);
    }

    AfPacketSender sender() {
        return AfPacketSender.open(netns(), A);
    }

    /** Sets {@code iface} ({@link #A} or {@link #B}) {@code up} or {@code down} with {@code ip link set}. */
    void link(String iface, String state) throws Exception {
        AfPacketLifecycleTest.run("ip", "-n", netns(), "link", "set", "dev", iface, state);
    }

    /** Deletes the namespace, if there is one. Idempotent. */
    @Override
    public void close() {
        if (namespace != null) {
            namespace.close();
            namespace = null;
        }
    }
}
