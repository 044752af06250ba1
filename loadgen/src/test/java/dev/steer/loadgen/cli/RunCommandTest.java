package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.steer.ingress.pcap.PcapWriter;
import dev.steer.loadgen.traffic.TrafficGenerator;
import dev.steer.loadgen.traffic.TrafficProfile;

/** Real runs of {@code steer run}: embedded Aeron driver, engine, senders; short durations. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RunCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(CliRunner result) throws IOException {
        final String out = result.out().strip();
        assertTrue(out.startsWith("{") && out.endsWith("}") && out.lines().count() == 1,
            "stdout is exactly one JSON object: " + result);
        return JSON.readTree(out);
    }

    /** received = delivered + every drop reason + in flight, lost 0, in flight 0 after the run. */
    private static void assertBalanced(JsonNode root) {
        final JsonNode accounting = root.get("accounting");
        long dropped = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = accounting.get("dropped").fields(); it.hasNext(); ) {
            dropped += it.next().getValue().asLong();
        }
        assertEquals(0, accounting.get("in_flight").asLong(), accounting.toString());
        assertEquals(accounting.get("received").asLong(), accounting.get("delivered").asLong() + dropped, accounting.toString());
        assertEquals(0, accounting.get("lost").asLong(), accounting.toString());
        assertTrue(accounting.get("received").asLong() > 0, "traffic flowed: " + accounting);
    }

    @Test
    void shouldRunTheDefaultJobOnAeronIpcAndPrintOneJsonObjectWhoseAccountingBalances() throws IOException {
        final CliRunner result = CliRunner.run("run", "--duration", "2s", "--interval", "500ms", "--json", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final JsonNode root = json(result);
        assertBalanced(root);
        assertEquals("l4-hash", root.get("run").get("program").asText());
        assertTrue(root.get("run").get("feed").asText().startsWith("aeron aeron:ipc"), root.get("run").toString());
        final JsonNode transport = root.get("transport");
        assertTrue(transport.get("reliable").asBoolean());
        assertEquals(transport.get("sent").asLong(), root.get("accounting").get("received").asLong(),
            "every frame published into Aeron reached the engine: " + transport);
        assertEquals(0, transport.get("not_received").asLong());
        assertTrue(root.get("latency_ns").get("count").asLong() > 0);
        assertTrue(root.get("latency_ns").get("p99").asLong() >= root.get("latency_ns").get("p50").asLong());
        assertTrue(result.err().contains("Summary"), "live statistics on stderr with --json: " + result.err());
        for (JsonNode pool : root.get("pools")) {
            assertTrue(pool.get("full").asBoolean(), pool.toString());
        }
        assertEquals(dev.steer.engine.map.CpuSet.fromMachine().usableCpus().length, root.get("map").get("entries").asInt(),
            "the map the traffic was steered over, one entry per usable CPU, not the empty map after shutdown: "
                + root.get("map"));
        assertTrue(root.get("map").get("version").asLong() > 0, root.get("map").toString());
    }

    @Test
    void shouldPrintLiveStatisticsAndTheSummaryWithACleanAccountingLine() {
        final CliRunner result = CliRunner.run("run", "--feed", "synthetic", "--duration", "1500ms", "--interval", "500ms",
            "--no-pin", "--rate", "200000");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertTrue(result.out().contains("Summary"), result.out());
        assertTrue(result.out().contains("kthread"), result.out());
        assertTrue(result.out().contains("Run summary"), result.out());
        assertTrue(result.out().contains(": OK"), result.out());
        assertTrue(result.err().contains("steer run: starting the engine"), "progress lines while starting: " + result.err());
    }

    @Test
    void shouldPrintEveryIntervalUpToTheEndOnStderrWhenTheOutputIsJson() throws IOException {
        // 1 s in 600 ms intervals: one whole interval, then a last one of about 400 ms.
        final CliRunner result = CliRunner.run("run", "--feed", "synthetic", "--duration", "1s", "--interval", "600ms",
            "--rate", "50k", "--json", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final double seconds = json(result).get("run").get("duration_s").asDouble();
        final java.util.regex.Matcher block = java.util.regex.Pattern.compile("(?m)^Summary +(\\d+\\.\\d) s").matcher(result.err());
        double covered = 0;
        while (block.find()) {
            covered += Double.parseDouble(block.group(1));
        }
        assertTrue(covered >= seconds - 0.15, "the live intervals on stderr cover the run's " + seconds + " s, not "
            + covered + " s:\n" + result.err());
    }

    @Test
    void shouldKeepTheAccountingExactWhileChurnChangesTheMap() throws IOException {
        final CliRunner result = CliRunner.run("run", "--feed", "synthetic", "--duration", "2s", "--churn", "20ms",
            "--qsize", "256", "--json", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final JsonNode root = json(result);
        assertBalanced(root);
        assertTrue(root.get("churn").get("operations").asLong() >= 20, root.get("churn").toString());
    }

    @Test
    void shouldReceiveUdpDatagramsFromItsOwnSender() throws IOException {
        final CliRunner result = CliRunner.run("run", "--feed", "udp", "--listen", "127.0.0.1:0", "--duration", "1500ms",
            "--rate", "20000", "--json", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final JsonNode root = json(result);
        assertBalanced(root);
        assertEquals(false, root.get("transport").get("reliable").asBoolean());
        assertTrue(root.get("accounting").get("received").asLong() > 1_000, root.toString());
    }

    @Test
    void shouldReplayAPcapFileOnceAndEndWhenItEnds(@TempDir Path dir) throws IOException {
        final Path file = writeCapture(dir.resolve("capture.pcap"), java.util.stream.LongStream.range(0, 5_000)
            .map(i -> i * 1_000L).toArray());
        final CliRunner result = CliRunner.run("run", "--feed", "pcap", "--pcap", file.toString(), "--duration", "30s",
            "--json", "--no-pin", "--lossless");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final JsonNode root = json(result);
        assertBalanced(root);
        assertEquals(5_000, root.get("accounting").get("received").asLong());
        assertEquals(5_000, root.get("accounting").get("delivered").asLong(), "lossless: nothing dropped");
        assertTrue(root.get("run").get("duration_s").asDouble() < 25, "the run ended with the file, not the duration");
    }

    @Test
    void shouldEndWhenAFastReplayEndsAndReportItsTrueTimeWhenTheFileIsShorterThanAStatsInterval(@TempDir Path dir)
        throws IOException {
        final Path file = writeCapture(dir.resolve("short.pcap"), java.util.stream.LongStream.range(0, 100).toArray());
        final CliRunner result = CliRunner.run("run", "--feed", "pcap", "--pcap", file.toString(), "--interval", "2s",
            "--duration", "30s", "--json", "--no-pin", "--lossless");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final JsonNode root = json(result);
        assertEquals(100, root.get("accounting").get("received").asLong());
        final double seconds = root.get("run").get("duration_s").asDouble();
        assertTrue(seconds < 1.0, "100 records replayed fast take milliseconds, not the 2 s interval: " + root.get("run"));
        assertTrue(root.get("ingresses").get(0).get("avg_received_pps").asDouble() > 100,
            "the average rate is over the replay's time: " + root.get("ingresses").get(0).get("avg_received_pps"));
    }

    @Test
    void shouldCutAnHourLongGapToMaxGapWhenReplayingAtCapturePace(@TempDir Path dir) throws IOException {
        final Path file = writeCapture(dir.resolve("idle-hour.pcap"), 0, 3_600_000_000_000L, 3_600_000_001_000L);
        final CliRunner result = CliRunner.run("run", "--feed", "pcap", "--pcap", file.toString(), "--pace", "capture",
            "--max-gap", "100ms", "--duration", "30s", "--json", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final JsonNode root = json(result);
        assertBalanced(root);
        assertEquals(3, root.get("accounting").get("received").asLong());
        assertTrue(root.get("run").get("duration_s").asDouble() < 25, "the hour in the capture took 100 ms: " + root.get("run"));
    }

    /** A pcap file of synthetic traffic (64 flows), one packet captured at each of {@code stamps} (ns). */
    static Path writeCapture(Path file, long... stamps) {
        final TrafficGenerator generator = new TrafficGenerator(TrafficProfile.defaults().withFlows(64));
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[2048]);
        try (PcapWriter writer = PcapWriter.create(file)) {
            for (long at : stamps) {
                writer.write(buffer, 0, generator.next(buffer, 0, buffer.capacity()), at);
            }
        }
        return file;
    }

    @Test
    void shouldWriteAnOfflineReportWithChartsAndRawData(@TempDir Path dir) throws IOException {
        final Path report = dir.resolve("report");
        final CliRunner result = CliRunner.run("run", "--feed", "synthetic", "--duration", "1s", "--interval", "250ms",
            "--no-pin", "--report", report.toString(), "--rate", "100000");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final String html = Files.readString(report.resolve("index.html"));
        assertTrue(html.contains("<canvas"), "charts");
        assertTrue(!html.contains("src=\"http") && !html.contains("href=\"http"), "opens offline");
        assertTrue(Files.readAllLines(report.resolve("timeseries.csv")).size() >= 3, "a header and rows");
        assertTrue(Files.size(report.resolve("latency.hgrm")) > 0);
        assertTrue(result.err().contains("report written to"), result.err());
    }

    @Test
    void shouldWriteTheSameJsonToTheReportAsToStdoutWhenTheFeedIsAeron(@TempDir Path dir) throws IOException {
        final Path report = dir.resolve("report");
        final CliRunner result = CliRunner.run("run", "--duration", "1s", "--interval", "500ms", "--no-pin", "--json",
            "--report", report.toString(), "--rate", "100000");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        final com.fasterxml.jackson.databind.JsonNode printed = mapper.readTree(result.out());
        final com.fasterxml.jackson.databind.JsonNode written = mapper.readTree(report.resolve("summary.json").toFile());
        assertTrue(written.has("transport"), "the transport, with what was sent and not received: " + written);
        assertEquals(printed, written, "summary.json is the object --json prints");
    }

    @Test
    void shouldCountOnlyTheMeasuredRunsFramesWhenTheFeedIsSynthetic(@TempDir Path dir) throws IOException {
        // The synthetic feed is held until the run's clock starts and held again when it stops: the summary's
        // totals and averages then cover what the time series covers, not the engine's start-up and drain too.
        final Path report = dir.resolve("report");
        final CliRunner result = CliRunner.run("run", "--feed", "synthetic", "--duration", "2s", "--interval", "500ms",
            "--no-pin", "--json", "--report", report.toString(), "--rate", "200000");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(result.out());
        final List<String> rows = Files.readAllLines(report.resolve("timeseries.csv"));
        double series = 0;
        for (String line : rows.subList(1, rows.size())) {
            final String[] cells = line.split(",");
            series += Double.parseDouble(cells[1]) * Double.parseDouble(cells[2]); // interval_s x rx_pps
        }
        final long total = json.get("accounting").get("received").asLong();
        assertTrue(Math.abs(total - series) <= 0.01 * series + 2_000, "the run's total " + total
            + " is what its time series received, " + series);
    }

    @Test
    void shouldRefuseTheReportPathBeforeTheRunWhenItIsAFile(@TempDir Path dir) throws IOException {
        final Path file = Files.writeString(dir.resolve("report"), "not a directory");
        final CliRunner result = CliRunner.run("run", "--feed", "synthetic", "--duration", "2s", "--no-pin",
            "--report", file.toString());
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertEquals("steer run: --report " + file + ": is a file, not a directory", result.err().strip(),
            "refused before anything started: " + result);
    }

    @Test
    void shouldRefuseAnEmptyReportPathRatherThanWriteTheReportIntoTheCurrentDirectory() {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> RunCommand.prepareReportDir(Path.of("")));
        assertTrue(error.getMessage().startsWith("--report '': "), error.getMessage());
        final CliRunner result = CliRunner.run("run", "--feed", "synthetic", "--duration", "2s", "--no-pin",
            "--report", "");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertEquals("steer run: --report '': must name a directory, e.g. --report report (--report . for the current"
            + " one)", result.err().strip(), "refused before anything started: " + result);
    }

    @Test
    void shouldRefuseTheReportPathBeforeTheRunWhenItCannotBeCreated(@TempDir Path dir) throws IOException {
        final Path report = Files.writeString(dir.resolve("file"), "x").resolve("report");
        final CliRunner result = CliRunner.run("run", "--feed", "synthetic", "--duration", "2s", "--no-pin",
            "--report", report.toString());
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertEquals("steer run: --report " + report + ": cannot create the directory (Not a directory)",
            result.err().strip(), "refused before anything started: " + result);
    }

    @Test
    void shouldSendTheRateInTotalNotPerQueueWhenASyntheticFeedHasSeveralQueues(@TempDir Path dir) throws IOException {
        final Path report = dir.resolve("report");
        final CliRunner result = CliRunner.run("run", "--feed", "synthetic", "--queues", "2", "--rate", "4000",
            "--duration", "2s", "--interval", "500ms", "--no-pin", "--report", report.toString());
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final java.util.List<String> rows = Files.readAllLines(report.resolve("timeseries.csv"));
        final java.util.List<String> header = java.util.List.of(rows.get(0).split(","));
        final int rx = header.indexOf("rx_pps");
        // Every whole interval (the last may be partial): 4,000/s plus at most one burst (64 frames) per queue's pacer,
        // and 10 % for where a sample falls on a loaded machine; a rate per queue would be 8,000/s.
        final int seconds = header.indexOf("interval_s");
        for (String row : rows.subList(1, rows.size() - 1)) {
            final double pps = Double.parseDouble(row.split(",")[rx]);
            final double interval = Double.parseDouble(row.split(",")[seconds]);
            assertEquals(true, pps <= 4_400 + 2 * 64 / interval, "received " + pps + "/s at --rate 4000 over 2 queues:\n"
                + String.join("\n", rows));
        }
    }

    @Test
    void shouldRefuseTheRateNamingItAndTheQueuesWhenItIsBelowOnePacketPerQueue() {
        final CliRunner result = CliRunner.run("run", "--feed", "synthetic", "--queues", "4", "--rate", "3");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().contains("command line: traffic.rate: 3 packets/s over 4 feed queues: the rate is the"
            + " total over every queue, at least 1 packet/s each: must be max or at least 4"), result.toString());
    }

    @Test
    void shouldRunAnIdleEngineWhenTheFeedIsSyntheticAndThereIsNoTraffic() throws IOException {
        final CliRunner result = CliRunner.run("run", "--feed", "synthetic", "--no-traffic", "--duration", "500ms",
            "--json", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final JsonNode root = json(result);
        assertEquals(0, root.get("accounting").get("received").asLong(), "no frame: " + root.get("accounting"));
        assertEquals(0, root.get("accounting").get("lost").asLong());
        assertTrue(root.get("run").get("feed").asText().contains("no traffic"), root.get("run").toString());
        assertTrue(root.get("run").get("duration_s").asDouble() >= 0.4, "it ran its duration: " + root.get("run"));
    }

    @Test
    void shouldRefuseThePcapFileBeforeTheRunWhenItIsNotACapture(@TempDir Path dir) throws IOException {
        final byte[] garbage = new byte[100];
        java.util.Arrays.fill(garbage, (byte) 0x55);
        final Path file = Files.write(dir.resolve("garbage.pcap"), garbage);
        final CliRunner result = CliRunner.run("run", "--feed", "pcap", "--pcap", file.toString(), "--no-pin");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().contains("steer run: pcap file " + file + ": is not a pcap or pcapng capture (offset 0:"
            + " BAD_MAGIC, magic 0x55555555)"), result.toString());
        assertTrue(!result.err().contains("starting the engine"), "refused before the engine started: " + result);
    }

    /** 10 records of 60 bytes (76 with their headers, after the 24-byte file header), the last one cut by 10 bytes. */
    private static Path cutCapture(Path dir) throws IOException {
        final Path file = writeCapture(dir.resolve("cut.pcap"), java.util.stream.LongStream.range(0, 10).toArray());
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file,
            java.nio.file.StandardOpenOption.WRITE)) {
            assertEquals(24 + 10 * 76, channel.size());
            channel.truncate(channel.size() - 10);
        }
        return file;
    }

    @Test
    void shouldReportWhereAndWhyTheCaptureIsDamagedInTheJsonAndFailWhenItIsCutInARecord(@TempDir Path dir)
        throws IOException {
        final Path file = cutCapture(dir);
        final CliRunner result = CliRunner.run("run", "--feed", "pcap", "--pcap", file.toString(), "--json", "--no-pin",
            "--lossless");
        assertEquals(SteerCli.EXIT_FAILED, result.exit(), result.toString());
        final JsonNode root = json(result);
        assertEquals(10, root.get("accounting").get("received").asLong(), root.get("accounting").toString());
        assertEquals(9, root.get("accounting").get("delivered").asLong(), "every whole record before the damage");
        assertEquals(1, root.get("accounting").get("dropped").get("feed_truncated").asLong(), "the cut record");
        final JsonNode damage = root.get("capture_damage");
        assertEquals(1, damage.size(), root.toString());
        assertEquals(file.toString(), damage.get(0).get("file").asText());
        assertEquals(24 + 9 * 76, damage.get(0).get("offset").asLong(), "the cut record's header");
        assertEquals("RECORD_DATA_CUT", damage.get(0).get("reason").asText());
        assertTrue(result.err().contains("steer run: capture damaged: pcap:cut.pcap stopped at " + file + ", offset 708:"
            + " RECORD_DATA_CUT"), result.toString());
    }

    @Test
    void shouldPrintTheDamageInTheSummaryWhenTheCaptureIsCutInARecord(@TempDir Path dir) throws IOException {
        final Path file = cutCapture(dir);
        final CliRunner result = CliRunner.run("run", "--feed", "pcap", "--pcap", file.toString(), "--no-pin");
        assertEquals(SteerCli.EXIT_FAILED, result.exit(), result.toString());
        assertTrue(result.out().contains("capture damaged: pcap:cut.pcap stopped at " + file + ", offset 708:"
            + " RECORD_DATA_CUT ("), result.toString());
    }

    @Test
    void shouldShowTheSummarysDamageWordsOnTheReportPageWhenTheCaptureIsCutInARecord(@TempDir Path dir)
        throws IOException {
        final Path file = cutCapture(dir);
        final Path report = dir.resolve("report");
        final CliRunner result = CliRunner.run("run", "--feed", "pcap", "--pcap", file.toString(), "--no-pin",
            "--report", report.toString());
        assertEquals(SteerCli.EXIT_FAILED, result.exit(), result.toString());
        final List<String> lines = result.out().lines().filter(line -> line.startsWith("capture damaged: ")).toList();
        assertEquals(1, lines.size(), result.toString());
        final String line = lines.get(0);
        assertTrue(line.endsWith("; every record before it was replayed"), line);
        assertTrue(result.err().contains("steer run: " + line + System.lineSeparator()), result.toString());
        final String html = Files.readString(report.resolve("index.html"));
        assertTrue(html.contains(line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\"", "&quot;")), "the page says what the summary says: " + line);
    }

    @Test
    void shouldReportAnEmptyDamageListWhenTheCaptureIsWhole(@TempDir Path dir) throws IOException {
        final Path file = writeCapture(dir.resolve("whole.pcap"), 0, 1, 2);
        final CliRunner result = CliRunner.run("run", "--feed", "pcap", "--pcap", file.toString(), "--json", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertEquals(0, json(result).get("capture_damage").size(), result.toString());
    }

    @Test
    void shouldEndPromptlyAndSaySoWhenThePcapFileHasNoPacketsAndLoopsForever(@TempDir Path dir) throws IOException {
        final Path file = writeCapture(dir.resolve("empty.pcap"));
        final CliRunner result = CliRunner.run("run", "--feed", "pcap", "--pcap", file.toString(), "--loops", "0",
            "--duration", "20s", "--json", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final JsonNode root = json(result);
        assertEquals(0, root.get("accounting").get("received").asLong());
        assertTrue(root.get("run").get("duration_s").asDouble() < 10, "the run ended with the file: " + root.get("run"));
        final JsonNode empty = root.get("capture_empty");
        assertEquals(1, empty.size(), root.toString());
        assertEquals("pcap:empty.pcap", empty.get(0).get("feed").asText());
        assertEquals(file.toString(), empty.get(0).get("file").asText());
        assertEquals(0, root.get("capture_damage").size(), "an empty capture is not damaged");
        assertTrue(result.err().contains("steer run: capture empty: pcap:empty.pcap: " + file + " has no packets;"
            + " the replay ended after pass 1"),
            result.toString());
    }
}
