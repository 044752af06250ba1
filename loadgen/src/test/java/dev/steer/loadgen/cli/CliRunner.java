package dev.steer.loadgen.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the steer command in this JVM and keeps what it printed. */
record CliRunner(int exit, String out, String err) {
    static CliRunner run(String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = SteerCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRunner(exit, out.toString(), err.toString());
    }

    @Override
    public String toString() {
        return "exit " + exit + "\n--- out ---\n" + out + "\n--- err ---\n" + err;
    }
}
