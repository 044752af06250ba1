package dev.steer.engine.program;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Malformed packets through every built-in program: random bytes, and well-formed Ethernet / VLAN / IPv4 / IPv6
 * / UDP / TCP / ICMP headers with random fields, cut at random lengths. No program may throw (an exception is
 * the ABORTED path, with a stack walk per packet) or return anything but PASS, DROP or a redirect to one of its
 * targets; the parser must end every packet with one of its statuses. Nor may a verdict depend on a byte outside the
 * packet or after the end of its IP packet.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProgramFuzzTest {
    private static final int[] TARGETS = {3, 5, 9};
    private static final int PACKETS = 100_000;

    @Test
    void shouldReturnAValidVerdictForEveryMalformedPacketFromEveryProgram() {
        final SplittableRandom random = new SplittableRandom(7);
        final PacketView view = new PacketView();
        final PacketHeaders headers = new PacketHeaders();
        final byte[] bytes = new byte[256];
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        for (String name : Programs.names()) {
            final SteeringProgram program = Programs.create(name, TARGETS, Verdict.DROP).forIngress();
            for (int i = 0; i < PACKETS; i++) {
                final int length = fill(bytes, random);
                view.wrap(buffer, 0, length);
                final long verdict;
                try {
                    verdict = program.run(view);
                } catch (RuntimeException thrown) {
                    throw new AssertionError(name + " threw on packet " + i + " of " + length + " bytes", thrown);
                }
                final int action = Verdict.action(verdict);
                assertTrue(action == Verdict.PASS || action == Verdict.DROP
                    || action == Verdict.REDIRECT && isTarget(Verdict.key(verdict)),
                    name + ": verdict " + Long.toHexString(verdict) + " for packet " + i);
                final int status = PacketParser.parse(view, headers);
                assertTrue(status == PacketHeaders.OK || status == PacketHeaders.NOT_IP
                    || status == PacketHeaders.TRUNCATED || status == PacketHeaders.MALFORMED, "parser status " + status);
            }
        }
    }

    @Test
    void shouldGiveAVerdictThatIgnoresEveryByteOutsideThePacketWhenFuzzed() {
        // Each packet sits at a random offset of a larger buffer, between random bytes (the previous and next packets
        // of a feed's buffer, a frame's headroom and tailroom). The bytes outside it, and those after the end of its
        // IP packet (Ethernet padding), are then changed: a program that reads any of them may change its verdict.
        // Two instances of each program run in lock step, one per copy, so a per-instance cursor stays in step too.
        final SplittableRandom random = new SplittableRandom(11);
        final PacketHeaders headers = new PacketHeaders();
        final PacketHeaders otherHeaders = new PacketHeaders();
        final byte[] packet = new byte[256];
        final byte[] bytes = new byte[1024];
        final byte[] other = new byte[bytes.length];
        final PacketView view = new PacketView();
        final PacketView otherView = new PacketView();
        for (String name : Programs.names()) {
            final SteeringProgram program = Programs.create(name, TARGETS, Verdict.DROP).forIngress();
            final SteeringProgram twin = Programs.create(name, TARGETS, Verdict.DROP).forIngress();
            for (int i = 0; i < PACKETS / 4; i++) {
                final int length = fill(packet, random);
                final int ipEnd = shortenIp(packet, length, random);
                final int offset = random.nextInt(bytes.length - length + 1);
                for (int j = 0; j < bytes.length; j++) {
                    bytes[j] = (byte) random.nextInt(256);
                    other[j] = (byte) random.nextInt(256);
                }
                System.arraycopy(packet, 0, bytes, offset, ipEnd);
                System.arraycopy(packet, 0, other, offset, ipEnd);
                view.wrap(new UnsafeBuffer(bytes), offset, length);
                otherView.wrap(new UnsafeBuffer(other), offset, length);
                assertEquals(Verdict.toString(program.run(view)), Verdict.toString(twin.run(otherView)),
                    name + ": packet " + i + " of " + length + " bytes (IP ends at " + ipEnd + ") at offset " + offset);
                assertEquals(PacketParser.parse(view, headers), PacketParser.parse(otherView, otherHeaders),
                    "parser status, packet " + i);
                assertEquals(headers.srcPort(), otherHeaders.srcPort(), "source port, packet " + i);
                assertEquals(headers.dstPort(), otherHeaders.dstPort(), "destination port, packet " + i);
                assertEquals(headers.l4Protocol(), otherHeaders.l4Protocol(), "protocol, packet " + i);
                assertEquals(headers.datagramProtocol(), otherHeaders.datagramProtocol(), "datagram protocol, packet " + i);
            }
        }
    }

    /**
     * For an IPv4 or IPv6 packet whose IP header {@link #fill} wrote in full, now and then sets its length so
     * that the IP packet ends inside the frame; returns where it ends (capped at {@code length}): the bytes
     * after it are padding (for an IPv4 total length below the header, the bytes after the length field).
     */
    private static int shortenIp(byte[] bytes, int length, SplittableRandom random) {
        int at = 12;
        while (at + 2 <= length && (bytes[at] & 0xFF) == 0x81 && bytes[at + 1] == 0 && at < 20) {
            at += 4;
        }
        final int type = (bytes[at] & 0xFF) << 8 | bytes[at + 1] & 0xFF;
        final int l3 = at + 2;
        if (type != 0x0800 && type != 0x86DD || l3 + 40 > length) {
            return length;
        }
        final int fixed = type == 0x0800 ? 0 : 40;
        final int lengthField = type == 0x0800 ? l3 + 2 : l3 + 4;
        if (random.nextBoolean()) {
            final int value = random.nextInt(length - l3 - fixed + 1);
            bytes[lengthField] = (byte) (value >>> 8);
            bytes[lengthField + 1] = (byte) value;
        }
        // An IPv4 total length below the header is MALFORMED whatever follows: its first 4 bytes decide that.
        final int value = Math.max(4, (bytes[lengthField] & 0xFF) << 8 | bytes[lengthField + 1] & 0xFF);
        return Math.min(length, l3 + fixed + value);
    }

    private static boolean isTarget(int key) {
        for (int target : TARGETS) {
            if (target == key) {
                return true;
            }
        }
        return false;
    }

    /** A packet in {@code bytes}: random, or plausible headers with random fields; returns its length. */
    private static int fill(byte[] bytes, SplittableRandom random) {
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        if (random.nextInt(4) != 0) {
            int at = 12;
            if (random.nextInt(4) == 0) {
                bytes[at] = (byte) 0x81;
                bytes[at + 1] = 0; // 802.1Q
                at += 4;
                if (random.nextInt(3) == 0) {
                    bytes[at] = (byte) 0x81;
                    bytes[at + 1] = 0; // a second tag
                    at += 4;
                }
            }
            final boolean v6 = random.nextInt(3) == 0;
            bytes[at] = (byte) (v6 ? 0x86 : 0x08);
            bytes[at + 1] = (byte) (v6 ? 0xDD : 0x00);
            at += 2;
            final int[] protocols = {6, 17, 1, 58, 0, 43, 44, 60, 51, 255};
            if (v6) {
                bytes[at] = (byte) (0x60 | random.nextInt(16));
                bytes[at + 6] = (byte) protocols[random.nextInt(protocols.length)];
            } else {
                bytes[at] = (byte) (0x40 | (random.nextInt(4) == 0 ? random.nextInt(16) : 5));
                if (random.nextBoolean()) {
                    bytes[at + 6] = 0; // not a fragment
                    bytes[at + 7] = 0;
                }
                bytes[at + 9] = (byte) protocols[random.nextInt(protocols.length)];
            }
        }
        return random.nextInt(8) == 0 ? random.nextInt(bytes.length + 1) : random.nextInt(14, 120);
    }
}
