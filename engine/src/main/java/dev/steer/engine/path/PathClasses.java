package dev.steer.engine.path;

import java.lang.invoke.MethodHandles;

import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.CpumapEnqueueEvent;
import dev.steer.engine.stats.CpumapKthreadEvent;

/**
 * Initialises, while a path is built, the classes that the data path would otherwise load on its first frame: the
 * program guard, the verdict codes and the two tracepoint events (whose initialisation registers them with JFR). Loaded
 * in the first poll they held the first frames of a run up: about a millisecond unrecorded, tens of milliseconds on
 * the ingress and hundreds on a consumer while a JFR recording was running (docs/output.md).
 *
 * <p>Any thread; costs nothing once the classes are initialised.
 */
final class PathClasses {
    private static final Class<?>[] FIRST_FRAME = {
        GuardedProgram.class, Verdict.class, CpumapEnqueueEvent.class, CpumapKthreadEvent.class,
    };

    private PathClasses() {
    }

    /** Initialises every class of {@link #FIRST_FRAME}, on the calling thread unless another has already. */
    static void initialize() {
        final MethodHandles.Lookup lookup = MethodHandles.lookup();
        for (Class<?> type : FIRST_FRAME) {
            try {
                lookup.ensureInitialized(type);
            } catch (IllegalAccessException ex) {
                throw new IllegalStateException("data-path class " + type.getName() + " not accessible", ex);
            }
        }
    }
}
