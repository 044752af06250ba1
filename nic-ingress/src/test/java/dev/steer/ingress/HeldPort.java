package dev.steer.ingress;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;

/**
 * A TCP port on 127.0.0.1 for a node whose address must be written down (a deployment file's nodes) before it binds,
 * held until {@link #close()}. A port found free and released at once may be taken by any socket bound or connected in
 * between (the kernel hands ports of the same range to connections), and the node then fails to start. This one stays
 * bound, with {@code SO_REUSEADDR} and never listening: the kernel gives it to no other connection or {@code bind(0)},
 * while a listener that sets {@code SO_REUSEADDR} too (Java's server sockets do, and so Pekko's) binds and listens on
 * it, in this process or another.
 *
 * <p>Test support; not thread-safe.
 */
public final class HeldPort implements Closeable {
    private final SocketChannel channel;
    private final int port;

    private HeldPort(SocketChannel channel, int port) {
        this.channel = channel;
        this.port = port;
    }

    /** A port of 127.0.0.1 the kernel chooses, held until closed. */
    public static HeldPort loopback() {
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open();
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return new HeldPort(channel, ((InetSocketAddress) channel.getLocalAddress()).getPort());
        } catch (IOException ex) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException suppressed) {
                    ex.addSuppressed(suppressed);
                }
            }
            throw new UncheckedIOException("cannot hold a loopback port", ex);
        }
    }

    /** The port. */
    public int port() {
        return port;
    }

    /** Releases the port: a node bound to it keeps it. Idempotent. */
    @Override
    public void close() throws IOException {
        channel.close();
    }
}
