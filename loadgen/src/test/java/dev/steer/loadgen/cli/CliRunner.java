package dev.steer.loadgen.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

/** Runs the steer command in this JVM and keeps what it printed. */
record CliRunner(int exit, String out, String err) {
    static CliRunner run(String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = SteerCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRunner(exit, out.toString(), err.toString());
    }

    /** A command running on another thread, whose stderr can be watched while it runs. */
    record Running(CompletableFuture<CliRunner> result, StringWriter err) {
        /**
         * Waits until stderr contains {@code text} or the command has ended, whichever comes first: no clock of its own,
         * so a loaded machine that starts the command slowly cannot fail the wait; the command's own duration and the
         * test's {@code @Timeout} bound it.
         *
         * @return whether stderr contains {@code text}
         */
        boolean awaitErr(String text) {
            while (!err.toString().contains(text)) {
                // Interrupted: the test's @Timeout is up, and the test fails with it rather than wait on.
                if (result.isDone() || Thread.currentThread().isInterrupted()) {
                    return err.toString().contains(text);
                }
                LockSupport.parkNanos(10_000_000);
            }
            return true;
        }
    }

    /**
     * Starts the command on a thread of its own, not the common pool's: on two cores that pool has one thread, which a
     * command left running by an earlier test (one that failed before it waited for its command) would hold, so this
     * command would not start until that one had ended.
     */
    static Running start(String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CompletableFuture<CliRunner> result = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("steer-cli-" + args[0]).start(() -> {
            try {
                final int exit = SteerCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
                result.complete(new CliRunner(exit, out.toString(), err.toString()));
            } catch (Throwable failure) {
                result.completeExceptionally(failure);
            }
        });
        return new Running(result, err);
    }

    @Override
    public String toString() {
        return "exit " + exit + "\n--- out ---\n" + out + "\n--- err ---\n" + err;
    }
}
