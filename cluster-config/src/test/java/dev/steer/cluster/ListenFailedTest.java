package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
