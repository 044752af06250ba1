package dev.steer.loadgen.report;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters.Counter;
import dev.steer.loadgen.stats.Units;
import dev.steer.engine.stats.PathStats;
import dev.steer.loadgen.stats.EntryPlaces;
import dev.steer.loadgen.stats.Interval;
import dev.steer.loadgen.stats.LatencySnapshot;

/**
 * The offline report of a run, a directory of four files:
 * <ul>
 *   <li>{@value #INDEX}: one self-contained page (Chart.js inlined from its webjar, no network reference)
 *       with charts of frames/s per consumer over time, drops by reason over time, the latency percentile
 *       distribution on a log-scaled percentile axis, and the summary table (with the {@link FeedCounts} line of
 *       a UDP or AF_PACKET feed that overran or whose link went down and of every Aeron feed, and the
 *       {@link CaptureCounts} lines of a pcap run, whose possible loss
 *       shows as a warning, not as a failure); a replay stopped at damage adds its
 *       {@link DamagedCapture#describe()} line, the summary's words, to the accounting line, in red;</li>
 *   <li>{@value #CSV}: the time series ({@link TimeSeriesCsv});</li>
 *   <li>{@value #HGRM}: the cumulative latency histogram as HdrHistogram's percentile distribution, in
 *       microseconds;</li>
 *   <li>{@value #JSON}: the {@link JsonReport} object.</li>
 * </ul>
 *
 * <p>Stateless; any thread; allocates and does file I/O, off the data path.
 */
public final class HtmlReport {
    /** Name of the page. */
    public static final String INDEX = "index.html";
    /** Name of the time series. */
    public static final String CSV = "timeseries.csv";
    /** Name of the latency distribution. */
    public static final String HGRM = "latency.hgrm";
    /** Name of the JSON object. */
    public static final String JSON = "summary.json";
    /** HdrHistogram's percentile ticks per half distance in the .hgrm and the chart. */
    public static final int PERCENTILE_TICKS = 5;

    private static final String VERSION_RESOURCE = "dev/steer/loadgen/report/chartjs.properties";
    private static final String CHART_JS = "META-INF/resources/webjars/chart.js/%s/dist/chart.umd.min.js";
    /** A placeholder of the page's template: {@code @TITLE@}, {@code @DATA@}... */
    private static final Pattern PLACEHOLDER = Pattern.compile("@[A-Z_]+@");

    private HtmlReport() {
    }

    /**
     * Writes the four files into {@code dir}, creating it if needed and replacing files of the same names.
     *
     * @param dir        the report directory
     * @param info       what the run was
     * @param stats      the final stats
     * @param series     the sampler's time series, oldest first; may be empty
     * @param cumulative every latency of the run, in nanoseconds; null or empty when not recorded
     * @return the page's path
     * @throws UncheckedIOException naming the file that could not be written
     */
    public static Path write(Path dir, RunInfo info, EngineStats stats, List<Interval> series, Histogram cumulative) {
        final Histogram latency = cumulative == null ? new Histogram(3) : cumulative;
        final LatencySnapshot percentiles = LatencySnapshot.of(latency);
        return write(dir, info, stats, series, latency, JsonReport.toJson(info, stats, percentiles), 0);
    }

    /**
     * As {@link #write(Path, RunInfo, EngineStats, List, Histogram)}, with the run's own JSON as {@code summary.json}
     * (the object {@code steer run --json} prints, transport and links included) and frames the run lost outside
     * the engine (sent into a reliable transport, never received), which the page's accounting line adds.
     */
    public static Path write(Path dir, RunInfo info, EngineStats stats, List<Interval> series, Histogram cumulative,
                             ObjectNode summaryJson, long lostOutside) {
        Objects.requireNonNull(dir, "dir");
        final Histogram latency = cumulative == null ? new Histogram(3) : cumulative;
        final LatencySnapshot percentiles = LatencySnapshot.of(latency);
        try {
            Files.createDirectories(dir);
        } catch (IOException ex) {
            throw new UncheckedIOException("report directory " + dir + ": cannot be created", ex);
        }
        writeFile(dir.resolve(JSON), summaryJson.toString() + "\n");
        final StringWriter csv = new StringWriter();
        TimeSeriesCsv.write(csv, series);
        writeFile(dir.resolve(CSV), csv.toString());
        writeFile(dir.resolve(HGRM), hgrm(latency));
        final RunSummary summary = new RunSummary(info, stats, percentiles);
        final Path index = dir.resolve(INDEX);
        final String failure = summaryJson.hasNonNull("failure") ? summaryJson.get("failure").asText() : null;
        writeFile(index, page(info, summary, lostOutside, failure, DamagedCapture.allFromJson(summaryJson),
            CaptureCounts.allFromJson(summaryJson), FeedCounts.allFromJson(summaryJson),
            chartData(series, latency, info.places())));
        return index;
    }

