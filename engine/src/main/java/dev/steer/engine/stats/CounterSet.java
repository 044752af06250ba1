package dev.steer.engine.stats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Fixed set of {@code long} counters with one writer thread and any number of readers: the writer
 * increments with a plain read and an opaque store (no fence, no atomic instruction), readers see every
 * value within a short delay and never a torn one. The array is padded at both ends so that counters of
 * two writers never share a cache line.
 *
 * <p>Thread contract: {@link #add} and {@link #increment} from the single owning thread only;
 * {@link #get} from any thread. Allocation-free after construction.
 */
public final class CounterSet {
    private static final int PAD = 16;
    private static final VarHandle VALUES = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] values;
    private final int size;

    /** A set of {@code size} counters, all 0. */
    public CounterSet(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("counter count=" + size + ": must not be negative");
        }
        this.size = size;
        this.values = new long[size + 2 * PAD];
    }

    /** Number of counters. */
    public int size() {
        return size;
    }

    /** Owner thread only: adds 1 to counter {@code index}. */
    public void increment(int index) {
        final int slot = PAD + index;
        VALUES.setOpaque(values, slot, values[slot] + 1);
    }

    /** Owner thread only: adds {@code delta} to counter {@code index}. */
    public void add(int index, long delta) {
        final int slot = PAD + index;
        VALUES.setOpaque(values, slot, values[slot] + delta);
    }

    /** Any thread: the current value of counter {@code index}. */
    public long get(int index) {
        return (long) VALUES.getOpaque(values, PAD + index);
    }
}
