package dev.steer.engine.program;

/**
 * {@code round-robin}: sends consecutive frames to consecutive targets, whatever they hold (malformed
 * frames included). The cursor is per thread, like xdp-bench's per-CPU iterator: {@link #forIngress()}
 * returns a fresh instance, and one instance must not be run by two threads at once.
 */
public final class RoundRobinProgram extends TargetedProgram {
    private int cursor;

    /** @param targets target keys, at least one, used in order */
    public RoundRobinProgram(int[] targets, int fallback) {
        super("round-robin", targets, fallback);
    }

    @Override
    public long run(PacketView packet) {
        final int index = cursor;
        cursor = index + 1 == targets.length ? 0 : index + 1;
        return Verdict.redirect(targets[index], fallback);
    }

    @Override
    public SteeringProgram forIngress() {
        return new RoundRobinProgram(targets, fallback);
    }
}
