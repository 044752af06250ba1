package dev.steer.ingress;

import java.io.Closeable;
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
    private final List<Closeable> held = new ArrayList<>();

    /** A loopback port for a node of this test, held until the test has ended. */
    public int next() {
        final HeldPort port = HeldPort.loopback();
        held.add(port);
        return port.port();
    }

    /** Holds {@code resource} as a port, released with them; for this class' own test. */
    void hold(Closeable resource) {
        held.add(resource);
    }

    /**
     * Releases every port held, also after one whose close throws (a node bound to one keeps it); then throws the first
     * close's exception, with those of later closes suppressed in it.
     */
    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        IOException failure = null;
        for (Closeable port : held) {
            try {
                port.close();
            } catch (IOException ex) {
                if (failure == null) {
                    failure = ex;
                } else {
                    failure.addSuppressed(ex);
                }
            }
        }
        held.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
