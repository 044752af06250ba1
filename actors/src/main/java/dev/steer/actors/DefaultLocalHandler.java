package dev.steer.actors;

import dev.steer.engine.path.EngineWarning;
import dev.steer.engine.path.FrameBatch;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.stats.PathCounters;

/**
 * The local handler of an ingress whose builder set none: discards the frames the program passes at the ingress (PASS,
 * or a redirect to a key without an entry whose fallback is PASS), which then count as {@code delivered}, and says so
 * once, through the engine's error handler, the first time it gets any. Without that, a service whose own counts fall
 * short of {@code delivered} (a deleted key, say, with fallback PASS) had no way to tell where the frames went. A
 * local handler set by the builder, {@link FrameHandler#NO_OP} included, is a choice, and gets no warning.
 *
 * <p>Thread contract: the ingress' thread (or the one that closes its feed), one at a time, as every local handler.
 * Costs one field read and branch per batch; allocates only the warning.
 */
final class DefaultLocalHandler implements FrameHandler {
    /** What the settings hold while the builder has set no local handler: each ingress then gets its own instance. */
    static final FrameHandler UNSET = batch -> { };

    private final ErrorHandler errors;
    private final PathCounters counters;
    private boolean warned;

    /**
     * @param errors   the engine's error handler
     * @param counters the ingress' counters: its name, and where a failing error handler is counted
     */
    DefaultLocalHandler(ErrorHandler errors, PathCounters counters) {
        this.errors = errors;
        this.counters = counters;
    }

    /** The handler for an ingress: {@code configured}, or a new default one when the builder set none. */
    static FrameHandler forIngress(FrameHandler configured, ErrorHandler errors, PathCounters counters) {
        return configured == UNSET ? new DefaultLocalHandler(errors, counters) : configured;
    }

    @Override
    public void onFrames(FrameBatch batch) {
        if (!warned) {
            warned = true;
            DataPath.report(errors, counters, new EngineWarning(counters.name() + " passed " + batch.size() + " frame"
                + (batch.size() == 1 ? "" : "s") + " (PASS) to the default local handler, which discards them and counts"
                + " them delivered, as it will every frame this ingress passes (said once); set"
                + " SteerEngine.Builder.localHandler(...) to receive them, or localHandler(FrameHandler.NO_OP) to"
                + " discard them without this warning"));
        }
    }
}
