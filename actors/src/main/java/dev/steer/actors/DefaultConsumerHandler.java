package dev.steer.actors;

import dev.steer.engine.path.EngineWarning;
import dev.steer.engine.path.FrameBatch;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.stats.PathCounters;

/**
 * The handler of an entry's consumer when the builder set none: discards the frames the consumer takes from the
 * entry's ring (those its remote program passes, when it has one), which then count as {@code delivered}, and says so
 * once, through the engine's error handler, the first time it gets any. The consumer-side twin of
 * {@link DefaultLocalHandler}: without it, an engine started without {@code handler(...)} counted every frame
 * delivered and said nothing, and a service had no way to tell where its frames went. A handler set by the builder,
 * {@link FrameHandler#NO_OP} included, is a choice, and gets no warning.
 *
 * <p>One instance per consumer (so per entry; a consumer the supervisor respawns gets a new one, and says it again);
 * it survives the consumer's restarts. Thread contract: the consumer's thread, one at a time, as every handler call
 * of one path. Costs one field read and branch per batch; allocates only the warning.
 */
final class DefaultConsumerHandler implements FrameHandler {
    /** What the settings hold while the builder has set no handler: each consumer then gets its own instance. */
    static final FrameHandler UNSET = batch -> { };

    private final ErrorHandler errors;
    private final PathCounters counters;
    private boolean warned;

    /**
     * @param errors   the engine's error handler
     * @param counters the entry's counters: its name, and where a failing error handler is counted
     */
    DefaultConsumerHandler(ErrorHandler errors, PathCounters counters) {
        this.errors = errors;
        this.counters = counters;
    }

    /** The handler for an entry's consumer: {@code configured}, or a new default one when the builder set none. */
    static FrameHandler forConsumer(FrameHandler configured, ErrorHandler errors, PathCounters counters) {
        return configured == UNSET ? new DefaultConsumerHandler(errors, counters) : configured;
    }

    @Override
    public void onFrames(FrameBatch batch) {
        if (!warned) {
            warned = true;
            // Straight to the engine's error handler, not the consumer's sink: a warning is no handler failure, and
            // must not count as one or restart the consumer under FailurePolicy.RESTART.
            DataPath.report(errors, counters, new EngineWarning(counters.name() + " handed " + batch.size() + " frame"
                + (batch.size() == 1 ? "" : "s") + " to the default handler, which discards them and counts them"
                + " delivered, as it will every frame this entry's consumer takes (said once); set"
                + " SteerEngine.Builder.handler(...) to receive them, or handler(FrameHandler.NO_OP) to discard them"
                + " without this warning"));
        }
    }
}
