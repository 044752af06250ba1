package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.path.FrameHandler;

/**
 * A node that cannot listen on its host:port says so with {@link ListenFailedException}, which names the setting to
 * change: a caller that names where the setting is written goes by that, not by the wording of the message.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ListenFailedTest {
    @Test
    void shouldNameThePortWhenAnotherSocketHoldsIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            final ListenFailedException error = assertThrows(ListenFailedException.class, () -> ClusterNode.start(
                Nodes.settings().host("127.0.0.1").port(taken.getLocalPort()), Nodes.engine(null, FrameHandler.NO_OP)));
            assertEquals(ListenFailedException.Setting.PORT, error.setting(), error.getMessage());
            assertEquals("cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": the port is already in use (another"
                + " node or program holds it): stop that process, or give this node another port", error.getMessage());
            assertTrue(error.getCause() != null, "Artery's exception is the cause");
        }
    }

    @Test
    void shouldNameTheHostWhenItIsNotAnAddressOfThisMachine() throws Exception {
        // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of a machine.
        final int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        final ListenFailedException error = assertThrows(ListenFailedException.class, () -> ClusterNode.start(
            Nodes.settings().host("192.0.2.1").port(port), Nodes.engine(null, FrameHandler.NO_OP)));
        assertEquals(ListenFailedException.Setting.HOST, error.setting(), error.getMessage());
        assertTrue(error.getMessage().startsWith("cannot listen on 192.0.2.1:" + port + ": ")
            && error.getMessage().endsWith(": the host must be an address of this machine"), error.getMessage());
    }

    @Test
    void shouldNameThePortWhenBindingItIsNotPermitted() {
        // As a user without CAP_NET_BIND_SERVICE binding port 80 fails (the tests run as root: classified directly).
        final ListenFailedException error = classify(80, "Permission denied");
        assertEquals(ListenFailedException.Setting.PORT, error.setting(), error.getMessage());
        assertEquals("cannot listen on 127.0.0.1:80: Permission denied: ports below 1024 need privileges"
            + " (CAP_NET_BIND_SERVICE): give this node a port of 1024 or above, or run it with that capability",
            error.getMessage());
    }

    @Test
    void shouldNameThePortWhenBindingAnUnprivilegedPortIsNotPermitted() {
        final ListenFailedException error = classify(7000, "Permission denied");
        assertEquals(ListenFailedException.Setting.PORT, error.setting(), error.getMessage());
        assertTrue(error.getMessage().startsWith("cannot listen on 127.0.0.1:7000: Permission denied: "),
            error.getMessage());
    }

    @Test
    void shouldNameTheHostWhenTheAddressCannotBeAssigned() {
        final ListenFailedException error = classify(7000, "[/192.0.2.1:7000] Cannot assign requested address");
        assertEquals(ListenFailedException.Setting.HOST, error.setting(), error.getMessage());
        assertEquals("cannot listen on 127.0.0.1:7000: Cannot assign requested address: the host must be an address"
            + " of this machine", error.getMessage());
    }

    @Test
    void shouldNameThePortWhenTheBindExceptionSaysItIsInUse() {
        assertEquals(ListenFailedException.Setting.PORT, classify(7000, "Address already in use").setting());
    }

    @Test
    void shouldReturnTheFailureAsItIsWhenNoBindExceptionCausedIt() {
        final RuntimeException other = new IllegalStateException("something else");
        assertEquals(other, ClusterNode.bindFailure(Nodes.settings().host("127.0.0.1").port(7000), other));
    }

    /** What the node throws when Artery's start fails as it does on a bind failure with {@code message}. */
    private static ListenFailedException classify(int port, String message) {
        final RuntimeException artery = new RuntimeException("Failed to bind TCP to [127.0.0.1:" + port + "] due to:"
            + " Bind failed because of java.net.BindException: " + message,
            new RuntimeException(new BindException(message)));
        final RuntimeException thrown = ClusterNode.bindFailure(Nodes.settings().host("127.0.0.1").port(port), artery);
        assertTrue(thrown instanceof ListenFailedException, "classified: " + thrown);
        assertEquals(artery, thrown.getCause(), "Artery's exception is the cause");
        return (ListenFailedException) thrown;
    }
}
