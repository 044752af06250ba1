package dev.steer.engine.program;

/**
 * Verdicts of a {@link SteeringProgram}, encoded in one {@code long} so that returning one allocates
 * nothing: the analogue of the XDP actions and of {@code bpf_redirect_map}.
 *
 * <p>Layout: bits 0-7 the action ({@link #ABORTED}, {@link #DROP}, {@link #PASS}, {@link #REDIRECT}, the
 * kernel's numbers); for a redirect, bits 8-15 the fallback action and bits 32-63 the map key. An action or
 * fallback outside 0-255 is encoded as {@link #OUT_OF_RANGE} rather than cut to its low 8 bits, which could
 * name a known action (258 would become PASS): like any unknown action it counts as aborted, as the kernel
 * treats an invalid XDP action. All methods are static, pure and allocation-free.
 */
public final class Verdict {
    /** Program error: the frame is dropped and counted as aborted. */
    public static final int ABORTED = 0;
    /** Drop the frame, counted as a program drop. */
    public static final int DROP = 1;
    /** Hand the frame to the local handler of the ingress (or, for a remote program, the entry's handler). */
    public static final int PASS = 2;
    /** Steer the frame to a map entry; see {@link #redirect(int, int)}. */
    public static final int REDIRECT = 4;
    /** What an action or fallback outside 0-255 encodes as: no known action, so the frame counts as aborted. */
    public static final int OUT_OF_RANGE = 0xFF;

    private Verdict() {
    }

    /**
     * The verdict word of a plain action: {@link #ABORTED}, {@link #DROP} or {@link #PASS}; an action outside 0-255
     * becomes {@link #OUT_OF_RANGE}.
     */
    public static long of(int action) {
        return encode(action);
    }

    /**
     * Redirects to the map entry of {@code key}; when the key has no entry, {@code fallback} applies
     * instead ({@link #ABORTED}, {@link #DROP} or {@link #PASS}; outside 0-255, {@link #OUT_OF_RANGE}).
     */
    public static long redirect(int key, int fallback) {
        return ((long) key << 32) | (encode(fallback) << 8) | REDIRECT;
    }

    /**
     * {@code action} when it fits the 8 bits of its field, else {@link #OUT_OF_RANGE}: an unsigned minimum, which
     * compiles to a compare and a conditional move (no branch) and folds away for a constant.
     */
    private static long encode(int action) {
        return Math.min(Integer.toUnsignedLong(action), OUT_OF_RANGE);
    }

    /** The action of a verdict word. */
    public static int action(long verdict) {
        return (int) (verdict & 0xFF);
    }

    /** The map key of a redirect verdict. */
    public static int key(long verdict) {
        return (int) (verdict >>> 32);
    }

    /** The fallback action of a redirect verdict. */
    public static int fallback(long verdict) {
        return (int) ((verdict >>> 8) & 0xFF);
    }

    /** True when the action is one of the four known ones. */
    public static boolean isKnownAction(int action) {
        return action == ABORTED || action == DROP || action == PASS || action == REDIRECT;
    }

    /** Name of an action, for messages and statistics. */
    public static String actionName(int action) {
        return switch (action) {
            case ABORTED -> "ABORTED";
            case DROP -> "DROP";
            case PASS -> "PASS";
            case REDIRECT -> "REDIRECT";
            case OUT_OF_RANGE -> "OUT_OF_RANGE";
            default -> "UNKNOWN(" + action + ")";
        };
    }

    /** Readable form of a verdict word, e.g. {@code REDIRECT(key=3, fallback=DROP)}. */
    public static String toString(long verdict) {
        final int action = action(verdict);
        return action == REDIRECT
            ? "REDIRECT(key=" + key(verdict) + ", fallback=" + actionName(fallback(verdict)) + ')'
            : actionName(action);
    }
}
