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
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.steer.engine.frame.Frame;
import dev.steer.engine.frame.FramePool;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProgramsTest {
    private static final int[] TARGETS = {10, 11, 12};
    private static final int A = 0x0A000001;
    private static final int B = 0xC0A80102;

    static Iterable<String> names() {
        return Programs.names();
    }

    private static long run(String name, byte[] packet) {
        return Programs.create(name, TARGETS, Verdict.DROP).forIngress().run(view(packet));
    }

    private static long redirect(int key) {
        return Verdict.redirect(key, Verdict.DROP);
    }

    private static final long DROP = Verdict.of(Verdict.DROP);

    /** The packets of the table below: name → bytes. */
    private static Map<String, byte[]> packets() {
        final Map<String, byte[]> packets = new HashMap<>();
        packets.put("tcp4", eth(IPV4, ipv4(6, A, B, tcp(1001, 80))));
        packets.put("udp4", eth(IPV4, ipv4(17, A, B, udp(1001, 53))));
        packets.put("udp4-discard", eth(IPV4, ipv4(17, A, B, udp(1001, 9))));
        packets.put("icmp4", eth(IPV4, ipv4(1, A, B, icmp(8, 0))));
        packets.put("tcp6-vlan", eth(IPV6, ipv6(6, v6(1), v6(2), tcp(2002, 443)), 42));
        packets.put("udp6-2vlan", eth(IPV6, ipv6(17, v6(1), v6(2), udp(2002, 4789)), 42, 43));
        packets.put("icmp6", eth(IPV6, ipv6(58, v6(1), v6(2), icmp(128, 0))));
        packets.put("gre4", eth(IPV4, ipv4(47, A, B, new byte[8])));
        packets.put("arp", Packets.arp());
        packets.put("runt", new byte[10]);
        packets.put("truncated-udp4", java.util.Arrays.copyOf(eth(IPV4, ipv4(17, A, B, udp(1, 2))), 38));
        final byte[] malformed = eth(IPV4, ipv4(17, A, B, udp(1, 2)));
        malformed[14] = 0x43;
        packets.put("malformed-ihl", malformed);
        final byte[] dot3 = eth(0x05DC, new byte[46]);
        packets.put("802.3", dot3);
        return packets;
    }

    @Test
    void shouldGiveDocumentedVerdictForEveryProgramWhenPacketsAreCrafted() {
        final Map<String, byte[]> p = packets();
        // no-touch: always the first target.
        for (byte[] packet : p.values()) {
            assertEquals(redirect(10), run("no-touch", packet));
        }
        // touch: runts and 802.3 dropped, everything else to the first target.
        assertEquals(DROP, run("touch", p.get("runt")));
        assertEquals(DROP, run("touch", p.get("802.3")));
        for (String name : new String[] {"tcp4", "arp", "malformed-ihl", "truncated-udp4", "icmp6"}) {
            assertEquals(redirect(10), run("touch", p.get(name)), "touch " + name);
        }
        // l4-proto: TCP 0, UDP 1, ICMP 2, other and non-IP 0, broken dropped.
        final Object[][] proto = {{"tcp4", 10}, {"udp4", 11}, {"udp4-discard", 11}, {"icmp4", 12}, {"tcp6-vlan", 10},
            {"udp6-2vlan", 11}, {"icmp6", 12}, {"gre4", 10}, {"arp", 10}, {"runt", -1}, {"truncated-udp4", -1},
            {"malformed-ihl", -1}, {"802.3", 10}};
        for (Object[] row : proto) {
            final long expected = (int) row[1] < 0 ? DROP : redirect((int) row[1]);
            assertEquals(expected, run("l4-proto", p.get((String) row[0])), "l4-proto " + row[0]);
            final long filtered = "udp4-discard".equals(row[0]) ? DROP : expected;
            assertEquals(filtered, run("l4-filter", p.get((String) row[0])), "l4-filter " + row[0]);
        }
        // l4-sport / l4-dport: port modulo 3, no ports to the first target, broken dropped.
        assertEquals(redirect(TARGETS[1001 % 3]), run("l4-sport", p.get("tcp4")));
        assertEquals(redirect(TARGETS[80 % 3]), run("l4-dport", p.get("tcp4")));
        assertEquals(redirect(TARGETS[2002 % 3]), run("l4-sport", p.get("udp6-2vlan")));
        assertEquals(redirect(TARGETS[4789 % 3]), run("l4-dport", p.get("udp6-2vlan")));
        for (String name : new String[] {"icmp4", "icmp6", "gre4", "arp"}) {
            assertEquals(redirect(10), run("l4-sport", p.get(name)), "l4-sport " + name);
            assertEquals(redirect(10), run("l4-dport", p.get(name)), "l4-dport " + name);
        }
        for (String name : new String[] {"runt", "truncated-udp4", "malformed-ihl"}) {
            for (String program : new String[] {"l4-sport", "l4-dport", "l4-hash"}) {
                assertEquals(DROP, run(program, p.get(name)), program + " " + name);
            }
        }
        // l4-hash: non-IP to the first target, IP to some target.
        assertEquals(redirect(10), run("l4-hash", p.get("arp")));
        for (String name : new String[] {"tcp4", "udp4", "icmp4", "tcp6-vlan", "udp6-2vlan", "icmp6", "gre4"}) {
            final long verdict = run("l4-hash", p.get(name));
            assertEquals(Verdict.REDIRECT, Verdict.action(verdict), name);
            assertTrue(java.util.Arrays.stream(TARGETS).anyMatch(t -> t == Verdict.key(verdict)), name);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void shouldNeverThrowAndAlwaysReturnAKnownVerdictWhenInputIsGarbage(String name) {
        final SteeringProgram program = Programs.create(name, TARGETS, Verdict.PASS).forIngress();
        final SplittableRandom random = new SplittableRandom(name.hashCode());
        for (int i = 0; i < 20_000; i++) {
            final byte[] packet = new byte[random.nextInt(0, 120)];
            random.nextBytes(packet);
            if (packet.length > 14 && random.nextBoolean()) {
                packet[12] = (byte) (random.nextBoolean() ? 0x08 : 0x86);
                packet[13] = (byte) (packet[12] == 0x08 ? 0x00 : 0xDD);
            }
            final long verdict = program.run(view(packet));
            final int action = Verdict.action(verdict);
            assertTrue(action == Verdict.DROP || action == Verdict.REDIRECT, name + ": " + Verdict.toString(verdict));
            if (action == Verdict.REDIRECT) {
                assertEquals(Verdict.PASS, Verdict.fallback(verdict), "fallback carried in the verdict");
                assertTrue(java.util.Arrays.stream(TARGETS).anyMatch(t -> t == Verdict.key(verdict)));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void shouldSteerAFrameFromAPoolLikeAByteArrayWhenWrappingAFrame(String name) {
        final byte[] packet = eth(IPV4, ipv4(17, A, B, udp(1001, 53)));
        final FramePool pool = new FramePool(new FramePool.Context().frameCount(1));
        final Frame frame = pool.lease();
        frame.buffer().putBytes(frame.dataOffset(), packet);
        frame.length(packet.length);
        assertEquals(run(name, packet), Programs.create(name, TARGETS, Verdict.DROP).forIngress()
            .run(new PacketView().wrap(frame)));
        frame.release();
    }

    @Test
    void shouldSendBothDirectionsOfAFlowToOneTargetWhenHashing() {
        final SteeringProgram hash = Programs.create("l4-hash", new int[] {0, 1, 2, 3, 4, 5, 6}, Verdict.DROP);
        final SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 1000; i++) {
            final int a = random.nextInt();
            final int b = random.nextInt();
            final int sport = random.nextInt(65536);
            final int dport = random.nextInt(65536);
            assertEquals(hash.run(view(eth(IPV4, ipv4(6, a, b, tcp(sport, dport))))),
                hash.run(view(eth(IPV4, ipv4(6, b, a, tcp(dport, sport))))), "IPv4 flow " + i);
            final byte[] x = v6(random.nextInt(65536));
            final byte[] y = v6(random.nextInt(65536));
            assertEquals(hash.run(view(eth(IPV6, ipv6(17, x, y, udp(sport, dport))))),
                hash.run(view(eth(IPV6, ipv6(17, y, x, udp(dport, sport))))), "IPv6 flow " + i);
        }
    }

    /**
     * RFC 8200 puts AH and destination options after the Fragment header, where only the first fragment has
     * them; a later fragment shows only the Fragment header's next header. Every fragment must still go to the
     * consumer that reassembles the datagram.
     */
    @Test
    void shouldSendEveryFragmentOfAnIpv6DatagramToOneTargetWhenHeadersFollowTheFragmentHeader() {
        final SteeringProgram hash = Programs.create("l4-hash", new int[] {0, 1, 2, 3}, Verdict.DROP);
        final Packets.Ext[][] afterFragment = {
            {},
            {Packets.Ext.auth(4)},
            {Packets.Ext.options(60, 2)},
            {Packets.Ext.auth(4), Packets.Ext.options(60, 1)},
        };
        for (int pair = 0; pair < 64; pair++) {
            final byte[] src = v6(pair);
            final byte[] dst = v6(1000 + pair);
            for (Packets.Ext[] chain : afterFragment) {
                final Packets.Ext[] firstChain = new Packets.Ext[chain.length + 1];
                firstChain[0] = Packets.Ext.fragment(0);
                System.arraycopy(chain, 0, firstChain, 1, chain.length);
                final int fragmentNext = chain.length > 0 ? chain[0].type() : 6;
                final byte[] first = eth(IPV6, ipv6(6, src, dst, tcp(1000, 80), firstChain));
                final byte[] later = eth(IPV6, ipv6(fragmentNext, src, dst, new byte[32], Packets.Ext.fragment(100)));
                final byte[] reply = eth(IPV6, ipv6(fragmentNext, dst, src, new byte[32], Packets.Ext.fragment(100)));
                final String what = "pair " + pair + ", " + firstChain.length + " headers from the Fragment header on";
                assertEquals(Verdict.toString(hash.run(view(first))), Verdict.toString(hash.run(view(later))), what);
                assertEquals(Verdict.toString(hash.run(view(later))), Verdict.toString(hash.run(view(reply))), what + ", reversed");
            }
        }
    }

    @Test
    void shouldSpreadManyFlowsOverEveryTargetWhenHashing() {
        final SteeringProgram hash = Programs.create("l4-hash", new int[] {0, 1, 2, 3}, Verdict.DROP);
        final int[] counts = new int[4];
        for (int i = 0; i < 4000; i++) {
            counts[Verdict.key(hash.run(view(eth(IPV4, ipv4(17, 0x0A000000 + i, B, udp(1000, 53))))))]++;
        }
        for (int count : counts) {
            assertTrue(count > 700, "each of 4 targets gets about 1000 of 4000 flows: " + java.util.Arrays.toString(counts));
        }
    }

    @Test
    void shouldCycleIndependentlyPerIngressWhenRoundRobin() {
        final SteeringProgram template = Programs.create("round-robin", TARGETS, Verdict.DROP);
        final SteeringProgram first = template.forIngress();
        final SteeringProgram second = template.forIngress();
        assertNotSame(first, second);
        final byte[] packet = Packets.arp();
        for (int i = 0; i < 7; i++) {
            assertEquals(redirect(TARGETS[i % 3]), first.run(view(packet)));
        }
        assertEquals(redirect(10), second.run(view(packet)), "its own cursor starts at the beginning");
    }

    @Test
    void shouldShareOneInstanceWhenProgramIsStateless() {
        for (String name : new String[] {"no-touch", "touch"}) {
            final SteeringProgram program = Programs.create(name, TARGETS, Verdict.DROP);
            assertSame(program, program.forIngress(), name);
        }
        for (String name : new String[] {"round-robin", "l4-proto", "l4-filter", "l4-hash", "l4-sport", "l4-dport"}) {
            final SteeringProgram program = Programs.create(name, TARGETS, Verdict.DROP);
            assertNotSame(program, program.forIngress(), name + " keeps per-thread state");
            assertEquals(name, program.name());
        }
    }

    @Test
    void shouldNameTheBadValueWhenCreationArgumentsAreWrong() {
        final IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
            () -> Programs.create("l4-hsah", TARGETS, Verdict.DROP));
        assertTrue(unknown.getMessage().contains("l4-hsah") && unknown.getMessage().contains("l4-hash"),
            unknown.getMessage());
        final IllegalArgumentException fallback = assertThrows(IllegalArgumentException.class,
            () -> Programs.create("l4-hash", TARGETS, Verdict.REDIRECT));
        assertTrue(fallback.getMessage().contains("fallback=4"), fallback.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Programs.create("no-touch", new int[0], Verdict.DROP));
    }

    @Test
    void shouldRoundTripEveryFieldWhenVerdictIsEncoded() {
        for (int key : new int[] {0, 1, 255, 65_536, Integer.MAX_VALUE, -1, Integer.MIN_VALUE}) {
            for (int fallback : new int[] {Verdict.ABORTED, Verdict.DROP, Verdict.PASS}) {
                final long verdict = Verdict.redirect(key, fallback);
                assertEquals(Verdict.REDIRECT, Verdict.action(verdict));
                assertEquals(key, Verdict.key(verdict));
                assertEquals(fallback, Verdict.fallback(verdict));
            }
        }
        assertEquals(Verdict.PASS, Verdict.action(Verdict.of(Verdict.PASS)));
        assertEquals("REDIRECT(key=3, fallback=PASS)", Verdict.toString(Verdict.redirect(3, Verdict.PASS)));
        for (int action = 0; action <= 0xFF; action++) {
            assertEquals(action, Verdict.action(Verdict.of(action)), "an action that fits its 8 bits is kept");
            assertEquals(action, Verdict.fallback(Verdict.redirect(-1, action)), "so is a fallback");
        }
    }

    @Test
    void shouldEncodeAnUnknownActionWhenActionOrFallbackIsOutOfRange() {
        for (int action : new int[] {256, 257, 258, 260, 0x1_0002, Integer.MAX_VALUE, -1, -254, Integer.MIN_VALUE}) {
            assertEquals(Verdict.OUT_OF_RANGE, Verdict.action(Verdict.of(action)), "of(" + action + ")");
            final long redirect = Verdict.redirect(7, action);
            assertEquals(Verdict.REDIRECT, Verdict.action(redirect), "redirect with fallback " + action);
            assertEquals(7, Verdict.key(redirect), "redirect with fallback " + action);
            assertEquals(Verdict.OUT_OF_RANGE, Verdict.fallback(redirect), "fallback " + action);
        }
        assertFalse(Verdict.isKnownAction(Verdict.OUT_OF_RANGE));
        assertEquals("REDIRECT(key=7, fallback=OUT_OF_RANGE)", Verdict.toString(Verdict.redirect(7, 258)));
    }
}
