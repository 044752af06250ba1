package dev.steer.engine.program;

import java.util.Arrays;

/**
 * Base of the built-in programs: the list of target keys they choose from (xdp-bench's
 * {@code cpus_available}) and the fallback action of their redirects. Each instance also owns a
 * {@link PacketHeaders} to parse into, so an instance serves one thread: {@link #forIngress()} hands every
 * ingress a copy.
 */
abstract class TargetedProgram implements SteeringProgram {
    final int[] targets;
    final int fallback;
    final PacketHeaders headers = new PacketHeaders();
    private final String name;

    TargetedProgram(String name, int[] targets, int fallback) {
        if (targets == null || targets.length == 0) {
            throw new IllegalArgumentException("program " + name + ": needs at least one target key");
        }
        if (fallback != Verdict.ABORTED && fallback != Verdict.DROP && fallback != Verdict.PASS) {
            throw new IllegalArgumentException("program " + name + ": fallback=" + fallback
                + ": must be ABORTED (0), DROP (1) or PASS (2)");
        }
        this.name = name;
        this.targets = targets.clone();
        this.fallback = fallback;
    }

    /**
     * Redirect to the target at {@code index}, reduced modulo the number of targets (unsigned). For one
     * target or a power of two the modulo is a mask, same result without the division, whose latency sits
     * on the per-packet critical path (verdict, entry, bulk queue).
     */
    final long redirectTo(int index) {
        final int count = targets.length;
        final int at = (count & (count - 1)) == 0 ? index & (count - 1) : Integer.remainderUnsigned(index, count);
        return Verdict.redirect(targets[at], fallback);
    }

    /** The target keys, in order. */
    public final int[] targets() {
        return targets.clone();
    }

    /** The fallback action of this program's redirects. */
    public final int fallback() {
        return fallback;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(targets);
    }
}
