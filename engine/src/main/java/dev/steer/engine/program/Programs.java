package dev.steer.engine.program;

import java.util.List;

/**
 * The built-in steering programs by name, one per {@code xdp-bench redirect-cpu} mode. Off the hot path.
 */
public final class Programs {
    private static final List<String> NAMES = List.of("no-touch", "touch", "round-robin", "l4-proto", "l4-filter",
        "l4-hash", "l4-sport", "l4-dport");

    private Programs() {
    }

    /** The names, in the order above. */
    public static List<String> names() {
        return NAMES;
    }

    /**
     * A new program.
     *
     * @param name     one of {@link #names()}
     * @param targets  the keys it redirects to, at least one
     * @param fallback action when a redirect's key has no entry: {@link Verdict#ABORTED}, {@link Verdict#DROP} or {@link Verdict#PASS}
     * @throws IllegalArgumentException naming the bad value and what is allowed
     */
    public static SteeringProgram create(String name, int[] targets, int fallback) {
        if (name == null) {
            throw new IllegalArgumentException("program=null: must be one of " + String.join(", ", NAMES));
        }
        return switch (name) {
            case "no-touch" -> new NoTouchProgram(targets, fallback);
            case "touch" -> new TouchProgram(targets, fallback);
            case "round-robin" -> new RoundRobinProgram(targets, fallback);
            case "l4-proto" -> new L4ProtoProgram(targets, fallback, false);
            case "l4-filter" -> new L4ProtoProgram(targets, fallback, true);
            case "l4-hash" -> new L4HashProgram(targets, fallback);
            case "l4-sport" -> new L4PortProgram(targets, fallback, L4PortProgram.Port.SOURCE);
            case "l4-dport" -> new L4PortProgram(targets, fallback, L4PortProgram.Port.DESTINATION);
            default -> throw new IllegalArgumentException("program '" + name + "': must be one of "
                + String.join(", ", NAMES));
        };
    }
}
