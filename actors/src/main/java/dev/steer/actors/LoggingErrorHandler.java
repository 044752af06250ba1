package dev.steer.actors;

import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicLong;

import dev.steer.engine.path.EngineWarning;

/**
 * The default {@link ErrorHandler}: logs through {@link System.Logger} (so it needs no logging binding),
 * the first {@value #FIRST} failures in full and then one in {@value #EVERY}, so a handler that throws on
 * every batch cannot flood the log. Every failure is counted by the engine either way. In full means with the
 * stack trace for whatever user code threw (a handler's {@code IllegalStateException} too: its trace is where the bug
 * is), and in one line for Steer's own conditions, {@link EngineWarning}s, which have no trace.
 */
final class LoggingErrorHandler implements ErrorHandler {
    static final int FIRST = 20;
    static final int EVERY = 10_000;
    private static final System.Logger LOG = System.getLogger("dev.steer");

    private final AtomicLong seen = new AtomicLong();

    @Override
    public void onError(String where, Throwable error) {
        final long n = seen.incrementAndGet();
        if (n <= FIRST || n % EVERY == 0) {
            LOG.log(Level.WARNING, "steer: " + where + ": " + error + " (failure #" + n + ")",
                error instanceof EngineWarning ? null : error);
        }
    }
}
