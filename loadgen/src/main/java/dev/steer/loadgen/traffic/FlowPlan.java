package dev.steer.loadgen.traffic;

import java.util.SplittableRandom;

/**
 * How the flows of a {@link TrafficProfile} are formed. Flow ids are 0..flows-1, grouped by
 * {@link FlowClass}: class c owns a contiguous block of ids, sized in proportion to its weight
 * (ipVersionWeight x protocolWeight, largest remainder, at least one flow per class of positive weight).
 *
 * <p>Within a class, the tuple space is the mixed-radix product of its dimensions, least significant first:
 * source address, destination port, source port, destination address (ICMP: source and destination address
 * only, as ICMP has no ports), at most {@value #MAX_SPACE} tuples. When the ranges hold more, the largest
 * dimensions are halved until the product fits, and each then takes values spread over its whole range (a
 * multiplier coprime to its count), so that every dimension still varies (a cap on the product alone left the most significant ones at their first
 * value: one destination address for every flow). Flow {@code k} of the class takes tuple
 * {@code (a*k + b) mod space}, with {@code a} coprime to the space and {@code a, b} drawn from the seed: a
 * bijection, so every flow's tuple is distinct, stable and deterministic from the seed, and consecutive flows
 * differ in every dimension rather than only in one. Immutable; thread-safe.
 */
public final class FlowPlan {
    /** Largest tuple space used per class: keeps {@code a*k} within a long. */
    public static final long MAX_SPACE = 1L << 31;
    /** Largest schedule period (entries before the version, protocol and size pattern repeats). */
    public static final int MAX_PERIOD = 1 << 20;

    private final int flows;
    private final int[] start = new int[6];
    private final int[] count = new int[6];
    private final long[] space = new long[6];
    private final long[] multiplier = new long[6];
    private final long[] offset = new long[6];
    private final long[] srcAddresses = new long[6];
    private final long[] dstAddresses = new long[6];
    private final long[] srcPortCount = new long[6];
    private final long[] dstPortCount = new long[6];
    /** Per class and dimension (source address, destination port, source port, destination address): radix, multiplier. */
    private final long[][] radix = new long[6][4];
    private final long[][] step = new long[6][4];
    private final TrafficProfile profile;

    /** Plans the flows of a valid profile. Off the hot path: O(classes). */
    public FlowPlan(TrafficProfile profile) {
        this.profile = profile;
        this.flows = profile.flows();
        final long[] weights = classWeights(profile.ipv4Weight(), profile.ipv6Weight(), profile.udpWeight(),
            profile.tcpWeight(), profile.icmpWeight());
        final int[] perClass = allocate(flows, weights);
        int next = 0;
        for (FlowClass c : FlowClass.all()) {
            final int i = c.ordinal();
            start[i] = next;
            count[i] = perClass[i];
            next += perClass[i];
            final boolean v4 = c.version() == 4;
            srcAddresses[i] = v4 ? profile.ipv4Src().count() : profile.ipv6Src().count();
            dstAddresses[i] = v4 ? profile.ipv4Dst().count() : profile.ipv6Dst().count();
            srcPortCount[i] = c.isIcmp() ? 1 : profile.srcPorts().count();
            dstPortCount[i] = c.isIcmp() ? 1 : profile.dstPorts().count();
            final long[] full = {srcAddresses[i], dstPortCount[i], srcPortCount[i], dstAddresses[i]};
            space[i] = fit(full, radix[i], step[i]);
            final SplittableRandom random = new SplittableRandom(profile.seed() * 31 + i);
            long a = space[i] == 1 ? 1 : 1 + random.nextLong(space[i] - 1);
            // Bounded: among any space consecutive values one is 1 mod space, coprime to it.
            for (long tries = 0; gcd(a, space[i]) != 1 && tries < space[i]; tries++) {
                a = a + 1 == space[i] ? 1 : a + 1;
            }
            multiplier[i] = a;
            offset[i] = random.nextLong(space[i]);
        }
    }

