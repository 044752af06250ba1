package dev.steer.engine.program;

/**
 * Decides where a frame goes: the analogue of an XDP program attached to a NIC queue (on the ingress),
 * or to a cpumap entry (the remote program, run by the entry's consumer).
 *
 * <p>Contract: {@link #run(PacketView)} reads the frame through the bounds-checked view and returns a
 * {@link Verdict} word. It must not allocate, block or keep a reference to the view; a malformed or
 * truncated packet must produce a verdict, not an exception. An exception that escapes anyway is caught
 * by the caller and counted as {@link Verdict#ABORTED} with a program-exception counter.
 *
 * <p>Thread contract: {@link #forIngress()} is called once per ingress (or consumer) before traffic, on
 * any thread; the instance it returns is then used by that one thread only. Stateless programs return
 * {@code this}; programs with per-thread state (a round-robin cursor, like xdp-bench's per-CPU map)
 * return a fresh instance.
 */
@FunctionalInterface
public interface SteeringProgram {
    /**
     * Runs the program on one frame.
     *
     * @param packet view of the frame, valid only during the call
     * @return a verdict word built with {@link Verdict}
     */
    long run(PacketView packet);

    /**
     * The instance one ingress or consumer thread uses; see the thread contract. Never null: an ingress whose
     * program returns null fails the engine's start, an entry whose remote program does fails its update (ENOMEM).
     */
    default SteeringProgram forIngress() {
        return this;
    }

    /**
     * {@code program.forIngress()}, refused when null: the one place that check and its message live. Called
     * before traffic, on any thread; costs what {@code forIngress()} costs.
     *
     * @param program the program, not null
     * @param role    what the program is, for the message: {@code steering program}, {@code remote program}
     * @param where   appended to the program's name in the message ({@code " of entry 3"}), or empty
     * @return the instance one ingress or consumer thread uses
     * @throws IllegalStateException when {@code forIngress()} returns null: every frame would otherwise fail
     */
    static SteeringProgram checkedInstance(SteeringProgram program, String role, String where) {
        final SteeringProgram instance = program.forIngress();
        if (instance == null) {
            throw new IllegalStateException(role + " " + program.name() + where + ": forIngress() returned null;"
                + " it must return the instance one ingress or consumer thread uses (this, for a stateless program)");
        }
        return instance;
    }

    /** Name for statistics and messages. */
    default String name() {
        return getClass().getSimpleName();
    }
}