    /** The Chart.js version the page inlines, from the build's {@code chartjs.version} property. */
    public static String chartJsVersion() {
        try (InputStream in = HtmlReport.class.getClassLoader().getResourceAsStream(VERSION_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(VERSION_RESOURCE + ": missing from the class path");
            }
            final Properties properties = new Properties();
            properties.load(in);
            final String version = properties.getProperty("version", "");
            if (version.isEmpty() || version.contains("${")) {
                throw new IllegalStateException(VERSION_RESOURCE + ": version=" + version
                    + ": must be the chartjs.version of the build (resource filtering off?)");
            }
            return version;
        } catch (IOException ex) {
            throw new UncheckedIOException(VERSION_RESOURCE + ": cannot be read", ex);
        }
    }

    /** The minified Chart.js UMD bundle from the webjar on the class path. */
    public static String chartJs() {
        final String resource = String.format(Locale.ROOT, CHART_JS, chartJsVersion());
        try (InputStream in = HtmlReport.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + ": missing from the class path (the chart.js webjar)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException ex) {
            throw new UncheckedIOException(resource + ": cannot be read", ex);
        }
    }

    /** HdrHistogram's percentile distribution of {@code latency} (nanoseconds) in microseconds. */
    static String hgrm(Histogram latency) {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            latency.outputPercentileDistribution(out, PERCENTILE_TICKS, 1000.0);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * The data the page's charts draw: {@code t}, {@code consumers} (by the names the live statistics and the
     * summary give them, {@code key K cpu C}), {@code drops}, {@code latency}.
     */
    static ObjectNode chartData(List<Interval> series, Histogram latency, EntryPlaces places) {
        final ObjectNode data = JsonReport.mapper().createObjectNode();
        final long origin = series.isEmpty() ? 0 : series.get(0).startNs();
        final ArrayNode t = data.putArray("t");
        for (Interval in : series) {
            t.add(Math.round((in.endNs() - origin) / 1e6) / 1e3);
        }
        final ObjectNode consumers = data.putObject("consumers");
        for (String name : TimeSeriesCsv.consumers(series)) {
            final ArrayNode values = consumers.putArray(label(series, name, places));
            for (Interval in : series) {
                long received = 0;
                for (PathStats row : in.consumers()) {
                    if (row.name().equals(name)) {
                        received = row.get(Counter.RECEIVED);
                    }
                }
                values.add(Math.round(in.rate(received)));
            }
        }
        final ObjectNode drops = data.putObject("drops");
        for (DropReason reason : DropReason.values()) {
            boolean any = false;
            for (Interval in : series) {
                any |= in.accounting().dropped(reason) != 0;
            }
            if (any) {
                final ArrayNode values = drops.putArray(reason.label());
                for (Interval in : series) {
                    values.add(Math.round(in.rate(in.accounting().dropped(reason))));
                }
            }
        }
        final ArrayNode points = data.putArray("latency");
        if (latency.getTotalCount() > 0) {
            for (HistogramIterationValue v : latency.percentiles(PERCENTILE_TICKS)) {
                final double percentile = v.getPercentileLevelIteratedTo();
                if (percentile >= 100.0) {
                    continue; // 1/(1-p) is infinite: the max is in the summary table
                }
                points.addObject().put("p", percentile).put("x", 1.0 / (1.0 - percentile / 100.0))
                    .put("us", v.getValueIteratedTo() / 1000.0);
            }
        }
        return data;
    }

    /** The chart label of the consumer row {@code name}: its first row's {@link EntryPlaces#label}. */
    private static String label(List<Interval> series, String name, EntryPlaces places) {
        for (Interval in : series) {
            for (PathStats row : in.consumers()) {
                if (row.name().equals(name)) {
                    return places.label(row);
                }
            }
        }
        return name;
    }

    private static String page(RunInfo info, RunSummary summary, long lostOutside, String failure,
                               List<DamagedCapture> damage, List<CaptureCounts> captures, List<FeedCounts> feeds,
                               ObjectNode data) {
        // '<' never occurs outside JSON strings, so escaping it keeps "</script>" out of the data block.
        final String dataJs = data.toString().replace("<", "\\u003c");
        final String library = chartJs().replaceAll("(?i)</script", "<\\\\/script");
        final String title = escape("Steer run: " + info.program() + ", " + info.feed());
        // The feed and capture lines as the text summary prints them; possible loss as a warning, not in red: the
        // replay ended.
        final StringBuilder captureLines = new StringBuilder();
        for (String line : FeedCounts.lines(feeds)) {
            captureLines.append(line).append('\n');
        }
        final StringBuilder warnings = new StringBuilder();
        for (CaptureCounts capture : captures) {
            captureLines.append(capture.describe()).append('\n');
            if (capture.possibleLoss()) {
                warnings.append("<p class=\"warn\">warning: ").append(escape(capture.warning())).append("</p>\n");
            }
        }
        // A replay stopped at damage in its file exits 3 as a failure does: the page says so, in red, not a green OK,
        // in the words of the text summary.
        final StringBuilder failed = new StringBuilder();
        if (failure != null) {
            failed.append("; the run failed: ").append(failure);
        }
        for (DamagedCapture each : damage) {
            failed.append("; ").append(each.describe());
        }
        return fill(TEMPLATE, Map.of(
            "@TITLE@", title,
            "@OK_CLASS@", summary.accounted() && lostOutside == 0 && failed.isEmpty() ? "ok" : "lost",
            "@ACCOUNTING@", escape(summary.accountingLine() + (lostOutside == 0 ? ""
                : "; sent into the transport and never received: LOST " + Units.count(lostOutside)) + failed),
            "@WARNINGS@", warnings.toString(),
            "@SUMMARY@", escape(summary.format() + captureLines),
            "@VERSION@", escape(chartJsVersion()),
            "@DATA@", dataJs,
            "@CHARTJS@", library));
    }

