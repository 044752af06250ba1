package dev.steer.engine.map;

import dev.steer.engine.program.SteeringProgram;

/**
 * Value of a cpumap entry: the ring size and, optionally, the program the entry's consumer runs on every
 * frame before the handler (the kernel's {@code bpf_cpumap_val}).
 *
 * @param qsize         ring capacity in frames; 0 in an update means delete, above {@link CpuMap#MAX_QSIZE} is EOVERFLOW
 * @param remoteProgram program run by the consumer (PASS, DROP or REDIRECT), or null for none
 */
public record EntryValue(int qsize, SteeringProgram remoteProgram) {
    /** A value with a ring of {@code qsize} frames and no remote program. */
    public static EntryValue of(int qsize) {
        return new EntryValue(qsize, null);
    }

    /** True when the entry runs a remote program. */
    public boolean hasRemoteProgram() {
        return remoteProgram != null;
    }
}
