package dev.steer.loadgen.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import dev.steer.loadgen.JvmOptions;

/**
 * Runs the JMH benchmarks with JMH's own command line (e.g. {@code HandoffBenchmark -prof gc}), adding the
 * JVM flags from {@link JvmOptions} to every forked JVM, before any the user gives with {@code -jvmArgsAppend}, so
 * that the benchmarks run with the same flags as the tests and the launcher.
 */
public final class JmhMain {
    /** Success, as {@code steer}'s. */
    static final int EXIT_OK = 0;
    /** A bad command line, or a pattern no benchmark matches: {@code steer}'s usage status. */
    static final int EXIT_USAGE = 2;
    /** A benchmark failed: {@code steer}'s failed-job status. */
    static final int EXIT_FAILED = 3;

    private JmhMain() {
    }

    /** Entry point; exits with {@link #run}'s status when it is not 0. */
    public static void main(String[] args) {
        final int status = run(args, new PrintWriter(System.err, true));
        if (status != EXIT_OK) {
            System.exit(status);
        }
    }

    /**
     * Runs JMH's command line, {@code --help} being JMH's {@code -h}; the list options ({@code -l}, {@code -lp},
     * {@code -lprof}, {@code -lrf}) list and return without running anything. JMH itself prints to stdout. Errors go to
     * {@code err} as one line. Returns 0, {@link #EXIT_USAGE} for a bad command line or a pattern that matches no
     * benchmark, {@link #EXIT_FAILED} when a benchmark fails. Any thread; blocks for the whole run.
     */
    public static int run(String[] args, PrintWriter err) {
        final String[] jmhArgs = Arrays.stream(args).map(arg -> arg.equals("--help") ? "-h" : arg).toArray(String[]::new);
        try {
            final CommandLineOptions cli = new CommandLineOptions(jmhArgs);
            if (cli.shouldHelp()) {
                cli.showHelp();
                return EXIT_OK;
            }
            // Every "list, and exit" option of JMH's help, as JMH's own Main handles them: one left out here fell
            // through to a run of every benchmark its pattern matched.
            if (cli.shouldListProfilers()) {
                cli.listProfilers();
                return EXIT_OK;
            }
            if (cli.shouldListResultFormats()) {
                cli.listResultFormats();
                return EXIT_OK;
            }
            if (cli.shouldList()) {
                new Runner(cli).list();
                return EXIT_OK;
            }
            if (cli.shouldListWithParams()) {
                new Runner(cli).listWithParams(cli);
                return EXIT_OK;
            }
            new Runner(options(cli)).run();
            return EXIT_OK;
        } catch (CommandLineOptionException ex) {
            err.println("steer jmh: " + ex.getMessage());
            err.println("try: steer jmh --help");
            return EXIT_USAGE;
        } catch (NoBenchmarksException ex) {
            err.println("steer jmh: no benchmark matches " + String.join(" ", includes(jmhArgs))
                + " (steer jmh -l lists them)");
            return EXIT_USAGE;
        } catch (RunnerException | IOException ex) {
            err.println("steer jmh: benchmark failed: " + (ex.getMessage() == null ? ex : ex.getMessage()));
            return EXIT_FAILED;
        }
    }

    /**
     * JMH's options for {@code cli}: the user's, with the project's fork flags before the user's own
     * {@code -jvmArgsAppend}, so that a flag the user repeats (a log level, say) wins.
     */
    static Options options(CommandLineOptions cli) {
        // OptionsBuilder.getJvmArgsAppend() gives a child's value instead of its parent's, never both: set alone, the
        // project flags would replace the user's.
        final List<String> jvmArgsAppend = new ArrayList<>(JvmOptions.forkFlags());
        jvmArgsAppend.addAll(cli.getJvmArgsAppend().orElse(List.of()));
        return new OptionsBuilder()
            .parent(cli)
            .jvmArgsAppend(jvmArgsAppend.toArray(String[]::new))
            .build();
    }

    /** The patterns of the command line, quoted, for the message of a pattern that matches nothing. */
    private static String[] includes(String[] args) {
        try {
            final String[] patterns = new CommandLineOptions(args).getIncludes().stream()
                .map(pattern -> "'" + pattern + "'").toArray(String[]::new);
            return patterns.length == 0 ? new String[] {"(no pattern: every benchmark)"} : patterns;
        } catch (CommandLineOptionException ex) {
            return new String[] {"the command line"};
        }
    }
}
