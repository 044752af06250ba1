package dev.steer.ingress.aeron;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;

import io.aeron.exceptions.ClientTimeoutException;
import io.aeron.exceptions.ConductorServiceTimeoutException;
import io.aeron.exceptions.DriverTimeoutException;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;

import dev.steer.engine.path.EngineWarning;

/**
 * What an Aeron client tells its feeds off the data path: its asynchronous errors (the client's error handler) and
 * its close (its close handler; after a driver timeout the client closes itself). Installed by {@link AeronMedia}
 * as the client's error and close handler, in place of Aeron's default handler, which prints a stack trace and,
 * on a driver timeout, exits the JVM with status -1.
 *
 * <p>Errors are counted and queued (at most {@value #CAPACITY}) for the client's feeds, which report each once, on
 * their poll thread (or at their close, for errors that came after their last poll), to their ingress
 * ({@code feed_errors} and the engine's error handler). Errors that find the queue full are counted (in {@link
 * #errors()} and as an overflow) and taken as a number by the next feed to poll or close ({@link #takeOverflow()}),
 * which counts them all in {@code feed_errors} with one summary report ({@link #overflowReport}), so that
 * {@code feed_errors} still counts every error. Nothing is printed. {@link #changes()} moves on every error and on
 * the close, so a feed learns of either with one volatile read per poll.
 *
 * <p>Thread contract: {@link #onError} and {@link #onClose} on any thread (the client conductor's, or the one
 * closing the client); {@link #poll()} on any thread, consumers may be several.
 */
final class AeronClientEvents implements ErrorHandler {
    /** Errors held for the feeds to report. */
    static final int CAPACITY = 64;
    private static final VarHandle CHANGES;

    static {
        try {
            CHANGES = MethodHandles.lookup().findVarHandle(AeronClientEvents.class, "changes", long.class);
        } catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final String directory;
    private final ManyToManyConcurrentArrayQueue<EngineWarning> pending = new ManyToManyConcurrentArrayQueue<>(CAPACITY);
    private final AtomicLong errors = new AtomicLong();
    /** Errors that found the queue full and that no feed has taken yet ({@link #takeOverflow()}). */
    private final AtomicLong overflow = new AtomicLong();
    private volatile long changes;
    private volatile Throwable terminalError;
    private volatile String closed;

    /** @param directory the media driver's directory, named in every report */
    AeronClientEvents(String directory) {
        this.directory = directory;
    }

    /** Counts and queues an asynchronous client error. Any thread; allocates the report. */
    @Override
    public void onError(Throwable error) {
        if (error instanceof AgentTerminationException) {
            return; // the conductor stopping after the error that closed the client, which was counted
        }
        errors.incrementAndGet();
        if (error instanceof DriverTimeoutException || error instanceof ClientTimeoutException
            || error instanceof ConductorServiceTimeoutException) {
            terminalError = error; // the client closes itself after these
        }
        // An EngineWarning is logged in one line by the engine's default error handler: no stack trace for a driver
        // that went away; the cause keeps the client's exception for handlers that want it.
        if (!pending.offer(new EngineWarning("aeron client of media driver " + directory + ": " + error, error))) {
            overflow.incrementAndGet(); // before the change below: a feed that sees the change finds the count
        }
        CHANGES.getAndAdd(this, 1L);
    }

    /** The client has closed (by its owner, or by itself after a driver timeout). Any thread; idempotent. */
    void onClose() {
        if (closed == null) {
            final Throwable cause = terminalError;
            closed = "the Aeron client of media driver " + directory + " closed"
                + (cause == null ? " under the feed" : ": " + cause.getMessage());
        }
        CHANGES.getAndAdd(this, 1L);
    }

    /** Moves on every error and on the close: compare with the value seen last. Any thread; one volatile read. */
    long changes() {
        return changes;
    }

    /** The next error not yet reported by a feed, or null. Any thread. */
    EngineWarning poll() {
        return pending.poll();
    }

    /**
     * Takes the number of errors that found the queue full since the last take: each is taken by one feed only. Any
     * thread; one atomic swap.
     */
    long takeOverflow() {
        return overflow.get() == 0 ? 0 : overflow.getAndSet(0);
    }

    /** The one report standing for {@code count} errors taken with {@link #takeOverflow()}. Allocates it. */
    EngineWarning overflowReport(long count) {
        return new EngineWarning("aeron client of media driver " + directory + ": " + count + " more error"
            + (count == 1 ? "" : "s") + " than the " + CAPACITY + " held for the feeds to report one by one; counted,"
            + " not reported each");
    }

    /** Why the client closed, naming the driver's directory and the error that closed it; null while it is open. */
    String closed() {
        return closed;
    }

    /** Asynchronous errors so far. Any thread. */
    long errors() {
        return errors.get();
    }
}
