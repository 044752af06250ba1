package dev.steer.loadgen.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
        /** Waits, at most {@code timeoutSeconds}, until stderr contains {@code text}. */
        boolean awaitErr(String text, long timeoutSeconds) {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            while (!err.toString().contains(text)) {
                if (System.nanoTime() > deadline || result.isDone()) {
                    return err.toString().contains(text);
                }
                LockSupport.parkNanos(10_000_000);
            }
            return true;
        }
    }

    static Running start(String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CompletableFuture<CliRunner> result = CompletableFuture.supplyAsync(() -> {
            final int exit = SteerCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
            return new CliRunner(exit, out.toString(), err.toString());
        });
        return new Running(result, err);
    }

    @Override
    public String toString() {
        return "exit " + exit + "\n--- out ---\n" + out + "\n--- err ---\n" + err;
    }
}
