package dev.steer.ingress.udp;

/**
 * Settings of a {@link UdpSender}, validated by the canonical constructor with messages naming the
 * setting, the value and what is allowed.
 *
 * @param host            target host name or address
 * @param port            target UDP port, 1..65535
 * @param sendBufferBytes SO_SNDBUF asked for, 0 for the system default
 */
public record UdpSenderSettings(String host, int port, int sendBufferBytes) {
    /** Default SO_SNDBUF: the system default. */
    public static final int DEFAULT_SEND_BUFFER_BYTES = 0;
    /** Largest SO_SNDBUF asked for. */
    public static final int MAX_SEND_BUFFER_BYTES = 1 << 30;

    /** Validates every setting. */
    public UdpSenderSettings {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host='" + host + "': must be a host name or address");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port=" + port + ": must be 1..65535");
        }
        if (sendBufferBytes < 0 || sendBufferBytes > MAX_SEND_BUFFER_BYTES) {
            throw new IllegalArgumentException("sendBufferBytes=" + sendBufferBytes + ": must be 0 (system default) or 1.."
                + MAX_SEND_BUFFER_BYTES);
        }
    }

    /** A sender to {@code host}:{@code port} with the system's send buffer. */
    public static UdpSenderSettings of(String host, int port) {
        return new UdpSenderSettings(host, port, DEFAULT_SEND_BUFFER_BYTES);
    }
}
