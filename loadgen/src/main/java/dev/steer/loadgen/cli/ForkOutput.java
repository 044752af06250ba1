package dev.steer.loadgen.cli;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.format.OutputFormat;

/**
 * JMH's output for {@code steer bench}: prints nothing, and keeps the last lines a forked JVM wrote when it exited
 * with a non-zero code. JMH reports such a fork only by its exit code; it prints the tail of the fork's stdout and
 * stderr to its output format (as {@code <forked VM failed with exit code N>}, then {@code <stdout ...>} and
 * {@code <stderr ...>} blocks), which is where the cause of a crash, a kill or a refused JVM flag is.
 * Its methods may be called from JMH's threads; {@link #lines()} from any thread.
 */
final class ForkOutput implements OutputFormat {
    /** Most lines kept. */
    static final int MAX_LINES = 20;
    /** Most characters kept, over every line kept. */
    static final int MAX_CHARS = 4096;

    private static final String FAILED = "<forked VM failed with exit code";

    private final Deque<String> lines = new ArrayDeque<>();
    private String stream;

    /**
     * The last lines of the last fork that failed, each prefixed with its stream ({@code stderr: }), stdout's before
     * stderr's, at most {@link #MAX_LINES} of them and {@link #MAX_CHARS} characters in all (a longer last line is cut
     * at its end); empty when no fork exited with a non-zero code.
     */
    synchronized List<String> lines() {
        final List<String> kept = new ArrayList<>();
        int chars = 0;
        for (var last = lines.descendingIterator(); last.hasNext() && kept.size() < MAX_LINES; ) {
            String line = last.next();
            if (chars + line.length() > MAX_CHARS) {
                if (!kept.isEmpty()) {
                    break;
                }
                line = line.substring(0, MAX_CHARS - 3) + "...";
            }
            kept.addFirst(line);
            chars += line.length();
        }
        return List.copyOf(kept);
    }

    @Override
    public synchronized void println(String line) {
        if (line.startsWith(FAILED)) {
            lines.clear();
            stream = null;
        } else if (line.startsWith("<stdout ") || line.startsWith("<stderr ")) {
            stream = line.substring(1, 7);
        } else if (line.equals("</stdout>") || line.equals("</stderr>")) {
            stream = null;
        } else if (stream != null && !line.isBlank()) {
            lines.addLast(stream + ": " + line.stripTrailing());
            if (lines.size() > MAX_LINES) {
                lines.removeFirst();
            }
        }
    }

    @Override
    public void iteration(BenchmarkParams benchParams, IterationParams params, int iteration) {
    }

    @Override
    public void iterationResult(BenchmarkParams benchParams, IterationParams params, int iteration,
                                IterationResult data) {
    }

    @Override
    public void startBenchmark(BenchmarkParams benchParams) {
    }

    @Override
    public void endBenchmark(BenchmarkResult result) {
    }

    @Override
    public void startRun() {
    }

    @Override
    public void endRun(Collection<RunResult> result) {
    }

    @Override
    public void print(String s) {
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }

    @Override
    public void verbosePrintln(String s) {
    }

    /** The fork's output as it runs, which JMH also copies here; only the tail it prints on a failure is kept. */
    @Override
    public void write(int b) {
    }

    @Override
    public void write(byte[] b) {
    }
}