    /** Weights of the six classes: version weight x protocol weight, indexed by {@link FlowClass#ordinal()}. */
    static long[] classWeights(int ipv4, int ipv6, int udp, int tcp, int icmp) {
        final long[] weights = new long[6];
        final int[] protocols = {udp, tcp, icmp};
        for (int p = 0; p < 3; p++) {
            weights[FlowClass.of(4, p).ordinal()] = (long) ipv4 * protocols[p];
            weights[FlowClass.of(6, p).ordinal()] = (long) ipv6 * protocols[p];
        }
        return weights;
    }

    /** Flows per class: proportional to weight by largest remainder, at least 1 per positive class. */
    static int[] allocate(int flows, long[] weights) {
        final int[] out = new int[weights.length];
        long total = 0;
        int positive = 0;
        for (long w : weights) {
            total += w;
            positive += w > 0 ? 1 : 0;
        }
        final long spare = flows - positive;
        long given = 0;
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] > 0) {
                out[i] = (int) (1 + spare * weights[i] / total);
                given += out[i];
            }
        }
        // Hand what rounding left over to the largest remainders, in class order on ties.
        while (given < flows) {
            int best = -1;
            long bestRemainder = -1;
            for (int i = 0; i < weights.length; i++) {
                final long remainder = spare * weights[i] % Math.max(total, 1);
                if (weights[i] > 0 && remainder > bestRemainder && out[i] == 1 + spare * weights[i] / total) {
                    best = i;
                    bestRemainder = remainder;
                }
            }
            out[best]++;
            given++;
        }
        return out;
    }

    /**
     * Radices whose product is at most {@link #MAX_SPACE}: each dimension's full count, the largest halved (rounding
     * up) while the product is too large; and for each the multiplier that spreads its radix over its full count:
     * digit {@code d} takes value {@code d * multiplier mod full}. A dimension that keeps its full count has
     * multiplier 1 (every value, in order); a cut one a multiplier coprime to its count near the golden ratio of it,
     * so that its values are distinct, cover the whole range and vary in their low bits too (an even step would
     * leave every port even, and a port-modulo program would steer everything to one target).
     *
     * @return the product of the radices: the class's tuple space
     */
    static long fit(long[] full, long[] radixOut, long[] stepOut) {
        System.arraycopy(full, 0, radixOut, 0, full.length);
        long product = product(radixOut);
        while (product > MAX_SPACE) {
            int largest = 0;
            for (int d = 1; d < radixOut.length; d++) {
                if (radixOut[d] > radixOut[largest]) {
                    largest = d;
                }
            }
            radixOut[largest] = (radixOut[largest] + 1) / 2;
            product = product(radixOut);
        }
        for (int d = 0; d < full.length; d++) {
            stepOut[d] = radixOut[d] == full[d] ? 1 : coprimeNear(full[d], Math.round(full[d] * 0.6180339887498949));
        }
        return product;
    }

    /** The value at or above {@code near} (wrapping) coprime to {@code n}; bounded, as 1 is coprime to any n. */
    private static long coprimeNear(long n, long near) {
        long candidate = Math.max(1, near % n);
        for (long tries = 0; gcd(candidate, n) != 1 && tries < n; tries++) {
            candidate = candidate + 1 == n ? 1 : candidate + 1;
        }
        return candidate;
    }

    private static long product(long[] values) {
        long product = 1;
        for (long value : values) {
            product = saturatingMultiply(product, value);
        }
        return product;
    }

    /** Distinct tuples of class {@code c}, saturating at {@code Long.MAX_VALUE}. */
    static long space(FlowClass c, Ipv4Range ipv4Src, Ipv4Range ipv4Dst, Ipv6Range ipv6Src, Ipv6Range ipv6Dst,
                      PortRange srcPorts, PortRange dstPorts) {
        final boolean v4 = c.version() == 4;
        long product = v4 ? ipv4Src.count() : ipv6Src.count();
        product = saturatingMultiply(product, v4 ? ipv4Dst.count() : ipv6Dst.count());
        if (!c.isIcmp()) {
            product = saturatingMultiply(product, srcPorts.count());
            product = saturatingMultiply(product, dstPorts.count());
        }
        return product;
    }

    /** Entries of one schedule period: the sum of classWeight x sizeWeight over all pairs, divided by their gcd. */
    static long period(long[] classWeights, FrameSizes sizes) {
        long gcd = 0;
        for (long cw : classWeights) {
            for (int s = 0; s < sizes.count(); s++) {
                gcd = gcd(gcd, cw * sizes.weight(s));
            }
        }
        long sum = 0;
        for (long cw : classWeights) {
            for (int s = 0; s < sizes.count(); s++) {
                sum += cw * sizes.weight(s) / gcd;
            }
        }
        return sum;
    }

    static long gcd(long a, long b) {
        while (b != 0) {
            final long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    private static long saturatingMultiply(long a, long b) {
        final long high = Math.multiplyHigh(a, b);
        final long low = a * b;
        return high != 0 || low < 0 ? Long.MAX_VALUE : low;
    }

    /** The profile planned. */
    public TrafficProfile profile() {
        return profile;
    }

    /** Number of flows. */
    public int flows() {
        return flows;
    }

    /** First flow id of class {@code c}. */
    public int firstFlow(FlowClass c) {
        return start[c.ordinal()];
    }

    /** Flows of class {@code c}; 0 when its weight is 0. */
    public int flows(FlowClass c) {
        return count[c.ordinal()];
    }

    /** The class of flow {@code flow}. Allocation-free. */
    public FlowClass flowClass(int flow) {
        for (FlowClass c : FlowClass.all()) {
            if (flow >= start[c.ordinal()] && flow < start[c.ordinal()] + count[c.ordinal()]) {
                return c;
            }
        }
        throw new IllegalArgumentException("flow " + flow + ": must be 0.." + (flows - 1));
    }

    /** Fills {@code out} with the tuple of flow {@code flow}. Allocation-free; a few divisions. */
    public FlowTuple resolve(int flow, FlowTuple out) {
        final FlowClass c = flowClass(flow);
        return resolve(c, flow - start[c.ordinal()], out);
    }

    /** Fills {@code out} with the tuple of flow {@code local} of class {@code c} (its id minus {@link #firstFlow}). */
    FlowTuple resolve(FlowClass c, int local, FlowTuple out) {
        final int i = c.ordinal();
        final long[] r = radix[i];
        final long[] k = step[i];
        long p = (multiplier[i] * local + offset[i]) % space[i];
        // digit x multiplier < 2^31 x 2^32 (a radix is within the space, a count within 32 bits): no overflow.
        final long srcIndex = p % r[0] * k[0] % srcAddresses[i];
        p /= r[0];
        final long dstPortIndex = p % r[1] * k[1] % dstPortCount[i];
        p /= r[1];
        final long srcPortIndex = p % r[2] * k[2] % srcPortCount[i];
        p /= r[2];
        final long dstIndex = p % r[3] * k[3] % dstAddresses[i];
        out.flowClass = c;
        if (c.version() == 4) {
            out.srcIpv4 = profile.ipv4Src().address(srcIndex);
            out.dstIpv4 = profile.ipv4Dst().address(dstIndex);
        } else {
            out.srcIpv6High = profile.ipv6Src().high();
            out.srcIpv6Low = profile.ipv6Src().lowOf(srcIndex);
            out.dstIpv6High = profile.ipv6Dst().high();
            out.dstIpv6Low = profile.ipv6Dst().lowOf(dstIndex);
        }
        if (c.isIcmp()) {
            out.srcPort = -1;
            out.dstPort = -1;
        } else {
            out.srcPort = profile.srcPorts().first() + (int) srcPortIndex;
            out.dstPort = profile.dstPorts().first() + (int) dstPortIndex;
        }
        return out;
    }
}
