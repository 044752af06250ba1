package dev.steer.cluster.config;

import java.util.ArrayList;
import java.util.List;

import dev.steer.engine.program.PacketView;
import dev.steer.engine.program.Programs;
import dev.steer.engine.program.SteeringProgram;
import dev.steer.engine.program.Verdict;

/**
 * The programs an entry's consumer may run before its handler (the kernel's second XDP program on the
 * remote CPU), by name: {@code pass} and {@code drop} (a fixed verdict, as xdp-bench's remote actions) and
 * every built-in steering program, which redirects over the other entries of the entry's node. Off the hot
 * path; the programs it makes allocate nothing per frame.
 */
public final class RemotePrograms {
    /** Hands every frame to the entry's handler. */
    public static final String PASS = "pass";
    /** Drops every frame, counted as a program drop. */
    public static final String DROP = "drop";

    private RemotePrograms() {
    }

    /** Every name: {@code pass}, {@code drop}, then {@link Programs#names()}. */
    public static List<String> names() {
        final List<String> names = new ArrayList<>(List.of(PASS, DROP));
        names.addAll(Programs.names());
        return List.copyOf(names);
    }

    /** True for the steering programs, which redirect and so need targets; false for pass and drop. */
    public static boolean redirects(String name) {
        return !PASS.equals(name) && !DROP.equals(name);
    }

    /**
     * A new remote program.
     *
     * @param name    one of {@link #names()}
     * @param targets keys a steering program redirects to, at least one (not the entry's own: see
     *                {@link Deployment#remoteProgramTargets})
     * @throws IllegalArgumentException naming the value and what is allowed
     */
    public static SteeringProgram create(String name, int[] targets) {
        return switch (name) {
            case PASS -> new Fixed(Verdict.PASS, "pass");
            case DROP -> new Fixed(Verdict.DROP, "drop");
            default -> {
                if (!Programs.names().contains(name)) {
                    throw new IllegalArgumentException("remote-program '" + name + "': must be one of "
                        + String.join(", ", names()));
                }
                yield Programs.create(name, targets, Verdict.DROP);
            }
        };
    }

    /** A program with one verdict for every frame; stateless, so one instance serves every thread. */
    private record Fixed(int action, String label) implements SteeringProgram {
        @Override
        public long run(PacketView packet) {
            return Verdict.of(action);
        }

        @Override
        public String name() {
            return label;
        }
    }
}
