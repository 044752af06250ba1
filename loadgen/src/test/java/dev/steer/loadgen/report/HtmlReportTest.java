package dev.steer.loadgen.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.steer.engine.stats.PathStats;
import dev.steer.loadgen.stats.Interval;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HtmlReportTest {
    private static final Pattern NETWORK_REFERENCE =
        Pattern.compile("(src|href)\\s*=\\s*[\"']?\\s*(https?:)?//", Pattern.CASE_INSENSITIVE);
    private static ReportFixture fixture;

    @BeforeAll
    static void runEngine() {
        fixture = new ReportFixture("html");
    }

    @Test
    void shouldWriteASelfContainedPageWithTheDataWhenGivenARun(@TempDir Path dir) throws Exception {
        final List<Interval> series = fixture.run.sampler().series();
        final Histogram latency = fixture.run.recorder().cumulative();
        final Path index = HtmlReport.write(dir.resolve("report"), fixture.info, fixture.run.finalStats(), series,
            latency);
        final String html = Files.readString(index);

        final String library = HtmlReport.chartJs();
        assertTrue(library.length() > 100_000, "the Chart.js bundle was read from the webjar");
        assertTrue(html.contains(library), "Chart.js inlined unchanged");
        assertEquals("4.5.1", HtmlReport.chartJsVersion(), "version from the build's chartjs.version");
        assertFalse(NETWORK_REFERENCE.matcher(html).find(), "no src/href to the network");
        assertFalse(html.contains("<script src"), "no external script");
        assertEquals(3, html.split("<canvas").length - 1, "three charts");

        final int at = html.indexOf("const DATA = ");
        final String dataJson = html.substring(at + "const DATA = ".length(), html.indexOf(";\n", at));
        final JsonNode data = new ObjectMapper().readTree(dataJson);
        assertEquals(series.size(), data.get("t").size(), "one point per sample");
        for (PathStats consumer : fixture.run.finalStats().consumers()) {
            // Labelled as the live rows and the summary name the entry: its key and where it runs.
            final String label = "key " + consumer.key() + " cpu " + consumer.key();
            assertTrue(data.get("consumers").has(label), label + " charted: " + data.get("consumers"));
            assertEquals(series.size(), data.get("consumers").get(label).size());
        }
        assertTrue(data.get("latency").size() > 5, "latency distribution points");
        assertTrue(data.get("latency").get(0).get("x").asDouble() >= 1.0, "x is 1/(1-percentile)");
        assertTrue(html.contains(new RunSummary(fixture.info, fixture.run.finalStats(), fixture.latency)
            .accountingLine()), "summary table with the accounting line");
        assertTrue(html.contains(": OK"), "accounting OK");

        final JsonNode summary = new ObjectMapper().readTree(dir.resolve("report").resolve(HtmlReport.JSON).toFile());
        assertEquals(0, summary.at("/accounting/lost").asLong());
        assertEquals(fixture.run.finalStats().accounting().received(), summary.at("/accounting/received").asLong());
    }

    @Test
    void shouldShowTheCaptureDamageInRedWhenTheReplayStoppedAtDamage(@TempDir Path dir) throws Exception {
        final var json = JsonReport.toJson(fixture.info, fixture.run.finalStats(), fixture.latency);
        json.putNull("failure");
        final DamagedCapture damage = new DamagedCapture("pcap:cut.pcap", "/tmp/cut.pcap", 2988, "RECORD_DATA_CUT",
            "6 of incl_len 60 bytes");
        damage.toJson(json.putArray(DamagedCapture.JSON_ARRAY).addObject());
        final Path index = HtmlReport.write(dir.resolve("report"), fixture.info, fixture.run.finalStats(),
            fixture.run.sampler().series(), fixture.run.recorder().cumulative(), json, 0);
        final String html = Files.readString(index);
        assertTrue(html.contains("<p class=\"lost\">"), "the run exits 3: not a green OK");
        assertTrue(html.contains(": OK; " + damage.describe() + "</p>"), "the damage, as the summary says it");
    }

    @Test
    void shouldShowAFeedNameAsWrittenWhenItHoldsTheTextOfAPlaceholderOfThePage(@TempDir Path dir) throws Exception {
        // A pcap file may be named anything, "@CHARTJS@.pcap" too; the page is filled in placeholder by placeholder.
        final String feed = "pcap:/data/@CHARTJS@ @DATA@ & \"x\".pcap";
        final RunInfo info = new RunInfo("l4-hash", feed, "0-1", fixture.info.startedAt(), fixture.info.duration());
        final Path index = HtmlReport.write(dir.resolve("report"), info, fixture.run.finalStats(),
            fixture.run.sampler().series(), fixture.run.recorder().cumulative());
        final String html = Files.readString(index);
        final String library = HtmlReport.chartJs();
        assertEquals(html.indexOf(library), html.lastIndexOf(library), "Chart.js inlined once, in its script");
        assertTrue(html.contains("<title>" + HtmlReport.escape("Steer run: l4-hash, " + feed) + "</title>"),
            "the title names the feed as written");
    }

    @Test
    void shouldWriteOneCsvRowPerSampleUnderADocumentedHeader(@TempDir Path dir) throws Exception {
        final List<Interval> series = fixture.run.sampler().series();
        HtmlReport.write(dir, fixture.info, fixture.run.finalStats(), series, fixture.run.recorder().cumulative());
        final List<String> lines = Files.readAllLines(dir.resolve(HtmlReport.CSV));
        final List<String> consumers = TimeSeriesCsv.consumers(series);
        assertEquals(TimeSeriesCsv.header(consumers), lines.get(0));
        assertTrue(lines.get(0).startsWith("t_s,interval_s,rx_pps,delivered_pps,dropped_pps,in_flight,"), lines.get(0));
        assertTrue(lines.get(0).contains(",pps_key-0,pps_key-1,"), lines.get(0));
        assertTrue(lines.get(0).endsWith(",drop_unreachable_pps"), lines.get(0));
        assertEquals(series.size() + 1, lines.size(), "header and one row per sample");
        final int columns = lines.get(0).split(",").length;
        long received = 0;
        for (int i = 1; i < lines.size(); i++) {
            final String[] cells = lines.get(i).split(",");
            assertEquals(columns, cells.length, "row " + i);
            final Interval interval = series.get(i - 1);
            assertEquals(interval.seconds(), Double.parseDouble(cells[1]), 0.0005);
            assertEquals(interval.rate(interval.accounting().received()), Double.parseDouble(cells[2]), 0.0005);
            received += interval.accounting().received();
        }
        assertTrue(received > 0, "traffic in the series");
    }

    @Test
    void shouldWriteAnHgrmThatParsesBackToTheHistogram(@TempDir Path dir) throws Exception {
        final Histogram latency = fixture.run.recorder().cumulative();
        HtmlReport.write(dir, fixture.info, fixture.run.finalStats(), fixture.run.sampler().series(), latency);
        final List<String> lines = Files.readAllLines(dir.resolve(HtmlReport.HGRM));
        assertTrue(lines.get(0).trim().matches("Value\\s+Percentile\\s+TotalCount\\s+1/\\(1-Percentile\\)"),
            lines.get(0));
        final List<double[]> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            final String trimmed = line.trim();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            final String[] cells = trimmed.split("\\s+");
            assertTrue(cells.length == 3 || cells.length == 4, line);
            rows.add(new double[] {Double.parseDouble(cells[0]), Double.parseDouble(cells[1]),
                Double.parseDouble(cells[2])});
        }
        assertTrue(rows.size() > 10, "percentile rows");
        for (int i = 1; i < rows.size(); i++) {
            assertTrue(rows.get(i)[0] >= rows.get(i - 1)[0], "values ascend");
            assertTrue(rows.get(i)[1] >= rows.get(i - 1)[1], "percentiles ascend");
        }
        final double[] last = rows.get(rows.size() - 1);
        assertEquals(1.0, last[1], 1e-9, "ends at the 100th percentile");
        assertEquals(latency.getTotalCount(), (long) last[2], "total count");
        assertEquals(latency.getMaxValue() / 1000.0, last[0], latency.getMaxValue() / 1000.0 * 0.002, "max in us");
        final String footer = String.join("\n", lines);
        assertTrue(Pattern.compile("Total count\\s+=\\s+" + latency.getTotalCount() + "]").matcher(footer).find(), footer);
    }
}
