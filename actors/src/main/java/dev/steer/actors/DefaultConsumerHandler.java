package dev.steer.actors;

import java.util.concurrent.atomic.AtomicIntegerArray;

import dev.steer.engine.path.EngineWarning;
import dev.steer.engine.path.FrameBatch;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.stats.PathCounters;

/**
 * The handler of an entry's consumer when the builder set none: discards the frames the consumer takes from the
 * entry's ring (those its remote program passes, when it has one), which then count as {@code delivered}, and says so
 * once per key for the engine's life, through the engine's error handler, the first time a consumer of the key gets
 * any. The consumer-side twin of
 * {@link DefaultLocalHandler}: without it, an engine started without {@code handler(...)} counted every frame
 * delivered and said nothing, and a service had no way to tell where its frames went. A handler set by the builder,
 * {@link FrameHandler#NO_OP} included, is a choice, and gets no warning.
 *
 * <p>One instance per consumer (so per entry, and a consumer the supervisor respawns gets a new one); it survives the
 * consumer's restarts. Every update that replaces an entry starts a new consumer, so a warning per instance would
 * give the error handler one per update under map churn, without bound: the instances of one engine share
 * {@link #newWarnedKeys a mark per key}, and only the first instance of a key to get frames says it. Thread
 * contract: the consumer's thread, one at a time, as every handler call of one path. Costs one field read and branch
 * per batch, and one compare-and-set on the instance's first batch; allocates only the warning.
 */
final class DefaultConsumerHandler implements FrameHandler {
    /** What the settings hold while the builder has set no handler: each consumer then gets its own instance. */
    static final FrameHandler UNSET = batch -> { };

    private final ErrorHandler errors;
    private final PathCounters counters;
    private final int key;
    private final AtomicIntegerArray warnedKeys;
    private boolean warned;

    /**
     * @param errors   the engine's error handler
     * @param counters   the entry's counters: its name, and where a failing error handler is counted
     * @param key        the entry's key, below {@code warnedKeys.length()}
     * @param warnedKeys the engine's marks of the keys already warned about, from {@link #newWarnedKeys}
     */
    DefaultConsumerHandler(ErrorHandler errors, PathCounters counters, int key, AtomicIntegerArray warnedKeys) {
        this.errors = errors;
        this.counters = counters;
        this.key = key;
        this.warnedKeys = warnedKeys;
    }

    /** The marks of keys already warned about, one per key of a map of {@code maxEntries}: one per engine. */
    static AtomicIntegerArray newWarnedKeys(int maxEntries) {
        return new AtomicIntegerArray(maxEntries);
    }

    /**
     * The handler for an entry's consumer: {@code configured}, or a new default one when the builder set none, which
     * warns only if no other default handler of the same {@code warnedKeys} has warned about {@code key}.
     */
    static FrameHandler forConsumer(FrameHandler configured, ErrorHandler errors, PathCounters counters, int key,
                                    AtomicIntegerArray warnedKeys) {
        return configured == UNSET ? new DefaultConsumerHandler(errors, counters, key, warnedKeys) : configured;
    }

    @Override
    public void onFrames(FrameBatch batch) {
        if (!warned) {
            warned = true;
            if (!warnedKeys.compareAndSet(key, 0, 1)) {
                return; // an earlier consumer of this key (one it replaced, or a respawned one) has said it
            }
            // Straight to the engine's error handler, not the consumer's sink: a warning is no handler failure, and
            // must not count as one or restart the consumer under FailurePolicy.RESTART.
            DataPath.report(errors, counters, new EngineWarning(counters.name() + " handed " + batch.size() + " frame"
                + (batch.size() == 1 ? "" : "s") + " to the default handler, which discards them and counts them"
                + " delivered, as it will every frame a consumer of key " + key + " takes (said once per key); set"
                + " SteerEngine.Builder.handler(...) to receive them, or handler(FrameHandler.NO_OP) to discard them"
                + " without this warning"));
        }
    }
}
