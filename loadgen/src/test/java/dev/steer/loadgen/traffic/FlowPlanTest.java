package dev.steer.loadgen.traffic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The flows' tuples: distinct, and varied in every dimension even when the ranges hold far more than 2^31 tuples. */
class FlowPlanTest {
    @Test
    void shouldVaryEveryDimensionWhenTheRangesHoldMoreTuplesThanTheCap() {
        for (String name : Scenarios.SHIPPED) {
            final TrafficProfile profile = Scenarios.load(name).traffic();
            final FlowPlan plan = new FlowPlan(profile);
            for (FlowClass c : FlowClass.values()) {
                if (plan.flows(c) < 1024) {
                    continue;
                }
                final Set<Long> src = new HashSet<>();
                final Set<Long> dst = new HashSet<>();
                final Set<Integer> sport = new HashSet<>();
                final Set<Integer> dport = new HashSet<>();
                int maxSport = Integer.MIN_VALUE;
                final FlowTuple t = new FlowTuple();
                for (int k = 0; k < plan.flows(c); k++) {
                    plan.resolve(plan.firstFlow(c) + k, t);
                    src.add(c.version() == 4 ? t.srcIpv4() : t.srcIpv6Low());
                    dst.add(c.version() == 4 ? t.dstIpv4() : t.dstIpv6Low());
                    sport.add(t.srcPort());
                    dport.add(t.dstPort());
                    maxSport = Math.max(maxSport, t.srcPort());
                }
                final String what = name + " " + c.label() + ": " + plan.flows(c) + " flows, " + src.size() + " sources, "
                    + dst.size() + " destinations, " + sport.size() + " source ports (highest " + maxSport + "), "
                    + dport.size() + " destination ports";
                assertTrue(src.size() > 1 && dst.size() > 1, what);
                if (!c.isIcmp()) {
                    assertTrue(sport.size() > 1 && dport.size() > 1, what);
                    assertTrue(maxSport > profile.srcPorts().first() + profile.srcPorts().count() / 2,
                        "source ports spread over their whole range: " + what);
                }
            }
        }
    }

    @Test
    void shouldGiveEveryFlowADistinctTupleWhenTheSpaceIsFitted() {
        final TrafficProfile profile = Scenarios.load("many-flows").traffic();
        final FlowPlan plan = new FlowPlan(profile);
        final FlowClass c = FlowClass.values()[0];
        final Set<String> tuples = new HashSet<>();
        final FlowTuple t = new FlowTuple();
        for (int k = 0; k < plan.flows(c); k++) {
            plan.resolve(plan.firstFlow(c) + k, t);
            tuples.add(t.srcIpv4() + ":" + t.srcPort() + ">" + t.dstIpv4() + ":" + t.dstPort());
        }
        assertEquals(plan.flows(c), tuples.size(), c.label() + ": a bijection, as before the fit");
    }

    @Test
    void shouldKeepTheFullRangesWhenTheyFitTheCap() {
        final long[] radix = new long[4];
        final long[] step = new long[4];
        assertEquals(250L * 16 * 2048 * 1, FlowPlan.fit(new long[] {250, 16, 2048, 1}, radix, step));
        assertEquals(1, step[0] * step[1] * step[2] * step[3], "nothing spread: every value is used");
        final long[] full = {65_536, 64_512, 64_512, 65_536};
        final long fitted = FlowPlan.fit(full, radix, step);
        assertTrue(fitted <= FlowPlan.MAX_SPACE && fitted > FlowPlan.MAX_SPACE / 2, "fitted " + fitted);
        for (int d = 0; d < 4; d++) {
            assertTrue(radix[d] > 1 && radix[d] < full[d], "cut: " + radix[d]);
            assertEquals(1, FlowPlan.gcd(step[d], full[d]), "a multiplier coprime to the count keeps values distinct");
        }
    }

    @Test
    void shouldVaryTheLowBitsOfEveryCutDimensionSoThatModuloProgramsSpreadTheFlows() {
        // l4-sport and l4-dport pick a target by port modulo the targets: an even step would leave every port even.
        for (String name : Scenarios.SHIPPED) {
            final FlowPlan plan = new FlowPlan(Scenarios.load(name).traffic());
            for (FlowClass c : FlowClass.values()) {
                if (plan.flows(c) < 1024 || c.isIcmp()) {
                    continue;
                }
                final long[] sportMod2 = new long[2];
                final long[] dportMod3 = new long[3];
                final long[] srcMod2 = new long[2];
                final FlowTuple t = new FlowTuple();
                for (int k = 0; k < plan.flows(c); k++) {
                    plan.resolve(plan.firstFlow(c) + k, t);
                    sportMod2[t.srcPort() % 2]++;
                    dportMod3[t.dstPort() % 3]++;
                    srcMod2[(int) ((c.version() == 4 ? t.srcIpv4() : t.srcIpv6Low()) & 1)]++;
                }
                final String what = name + " " + c.label() + ": source ports mod 2 " + java.util.Arrays.toString(sportMod2)
                    + ", destination ports mod 3 " + java.util.Arrays.toString(dportMod3) + ", sources mod 2 "
                    + java.util.Arrays.toString(srcMod2);
                for (long n : sportMod2) {
                    assertTrue(n > plan.flows(c) / 4, what);
                }
                for (long n : dportMod3) {
                    assertTrue(n > plan.flows(c) / 6, what);
                }
                for (long n : srcMod2) {
                    assertTrue(n > plan.flows(c) / 4, what);
                }
            }
        }
    }
}
