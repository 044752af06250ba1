package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The bench table's arithmetic: medians, ratios between rows and the JSON form; no JMH run here. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BenchCommandTest {
    private static BenchCommand.Measured row(String id, double rate) {
        return new BenchCommand.Measured(id, id + " label", rate, rate / 10, 0.0);
    }

    /** The measurement iterations JMH would be asked for with {@code args}; nothing runs. */
    private static int measurementIterations(String... args) {
        final BenchCommand bench = new BenchCommand();
        new picocli.CommandLine(bench).parseArgs(args);
        return bench.options(BenchCommand.ROWS.get(0)).build().getMeasurementIterations().get();
    }

    @Test
    void shouldMeasureTheGivenIterationsWhenIterationsIsGivenWithQuick() {
        assertEquals(7, measurementIterations("--quick", "--iterations", "7"));
        assertEquals(7, measurementIterations("--iterations", "7", "--quick"));
    }

    @Test
    void shouldMeasureTheDefaultIterationsOfTheModeWhenIterationsIsNotGiven() {
        assertEquals(3, measurementIterations("--quick"));
        assertEquals(5, measurementIterations());
        assertEquals(9, measurementIterations("--iterations", "9"));
    }

    @Test
    void shouldTakeTheMiddleValueOrTheMeanOfTheTwoMiddleOnesWhenTakingAMedian() {
        assertEquals(3.0, BenchCommand.median(List.of(9.0, 1.0, 3.0)));
        assertEquals(2.5, BenchCommand.median(List.of(4.0, 1.0, 2.0, 3.0)));
        assertEquals(7.0, BenchCommand.median(List.of(7.0)));
    }

    @Test
    void shouldComputeEveryRatioForBothIdleModesWhenEveryRowWasMeasured() {
        final Map<String, Double> ratios = BenchCommand.ratios(List.of(row("engine", 20), row("engine_backoff", 30),
            row("raw_ring", 200), row("tell_per_frame", 3), row("engine_on_aeron", 10),
            row("engine_on_aeron_backoff", 12), row("aeron_alone", 20)));
        assertEquals(0.1, ratios.get("engine / raw_ring"), 1e-9);
        assertEquals(20.0 / 3, ratios.get("engine / tell_per_frame"), 1e-9);
        assertEquals(0.15, ratios.get("engine_backoff / raw_ring"), 1e-9);
        assertEquals(10.0, ratios.get("engine_backoff / tell_per_frame"), 1e-9);
        assertEquals(0.5, ratios.get("engine_on_aeron / aeron_alone"), 1e-9);
        assertEquals(0.6, ratios.get("engine_on_aeron_backoff / aeron_alone"), 1e-9);
        assertEquals(6, ratios.size());
    }

    @Test
    void shouldLeaveOutARatioWhoseRowIsMissingOrZero() {
        final Map<String, Double> ratios = BenchCommand.ratios(List.of(row("engine", 20), row("raw_ring", 0)));
        assertTrue(ratios.isEmpty(), ratios.toString());
    }

    @Test
    void shouldNameEveryRowOnceAndRunEachEngineRowInBothIdleModes() {
        final Set<String> ids = BenchCommand.ROWS.stream().map(BenchCommand.Row::id).collect(Collectors.toSet());
        assertEquals(BenchCommand.ROWS.size(), ids.size());
        assertTrue(ids.containsAll(Set.of("engine", "engine_backoff", "raw_ring", "tell_per_frame", "engine_on_aeron",
            "engine_on_aeron_backoff", "aeron_alone")), ids.toString());
        for (BenchCommand.Row row : BenchCommand.ROWS) {
            if (row.id().startsWith("engine")) {
                assertEquals(row.id().endsWith("_backoff") ? "backoff" : "park", row.params().get("idle"), row.id());
            }
        }
    }

    @Test
    void shouldRunTheAfPacketRowOnlyWhereANetworkNamespaceCanBeMade() {
        final BenchCommand.Row afpacket = BenchCommand.ROWS.stream().filter(row -> row.id().equals("afpacket"))
            .findFirst().orElseThrow();
        assertEquals("dev.steer.loadgen.bench.AfPacketBenchmark.poll$", afpacket.benchmark());
        assertEquals(dev.steer.ingress.afpacket.NetNamespace.unavailableReason(), afpacket.unavailable().get());
        for (BenchCommand.Row row : BenchCommand.ROWS) {
            if (row != afpacket) {
                assertNull(row.unavailable().get(), row.id() + " runs everywhere");
            }
        }
    }

    @Test
    void shouldPrintAndWriteASkippedRowWithItsReasonAndNoFigures() throws Exception {
        final BenchCommand.Row row = new BenchCommand.Row("afpacket", "AF_PACKET", "x", Map.of(), () -> "not root");
        final List<BenchCommand.Measured> rows = List.of(row("engine", 20), row("aeron_alone", 10),
            BenchCommand.Measured.skipped(row, "not root"));
        final JsonNode json = new ObjectMapper().readTree(BenchCommand.toJson(rows, BenchCommand.ratios(rows)));
        final JsonNode skipped = json.get("rows").get(2);
        assertEquals("not root", skipped.get("skipped").asText());
        assertTrue(skipped.get("frames_per_second").isNull() && skipped.get("bytes_per_frame").isNull(), skipped.toString());
        assertFalse(json.get("rows").get(0).has("skipped"));
        final java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
        BenchCommand.printTable(new java.io.PrintStream(text, true, java.nio.charset.StandardCharsets.UTF_8), rows,
            BenchCommand.ratios(rows));
        final String table = text.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(table.contains("skipped: not root"), table);
        assertFalse(table.contains("NaN"), table);
    }

    @Test
    void shouldWriteRowsAndRatiosAsJsonWithNullForAnUnknownAllocation() throws Exception {
        final List<BenchCommand.Measured> rows = List.of(row("engine", 20_000_000.4),
            new BenchCommand.Measured("raw_ring", "raw", 200, 5, Double.NaN));
        final JsonNode json = new ObjectMapper().readTree(BenchCommand.toJson(rows, BenchCommand.ratios(rows)));
        assertEquals(20_000_000, json.get("rows").get(0).get("frames_per_second").asLong());
        assertEquals("engine label", json.get("rows").get(0).get("what").asText());
        assertTrue(json.get("rows").get(1).get("bytes_per_frame").isNull());
        assertEquals(100_000.002, json.get("ratios").get("engine / raw_ring").asDouble(), 1e-6);
        assertFalse(json.get("ratios").has("engine / tell_per_frame"));
    }
}
