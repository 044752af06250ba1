package dev.steer.actors;

/**
 * Receives failures that the engine counted and survived: exceptions of steering programs, frame
 * handlers and feeds, and warnings such as a CPU that could not be pinned. Called on the thread where
 * the failure happened (often a pinned data-path thread), so it must be quick and must not throw.
 */
@FunctionalInterface
public interface ErrorHandler {
    /**
     * @param where the path or component, e.g. {@code key-1#3} or {@code ingress-0}
     * @param error the failure as thrown (a handler's, a program's, a feed's exception, with its stack trace); for
     *              Steer's own conditions an {@link dev.steer.engine.path.EngineWarning} carrying the message
     */
    void onError(String where, Throwable error);
}
