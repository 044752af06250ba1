package dev.steer.ingress.afpacket;

import java.util.function.Supplier;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A private network namespace with a veth pair {@link #A} - {@link #B} (MTU 9000, IPv6 off, no addresses):
 * frames sent into A arrive at B and nothing else does. Skips the calling test (or test class) when namespaces
 * cannot be created here; {@link #close()} deletes the namespace.
 *
 * <p>A test that owns its pair takes one from {@link #createOrSkip()}; a class whose tests share one holds
 * {@link #perTestClass()} in a static {@code @RegisterExtension} field.
 */
final class VethPair implements AutoCloseable, BeforeAllCallback, AfterAllCallback, ExecutionCondition {
    static final String A = "steer-a";
    static final String B = "steer-b";
    static final int MTU = 9000;
    private static final String SKIPPED = "AF_PACKET tests skipped: ";

    private final Supplier<String> unavailable;
    private NetNamespace namespace;

    private VethPair(Supplier<String> unavailable) {
        this.unavailable = unavailable;
    }

    /** A pair created now, for the caller to close; skips the calling test where namespaces cannot be created. */
    static VethPair createOrSkip() {
        final VethPair pair = new VethPair(NetNamespace::unavailableReason);
        pair.create();
        return pair;
    }

    /**
     * A pair for every test of a class, to be held in a static {@code @RegisterExtension} field: created before the
     * class's first test, deleted after its last. Where namespaces cannot be created, each test is skipped with the
     * reason.
     */
    static VethPair perTestClass() {
        return perTestClass(NetNamespace::unavailableReason);
    }

    /** {@link #perTestClass()} where {@code unavailable} says why namespaces cannot be created (null: they can). */
    static VethPair perTestClass(Supplier<String> unavailable) {
        return new VethPair(unavailable);
    }

    /**
     * Skips each test, not the class, where namespaces cannot be created: Maven Surefire reports a class aborted
     * before its first test as "Tests run: 0, Skipped: 0", without the reason (SUREFIRE-2300).
     */
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        final String reason = unavailable.get();
        if (reason == null || context.getTestMethod().isEmpty()) {
            return ConditionEvaluationResult.enabled(reason == null ? "network namespaces can be created here"
                : "each test is skipped with the reason");
        }
        return ConditionEvaluationResult.disabled(SKIPPED + reason);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (unavailable.get() == null) {
            create();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    private void create() {
        final String reason = unavailable.get();
        Assumptions.assumeTrue(reason == null, () -> SKIPPED + reason);
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
