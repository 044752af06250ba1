package dev.steer.engine.program;

/**
 * {@code no-touch}: redirects every frame to the first target without reading it, so it measures the
 * steering machinery alone. Malformed, truncated and non-IP frames are redirected like any other.
 */
public final class NoTouchProgram extends TargetedProgram {
    private final long verdict;

    /** @param targets target keys, at least one; only the first is used */
    public NoTouchProgram(int[] targets, int fallback) {
        super("no-touch", targets, fallback);
        this.verdict = Verdict.redirect(this.targets[0], fallback);
    }

    @Override
    public long run(PacketView packet) {
        return verdict;
    }

    @Override
    public SteeringProgram forIngress() {
        return this; // stateless: never parses
    }
}
