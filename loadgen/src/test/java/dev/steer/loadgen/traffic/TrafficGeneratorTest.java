package dev.steer.loadgen.traffic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.ingress.AllocatedBytes;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TrafficGeneratorTest {
    private static TrafficProfile mixed() {
        return TrafficProfile.defaults().withFlows(3000).withVersions(3, 2).withProtocols(5, 3, 2)
            .withSizes(FrameSizes.imix());
    }

    @Test
    void shouldGiveEveryFlowADistinctStableTupleWhenPlanned() {
        final TrafficProfile profile = mixed().withFlows(200_000);
        final FlowPlan plan = new FlowPlan(profile);
        final FlowPlan again = new FlowPlan(profile);
        final FlowTuple tuple = new FlowTuple();
        final FlowTuple other = new FlowTuple();
        final Set<String> seen = new HashSet<>();
        for (int flow = 0; flow < profile.flows(); flow++) {
            final String text = plan.resolve(flow, tuple).toString();
            assertTrue(seen.add(text), "flow " + flow + " repeats tuple " + text);
            assertEquals(text, again.resolve(flow, other).toString(), "flow " + flow + " is stable");
        }
        int changed = 0;
        final FlowPlan reseeded = new FlowPlan(profile.withSeed(2));
        for (int flow = 0; flow < 1000; flow++) {
            changed += plan.resolve(flow, tuple).toString().equals(reseeded.resolve(flow, other).toString()) ? 0 : 1;
        }
        assertTrue(changed > 900, "another seed forms other tuples: " + changed + " of 1000 changed");
    }

    @Test
    void shouldSplitFlowsOverClassesByWeightWhenMixed() {
        final FlowPlan plan = new FlowPlan(mixed().withFlows(1006));
        // one flow per class, then the other 1000 by weights 3x5, 3x3, 3x2, 2x5, 2x3, 2x2 of 50
        final int[] expected = {301, 181, 121, 201, 121, 81};
        int next = 0;
        for (FlowClass c : FlowClass.values()) {
            assertEquals(expected[c.ordinal()], plan.flows(c), c.label());
            assertEquals(next, plan.firstFlow(c), c.label());
            next += plan.flows(c);
        }
    }

    @Test
    void shouldWriteExactSizeProportionsWhenRunForOneSchedulePeriod() {
        final TrafficGenerator generator = new TrafficGenerator(TrafficProfile.defaults().withSizes(FrameSizes.imix()));
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[2048]);
        final Map<Integer, Integer> counts = new HashMap<>();
        final int period = generator.schedulePeriod();
        assertEquals(0, period % 12, "period holds whole 7:4:1 rounds");
        for (int k = 0; k < 3 * period; k++) {
            counts.merge(generator.next(buffer, 0, buffer.capacity()), 1, Integer::sum);
        }
        final int rounds = 3 * period / 12;
        assertEquals(Map.of(60, 7 * rounds, 590, 4 * rounds, 1514, rounds), counts,
            "IMIX 64/594/1518 on the wire are 60/590/1514 bytes written, exactly 7:4:1");
    }

    @Test
    void shouldWriteExactClassMixWhenRunForOneSchedulePeriod() {
        final TrafficGenerator generator = new TrafficGenerator(mixed());
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[2048]);
        final FrameCheck check = new FrameCheck();
        final int[] counts = new int[6];
        final int period = generator.schedulePeriod();
        for (int k = 0; k < period; k++) {
            final int length = generator.next(buffer, 0, buffer.capacity());
            check.check(buffer, 0, length, generator.plan(), 0);
            final int version = check.headers().l3Kind();
            final int p = check.headers().l4Protocol();
            counts[FlowClass.of(version, p == 17 ? 0 : p == 6 ? 1 : 2).ordinal()]++;
        }
        // class weights 15, 9, 6, 10, 6, 4 (sum 50) x size weights 12: period / 50 rounds
        final int rounds = period / 50;
        assertEquals(0, period % 50);
        assertEquals(java.util.List.of(15 * rounds, 9 * rounds, 6 * rounds, 10 * rounds, 6 * rounds, 4 * rounds),
            java.util.Arrays.stream(counts).boxed().toList());
    }

    @Test
    void shouldWriteCorrectChecksumsTuplesAndSequencesWhenEveryClassAndVlan() {
        for (int vlan : new int[] {TrafficProfile.NO_VLAN, 42}) {
            final TrafficProfile profile = mixed().withFlows(500).withVlan(vlan)
                .withSizes(FrameSizes.weighted(64, 5, 65, 3, 100, 2, 594, 2, 1518, 1));
            final TrafficGenerator generator = new TrafficGenerator(profile);
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
            final FrameCheck check = new FrameCheck();
            final long[] lastSeq = new long[profile.flows()];
            java.util.Arrays.fill(lastSeq, -1);
            int marked = 0;
            for (int k = 0; k < 20_000; k++) {
                final int offset = 7 + k % 5; // unaligned offsets too
                final int length = generator.next(buffer, offset, buffer.capacity() - offset);
                assertTrue(length >= 60, "length " + length);
                final long flow = check.check(buffer, offset, length, generator.plan(), 0);
                assertEquals(vlan == TrafficProfile.NO_VLAN ? 0 : 1, check.headers().vlanCount());
                if (vlan != TrafficProfile.NO_VLAN) {
                    assertEquals(vlan, check.headers().vlanId(0));
                }
                if (flow >= 0) {
                    marked++;
                    final int markerAt = offset + generator.payloadOffset(generator.plan().flowClass((int) flow));
                    final long seq = FrameCheck.sequence(buffer, markerAt);
                    assertTrue(seq > lastSeq[(int) flow], "flow " + flow + " sequence " + seq + " after " + lastSeq[(int) flow]);
                    lastSeq[(int) flow] = seq;
                }
            }
            assertTrue(marked > 10_000, "most frames carry a marker: " + marked);
        }
    }

    @Test
    void shouldNumberEachFlowsFramesConsecutivelyWhenCycling() {
        final TrafficProfile profile = TrafficProfile.defaults().withFlows(10);
        final TrafficGenerator generator = new TrafficGenerator(profile);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[128]);
        final int markerAt = generator.payloadOffset(FlowClass.IPV4_UDP);
        for (int k = 0; k < 100; k++) {
            assertEquals(60, generator.next(buffer, 0, 128));
            assertEquals(k % 10, buffer.getInt(markerAt, java.nio.ByteOrder.BIG_ENDIAN), "flows take turns");
            assertEquals(k / 10, FrameCheck.sequence(buffer, markerAt), "per-flow sequence");
        }
    }

    @Test
    void shouldRaiseSizesToTheHeadersWhenTooSmallForTheClass() {
        final TrafficProfile profile = TrafficProfile.defaults().withVersions(0, 1).withProtocols(0, 1, 0).withVlan(7);
        final TrafficGenerator generator = new TrafficGenerator(profile);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        // 14 Ethernet + 4 VLAN + 40 IPv6 + 20 TCP = 78 bytes, above the 60 of a 64-byte wire frame
        assertEquals(78, generator.next(buffer, 0, 256));
        new FrameCheck().check(buffer, 0, 78, generator.plan(), 0);
    }

    @Test
    void shouldNotMoveWhenTheFrameDoesNotFit() {
        final TrafficGenerator generator = new TrafficGenerator(TrafficProfile.defaults().withSizes(FrameSizes.fixed(1518)));
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[2048]);
        assertEquals(1514, generator.nextLength());
        assertEquals(0, generator.next(buffer, 0, 1513));
        assertEquals(0, generator.frames());
        assertEquals(1514, generator.next(buffer, 0, 1514));
        assertEquals(0, buffer.getInt(generator.payloadOffset(FlowClass.IPV4_UDP), java.nio.ByteOrder.BIG_ENDIAN),
            "flow 0 first: the refused call did not consume it");
    }

    @Test
    void shouldAllocateNothingPerFrameWhenWarm() {
        final TrafficGenerator generator = new TrafficGenerator(mixed().withVlan(5));
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[2048]);
        long checksum = 0;
        for (int k = 0; k < 200_000; k++) {
            checksum += generator.next(buffer, 0, buffer.capacity());
        }
        // The first readings may allocate; the measured window starts after them. The best of a few
        // windows is taken: a JIT recompilation or safepoint can charge a few hundred bytes to one window, while
        // one allocation per frame would be at least 1.6 MB per window.
        AllocatedBytes.ofCurrentThread();
        AllocatedBytes.ofCurrentThread();
        long allocated = Long.MAX_VALUE;
        for (int window = 0; window < 5 && allocated != 0; window++) {
            final long before = AllocatedBytes.ofCurrentThread();
            for (int k = 0; k < 100_000; k++) {
                checksum += generator.next(buffer, 0, buffer.capacity());
            }
            allocated = Math.min(allocated, AllocatedBytes.ofCurrentThread() - before);
        }
        assertNotEquals(0, checksum);
        assertEquals(0, allocated, "bytes allocated over 100k frames");
    }

    @Test
    void shouldScheduleAtLeastTheMinimumWhenThePeriodDoesNotDivideIt() {
        // imix's period is 1200 (class weights times size weights): three repeats make 3600, four make 4800.
        final TrafficProfile imix = Scenarios.load("imix").traffic();
        assertTrue(new TrafficGenerator(imix).schedulePeriod() >= TrafficGenerator.MIN_SCHEDULE,
            "imix schedule " + new TrafficGenerator(imix).schedulePeriod());
    }

    @Test
    void shouldGiveEachTemplateFlowItsOwnSourceAddressAsDocumented() {
        final byte[][] packets = PacketTemplates.udp4(600, 60);
        final Set<Integer> sources = new HashSet<>();
        for (int i = 0; i < packets.length; i++) {
            final int src = new UnsafeBuffer(packets[i]).getInt(14 + 12, java.nio.ByteOrder.BIG_ENDIAN);
            assertEquals(0x0A00_0000 | (i / 250) << 8 | (i % 250 + 1), src, "flow " + i + ": 10.0.(i/250).(i%250+1)");
            sources.add(src);
        }
        assertEquals(600, sources.size(), "600 flows, 600 source addresses");
    }

    @Test
    void shouldTakeEveryWholeRateWrittenWithADecimalSuffix() {
        assertEquals(1_005_000, TrafficProfile.parseRate("1.005M"));
        assertEquals(1_001, TrafficProfile.parseRate("1.001k"));
        assertEquals(2_500_000, TrafficProfile.parseRate("2.5M"));
        assertEquals(TrafficProfile.NOT_A_RATE, TrafficProfile.parseRate("1.0005k"), "half a packet per second");
        for (int whole = 1; whole < 20_000; whole++) {
            final String text = (whole / 1000) + "." + String.format("%03d", whole % 1000) + "k";
            assertEquals(whole, TrafficProfile.parseRate(text), text);
        }
    }
}
