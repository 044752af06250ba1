package dev.steer.loadgen.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.BenchmarkException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;

/**
 * {@code steer bench}'s {@link BenchCommand.Trial} on JMH: runs one fork of a row and hands back its measurement
 * iterations' secondary scores, and says on one line why a run failed. Stateless; any thread; blocks for the run.
 */
final class JmhTrial {
    private JmhTrial() {
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
    static List<Map<String, Double>> run(Options options) throws RunnerException {
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
}