    /**
     * {@code template} with each of its placeholders replaced by its value, in one pass over the template: a value is
     * never searched for placeholders itself. (Replaced one after another, a feed named {@code @CHARTJS@.pcap} in the
     * title and the summary got the whole Chart.js library pasted into both.)
     */
    static String fill(String template, Map<String, String> values) {
        final Matcher placeholder = PLACEHOLDER.matcher(template);
        final StringBuilder out = new StringBuilder(template.length() + values.values().stream()
            .mapToInt(String::length).sum());
        while (placeholder.find()) {
            final String value = values.get(placeholder.group());
            placeholder.appendReplacement(out, Matcher.quoteReplacement(value == null ? placeholder.group() : value));
        }
        placeholder.appendTail(out);
        return out.toString();
    }

    /** HTML text escape of {@code &}, {@code <}, {@code >} and quotes. */
    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static void writeFile(Path file, String content) {
        try {
            Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException ex) {
            throw new UncheckedIOException("report file " + file + ": cannot be written", ex);
        }
    }

    private static final String TEMPLATE = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>@TITLE@</title>
        <style>
        body { font-family: sans-serif; margin: 1.5em; max-width: 1100px; }
        .chart { position: relative; height: 360px; margin-bottom: 2em; }
        pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; }
        .ok { color: #17692c; font-weight: bold; }
        .lost { color: #b00020; font-weight: bold; }
        .warn { color: #8a5a00; font-weight: bold; }
        </style>
        </head>
        <body>
        <h1>@TITLE@</h1>
        <p class="@OK_CLASS@">@ACCOUNTING@</p>
        @WARNINGS@
        <h2>Frames/s per consumer</h2>
        <div class="chart"><canvas id="pps"></canvas></div>
        <h2>Drops by reason</h2>
        <div class="chart"><canvas id="drops"></canvas></div>
        <h2>Latency by percentile (ingress to handler)</h2>
        <div class="chart"><canvas id="latency"></canvas></div>
        <h2>Summary</h2>
        <pre>@SUMMARY@</pre>
        <p>Files: summary.json, timeseries.csv, latency.hgrm. Charts drawn by Chart.js @VERSION@, inlined.</p>
        <script>
        @CHARTJS@
        </script>
        <script>
        const DATA = @DATA@;
        const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f',
          '#bcbd22', '#17becf'];
        function datasets(byName) {
          return Object.keys(byName).map((name, i) => ({
            label: name,
            data: byName[name].map((y, j) => ({x: DATA.t[j], y: y})),
            borderColor: COLORS[i % COLORS.length], backgroundColor: COLORS[i % COLORS.length],
            pointRadius: 1.5, borderWidth: 1.5
          }));
        }
        function timeChart(id, byName, unit) {
          const sets = datasets(byName);
          if (sets.length === 0) {
            sets.push({label: 'none', data: DATA.t.map(x => ({x: x, y: 0})), borderColor: '#999'});
          }
          new Chart(document.getElementById(id), {
            type: 'line', data: {datasets: sets},
            options: {animation: false, maintainAspectRatio: false, scales: {
              x: {type: 'linear', title: {display: true, text: 'seconds'}},
              y: {beginAtZero: true, title: {display: true, text: unit}}}}
          });
        }
        timeChart('pps', DATA.consumers, 'frames/s');
        timeChart('drops', DATA.drops, 'drops/s');
        new Chart(document.getElementById('latency'), {
          type: 'line',
          data: {datasets: [{label: 'latency (us)', data: DATA.latency.map(p => ({x: p.x, y: p.us, p: p.p})),
            borderColor: COLORS[0], backgroundColor: COLORS[0], pointRadius: 1, borderWidth: 1.5, stepped: true}]},
          options: {animation: false, maintainAspectRatio: false,
            plugins: {tooltip: {callbacks: {label: c => c.raw.p.toFixed(4) + '%: ' + c.raw.y + ' us'}}},
            scales: {
              x: {type: 'logarithmic', min: 1, title: {display: true, text: 'percentile'},
                ticks: {callback: v => {
                  const l = Math.log10(v);
                  return Math.abs(l - Math.round(l)) < 1e-9 ? parseFloat((100 - 100 / v).toFixed(6)) + '%' : '';
                }}},
              y: {beginAtZero: true, title: {display: true, text: 'microseconds'}}}}
        });
        </script>
        </body>
        </html>
        """;
}
