package dev.steer.loadgen.traffic;

/**
 * The 5-tuple of one flow, filled in place by {@link FlowPlan#resolve}: a mutable holder reused for every
 * frame, so resolving allocates nothing. Not thread-safe: one per thread.
 */
public final class FlowTuple {
    FlowClass flowClass;
    int srcIpv4;
    int dstIpv4;
    long srcIpv6High;
    long srcIpv6Low;
    long dstIpv6High;
    long dstIpv6Low;
    int srcPort;
    int dstPort;

    /** The flow's IP version and protocol. */
    public FlowClass flowClass() {
        return flowClass;
    }

    /** IPv4 source address (IPv4 flows). */
    public int srcIpv4() {
        return srcIpv4;
    }

    /** IPv4 destination address (IPv4 flows). */
    public int dstIpv4() {
        return dstIpv4;
    }

    /** Upper 64 bits of the IPv6 source address (IPv6 flows). */
    public long srcIpv6High() {
        return srcIpv6High;
    }

    /** Lower 64 bits of the IPv6 source address (IPv6 flows). */
    public long srcIpv6Low() {
        return srcIpv6Low;
    }

    /** Upper 64 bits of the IPv6 destination address (IPv6 flows). */
    public long dstIpv6High() {
        return dstIpv6High;
    }

    /** Lower 64 bits of the IPv6 destination address (IPv6 flows). */
    public long dstIpv6Low() {
        return dstIpv6Low;
    }

    /** UDP/TCP source port; for ICMP the echo identifier's source, -1 as it is not part of the tuple. */
    public int srcPort() {
        return srcPort;
    }

    /** UDP/TCP destination port; -1 for ICMP. */
    public int dstPort() {
        return dstPort;
    }

    /** The tuple as text, e.g. {@code ipv4/udp 10.0.0.1:1024 > 10.1.0.1:4000}; allocates, for messages and tests. */
    @Override
    public String toString() {
        final String src;
        final String dst;
        if (flowClass.version() == 4) {
            src = new Ipv4Range(srcIpv4, 32).toString().replace("/32", "");
            dst = new Ipv4Range(dstIpv4, 32).toString().replace("/32", "");
        } else {
            src = new Ipv6Range(srcIpv6High, srcIpv6Low, 128).toString().replace("/128", "");
            dst = new Ipv6Range(dstIpv6High, dstIpv6Low, 128).toString().replace("/128", "");
        }
        return flowClass.label() + " " + src + (flowClass.isIcmp() ? "" : ":" + srcPort) + " > " + dst
            + (flowClass.isIcmp() ? "" : ":" + dstPort);
    }
}
