package dev.steer.loadgen.traffic;

import java.nio.ByteOrder;
import java.util.SplittableRandom;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes the frames of a {@link TrafficProfile}, one per {@link #next} call, into a caller's buffer: correct
 * Ethernet (optionally 802.1Q-tagged) / IPv4 or IPv6 / UDP, TCP, ICMP or ICMPv6 frames without FCS.
 *
 * <p>Which frame comes next is a lookup in a precomputed schedule: a seeded shuffle of {@link #schedulePeriod()}
 * (class, size) entries holding each pair exactly {@code classWeight x sizeWeight} times (scaled), so over one
 * period the version, protocol and size mix is exact. The class picks the flow: the flows of a class take
 * turns, round robin. Per frame the work is one copy of the class' prebuilt frame image (headers and a fixed
 * payload pattern) and a few patched fields: lengths, addresses, ports, the marker and the checksums, which
 * are the precomputed sum of the fixed part plus the sum of the patched words.
 *
 * <p>Payload layout, where room allows (at least {@value #MARKER_LENGTH} bytes after the transport header,
 * so not in 60-byte IPv4/TCP or IPv6 frames): bytes 0..3 the flow id (u32, big-endian), bytes 4..11 the
 * flow's sequence number (u64, big-endian, 0 for its first frame, +1 per frame of the flow); the rest is the
 * pattern {@code (byte) frameOffset}. Fields: IPv4 DF set, TTL 64, id 0; IPv6 hop limit 64, flow label 0;
 * TCP flags PSH|ACK, window 65535, sequence number = low 32 bits of the flow's sequence; ICMP echo request
 * with identifier = low 16 bits of the flow id and sequence = low 16 bits of the flow's sequence. MACs
 * 02:00:00:00:00:01 to 02:00:00:00:00:02.
 *
 * <p>Thread contract: one thread at a time. Memory: one long per flow for the sequences. Allocation-free per frame.
 */
public final class TrafficGenerator {
    /** Bytes of flow id and sequence at the start of the payload. */
    public static final int MARKER_LENGTH = 12;
    /** Schedule entries at least, so that short periods still interleave classes and sizes well. */
    static final int MIN_SCHEDULE = 4096;

    private static final int ETH = 14;
    private static final int VLAN = 4;
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;

    private final FlowPlan plan;
    private final FlowTuple tuple = new FlowTuple();
    private final int l2;
    private final UnsafeBuffer[] images = new UnsafeBuffer[6];
    private final long[] srcHighSum = new long[6];
    private final long[] dstHighSum = new long[6];
    private final int[] classStart = new int[6];
    private final int[] classFlows = new int[6];
    private final int[] classCursor = new int[6];
    private final FlowClass[] classes = FlowClass.all();
    private final int[] shapeLength;
    private final long[] shapeIpSum;
    private final long[] shapeL4Sum;
    private final boolean[] shapeMarker;
    private final int[] schedule;
    private final int period;
    private final long[] sequences;
    private final int maxFrameLength;
    private final int sizesPerClass;
    private int cursor;
    private long frames;

    /** Plans flows, builds the frame images and the schedule. Off the hot path: O(flows + schedule). */
    public TrafficGenerator(TrafficProfile profile) {
        this.plan = new FlowPlan(profile);
        this.l2 = ETH + (profile.vlan() == TrafficProfile.NO_VLAN ? 0 : VLAN);
        this.sequences = new long[profile.flows()];
        final FrameSizes sizes = profile.sizes();
        this.sizesPerClass = sizes.count();
        final int shapes = 6 * sizes.count();
        shapeLength = new int[shapes];
        shapeIpSum = new long[shapes];
        shapeL4Sum = new long[shapes];
        shapeMarker = new boolean[shapes];
        final long[] classWeights = FlowPlan.classWeights(profile.ipv4Weight(), profile.ipv6Weight(),
            profile.udpWeight(), profile.tcpWeight(), profile.icmpWeight());
        int longest = 0;
        for (FlowClass c : classes) {
            final int i = c.ordinal();
            classStart[i] = plan.firstFlow(c);
            classFlows[i] = plan.flows(c);
            for (int s = 0; s < sizes.count(); s++) {
                final int length = Math.max(sizes.wireSize(s) - FrameSizes.FCS, minLength(c));
                shapeLength[i * sizes.count() + s] = length;
                longest = Math.max(longest, classFlows[i] > 0 ? length : 0);
            }
        }
        this.maxFrameLength = longest;
        for (FlowClass c : classes) {
            final int i = c.ordinal();
            int classLongest = 0;
            for (int s = 0; s < sizes.count(); s++) {
                classLongest = Math.max(classLongest, shapeLength[i * sizes.count() + s]);
            }
            images[i] = image(c, classLongest, profile.vlan());
            srcHighSum[i] = words(profile.ipv6Src().high());
            dstHighSum[i] = words(profile.ipv6Dst().high());
            final UnsafeBuffer scratch = new UnsafeBuffer(new byte[classLongest]);
            for (int s = 0; s < sizes.count(); s++) {
                staticSums(c, i * sizes.count() + s, scratch);
            }
        }
        this.schedule = schedule(classWeights, sizes, profile.seed());
        this.period = schedule.length;
    }

    /** Smallest frame of class {@code c}: its headers, and never below the 60-byte Ethernet minimum. */
    private int minLength(FlowClass c) {
        return Math.max(FrameSizes.MIN_WIRE_SIZE - FrameSizes.FCS, l2 + c.ipHeader() + c.transportHeader());
    }

    /** The class' frame: constant header fields, zero where per-frame fields go, the payload pattern after. */
    private UnsafeBuffer image(FlowClass c, int length, int vlan) {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[length]);
        b.putInt(0, 0x0200_0000, BE);
        b.putShort(4, (short) 0x0002, BE);
        b.putInt(6, 0x0200_0000, BE);
        b.putShort(10, (short) 0x0001, BE);
        if (vlan != TrafficProfile.NO_VLAN) {
            b.putShort(12, (short) 0x8100, BE);
            b.putShort(14, (short) vlan, BE);
        }
        b.putShort(l2 - 2, (short) (c.version() == 4 ? 0x0800 : 0x86DD), BE);
        final int ip = l2;
        if (c.version() == 4) {
            b.putByte(ip, (byte) 0x45);
            b.putShort(ip + 6, (short) 0x4000, BE);
            b.putByte(ip + 8, (byte) 64);
            b.putByte(ip + 9, (byte) c.protocol());
        } else {
            b.putInt(ip, 0x6000_0000, BE);
            b.putByte(ip + 6, (byte) c.protocol());
            b.putByte(ip + 7, (byte) 64);
        }
        final int l4 = ip + c.ipHeader();
        if (c.protocol() == 6) {
            b.putByte(l4 + 12, (byte) 0x50);
            b.putByte(l4 + 13, (byte) 0x18);
            b.putShort(l4 + 14, (short) 0xFFFF, BE);
        } else if (c.isIcmp()) {
            b.putByte(l4, (byte) (c.version() == 4 ? 8 : 128));
        }
        for (int at = l4 + c.transportHeader() + MARKER_LENGTH; at < length; at++) {
            b.putByte(at, (byte) at);
        }
        return b;
    }

    /** Sums of the fixed part of shape {@code shape}: its image with lengths written, per-frame fields zero. */
    private void staticSums(FlowClass c, int shape, UnsafeBuffer scratch) {
        final int length = shapeLength[shape];
        scratch.putBytes(0, images[c.ordinal()], 0, length);
        writeLengths(scratch, 0, c, length);
        final int ip = l2;
        final int l4 = ip + c.ipHeader();
        final int l4Length = length - l4;
        shapeIpSum[shape] = sum(scratch, ip, c.ipHeader());
        long pseudo = 0;
        if (c.version() == 6 || !c.isIcmp()) {
            pseudo = c.protocol() + l4Length; // addresses are added per frame
        }
        shapeL4Sum[shape] = sum(scratch, l4, l4Length) + pseudo;
        shapeMarker[shape] = l4Length - c.transportHeader() >= MARKER_LENGTH;
    }

    private void writeLengths(MutableDirectBuffer b, int at, FlowClass c, int length) {
        final int ip = at + l2;
        if (c.version() == 4) {
            b.putShort(ip + 2, (short) (length - l2), BE);
        } else {
            b.putShort(ip + 4, (short) (length - l2 - 40), BE);
        }
        if (c.protocol() == 17) {
            b.putShort(ip + c.ipHeader() + 4, (short) (length - l2 - c.ipHeader()), BE);
        }
    }

    /** The shuffled schedule of shape indices: each (class, size) exactly classWeight x sizeWeight / gcd times per period. */
    private static int[] schedule(long[] classWeights, FrameSizes sizes, long seed) {
        final long period = FlowPlan.period(classWeights, sizes);
        long gcd = 0;
        for (long cw : classWeights) {
            for (int s = 0; s < sizes.count(); s++) {
                gcd = FlowPlan.gcd(gcd, cw * sizes.weight(s));
            }
        }
        final int repeats = (int) Math.max(1, (MIN_SCHEDULE + period - 1) / period); // at least MIN_SCHEDULE entries
        final int[] table = new int[(int) period * repeats];
        int at = 0;
        for (int c = 0; c < 6; c++) {
            for (int s = 0; s < sizes.count(); s++) {
                final long n = classWeights[c] * sizes.weight(s) / gcd * repeats;
                for (long k = 0; k < n; k++) {
                    table[at++] = c * sizes.count() + s;
                }
            }
        }
        final SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        for (int i = table.length - 1; i > 0; i--) {
            final int j = random.nextInt(i + 1);
            final int t = table[i];
            table[i] = table[j];
            table[j] = t;
        }
        return table;
    }

    /**
     * Writes the next frame at {@code offset} of {@code buffer} if it fits in {@code capacity} bytes, and
     * moves on to the following one. Allocation-free.
     *
     * @return the frame's length, or 0 when it does not fit: nothing was written and the generator did not
     *     move, so the same frame comes again (see {@link #nextLength()})
     */
    public int next(MutableDirectBuffer buffer, int offset, int capacity) {
        final int shape = schedule[cursor];
        final int length = shapeLength[shape];
        if (length > capacity) {
            return 0;
        }
        cursor = cursor + 1 == period ? 0 : cursor + 1;
        final int i = shape / sizesPerClass;
        final FlowClass c = classes[i];
        final int local = classCursor[i];
        classCursor[i] = local + 1 == classFlows[i] ? 0 : local + 1;
        final int flow = classStart[i] + local;
        final long seq = sequences[flow]++;
        plan.resolve(c, local, tuple);
        frames++;

        buffer.putBytes(offset, images[i], 0, length);
        writeLengths(buffer, offset, c, length);
        final int ip = offset + l2;
        final int l4 = ip + c.ipHeader();
        final long addresses;
        if (c.version() == 4) {
            buffer.putInt(ip + 12, tuple.srcIpv4, BE);
            buffer.putInt(ip + 16, tuple.dstIpv4, BE);
            addresses = words(tuple.srcIpv4) + words(tuple.dstIpv4);
            buffer.putShort(ip + 10, (short) ~fold(shapeIpSum[shape] + addresses), BE);
        } else {
            buffer.putLong(ip + 8, tuple.srcIpv6High, BE);
            buffer.putLong(ip + 16, tuple.srcIpv6Low, BE);
            buffer.putLong(ip + 24, tuple.dstIpv6High, BE);
            buffer.putLong(ip + 32, tuple.dstIpv6Low, BE);
            addresses = srcHighSum[i] + words(tuple.srcIpv6Low) + dstHighSum[i] + words(tuple.dstIpv6Low);
        }
        long sum = shapeL4Sum[shape];
        if (c.version() == 6 || !c.isIcmp()) {
            sum += addresses;
        }
        final int checksumAt;
        if (c.isIcmp()) {
            buffer.putShort(l4 + 4, (short) flow, BE);
            buffer.putShort(l4 + 6, (short) seq, BE);
            sum += (flow & 0xFFFF) + (seq & 0xFFFF);
            checksumAt = l4 + 2;
        } else {
            buffer.putShort(l4, (short) tuple.srcPort, BE);
            buffer.putShort(l4 + 2, (short) tuple.dstPort, BE);
            sum += tuple.srcPort + tuple.dstPort;
            if (c.protocol() == 6) {
                buffer.putInt(l4 + 4, (int) seq, BE);
                sum += words((int) seq);
                checksumAt = l4 + 16;
            } else {
                checksumAt = l4 + 6;
            }
        }
        if (shapeMarker[shape]) {
            final int marker = l4 + c.transportHeader();
            buffer.putInt(marker, flow, BE);
            buffer.putLong(marker + 4, seq, BE);
            sum += words(flow) + words(seq);
        }
        int checksum = ~fold(sum) & 0xFFFF;
        if (checksum == 0 && c.protocol() == 17) {
            checksum = 0xFFFF; // RFC 768: a computed zero is sent as all ones; zero means "no checksum"
        }
        buffer.putShort(checksumAt, (short) checksum, BE);
        return length;
    }

    /** Length of the frame the next {@link #next} call writes. */
    public int nextLength() {
        return shapeLength[schedule[cursor]];
    }

    /** Longest frame this generator writes: a buffer of this capacity always fits the next frame. */
    public int maxFrameLength() {
        return maxFrameLength;
    }

    /** Entries of the schedule: over this many frames the class and size mix is exact. */
    public int schedulePeriod() {
        return period;
    }

    /** Frames written so far. */
    public long frames() {
        return frames;
    }

    /** How the flows are formed; flow ids in the marker index it. */
    public FlowPlan plan() {
        return plan;
    }

    /** Offset of the payload (the marker, when present) in frames of class {@code c}. */
    public int payloadOffset(FlowClass c) {
        return l2 + c.ipHeader() + c.transportHeader();
    }

    private static long words(int v) {
        return (v >>> 16) + (v & 0xFFFF);
    }

    private static long words(long v) {
        return (v >>> 48) + (v >>> 32 & 0xFFFF) + (v >>> 16 & 0xFFFF) + (v & 0xFFFF);
    }

    /** Folds a one's-complement sum to 16 bits; four folds cover any sum of fewer than 2^47 words. */
    private static int fold(long sum) {
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        return (int) sum;
    }

    /** Plain sum of the big-endian 16-bit words of a region, odd byte padded; off the hot path. */
    private static long sum(DirectBuffer b, int at, int length) {
        long sum = 0;
        for (int k = 0; k + 1 < length; k += 2) {
            sum += b.getShort(at + k, BE) & 0xFFFF;
        }
        if ((length & 1) != 0) {
            sum += (b.getByte(at + length - 1) & 0xFF) << 8;
        }
        return sum;
    }
}
