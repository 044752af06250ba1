package dev.steer.loadgen.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.BenchmarkException;
import org.openjdk.jmh.runner.Runner;
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
    Trial trial = BenchCommand::runJmh;
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
        final Map<String, Double> ratios = ratios(measured);
        if (json) {
            out.println(toJson(measured, ratios));
        } else {
            printTable(out, measured, ratios);
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
                final String forkCause = (forks == 1 ? "" : "fork " + fork + " of " + forks + ": ") + cause(ex);
                final List<String> forkOutput = ex instanceof ForkFailure failure ? failure.output : List.of();
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
            final String noFigures = cause(ex);
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
     * A row's failure with the last lines of its fork that exited with a non-zero code: the message and cause are
     * JMH's, as {@link #cause} reads them.
     */
    static final class ForkFailure extends RunnerException {
        private static final long serialVersionUID = 1L;

        /** {@link ForkOutput#lines()} of the run. */
        final transient List<String> output;

        ForkFailure(RunnerException failure, List<String> output) {
            super(failure.getMessage(), failure.getCause());
            this.output = List.copyOf(output);
        }
    }

    /**
     * JMH's run of {@code options}: the secondary scores of each measurement iteration of its one benchmark; a
     * failure is a {@link ForkFailure} when a fork exited with a non-zero code and wrote something before it did.
     */
    static List<Map<String, Double>> runJmh(Options options) throws RunnerException {
        final ForkOutput output = new ForkOutput();
        final Collection<RunResult> results;
        try {
            results = new Runner(options, output).run();
        } catch (RunnerException ex) {
            final List<String> lines = output.lines();
            throw lines.isEmpty() ? ex : new ForkFailure(ex, lines);
        }
        if (results.isEmpty()) {
            throw new RunnerException("no result for " + options.getIncludes());
        }
        final List<Map<String, Double>> iterations = new ArrayList<>();
        for (BenchmarkResult benchmark : results.iterator().next().getBenchmarkResults()) {
            for (IterationResult iteration : benchmark.getIterationResults()) {
                final Map<String, Double> scores = new LinkedHashMap<>();
                iteration.getSecondaryResults().forEach((label, result) -> scores.put(label, result.getScore()));
                iterations.add(scores);
            }
        }
        return iterations;
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

    /**
     * What made a row fail, on one line: the error the fork threw (JMH wraps it as a {@link BenchmarkException}'s
     * suppressed error inside a {@link RunnerException}), and its root cause where it has one.
     */
    static String cause(RunnerException failure) {
        Throwable error = failure;
        int more = 0;
        if (error.getCause() instanceof BenchmarkException benchmark) {
            error = benchmark;
        }
        if (error instanceof BenchmarkException benchmark && benchmark.getSuppressed().length > 0) {
            more = benchmark.getSuppressed().length - 1;
            error = benchmark.getSuppressed()[0];
        }
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        final String text = describe(error) + (root == error ? "" : " (" + describe(root) + ")")
            + (more == 0 ? "" : " and " + more + " more");
        return text.replaceAll("\\s+", " ").trim();
    }

    private static String describe(Throwable error) {
        if (error instanceof RunnerException && error.getMessage() != null) {
            return error.getMessage();
        }
        return error.getClass().getSimpleName() + (error.getMessage() == null ? "" : ": " + error.getMessage());
    }

    static double median(List<Double> values) {
        final List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        final int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** The ratios printed, each as the ids of its two rows: top / bottom. */
    private static final List<List<String>> RATIOS = List.of(List.of("engine", "raw_ring"),
        List.of("engine", "tell_per_frame"), List.of("engine_backoff", "raw_ring"),
        List.of("engine_backoff", "tell_per_frame"), List.of("engine_on_aeron", "aeron_alone"),
        List.of("engine_on_aeron_backoff", "aeron_alone"));

    /** Every ratio of {@link #RATIOS} whose two rows were measured and did not fail and whose bottom is above 0. */
    static Map<String, Double> ratios(List<Measured> rows) {
        final Map<String, Double> byId = new LinkedHashMap<>();
        // A failed row's partial figures are shown, but the row failed: no ratio is taken from it.
        rows.stream().filter(row -> row.failed() == null).forEach(row -> byId.put(row.id(), row.framesPerSecond()));
        final Map<String, Double> ratios = new LinkedHashMap<>();
        for (List<String> pair : RATIOS) {
            final Double top = byId.get(pair.get(0));
            final Double bottom = byId.get(pair.get(1));
            if (top != null && bottom != null && !top.isNaN() && bottom > 0) {
                ratios.put(ratioName(pair), top / bottom);
            }
        }
        return ratios;
    }

    /** The noisy rows of each ratio of {@code ratios} computed from one or two noisy rows, by the ratio's name. */
    static Map<String, List<String>> noisyRatios(List<Measured> rows, Map<String, Double> ratios) {
        final List<String> noisy = rows.stream().filter(Measured::noisy).map(Measured::id).toList();
        final Map<String, List<String>> marked = new LinkedHashMap<>();
        for (List<String> pair : RATIOS) {
            final String name = ratioName(pair);
            final List<String> from = pair.stream().filter(noisy::contains).toList();
            if (ratios.containsKey(name) && !from.isEmpty()) {
                marked.put(name, from);
            }
        }
        return marked;
    }

    /** A ratio's name in {@link #ratios} and {@link #noisyRatios}: {@code top / bottom}. */
    private static String ratioName(List<String> pair) {
        return pair.get(0) + " / " + pair.get(1);
    }

    static void printTable(PrintWriter out, List<Measured> rows, Map<String, Double> ratios) {
        out.printf(Locale.ROOT, "%-24s %-66s %15s %13s %9s%n", "row", "what", "frames/s", "spread", "B/frame");
        for (Measured row : rows) {
            if (row.skipped() != null) {
                out.printf(Locale.ROOT, "%-24s %-66s skipped: %s%n", row.id(), row.label(), row.skipped());
            } else if (!row.measured()) {
                out.printf(Locale.ROOT, "%-24s %-66s failed: %s%n", row.id(), row.label(), row.failed().cause());
                row.failed().output().forEach(line -> out.println("    " + line));
            } else {
                final Failure failed = row.failed();
                out.printf(Locale.ROOT, "%-24s %-66s %,15.0f %,13.0f %9.3f%s%s%n", row.id(), row.label(),
                    row.framesPerSecond(), row.framesSpread(), row.bytesPerFrame(), row.noisy() ? "  noisy" : "",
                    failed == null ? "" : "  partial: " + failed.forksMeasured() + " of " + failed.forks() + " forks");
                if (failed != null) {
                    out.println("    failed: " + failed.cause());
                    failed.output().forEach(line -> out.println("    " + line));
                }
            }
        }
        out.println("(frames/s and B/frame are medians over the measurement iterations; spread = max - min)");
        if (rows.stream().anyMatch(row -> row.failed() != null && row.failed().partial())) {
            out.println("(partial: the figures of the forks that measured; the row failed, so no ratio uses it)");
        }
        if (rows.stream().anyMatch(Measured::noisy)) {
            out.printf(Locale.ROOT, "(noisy: spread over %.0f %% of frames/s, so that row and every ratio from it are"
                + " rough; --forks N or a quieter host)%n", NOISY_SPREAD * 100);
        }
        out.println();
        final Map<String, List<String>> noisy = noisyRatios(rows, ratios);
        ratios.forEach((name, value) -> out.printf(Locale.ROOT, "%-40s %8.2f%s%n", name, value,
            noisy.containsKey(name) ? "  noisy: " + String.join(", ", noisy.get(name)) : ""));
    }

    static String toJson(List<Measured> rows, Map<String, Double> ratios) {
        final Map<String, Object> root = new LinkedHashMap<>();
        final List<Map<String, Object>> list = new ArrayList<>();
        for (Measured row : rows) {
            final Map<String, Object> item = new LinkedHashMap<>();
            item.put("id", row.id());
            item.put("what", row.label());
            item.put("frames_per_second", row.measured() ? Math.round(row.framesPerSecond()) : null);
            item.put("frames_per_second_spread", row.measured() ? Math.round(row.framesSpread()) : null);
            item.put("bytes_per_frame", Double.isNaN(row.bytesPerFrame()) ? null : row.bytesPerFrame());
            item.put("noisy", row.measured() ? row.noisy() : null);
            if (row.skipped() != null) {
                item.put("skipped", row.skipped());
            }
            final Failure failed = row.failed();
            if (failed != null) {
                // The cause, then the dying fork's last lines, one per line.
                item.put("failed", failed.output().isEmpty() ? failed.cause()
                    : failed.cause() + "\n" + String.join("\n", failed.output()));
                item.put("forks_measured", failed.forksMeasured());
                item.put("forks", failed.forks());
            }
            list.add(item);
        }
        root.put("rows", list);
        root.put("ratios", ratios);
        root.put("noisy_ratios", noisyRatios(rows, ratios));
        try {
            return new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
