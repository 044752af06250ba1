package dev.steer.loadgen.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C (SIGINT) and SIGTERM for a command that must stop cleanly: a JVM shutdown hook that asks the command to
 * stop and then waits, at most {@link #STOP_TIMEOUT}, until the command has finished (summary printed, engine
 * drained, media driver closed and its directory deleted) and {@link #close()}d this; only then may the JVM go on
 * and exit. Bounded: after the timeout the hook returns and the JVM exits whatever the command is doing.
 *
 * <p>Installed for one run of a command and removed by {@link #close()}, so a command run inside a longer-lived
 * JVM (the tests) leaves no hook behind. Thread contract: install and close on the command's thread; the hook runs
 * on the JVM's shutdown thread. The JVM then exits with the signal's status (130 for SIGINT, 143 for SIGTERM).
 */
final class StopOnSignal implements AutoCloseable {
    /** Longest a signal waits for the command to finish before the JVM exits anyway. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    private StopOnSignal(String name, Runnable requestStop, Duration timeout) {
        this.hook = new Thread(() -> {
            requestStop.run();
            try {
                finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }, name + "-stop-on-signal");
    }

    /**
     * Installs the hook.
     *
     * @param name        thread name prefix, for thread dumps
     * @param requestStop asks the command to stop; called once, on the shutdown thread; must return at once
     */
    static StopOnSignal install(String name, Runnable requestStop) {
        return install(name, requestStop, STOP_TIMEOUT);
    }

    /**
     * Installs the hook with a longer bound than {@link #STOP_TIMEOUT}: for a command whose stop has bounded waits of
     * its own before the drain (a cluster node's leave), which the hook must outlast.
     *
     * @param timeout longest the signal waits for the command to finish
     */
    static StopOnSignal install(String name, Runnable requestStop, Duration timeout) {
        final StopOnSignal stop = new StopOnSignal(name, requestStop, timeout);
        Runtime.getRuntime().addShutdownHook(stop.hook);
        return stop;
    }

    /** The command has finished: a running hook returns now, and the hook is removed if the JVM is not exiting. */
    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is exiting and the hook has started: it returns now that the command has finished.
        }
    }
}
