package dev.steer.engine.map;

import dev.steer.engine.program.SteeringProgram;

/**
 * Value of a cpumap entry: the ring size, optionally the program the entry's consumer runs on every
 * frame before the handler (the kernel's {@code bpf_cpumap_val}), and where the consumer runs.
 *
 * @param qsize         ring capacity in frames; 0 in an update means delete, above {@link CpuMap#MAX_QSIZE} is EOVERFLOW
 * @param remoteProgram program run by the consumer (PASS, DROP or REDIRECT), or null for none
 * @param location      where the consumer runs; null means this node, on the CPU named by the key
 */
public record EntryValue(int qsize, SteeringProgram remoteProgram, EntryLocation location) {
    /** A value whose consumer runs on this node, on the CPU named by the key. */
    public EntryValue(int qsize, SteeringProgram remoteProgram) {
        this(qsize, remoteProgram, null);
    }

    /** A value with a ring of {@code qsize} frames and no remote program. */
    public static EntryValue of(int qsize) {
        return new EntryValue(qsize, null, null);
    }

    /** A value whose consumer runs on CPU {@code cpu} of node {@code node} (see {@link EntryLocation}). */
    public static EntryValue remote(int qsize, String node, int cpu) {
        return new EntryValue(qsize, null, EntryLocation.remote(node, cpu));
    }

    /** True when the entry runs a remote program. */
    public boolean hasRemoteProgram() {
        return remoteProgram != null;
    }

    /** True when the entry's consumer runs on another node. */
    public boolean isRemote() {
        return location != null && location.isRemote();
    }

    /** The CPU the consumer of an entry of {@code key} is pinned to: the location's, else the key. */
    public int cpu(int key) {
        return location == null ? key : location.cpu();
    }
}
