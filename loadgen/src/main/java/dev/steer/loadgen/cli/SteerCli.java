package dev.steer.loadgen.cli;

import java.io.PrintWriter;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import dev.steer.loadgen.bench.JmhMain;

/**
 * The {@code steer} command: {@code run} (the main job), {@code loadgen}, {@code bench} and {@code jmh}.
 *
 * <p>Exit status: {@value #EXIT_OK} success; {@value #EXIT_LOST} a run finished but frames were lost
 * (the accounting did not balance); {@value #EXIT_USAGE} a bad command line or config; {@value #EXIT_FAILED}
 * the job could not run (a feed could not open, the engine did not start or stop in time). With the environment
 * variable {@code STEER_DEBUG} set, errors are followed by their stack trace.
 */
@Command(name = "steer", mixinStandardHelpOptions = true, versionProvider = SteerCli.Version.class,
    description = "Steer: cpumap-style packet steering for the JVM.",
    subcommands = {RunCommand.class, LoadgenCommand.class, BenchCommand.class, SteerCli.Jmh.class},
    commandListHeading = "%nCommands:%n")
public final class SteerCli implements Runnable {
    /** Success. */
    public static final int EXIT_OK = 0;
    /** The run ended but its accounting did not balance. */
    public static final int EXIT_LOST = 1;
    /** Bad command line or configuration. */
    public static final int EXIT_USAGE = 2;
    /** The job failed to run. */
    public static final int EXIT_FAILED = 3;

    @picocli.CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Entry point. */
    public static void main(String[] args) {
        // Pekko and Aeron log through SLF4J; the command reports itself, so only warnings get through.
        // Initialise SLF4J here, before any other thread logs, so it has nothing to replay.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        org.slf4j.LoggerFactory.getLogger(SteerCli.class);
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given output streams and returns the exit status; for tests. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        final CommandLine cli = new CommandLine(new SteerCli());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": " + oneLine(ex));
            if (System.getenv("STEER_DEBUG") != null) {
                ex.printStackTrace(commandLine.getErr());
            }
            return ex instanceof IllegalArgumentException ? EXIT_USAGE : EXIT_FAILED;
        });
        cli.setParameterExceptionHandler((ex, arguments) -> {
            final CommandLine command = ex.getCommandLine();
            // The qualified name is "steer" for the top level and "steer run" for a subcommand: the name once.
            final String name = command.getCommandSpec().qualifiedName();
            command.getErr().println(name + ": " + ex.getMessage());
            command.getErr().println("try: " + name + " --help");
            return EXIT_USAGE;
        });
        return cli.execute(args);
    }

    private static String oneLine(Throwable error) {
        Throwable cause = error;
        while (cause.getMessage() == null && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code steer jmh}: JMH's own command line, with the Steer JVM flags in every fork. */
    @Command(name = "jmh", description = "Run JMH benchmarks with JMH's own options, e.g.: steer jmh HandoffBenchmark -prof gc",
        mixinStandardHelpOptions = false)
    static final class Jmh implements java.util.concurrent.Callable<Integer> {
        @picocli.CommandLine.Unmatched
        String[] arguments = new String[0];

        @picocli.CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            return JmhMain.run(arguments, spec.commandLine().getErr());
        }
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            final String version = SteerCli.class.getPackage().getImplementationVersion();
            return new String[] {"steer " + (version == null ? "(development build)" : version)};
        }
    }
}
