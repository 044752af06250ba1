package dev.steer.ingress.udp;

/**
 * Settings of a {@link UdpFeed}, validated once by the canonical constructor: a bad value is an
 * {@link IllegalArgumentException} naming the setting, the value and what is allowed. Whether the bind
 * address resolves and the port is free is found when the feed binds.
 *
 * @param bindAddress         host name or literal address to bind to; default loopback, {@code 0.0.0.0} for every interface
 * @param port                UDP port, 0 for an ephemeral one ({@link UdpFeed#boundPort()} tells which)
 * @param receiveBufferBytes  SO_RCVBUF asked for, 0 for the system default; the kernel may cap it (see
 *                            {@link UdpFeed#receiveBufferBytes()})
 * @param name                feed name for statistics and messages
 */
public record UdpSettings(String bindAddress, int port, int receiveBufferBytes, String name) {
    /** Default bind address: loopback only, so nothing is exposed unless asked for. */
    public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
    /** Default port: ephemeral. */
    public static final int DEFAULT_PORT = 0;
    /** Default SO_RCVBUF: 4 MiB, room for bursts between two polls. */
    public static final int DEFAULT_RECEIVE_BUFFER_BYTES = 4 << 20;
    /** Smallest SO_RCVBUF asked for other than 0. */
    public static final int MIN_RECEIVE_BUFFER_BYTES = 1024;
    /** Largest SO_RCVBUF asked for. */
    public static final int MAX_RECEIVE_BUFFER_BYTES = 1 << 30;

    /** Validates every setting. */
    public UdpSettings {
        if (bindAddress == null || bindAddress.isBlank()) {
            throw new IllegalArgumentException("bindAddress='" + bindAddress
                + "': must be a host name or address, e.g. 127.0.0.1 or 0.0.0.0");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port=" + port + ": must be 0 (ephemeral) or 1..65535");
        }
        if (receiveBufferBytes != 0
            && (receiveBufferBytes < MIN_RECEIVE_BUFFER_BYTES || receiveBufferBytes > MAX_RECEIVE_BUFFER_BYTES)) {
            throw new IllegalArgumentException("receiveBufferBytes=" + receiveBufferBytes
                + ": must be 0 (system default) or " + MIN_RECEIVE_BUFFER_BYTES + ".." + MAX_RECEIVE_BUFFER_BYTES);
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name='" + name + "': must not be blank");
        }
    }

    /** Defaults: loopback, an ephemeral port, a 4 MiB receive buffer, name {@code udp}. */
    public static UdpSettings defaults() {
        return new UdpSettings(DEFAULT_BIND_ADDRESS, DEFAULT_PORT, DEFAULT_RECEIVE_BUFFER_BYTES, "udp");
    }

    /** A copy bound to {@code newBindAddress}:{@code newPort}. */
    public UdpSettings withBind(String newBindAddress, int newPort) {
        return new UdpSettings(newBindAddress, newPort, receiveBufferBytes, name);
    }

    /** A copy with another SO_RCVBUF (0 = system default). */
    public UdpSettings withReceiveBufferBytes(int bytes) {
        return new UdpSettings(bindAddress, port, bytes, name);
    }

    /** A copy with another name. */
    public UdpSettings withName(String newName) {
        return new UdpSettings(bindAddress, port, receiveBufferBytes, newName);
    }
}
