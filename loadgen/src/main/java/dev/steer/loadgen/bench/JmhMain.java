package dev.steer.loadgen.bench;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import dev.steer.loadgen.JvmOptions;

/**
 * Runs the JMH benchmarks with JMH's own command line (e.g. {@code HandoffBenchmark -prof gc}), adding the
 * JVM flags from {@link JvmOptions} to every forked JVM so that the benchmarks run with the same flags as
 * the tests and the launcher.
 */
public final class JmhMain {
    private JmhMain() {
    }

    /** Entry point; exit status 1 on a bad command line, 2 when a benchmark fails. */
    public static void main(String[] args) {
        try {
            final CommandLineOptions cli = new CommandLineOptions(args);
            if (cli.shouldHelp()) {
                cli.showHelp();
                return;
            }
            if (cli.shouldList()) {
                new Runner(cli).list();
                return;
            }
            final Options options = new OptionsBuilder()
                .parent(cli)
                .jvmArgsAppend(JvmOptions.forkFlags().toArray(String[]::new))
                .build();
            new Runner(options).run();
        } catch (CommandLineOptionException ex) {
            System.err.println("steer jmh: " + ex.getMessage());
            System.exit(1);
        } catch (RunnerException | java.io.IOException ex) {
            System.err.println("steer jmh: benchmark failed: " + ex.getMessage());
            System.exit(2);
        }
    }
}
