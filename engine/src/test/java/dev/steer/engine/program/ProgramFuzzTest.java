package dev.steer.engine.program;

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
 * targets; the parser must end every packet with one of its statuses.
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
