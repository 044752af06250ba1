package dev.steer.engine.path;

/**
 * A condition that Steer itself reports to an error handler ({@link HandlerBatch.ErrorSink}, the actor runtime's
 * {@code ErrorHandler}, {@link FrameSink#onFeedError}): a thread it could not pin, a consumer it respawned, a pool
 * left short at shutdown, a feed's driver gone. Its message says all there is to say; it carries no stack trace (the
 * place where Steer noticed is no one's bug), and the engine's default error handler logs it in one line. Everything
 * else an error handler receives (what a frame handler, a steering program or a feed threw) is logged with its stack
 * trace, whatever its type.
 *
 * <p>An {@link IllegalStateException}, as these reports were before they had a type of their own. Cheap to make: no
 * stack walk.
 */
public final class EngineWarning extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** A warning saying {@code message}. */
    public EngineWarning(String message) {
        super(message);
    }

    /** A warning saying {@code message} (which should name the cause), with the exception that led to it. */
    public EngineWarning(String message, Throwable cause) {
        super(message, cause);
    }

    /** No stack trace: see the class comment. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
