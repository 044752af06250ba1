package dev.steer.actors;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The rule that a {@link SteerEngine.Builder} starts one engine: once a start has passed validation (also one that
 * then failed), every setter, {@code conclude()} and {@code start()} of the builder is refused with an
 * {@link IllegalStateException} naming the call. A second engine would poll the first one's feeds from a second
 * thread and share its handlers, and the engine reads its settings (ask and close timeouts among them) while it runs.
 *
 * <p>Thread contract: the builder's thread; the flag is atomic, so that of two starts racing, one is refused.
 */
final class SingleStart {
    /** Set once a start has passed validation. */
    private final AtomicBoolean started = new AtomicBoolean();

    /** Refuses a change through {@code setting} once an engine has started. */
    void refuseChange(String setting) {
        if (started.get()) {
            throw new IllegalStateException(setting + "(...): this builder has already started an engine, which"
                + " runs with its settings; make a new builder with SteerEngine.builder() for another engine");
        }
    }

    /** Refuses a start once an engine has started; before validation, so that a second start reports this. */
    void refuseSecondStart() {
        if (started.get()) {
            throw startedTwice();
        }
    }

    /** Marks the builder started, after validation; refuses when another start got there first. */
    void claim() {
        if (!started.compareAndSet(false, true)) {
            throw startedTwice();
        }
    }

    private static IllegalStateException startedTwice() {
        return new IllegalStateException("start(): this builder has already started an engine (or tried to: a"
            + " start that failed uses it up too); a builder starts one engine, whose feeds, handlers and programs"
            + " are its own: make a new builder with SteerEngine.builder() for another engine");
    }
}
