package dev.steer.engine.program;

import static dev.steer.engine.program.Packets.IPV4;
import static dev.steer.engine.program.Packets.IPV6;
import static dev.steer.engine.program.Packets.eth;
import static dev.steer.engine.program.Packets.ipv4;
import static dev.steer.engine.program.Packets.ipv6;
import static dev.steer.engine.program.Packets.udp;
import static dev.steer.engine.program.Packets.v6;
import static dev.steer.engine.program.Packets.view;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Malformed and unusual packets whose verdict the docs (docs/programs.md) promise, one rule per test. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MalformedPacketTest {
    private static final int[] TARGETS = {10, 11, 12};
    private static final long DROP = Verdict.of(Verdict.DROP);

    private final PacketHeaders headers = new PacketHeaders();

    private static long run(String name, byte[] packet) {
        return Programs.create(name, TARGETS, Verdict.DROP).forIngress().run(view(packet));
    }

    /** An IPv4 UDP packet whose total length ends at {@code ipEnd} bytes of IP, padded to 64 bytes with {@code fill}. */
    private static byte[] paddedIpv4(int totalLength, byte fill) {
        final byte[] packet = Arrays.copyOf(eth(IPV4, ipv4(17, 0x0A000001, 0xC0A80102, udp(1001, 53))), 64);
        packet[16] = (byte) (totalLength >>> 8);
        packet[17] = (byte) totalLength;
        for (int i = 14 + totalLength; i < packet.length; i++) {
            packet[i] = fill;
        }
        return packet;
    }

    /** An IPv6 UDP packet with the given payload length, padded to 80 bytes with {@code fill}. */
    private static byte[] paddedIpv6(int payloadLength, byte fill) {
        final byte[] packet = Arrays.copyOf(eth(IPV6, ipv6(17, v6(1), v6(2), udp(1001, 53))), 80);
        packet[18] = (byte) (payloadLength >>> 8);
        packet[19] = (byte) payloadLength;
        for (int i = 54 + payloadLength; i < packet.length; i++) {
            packet[i] = fill;
        }
        return packet;
    }

    @Test
    void shouldNotReadTheTransportHeaderFromPaddingWhenIpTotalLengthEndsBeforeIt() {
        // Ethernet pads short frames (and some NICs pad with stale bytes): what follows the IP packet is not part of
        // it, so a transport header the IP length leaves no room for is TRUNCATED, whatever the padding holds.
        for (int totalLength : new int[] {20, 24, 27}) {
            for (byte fill : new byte[] {0, 0x11, (byte) 0xA7}) {
                final byte[] packet = paddedIpv4(totalLength, fill);
                assertEquals(PacketHeaders.TRUNCATED, PacketParser.parse(view(packet), headers),
                    "IPv4 total length " + totalLength + ", padding " + fill);
                for (String name : new String[] {"l4-proto", "l4-filter", "l4-hash", "l4-sport", "l4-dport"}) {
                    assertEquals(DROP, run(name, packet), name + ", IPv4 total length " + totalLength + ", padding " + fill);
                }
            }
        }
        for (int payloadLength : new int[] {0, 4, 7}) {
            for (byte fill : new byte[] {0, 0x11, (byte) 0xA7}) {
                final byte[] packet = paddedIpv6(payloadLength, fill);
                assertEquals(PacketHeaders.TRUNCATED, PacketParser.parse(view(packet), headers),
                    "IPv6 payload length " + payloadLength + ", padding " + fill);
                for (String name : new String[] {"l4-proto", "l4-filter", "l4-hash", "l4-sport", "l4-dport"}) {
                    assertEquals(DROP, run(name, packet), name + ", IPv6 payload length " + payloadLength);
                }
            }
        }
    }

    @Test
    void shouldGiveTheSameVerdictWhateverThePaddingHoldsWhenIpPacketIsComplete() {
        for (String name : Programs.names()) {
            if ("round-robin".equals(name)) {
                continue; // ignores the bytes: its cursor alone picks the target
            }
            assertEquals(run(name, paddedIpv4(28, (byte) 0)), run(name, paddedIpv4(28, (byte) 0xA7)), name + " IPv4");
            assertEquals(run(name, paddedIpv6(8, (byte) 0)), run(name, paddedIpv6(8, (byte) 0xA7)), name + " IPv6");
        }
        assertEquals(PacketHeaders.OK, PacketParser.parse(view(paddedIpv4(28, (byte) 0xA7)), headers));
        assertEquals(53, headers.dstPort());
        assertEquals(PacketHeaders.OK, PacketParser.parse(view(paddedIpv6(8, (byte) 0xA7)), headers));
        assertEquals(53, headers.dstPort());
    }

    @Test
    void shouldSendNonFirstFragmentsToTheFirstTargetWhenProgramIsL4Proto() {
        // docs/programs.md: "other IP protocols and non-first fragments → 0". A non-first fragment has no transport
        // header, so what follows the IP header is payload, and neither its protocol's target nor a port applies.
        final byte[][] fragments = {
            eth(IPV4, ipv4(17, 1, 2, udp(1001, 9), 0, 100)),
            eth(IPV4, ipv4(1, 1, 2, Packets.icmp(8, 0), 0, 100)),
            eth(IPV6, ipv6(17, v6(1), v6(2), udp(1001, 9), Packets.Ext.fragment(100))),
            eth(IPV6, ipv6(58, v6(1), v6(2), Packets.icmp(128, 0), Packets.Ext.fragment(100))),
        };
        for (int i = 0; i < fragments.length; i++) {
            assertEquals(Verdict.redirect(TARGETS[0], Verdict.DROP), run("l4-proto", fragments[i]), "l4-proto fragment " + i);
            assertEquals(Verdict.redirect(TARGETS[0], Verdict.DROP), run("l4-filter", fragments[i]), "l4-filter fragment " + i);
        }
        // The first fragment carries the transport header and goes by its protocol.
        assertEquals(Verdict.redirect(TARGETS[1], Verdict.DROP),
            run("l4-proto", eth(IPV6, ipv6(17, v6(1), v6(2), udp(1001, 53), Packets.Ext.fragment(0)))));
    }

    @Test
    void shouldReportMalformedWhenAFragmentHeaderComesBeyondTheExtensionBound() {
        // docs/programs.md: at most MAX_IPV6_EXTENSIONS extension headers, beyond which the packet is MALFORMED,
        // whichever header the one past the bound is.
        final Packets.Ext[] chain = new Packets.Ext[PacketParser.MAX_IPV6_EXTENSIONS + 1];
        for (int i = 0; i < chain.length - 1; i++) {
            chain[i] = Packets.Ext.options(60, 1);
        }
        for (int offset : new int[] {0, 100}) {
            chain[chain.length - 1] = Packets.Ext.fragment(offset);
            final byte[] packet = eth(IPV6, ipv6(17, v6(1), v6(2), udp(1001, 53), chain));
            assertEquals(PacketHeaders.MALFORMED, PacketParser.parse(view(packet), headers), "fragment offset " + offset);
            for (String name : new String[] {"l4-proto", "l4-filter", "l4-hash", "l4-sport", "l4-dport"}) {
                assertEquals(DROP, run(name, packet), name + ", fragment offset " + offset);
            }
        }
    }
}
