package dev.steer.engine.program;

import static dev.steer.engine.program.Packets.IPV4;
import static dev.steer.engine.program.Packets.IPV6;
import static dev.steer.engine.program.Packets.eth;
import static dev.steer.engine.program.Packets.ipv4;
import static dev.steer.engine.program.Packets.ipv6;
import static dev.steer.engine.program.Packets.tcp;
import static dev.steer.engine.program.Packets.udp;
import static dev.steer.engine.program.Packets.v6;
import static dev.steer.engine.program.Packets.view;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Header length fields that contradict each other or the packet, with the status an XDP program author expects
 * (the kernel's own checks in tcp_v4_rcv, ip_rcv_core and ipv6_rcv; xdp-tutorial's parse_tcphdr), and the verdict
 * every {@code l4-*} program gives: the status is in docs/programs.md, and a packet that is not OK is DROPped.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HostileHeaderTest {
    private static final String[] L4_PROGRAMS = {"l4-proto", "l4-filter", "l4-hash", "l4-sport", "l4-dport"};
    private static final int[] TARGETS = {10, 11, 12};
    private static final long DROP = Verdict.of(Verdict.DROP);

    private final PacketHeaders headers = new PacketHeaders();

    private void assertStatus(int expected, byte[] packet, String what) {
        assertEquals(expected, PacketParser.parse(view(packet), headers), what);
        if (expected == PacketHeaders.TRUNCATED || expected == PacketHeaders.MALFORMED) {
            for (String name : L4_PROGRAMS) {
                final long verdict = Programs.create(name, TARGETS, Verdict.DROP).forIngress().run(view(packet));
                assertEquals(Verdict.toString(DROP), Verdict.toString(verdict), name + ": " + what);
            }
        }
    }

    /** A TCP header with {@code optionBytes} of NOP options and the data offset {@code dataOffset} (in words). */
    private static byte[] tcpWithOffset(int optionBytes, int dataOffset) {
        final byte[] header = Arrays.copyOf(tcp(1001, 80), 20 + optionBytes);
        Arrays.fill(header, 20, header.length, (byte) 1);
        header[12] = (byte) (dataOffset << 4);
        return header;
    }

    @Test
    void shouldReportTruncatedWhenTcpDataOffsetPointsPastTheEndOfTheIpPacket() {
        for (int dataOffset = 6; dataOffset <= 15; dataOffset++) {
            assertStatus(PacketHeaders.TRUNCATED, eth(IPV4, ipv4(6, 1, 2, tcpWithOffset(0, dataOffset))),
                "IPv4, 20-byte TCP header, data offset " + dataOffset);
            assertStatus(PacketHeaders.TRUNCATED, eth(IPV6, ipv6(6, v6(1), v6(2), tcpWithOffset(0, dataOffset))),
                "IPv6, 20-byte TCP header, data offset " + dataOffset);
            assertStatus(PacketHeaders.TRUNCATED, eth(IPV4, ipv4(6, 1, 2, tcpWithOffset(0, dataOffset)), 7),
                "IPv4 in a VLAN, 20-byte TCP header, data offset " + dataOffset);
        }
        // The options fit the frame but not the IP packet: what follows the IP total length is padding.
        final byte[] padded = Arrays.copyOf(eth(IPV4, ipv4(6, 1, 2, tcpWithOffset(0, 8))), 14 + 20 + 32 + 18);
        Arrays.fill(padded, 14 + 40, padded.length, (byte) 1);
        assertStatus(PacketHeaders.TRUNCATED, padded, "TCP options only in the Ethernet padding");
    }

    @Test
    void shouldReportOkWhenTcpDataOffsetEndsInsideTheIpPacket() {
        for (int dataOffset = 5; dataOffset <= 15; dataOffset++) {
            final byte[] exact = eth(IPV4, ipv4(6, 1, 2, tcpWithOffset(dataOffset * 4 - 20, dataOffset)));
            assertStatus(PacketHeaders.OK, exact, "options end with the packet, data offset " + dataOffset);
            assertEquals(80, headers.dstPort());
            final byte[] withData = eth(IPV6, ipv6(6, v6(1), v6(2), tcpWithOffset(40, dataOffset)));
            assertStatus(PacketHeaders.OK, withData, "payload after the options, data offset " + dataOffset);
            assertEquals(1001, headers.srcPort());
        }
    }

    @Test
    void shouldReportMalformedWhenTcpDataOffsetIsBelowFive() {
        for (int dataOffset = 0; dataOffset < 5; dataOffset++) {
            assertStatus(PacketHeaders.MALFORMED, eth(IPV4, ipv4(6, 1, 2, tcpWithOffset(0, dataOffset))),
                "data offset " + dataOffset);
        }
    }

    @Test
    void shouldReportMalformedWhenIpv4IhlIsBelowFive() {
        for (int ihl = 0; ihl < 5; ihl++) {
            for (int protocol : new int[] {6, 17}) {
                final byte[] packet = eth(IPV4, ipv4(protocol, 1, 2, protocol == 6 ? tcp(1, 2) : udp(1, 2)));
                packet[14] = (byte) (0x40 | ihl);
                assertStatus(PacketHeaders.MALFORMED, packet, "IHL " + ihl + ", protocol " + protocol);
            }
        }
    }

    @Test
    void shouldReportMalformedWhenIpv4TotalLengthIsBelowTheHeaderLength() {
        final int[][] cases = {{0, 0}, {0, 19}, {3, 20}, {3, 31}, {10, 59}};
        for (int[] c : cases) {
            final int optionWords = c[0];
            final int totalLength = c[1];
            for (int protocol : new int[] {6, 17}) {
                final byte[] packet = eth(IPV4, ipv4(protocol, 1, 2, protocol == 6 ? tcp(1, 2) : udp(1, 2),
                    optionWords, 0));
                ByteBuffer.wrap(packet).putShort(16, (short) totalLength);
                assertStatus(PacketHeaders.MALFORMED, packet, "header " + (20 + 4 * optionWords) + " bytes, total length "
                    + totalLength + ", protocol " + protocol);
            }
        }
    }

    @Test
    void shouldReportTruncatedWhenIpv6PayloadLengthIsZeroAndATransportHeaderFollows() {
        for (int protocol : new int[] {6, 17, 58}) {
            final byte[] packet = eth(IPV6, ipv6(protocol, v6(1), v6(2), protocol == 6 ? tcp(1, 2) : udp(1, 2)));
            ByteBuffer.wrap(packet).putShort(18, (short) 0);
            assertStatus(PacketHeaders.TRUNCATED, packet, "payload length 0, next header " + protocol);
        }
    }

    @Test
    void shouldReportOkWhenIpv6PayloadLengthIsZeroAndNoNextHeaderFollows() {
        final byte[] packet = eth(IPV6, ipv6(59, v6(1), v6(2), new byte[0]));
        assertStatus(PacketHeaders.OK, packet, "an empty IPv6 packet: next header 59");
        assertEquals(59, headers.l4Protocol());
    }

    @Test
    void shouldReportMalformedWhenIpv6PacketIsAJumbogram() {
        // RFC 2675: payload length 0 and a hop-by-hop header whose Jumbo Payload option (type 0xC2) holds the length.
        // Steer does not support jumbograms: the packet is refused as MALFORMED, not reported as cut short.
        final byte[] hopByHop = new byte[8];
        hopByHop[2] = (byte) 0xC2;
        hopByHop[3] = 4;
        final byte[] l4 = udp(1, 2);
        ByteBuffer.wrap(hopByHop).putInt(4, 40 + 8 + l4.length + 70_000);
        final byte[] packet = eth(IPV6, ipv6(17, v6(1), v6(2), l4, new Packets.Ext(0, hopByHop)));
        ByteBuffer.wrap(packet).putShort(18, (short) 0);
        assertStatus(PacketHeaders.MALFORMED, packet, "jumbogram");
    }
}
