package dev.steer.loadgen.traffic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.agrona.DirectBuffer;

import dev.steer.engine.program.PacketHeaders;
import dev.steer.engine.program.PacketParser;
import dev.steer.engine.program.PacketView;

/**
 * Test-side checks of one generated frame, written independently of the generator: a byte-by-byte
 * RFC 1071 checksum over a copy of the frame, and the engine's own {@link PacketParser} for the tuple.
 */
final class FrameCheck {
    private final PacketView view = new PacketView();
    private final PacketHeaders headers = new PacketHeaders();
    private final FlowTuple expected = new FlowTuple();

    /** One's-complement sum over bytes, as RFC 1071 describes, in the simplest form. */
    static int onesComplementSum(byte[] data, int from, int length, int initial) {
        int sum = initial;
        for (int i = 0; i < length; i++) {
            final int b = data[from + i] & 0xFF;
            sum += (i % 2 == 0) ? b << 8 : b;
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return sum;
    }

    static int pseudoHeader(byte[] f, int src, int addressLength, int protocol, int length) {
        int sum = onesComplementSum(f, src, addressLength * 2, 0); // src and dst are adjacent in both versions
        sum = onesComplementSum(new byte[] {0, (byte) protocol, (byte) (length >>> 8), (byte) length}, 0, 4, sum);
        return sum;
    }

    /**
     * Checks checksums, parses the frame and compares its tuple with the plan's for the flow id in the
     * marker (or the given flow when there is no marker).
     *
     * @return the flow id found in the marker, or -1 when the frame has none
     */
    long check(DirectBuffer buffer, int offset, int length, FlowPlan plan, int payloadMin) {
        final byte[] f = new byte[length];
        buffer.getBytes(offset, f);
        view.wrap(buffer, offset, length);
        assertEquals(PacketHeaders.OK, PacketParser.parse(view, headers), "parse status");
        final int l3 = headers.l3Offset();
        final int l4 = headers.l4Offset();
        final int l4Length = length - l4;
        if (headers.l3Kind() == PacketHeaders.L3_IPV4) {
            assertEquals(0xFFFF, onesComplementSum(f, l3, 20, 0), "IPv4 header checksum");
            assertEquals(length - l3, (f[l3 + 2] & 0xFF) << 8 | f[l3 + 3] & 0xFF, "IPv4 total length");
        } else {
            assertEquals(length - l3 - 40, (f[l3 + 4] & 0xFF) << 8 | f[l3 + 5] & 0xFF, "IPv6 payload length");
        }
        final int protocol = headers.l4Protocol();
        final int initial = protocol == PacketHeaders.PROTO_ICMP ? 0
            : pseudoHeader(f, headers.srcAddressOffset(), headers.addressLength(), protocol, l4Length);
        assertEquals(0xFFFF, onesComplementSum(f, l4, l4Length, initial), "transport checksum of " + protocol);
        if (protocol == PacketHeaders.PROTO_UDP) {
            assertEquals(l4Length, (f[l4 + 4] & 0xFF) << 8 | f[l4 + 5] & 0xFF, "UDP length");
        }
        final int header = protocol == PacketHeaders.PROTO_TCP ? 20 : 8;
        if (l4Length - header < TrafficGenerator.MARKER_LENGTH) {
            return -1;
        }
        final int flow = buffer.getInt(offset + l4 + header, java.nio.ByteOrder.BIG_ENDIAN);
        plan.resolve(flow, expected);
        assertEquals(expected.flowClass().protocol(), protocol, "protocol of flow " + flow);
        assertEquals(expected.flowClass().version() == 4 ? PacketHeaders.L3_IPV4 : PacketHeaders.L3_IPV6,
            headers.l3Kind(), "IP version of flow " + flow);
        if (expected.flowClass().version() == 4) {
            assertEquals(expected.srcIpv4() & 0xFFFFFFFFL, view.u32(headers.srcAddressOffset()), "src of " + expected);
            assertEquals(expected.dstIpv4() & 0xFFFFFFFFL, view.u32(headers.dstAddressOffset()), "dst of " + expected);
        } else {
            final java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(f);
            assertEquals(expected.srcIpv6High(), b.getLong(headers.srcAddressOffset()), "src of " + expected);
            assertEquals(expected.srcIpv6Low(), b.getLong(headers.srcAddressOffset() + 8), "src of " + expected);
            assertEquals(expected.dstIpv6High(), b.getLong(headers.dstAddressOffset()), "dst of " + expected);
            assertEquals(expected.dstIpv6Low(), b.getLong(headers.dstAddressOffset() + 8), "dst of " + expected);
        }
        assertEquals(expected.srcPort(), headers.srcPort(), "src port of " + expected);
        assertEquals(expected.dstPort(), headers.dstPort(), "dst port of " + expected);
        assertTrue(payloadMin <= l4Length - header, "payload room");
        return flow;
    }

    /** The sequence number in the marker of a frame whose marker starts at {@code markerAt}. */
    static long sequence(DirectBuffer buffer, int markerAt) {
        return buffer.getLong(markerAt + 4, java.nio.ByteOrder.BIG_ENDIAN);
    }

    PacketHeaders headers() {
        return headers;
    }
}
