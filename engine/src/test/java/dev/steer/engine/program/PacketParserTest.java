package dev.steer.engine.program;

import static dev.steer.engine.program.Packets.IPV4;
import static dev.steer.engine.program.Packets.IPV6;
import static dev.steer.engine.program.Packets.eth;
import static dev.steer.engine.program.Packets.icmp;
import static dev.steer.engine.program.Packets.ipv4;
import static dev.steer.engine.program.Packets.ipv6;
import static dev.steer.engine.program.Packets.tcp;
import static dev.steer.engine.program.Packets.udp;
import static dev.steer.engine.program.Packets.v6;
import static dev.steer.engine.program.Packets.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PacketParserTest {
    private final PacketHeaders headers = new PacketHeaders();

    private int parse(byte[] packet) {
        return PacketParser.parse(view(packet), headers);
    }

    @Test
    void shouldFindPortsAndAddressesWhenIpv4CarriesUdp() {
        final byte[] packet = eth(IPV4, ipv4(17, 0x0A000001, 0x0A000002, udp(1234, 53)));
        assertEquals(PacketHeaders.OK, parse(packet));
        assertEquals(PacketHeaders.L3_IPV4, headers.l3Kind());
        assertEquals(14, headers.l3Offset());
        assertEquals(26, headers.srcAddressOffset());
        assertEquals(30, headers.dstAddressOffset());
        assertEquals(4, headers.addressLength());
        assertEquals(17, headers.l4Protocol());
        assertEquals(34, headers.l4Offset());
        assertEquals(1234, headers.srcPort());
        assertEquals(53, headers.dstPort());
        assertEquals(0, headers.vlanCount());
    }

    @Test
    void shouldSkipOptionsWhenIpv4HeaderIsLongerThan20Bytes() {
        final byte[] packet = eth(IPV4, ipv4(6, 1, 2, tcp(40000, 443), 10, 0));
        assertEquals(PacketHeaders.OK, parse(packet));
        assertEquals(14 + 60, headers.l4Offset());
        assertEquals(40000, headers.srcPort());
        assertEquals(443, headers.dstPort());
    }

    @Test
    void shouldReadTagsWhenFrameHasOneOrTwoVlans() {
        assertEquals(PacketHeaders.OK, parse(eth(IPV4, ipv4(17, 1, 2, udp(1, 2)), 100)));
        assertEquals(1, headers.vlanCount());
        assertEquals(100, headers.vlanId(0));
        assertEquals(18, headers.l3Offset());
        assertEquals(2, headers.dstPort());

        assertEquals(PacketHeaders.OK, parse(eth(IPV6, ipv6(6, v6(1), v6(2), tcp(7, 8)), 300, 4001)));
        assertEquals(2, headers.vlanCount());
        assertEquals(300, headers.vlanId(0));
        assertEquals(4001 & 0xFFF, headers.vlanId(1));
        assertEquals(22, headers.l3Offset());
        assertEquals(8, headers.dstPort());
    }

    @Test
    void shouldReportNotIpWhenFrameHasThreeVlanTags() {
        final byte[] inner = eth(0x8100, new byte[] {0, 5, 0x08, 0x00}, 1, 2);
        assertEquals(PacketHeaders.NOT_IP, parse(inner));
    }

    @Test
    void shouldWalkExtensionHeadersWhenIpv6HasThem() {
        final byte[] packet = eth(IPV6, ipv6(17, v6(1), v6(2), udp(5353, 5353),
            Packets.Ext.options(0, 1), Packets.Ext.options(43, 3), Packets.Ext.auth(4), Packets.Ext.fragment(0),
            Packets.Ext.options(60, 2)));
        assertEquals(PacketHeaders.OK, parse(packet));
        assertEquals(PacketHeaders.L3_IPV6, headers.l3Kind());
        assertEquals(16, headers.addressLength());
        assertEquals(17, headers.l4Protocol());
        assertEquals(14 + 40 + 8 + 24 + 16 + 8 + 16, headers.l4Offset());
        assertEquals(5353, headers.dstPort());
        assertFalse(headers.isFragment());
    }

    @Test
    void shouldReportFragmentWithoutPortsWhenIpv6FragmentIsNotTheFirst() {
        assertEquals(PacketHeaders.OK, parse(eth(IPV6, ipv6(6, v6(1), v6(2), new byte[8], Packets.Ext.fragment(100)))));
        assertTrue(headers.isFragment());
        assertEquals(6, headers.l4Protocol());
        assertEquals(-1, headers.srcPort());
    }

    @Test
    void shouldRecordTheFragmentHeadersNextHeaderAsDatagramProtocolWhenIpv6IsFragmented() {
        assertEquals(PacketHeaders.OK, parse(eth(IPV6, ipv6(6, v6(1), v6(2), tcp(1000, 80), Packets.Ext.fragment(0),
            Packets.Ext.auth(4)))));
        assertEquals(6, headers.l4Protocol());
        assertEquals(51, headers.datagramProtocol(), "first fragment");
        assertEquals(PacketHeaders.OK, parse(eth(IPV6, ipv6(51, v6(1), v6(2), new byte[32], Packets.Ext.fragment(100)))));
        assertEquals(51, headers.datagramProtocol(), "later fragment");
        assertEquals(PacketHeaders.OK, parse(eth(IPV6, ipv6(6, v6(1), v6(2), tcp(1000, 80), Packets.Ext.options(0, 1),
            Packets.Ext.auth(4)))));
        assertEquals(6, headers.datagramProtocol(), "unfragmented: the transport");
        assertEquals(PacketHeaders.OK, parse(eth(IPV4, ipv4(17, 1, 2, new byte[8], 0, 185))));
        assertEquals(17, headers.datagramProtocol(), "IPv4: the protocol field");
    }

    @Test
    void shouldReportFragmentWithoutPortsWhenIpv4FragmentIsNotTheFirst() {
        assertEquals(PacketHeaders.OK, parse(eth(IPV4, ipv4(17, 1, 2, new byte[8], 0, 185))));
        assertTrue(headers.isFragment());
        assertEquals(17, headers.l4Protocol());
        assertEquals(-1, headers.dstPort());
    }

    @Test
    void shouldReadTypeAndCodeWhenPacketIsIcmpOrIcmpv6() {
        assertEquals(PacketHeaders.OK, parse(eth(IPV4, ipv4(1, 1, 2, icmp(8, 0)))));
        assertEquals(8, headers.icmpType());
        assertEquals(-1, headers.srcPort());
        assertEquals(PacketHeaders.OK, parse(eth(IPV6, ipv6(58, v6(1), v6(2), icmp(128, 0)))));
        assertEquals(128, headers.icmpType());
        assertEquals(58, headers.l4Protocol());
    }

    @Test
    void shouldReportNotIpWhenFrameIsArp() {
        assertEquals(PacketHeaders.NOT_IP, parse(Packets.arp()));
        assertEquals(Packets.ARP, headers.ethType());
        assertFalse(headers.isIp());
    }

    @Test
    void shouldReportMalformedWhenHeadersHoldImpossibleValues() {
        final byte[] ihl4 = eth(IPV4, ipv4(17, 1, 2, udp(1, 2)));
        ihl4[14] = 0x44;
        assertEquals(PacketHeaders.MALFORMED, parse(ihl4), "IHL below 5");
        final byte[] version = eth(IPV4, ipv4(17, 1, 2, udp(1, 2)));
        version[14] = 0x65;
        assertEquals(PacketHeaders.MALFORMED, parse(version), "IPv6 version under an IPv4 type");
        final byte[] totalLength = eth(IPV4, ipv4(17, 1, 2, udp(1, 2)));
        totalLength[16] = 0;
        totalLength[17] = 10;
        assertEquals(PacketHeaders.MALFORMED, parse(totalLength), "total length below the header");
        final byte[] v6version = eth(IPV6, ipv6(17, v6(1), v6(2), udp(1, 2)));
        v6version[14] = 0x40;
        assertEquals(PacketHeaders.MALFORMED, parse(v6version), "IPv4 version under an IPv6 type");
        final Packets.Ext[] many = new Packets.Ext[PacketParser.MAX_IPV6_EXTENSIONS + 1];
        for (int i = 0; i < many.length; i++) {
            many[i] = Packets.Ext.options(60, 1);
        }
        assertEquals(PacketHeaders.MALFORMED, parse(eth(IPV6, ipv6(17, v6(1), v6(2), udp(1, 2), many))),
            "more extension headers than the bound");
        final byte[] tcpOffset = eth(IPV4, ipv4(6, 1, 2, tcp(1, 2)));
        tcpOffset[14 + 20 + 12] = 0x40;
        assertEquals(PacketHeaders.MALFORMED, parse(tcpOffset), "TCP data offset below 5");
    }

    @Test
    void shouldAcceptExactlyMaxExtensionHeadersWhenAtTheBound() {
        final Packets.Ext[] most = new Packets.Ext[PacketParser.MAX_IPV6_EXTENSIONS];
        for (int i = 0; i < most.length; i++) {
            most[i] = Packets.Ext.options(60, 1);
        }
        assertEquals(PacketHeaders.OK, parse(eth(IPV6, ipv6(17, v6(1), v6(2), udp(1, 2), most))));
        assertEquals(2, headers.dstPort());
    }

    static Stream<Arguments> packets() {
        return Stream.of(
            Arguments.of("ipv4 udp", eth(IPV4, ipv4(17, 1, 2, udp(1, 2))), 14 + 20 + 8),
            Arguments.of("ipv4 tcp with options", eth(IPV4, ipv4(6, 1, 2, tcp(1, 2), 3, 0)), 14 + 32 + 20),
            Arguments.of("ipv4 icmp vlan", eth(IPV4, ipv4(1, 1, 2, icmp(0, 0)), 7), 18 + 20 + 4),
            Arguments.of("ipv6 tcp two vlans", eth(IPV6, ipv6(6, v6(1), v6(2), tcp(1, 2)), 1, 2), 22 + 40 + 20),
            Arguments.of("ipv6 udp with extensions", eth(IPV6, ipv6(17, v6(1), v6(2), udp(1, 2),
                Packets.Ext.options(0, 2), Packets.Ext.auth(6))), 14 + 40 + 16 + 24 + 8),
            Arguments.of("ipv6 icmpv6", eth(IPV6, ipv6(58, v6(1), v6(2), icmp(135, 0))), 14 + 40 + 4));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("packets")
    void shouldReportTruncatedAtEveryCutBeforeTheLastHeaderEndsAndOkAfter(String name, byte[] packet, int headersEnd) {
        for (int length = 0; length <= packet.length; length++) {
            final int status = PacketParser.parse(view(packet, length), headers);
            assertEquals(length < headersEnd ? PacketHeaders.TRUNCATED : PacketHeaders.OK, status,
                name + " cut at " + length);
        }
    }

    @Test
    void shouldNeverThrowWhenInputIsRandomGarbage() {
        final SplittableRandom random = new SplittableRandom(2026);
        final int[] statuses = new int[4];
        for (int i = 0; i < 100_000; i++) {
            final byte[] packet = new byte[random.nextInt(0, 160)];
            random.nextBytes(packet);
            if (packet.length > 14 && random.nextBoolean()) {
                final int type = random.nextBoolean() ? IPV4 : IPV6;
                packet[12] = (byte) (type >>> 8);
                packet[13] = (byte) type;
                packet[14] = (byte) (type == IPV4 ? 0x40 | random.nextInt(16) : 0x60);
            }
            final int status = PacketParser.parse(view(packet), headers);
            statuses[status]++;
            if (status == PacketHeaders.OK && headers.l4Offset() >= 0) {
                assertTrue(headers.l4Offset() <= packet.length, "transport header inside the packet");
            }
        }
        for (int status = 0; status < statuses.length; status++) {
            assertTrue(statuses[status] > 0, "garbage produced status " + status + " at least once");
        }
    }
}
