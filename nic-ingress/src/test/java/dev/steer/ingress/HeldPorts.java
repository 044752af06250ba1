package dev.steer.ingress;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The {@link HeldPort}s of one test, released after it: a test registers one as an instance field
 * ({@code @RegisterExtension final HeldPorts ports = new HeldPorts();}) and takes a port with {@link #next()} for
 * every node address it writes down before the node binds.
 *
 * <p>Test support; not thread-safe.
 */
public final class HeldPorts implements AfterEachCallback {
    private final List<HeldPort> held = new ArrayList<>();

    /** A loopback port for a node of this test, held until the test has ended. */
    public int next() {
        final HeldPort port = HeldPort.loopback();
        held.add(port);
        return port.port();
    }

    /** Releases every port held: a node bound to one keeps it. */
    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        for (HeldPort port : held) {
            port.close();
        }
        held.clear();
    }
}
