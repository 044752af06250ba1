package dev.steer.loadgen.traffic;

import java.util.Arrays;

/**
 * A frame size distribution: wire sizes with integer weights. Sizes are <b>on-the-wire Ethernet frame
 * sizes including the 4-byte FCS</b>, as RFC 2544 and IMIX count them (64 to 1518 untagged); the frames
 * the generator writes carry no FCS, so they are {@link #FCS} bytes shorter (a 64-byte size gives a
 * 60-byte frame, {@link PacketTemplates#MIN_FRAME}). A VLAN tag, when on, is inside the size. Immutable.
 *
 * @param wireSizes sizes in bytes, FCS included, each {@value #MIN_WIRE_SIZE}..{@value #MAX_WIRE_SIZE}
 * @param weights   integer weight of each size, each 0..{@value #MAX_WEIGHT}, at least one positive
 */
public record FrameSizes(int[] wireSizes, int[] weights) {
    /** Frame check sequence: on the wire, not in the frames written. */
    public static final int FCS = 4;
    /** Smallest Ethernet frame on the wire. */
    public static final int MIN_WIRE_SIZE = 64;
    /** Largest wire size: a 9000-byte MTU jumbo frame with a VLAN tag and FCS. */
    public static final int MAX_WIRE_SIZE = 9022;
    /** Largest weight of one size. */
    public static final int MAX_WEIGHT = 1_000_000;
    /** Largest number of sizes in a list. */
    public static final int MAX_SIZES = 64;

    /** Copies the arrays; checks only their shape, the values are checked by {@link TrafficProfile}. */
    public FrameSizes {
        if (wireSizes == null || weights == null || wireSizes.length != weights.length) {
            throw new IllegalArgumentException("frame sizes: need one weight per size");
        }
        wireSizes = wireSizes.clone();
        weights = weights.clone();
    }

    /** Every frame {@code wireSize} bytes on the wire. */
    public static FrameSizes fixed(int wireSize) {
        return new FrameSizes(new int[] {wireSize}, new int[] {1});
    }

    /** The classic simple IMIX: 64, 594 and 1518-byte wire frames in the ratio 7:4:1 (60, 590, 1514 written). */
    public static FrameSizes imix() {
        return new FrameSizes(new int[] {64, 594, 1518}, new int[] {7, 4, 1});
    }

    /** Wire sizes and weights as alternating pairs: {@code weighted(64, 7, 594, 4)}. */
    public static FrameSizes weighted(int... sizeWeightPairs) {
        if ((sizeWeightPairs.length & 1) != 0) {
            throw new IllegalArgumentException("frame sizes: expected size, weight pairs");
        }
        final int[] sizes = new int[sizeWeightPairs.length / 2];
        final int[] weights = new int[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = sizeWeightPairs[2 * i];
            weights[i] = sizeWeightPairs[2 * i + 1];
        }
        return new FrameSizes(sizes, weights);
    }

    /** Number of sizes. */
    public int count() {
        return wireSizes.length;
    }

    /** Wire size {@code i}, FCS included. */
    public int wireSize(int i) {
        return wireSizes[i];
    }

    /** Weight of size {@code i}. */
    public int weight(int i) {
        return weights[i];
    }

    /** Problems with the values, as "value: what is allowed" texts; empty when valid. */
    java.util.List<String> problems() {
        final java.util.List<String> problems = new java.util.ArrayList<>();
        if (wireSizes.length == 0 || wireSizes.length > MAX_SIZES) {
            problems.add(wireSizes.length + " sizes: must be 1.." + MAX_SIZES);
        }
        // Any positive weight counts here, in range or not: one above MAX_WEIGHT has its own problem, and saying as well
        // that no weight is positive would be false.
        boolean anyPositive = false;
        for (int i = 0; i < wireSizes.length; i++) {
            if (wireSizes[i] < MIN_WIRE_SIZE || wireSizes[i] > MAX_WIRE_SIZE) {
                problems.add("size " + wireSizes[i] + ": must be " + MIN_WIRE_SIZE + ".." + MAX_WIRE_SIZE
                    + " bytes on the wire, FCS included");
            }
            if (weights[i] < 0 || weights[i] > MAX_WEIGHT) {
                problems.add("weight " + weights[i] + " of size " + wireSizes[i] + ": must be 0.." + MAX_WEIGHT);
            }
            anyPositive |= weights[i] > 0;
        }
        if (!anyPositive && wireSizes.length > 0) {
            problems.add("weights " + Arrays.toString(weights) + ": at least one must be positive");
        }
        return problems;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FrameSizes that && Arrays.equals(wireSizes, that.wireSizes)
            && Arrays.equals(weights, that.weights);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(wireSizes) + Arrays.hashCode(weights);
    }

    @Override
    public String toString() {
        final StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < wireSizes.length; i++) {
            out.append(i == 0 ? "" : ", ").append(wireSizes[i]).append(':').append(weights[i]);
        }
        return out.append(']').toString();
    }
}
