package dev.steer.loadgen.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.steer.loadgen.cli.BenchCommand.Failure;
import dev.steer.loadgen.cli.BenchCommand.Measured;

/**
 * What {@code steer bench} prints of its measured rows: the ratios between rows, and the rows with them as a table
 * or as one JSON object. Stateless; any thread; allocates, off any data path.
 */
final class BenchReport {
    private BenchReport() {
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
                + " rough; --forks N or a quieter host)%n", BenchCommand.NOISY_SPREAD * 100);
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
