package dev.steer.engine.map;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;

/**
 * The CPUs a Steer engine may use: a limit on CPU numbers (the kernel's {@code nr_cpumask_bits}) and
 * the set of usable CPU numbers below it (its {@code cpu_possible} mask, narrowed to what the engine is
 * allowed to run on). Immutable and thread-safe.
 */
public final class CpuSet {
    private final int limit;
    private final BitSet usable;

    private CpuSet(int limit, BitSet usable) {
        this.limit = limit;
        this.usable = usable;
    }

    /** CPUs 0 to {@code count - 1}, all usable. */
    public static CpuSet all(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("cpu count=" + count + ": must be at least 1");
        }
        final BitSet bits = new BitSet(count);
        bits.set(0, count);
        return new CpuSet(count, bits);
    }

    /**
     * A limit on CPU numbers and the usable CPUs below it.
     *
     * @throws IllegalArgumentException when the limit is below 1 or a CPU is outside 0..limit-1
     */
    public static CpuSet of(int limit, int... usableCpus) {
        if (limit < 1) {
            throw new IllegalArgumentException("cpu limit=" + limit + ": must be at least 1");
        }
        final BitSet bits = new BitSet(limit);
        for (int cpu : usableCpus) {
            if (cpu < 0 || cpu >= limit) {
                throw new IllegalArgumentException("cpu " + cpu + ": must be 0.." + (limit - 1));
            }
            bits.set(cpu);
        }
        return new CpuSet(limit, bits);
    }

    /**
     * The CPUs of this machine that this process may run on: usable CPUs from the Linux
     * {@code Cpus_allowed_list} of {@code /proc/self/status} where it can be read, else
     * {@code 0..availableProcessors-1}; the limit is the highest of those plus one, at least the
     * number of available processors.
     */
    public static CpuSet fromMachine() {
        final int available = Runtime.getRuntime().availableProcessors();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    final int[] cpus = CpuList.parse(line.substring(line.indexOf(':') + 1).trim());
                    if (cpus.length > 0) {
                        final int limit = Math.max(available, Arrays.stream(cpus).max().orElse(0) + 1);
                        return of(limit, cpus);
                    }
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // Not Linux, or an unreadable file: fall back to the JVM's view below.
        }
        return all(available);
    }

    /** One more than the highest CPU number there can be: map keys at or above it are not CPUs. */
    public int limit() {
        return limit;
    }

    /** True when {@code cpu} is a CPU number the engine may use. */
    public boolean isUsable(int cpu) {
        return cpu >= 0 && cpu < limit && usable.get(cpu);
    }

    /** Number of usable CPUs. */
    public int usableCount() {
        return usable.cardinality();
    }

    /** Usable CPU numbers, ascending. */
    public int[] usableCpus() {
        return usable.stream().toArray();
    }

    @Override
    public String toString() {
        return "CpuSet{limit=" + limit + ", usable=" + usable + '}';
    }
}
