package dev.steer.engine.program;

import static dev.steer.engine.program.Packets.IPV4;
import static dev.steer.engine.program.Packets.eth;
import static dev.steer.engine.program.Packets.ipv4;
import static dev.steer.engine.program.Packets.tcp;
import static dev.steer.engine.program.Packets.udp;
import static dev.steer.engine.program.Packets.view;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The l4-hash fast path must give the verdict of the full parse for every input, near misses above all. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class L4HashFastPathTest {
    private static final int[] TARGETS = {3, 5, 7, 9, 11};

    private final L4HashProgram program = (L4HashProgram) new L4HashProgram(TARGETS, Verdict.DROP).forIngress();

    private void assertSameAsFullParse(byte[] packet, int length, String what) {
        final long fast = program.run(view(packet, length));
        final long full = program.runParsed(view(packet, length));
        assertEquals(Verdict.toString(full), Verdict.toString(fast), what + " (" + length + " bytes)");
    }

    @Test
    void shouldGiveTheFullParseVerdictWhenPacketIsANearMissOfTheFastPath() {
        final byte[] udp = eth(IPV4, ipv4(17, 0x0A000001, 0xC0A80102, udp(1001, 53)));
        final byte[] tcp = eth(IPV4, ipv4(6, 0x0A000001, 0xC0A80102, tcp(1001, 80)));
        for (byte[] base : new byte[][] {udp, tcp}) {
            for (int length = 0; length <= base.length; length++) {
                assertSameAsFullParse(base, length, "truncated");
            }
        }
        final byte[] badDataOffset = tcp.clone();
        badDataOffset[46] = 0x40;
        assertSameAsFullParse(badDataOffset, badDataOffset.length, "TCP data offset 4");
        for (int dataOffset = 5; dataOffset <= 15; dataOffset++) {
            for (int extra : new int[] {0, 4, 40}) {
                final byte[] options = Arrays.copyOf(tcp, tcp.length + extra);
                options[46] = (byte) (dataOffset << 4);
                assertSameAsFullParse(options, options.length, "TCP data offset " + dataOffset + ", IP total length 40, frame " + extra + " bytes longer");
                final int total = 40 + extra;
                options[16] = (byte) (total >>> 8);
                options[17] = (byte) total;
                assertSameAsFullParse(options, options.length, "TCP data offset " + dataOffset + ", IP total length " + total);
            }
        }
        final byte[] shortTotal = udp.clone();
        shortTotal[16] = 0;
        shortTotal[17] = 19;
        assertSameAsFullParse(shortTotal, shortTotal.length, "IPv4 total length below the header");
        for (int total : new int[] {20, 27, 28, 39, 40}) {
            for (byte[] base : new byte[][] {udp, tcp}) {
                final byte[] padded = Arrays.copyOf(base, 64);
                padded[16] = (byte) (total >>> 8);
                padded[17] = (byte) total;
                assertSameAsFullParse(padded, padded.length, "IPv4 total length " + total + " in a padded frame");
            }
        }
        final byte[] fragment = udp.clone();
        fragment[21] = 1;
        assertSameAsFullParse(fragment, fragment.length, "non-first fragment");
        assertSameAsFullParse(eth(IPV4, ipv4(17, 1, 2, udp(1, 2), 1, 0)), 54, "IPv4 options");
        assertSameAsFullParse(eth(IPV4, ipv4(17, 1, 2, udp(1, 2)), 7), 46, "VLAN tag");
        assertSameAsFullParse(eth(IPV4, ipv4(1, 1, 2, Packets.icmp(8, 0))), 42, "ICMP");
    }

    @Test
    void shouldGiveTheFullParseVerdictWhenBytesOfAUdpOrTcpPacketAreRandomised() {
        final SplittableRandom random = new SplittableRandom(42);
        final byte[][] bases = {
            eth(IPV4, ipv4(17, 0x0A000001, 0xC0A80102, udp(1001, 53))),
            eth(IPV4, ipv4(6, 0x0A000001, 0xC0A80102, tcp(1001, 80))),
        };
        for (int round = 0; round < 200_000; round++) {
            final byte[] base = bases[round & 1];
            final byte[] packet = Arrays.copyOf(base, base.length + 8);
            // Random addresses always; now and then one header byte the fast path tests is changed too.
            for (int i = 26; i < 34; i++) {
                packet[i] = (byte) random.nextInt(256);
            }
            final int[] tested = {12, 13, 14, 16, 17, 20, 21, 23, 46};
            if (random.nextInt(4) == 0) {
                packet[tested[random.nextInt(tested.length)]] = (byte) random.nextInt(256);
            }
            if (random.nextInt(8) == 0) {
                packet[23] = (byte) (random.nextBoolean() ? 6 : 17);
            }
            assertSameAsFullParse(packet, random.nextInt(8) == 0 ? random.nextInt(packet.length + 1) : packet.length,
                "round " + round);
        }
    }
}
