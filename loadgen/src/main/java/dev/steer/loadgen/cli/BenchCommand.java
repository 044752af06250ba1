package dev.steer.loadgen.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import dev.steer.ingress.afpacket.NetNamespace;
import dev.steer.loadgen.JvmOptions;

/**
 * {@code steer bench}: the comparison suite in one process (JMH forks one JVM per row), printed as a table,
 * or as JSON: engine end to end vs the raw ring handoff vs Pekko with one frame per tell, the engine on
 * Aeron IPC vs Aeron IPC alone, and the AF_PACKET feed's receive rate on a veth pair (skipped, with the reason,
 * where network namespaces cannot be made). Each row has frames/s and bytes allocated per frame (JMH's GC
 * profiler: each iteration's allocation by every thread of the fork over its frames), and the ratios between rows.
 * A row that fails (its benchmark throws, its fork dies) is printed as failed with the cause (and a dead fork's last
 * lines), the other rows still run and print, and the command then exits with {@link SteerCli#EXIT_FAILED}; with
 * {@code --forks N}, every fork runs, and those that measured still give the failed row's figures, marked partial.
 *
 * <p>This class holds the options, the rows and how a row's forks become its figures; {@link JmhTrial} runs a fork on
 * JMH, {@link BenchReport} prints the ratios and the rows.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = SteerCli.Version.class, sortOptions = false,
    description = "Run the comparison benchmarks (JMH) and print frames/s, bytes/frame and ratios.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--quick", description = "Short iterations: the whole suite in under a minute (wide error bars).")
    boolean quick;

    @Option(names = "--json", description = "Print the rows as one JSON object on stdout.")
    boolean json;

    @Option(names = "--iterations", paramLabel = "N",
        description = "Measurement iterations per row (default " + BenchCommand.DEFAULT_ITERATIONS + "; --quick: "
            + BenchCommand.QUICK_ITERATIONS + "); given, it holds with --quick too.")
    Integer iterations;

    @Option(names = "--forks", paramLabel = "N",
        description = "JVM forks per row (default ${DEFAULT-VALUE}); the median is then over every fork's iterations,"
            + " which evens out a fork that landed in one of this VM's slow modes.")
    int forks = 1;

    @Spec
    CommandSpec spec;

    /** Runs one row's JMH options and returns every measurement iteration's secondary scores by label, in order. */
    @FunctionalInterface
    interface Trial {
        List<Map<String, Double>> run(Options options) throws RunnerException;
    }

    /** How rows are run: JMH here, fake results in tests. */
    Trial trial = JmhTrial::run;
    /** The rows to run: {@link #ROWS}, others in tests. */
    List<Row> rows = ROWS;

    /** Most measurement iterations per row. */
    static final int MAX_ITERATIONS = 100;
    /** Measurement iterations per row without --iterations. */
    static final int DEFAULT_ITERATIONS = 5;
    /** Measurement iterations per row with --quick and without --iterations. */
    static final int QUICK_ITERATIONS = 3;
    /** Most forks per row. */
    static final int MAX_FORKS = 10;
    /**
     * A row whose spread (max - min) is more than this share of its median frame rate is noisy: on this VM such a row
     * moves by that much between runs (the raw ring by 7×), so its figure and every ratio from it are marked.
     */
    static final double NOISY_SPREAD = 0.25;

    /**
     * One row of the table: a JMH benchmark and the label it has here.
     *
     * @param unavailable why the row cannot run on this machine, or null when it can
     */
    record Row(String id, String label, String benchmark, Map<String, String> params, Supplier<String> unavailable) {
        Row(String id, String label, String benchmark, Map<String, String> params) {
            this(id, label, benchmark, params, () -> null);
        }
    }

    /**
     * Why a row failed: its first failed fork's error on one line ({@code fork I of N: } first when the row has more
     * than one fork), that fork's last lines when it exited with a non-zero code ({@link ForkOutput#lines()}, else
     * empty), and how many of the row's forks measured.
     */
    record Failure(String cause, List<String> output, int forksMeasured, int forks) {
        /** Whether the row still has figures, from the forks that did not fail. */
        boolean partial() {
            return forksMeasured > 0;
        }
    }

    /**
     * A measured row, one skipped for {@code skipped} (it cannot run here), or one that {@code failed} (its
     * benchmark threw or a fork died). A skipped row's figures are NaN, and so are a failed row's unless some of
     * its forks measured: then they are those forks' figures ({@link Failure#partial()}).
     */
    record Measured(String id, String label, double framesPerSecond, double framesSpread, double bytesPerFrame,
                    String skipped, Failure failed) {
        Measured(String id, String label, double framesPerSecond, double framesSpread, double bytesPerFrame) {
            this(id, label, framesPerSecond, framesSpread, bytesPerFrame, null, null);
        }

        static Measured skipped(Row row, String reason) {
            return new Measured(row.id(), row.label(), Double.NaN, Double.NaN, Double.NaN, reason, null);
        }

        static Measured failed(Row row, Failure failure) {
            return new Measured(row.id(), row.label(), Double.NaN, Double.NaN, Double.NaN, null, failure);
        }

        /** These figures, from only some of the row's forks, because of {@code failure}. */
        Measured partial(Failure failure) {
            return new Measured(id, label, framesPerSecond, framesSpread, bytesPerFrame, null, failure);
        }

        /** Whether the row has figures: it was measured, by all its forks or (failed) by some. */
        boolean measured() {
            return skipped == null && (failed == null || failed.partial());
        }

        /** Whether the row's spread is more than {@link #NOISY_SPREAD} of its median frame rate. */
        boolean noisy() {
            return measured() && framesPerSecond > 0 && framesSpread / framesPerSecond > NOISY_SPREAD;
        }
    }

    static final List<Row> ROWS = List.of(
        new Row("engine", "engine end to end (synthetic → l4-hash → ring → consumer actor)",
            "dev.steer.loadgen.bench.EngineBenchmark.engine$", Map.of("idle", "park")),
        new Row("engine_backoff", "the same, consumer idle mode backoff (spins, yields, then parks)",
            "dev.steer.loadgen.bench.EngineBenchmark.engine$", Map.of("idle", "backoff")),
        new Row("raw_ring", "raw queue handoff (ManyToOneRing, offer 8 / drain 8)",
            "dev.steer.loadgen.bench.HandoffBenchmark.ring$", Map.of()),
        new Row("tell_per_frame", "Pekko, one frame per tell",
            "dev.steer.loadgen.bench.EngineBenchmark.tellPerFrame$", Map.of()),
        new Row("engine_on_aeron", "engine on Aeron IPC (lossless, l4-hash, 1 entry)",
            "dev.steer.loadgen.bench.AeronBenchmark.engineOnAeron$", Map.of("idle", "park")),
        new Row("engine_on_aeron_backoff", "the same, consumer idle mode backoff",
            "dev.steer.loadgen.bench.AeronBenchmark.engineOnAeron$", Map.of("idle", "backoff")),
        new Row("aeron_alone", "Aeron IPC alone (publisher → subscriber)",
            "dev.steer.loadgen.bench.AeronBenchmark.aeronAlone$", Map.of()),
        new Row("afpacket", "AF_PACKET feed, veth pair in a namespace (TPACKET_V3 → ingress)",
            "dev.steer.loadgen.bench.AfPacketBenchmark.poll$", Map.of(), NetNamespace::unavailableReason));

    @Override
    public Integer call() {
        if (iterations != null && (iterations < 1 || iterations > MAX_ITERATIONS)) {
            throw new IllegalArgumentException("--iterations=" + iterations + ": must be 1 to " + MAX_ITERATIONS);
        }
        if (forks < 1 || forks > MAX_FORKS) {
            throw new IllegalArgumentException("--forks=" + forks + ": must be 1 to " + MAX_FORKS);
        }
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final List<Measured> measured = new ArrayList<>();
        for (Row row : rows) {
            measured.add(measure(row, err));
        }
        final Map<String, Double> ratios = BenchReport.ratios(measured);
        if (json) {
            out.println(BenchReport.toJson(measured, ratios));
        } else {
            BenchReport.printTable(out, measured, ratios);
        }
        out.flush();
        final long failed = measured.stream().filter(row -> row.failed() != null).count();
        if (failed > 0) {
            err.println("steer bench: " + failed + " of " + measured.size() + " rows failed");
            return SteerCli.EXIT_FAILED;
        }
        return SteerCli.EXIT_OK;
    }

    /**
     * Runs {@code row}, or skips it where it cannot run here. A failure is the row's result, not the run's: the
     * other rows still run and print, and the exit status says that one failed.
     */
    private Measured measure(Row row, PrintWriter err) {
        final String unavailable = row.unavailable().get();
        if (unavailable != null) {
            err.println("steer bench: " + row.id() + " skipped: " + unavailable);
            return Measured.skipped(row, unavailable);
        }
        err.println("steer bench: " + row.label() + " ...");
        // One JMH run per fork: JMH ends a run at its first failed fork and drops the forks measured before it.
        final List<Map<String, Double>> iterations = new ArrayList<>();
        int forksMeasured = 0;
        String cause = null;
        List<String> output = List.of();
        for (int fork = 1; fork <= forks; fork++) {
            try {
                iterations.addAll(trial.run(options(row).build()));
                forksMeasured++;
            } catch (RunnerException ex) {
                final String forkCause = (forks == 1 ? "" : "fork " + fork + " of " + forks + ": ") + JmhTrial.cause(ex);
                final List<String> forkOutput = ex instanceof JmhTrial.ForkFailure failure ? failure.output : List.of();
                err.println("steer bench: " + row.id() + " failed: " + forkCause);
                forkOutput.forEach(line -> err.println("    " + line));
                if (cause == null) {
                    cause = forkCause;
                    output = forkOutput;
                }
            }
        }
        try {
            if (forksMeasured == 0) {
                return Measured.failed(row, new Failure(cause, output, 0, forks));
            }
            final Measured measured = measured(row, iterations);
            return cause == null ? measured : measured.partial(new Failure(cause, output, forksMeasured, forks));
        } catch (RunnerException ex) {
            final String noFigures = JmhTrial.cause(ex);
            err.println("steer bench: " + row.id() + " failed: " + noFigures);
            return Measured.failed(row, new Failure(noFigures, List.of(), 0, forks));
        }
    }

    /**
     * JMH's options for one fork of {@code row} ({@link #measure} runs --forks of them): --quick shortens the warm-up
     * and the iterations and makes 3 iterations the default, but an explicit --iterations holds either way.
     */
    ChainedOptionsBuilder options(Row row) {
        final ChainedOptionsBuilder options = new OptionsBuilder()
            .include(row.benchmark())
            .forks(1)
            .warmupIterations(quick ? 2 : 3)
            .warmupTime(TimeValue.seconds(quick ? 1 : 2))
            .measurementIterations(iterations != null ? iterations : quick ? QUICK_ITERATIONS : DEFAULT_ITERATIONS)
            .measurementTime(TimeValue.seconds(quick ? 1 : 2))
            .addProfiler(GCProfiler.class)
            .verbosity(VerboseMode.SILENT)
            // Without it JMH swallows a fork's error (SILENT prints nothing) and returns no result, so the cause is lost.
            .shouldFailOnError(true)
            .jvmArgsAppend(JvmOptions.forkFlags().toArray(String[]::new));
        row.params().forEach(options::param);
        return options;
    }

    /**
     * The row's figures from the secondary scores of its measurement iterations (every fork's): the median frame
     * rate, its spread, and the median of each iteration's bytes per frame (that iteration's allocation over that
     * iteration's frames; NaN when no iteration has both).
     */
    static Measured measured(Row row, List<Map<String, Double>> iterations) throws RunnerException {
        // Medians over the measurement iterations: the last iteration of a fork also sees the trial's
        // teardown (an engine shutdown allocates), which would skew a mean of only a few iterations.
        final List<Double> frames = new ArrayList<>();
        final List<Double> bytesPerFrame = new ArrayList<>();
        for (Map<String, Double> scores : iterations) {
            final Double frameRate = scores.get("frames");
            if (frameRate == null) {
                continue;
            }
            frames.add(frameRate);
            final Double alloc = scores.get("gc.alloc.rate");
            if (alloc != null && frameRate > 0) {
                // Both are rates over the same iteration: MiB/s over frames/s is that iteration's MiB per frame.
                bytesPerFrame.add(alloc * 1024 * 1024 / frameRate);
            }
        }
        if (frames.isEmpty()) {
            throw new RunnerException("benchmark " + row.benchmark() + " reported no 'frames' counter");
        }
        final double spread = frames.stream().mapToDouble(Double::doubleValue).max().orElse(0)
            - frames.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        return new Measured(row.id(), row.label(), median(frames), spread,
            bytesPerFrame.isEmpty() ? Double.NaN : median(bytesPerFrame));
    }

    static double median(List<Double> values) {
        final List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        final int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
