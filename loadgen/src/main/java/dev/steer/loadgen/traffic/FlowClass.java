package dev.steer.loadgen.traffic;

/**
 * The (IP version, protocol) pairs a flow can have. A flow belongs to one class for its whole life; the
 * class fixes the headers of its frames. ICMP on IPv6 is ICMPv6. Off the hot path, the generator keeps
 * per-class arrays indexed by {@link #ordinal()}.
 */
public enum FlowClass {
    /** UDP over IPv4. */
    IPV4_UDP(4, 17, 8),
    /** TCP over IPv4. */
    IPV4_TCP(4, 6, 20),
    /** ICMP echo request over IPv4. */
    IPV4_ICMP(4, 1, 8),
    /** UDP over IPv6. */
    IPV6_UDP(6, 17, 8),
    /** TCP over IPv6. */
    IPV6_TCP(6, 6, 20),
    /** ICMPv6 echo request. */
    IPV6_ICMP(6, 58, 8);

    private static final FlowClass[] VALUES = values();

    private final int version;
    private final int protocol;
    private final int transportHeader;

    FlowClass(int version, int protocol, int transportHeader) {
        this.version = version;
        this.protocol = protocol;
        this.transportHeader = transportHeader;
    }

    /** The class of IP {@code version} (4 or 6) and protocol index (0 UDP, 1 TCP, 2 ICMP). */
    static FlowClass of(int version, int protocolIndex) {
        return VALUES[(version == 4 ? 0 : 3) + protocolIndex];
    }

    static FlowClass[] all() {
        return VALUES;
    }

    /** 4 or 6. */
    public int version() {
        return version;
    }

    /** IP protocol number in the header: 17, 6, 1 or 58. */
    public int protocol() {
        return protocol;
    }

    /** True for ICMP and ICMPv6, whose flows have no ports. */
    public boolean isIcmp() {
        return protocol == 1 || protocol == 58;
    }

    /** IP header bytes: 20 (no options) or 40 (no extension headers). */
    public int ipHeader() {
        return version == 4 ? 20 : 40;
    }

    /** Transport header bytes: UDP 8, TCP 20 (no options), ICMP echo 8. */
    public int transportHeader() {
        return transportHeader;
    }

    /** Label such as {@code ipv4/udp}. */
    public String label() {
        return "ipv" + version + "/" + (protocol == 17 ? "udp" : protocol == 6 ? "tcp" : "icmp");
    }
}
