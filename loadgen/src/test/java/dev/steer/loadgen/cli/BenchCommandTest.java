package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.openjdk.jmh.runner.BenchmarkException;
import org.openjdk.jmh.runner.RunnerException;
import picocli.CommandLine;

/** The bench table's arithmetic: medians, ratios between rows and the JSON form; no JMH run here (fake results). */
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

    /** One measurement iteration's secondary scores as JMH labels them: frames/s and the GC profiler's MB/s. */
    private static Map<String, Double> iteration(double frames, double allocMegabytesPerSecond) {
        return Map.of("frames", frames, "gc.alloc.rate", allocMegabytesPerSecond);
    }

    static BenchCommand.Row benchRow(String id) {
        return new BenchCommand.Row(id, id + " label", "bench." + id + "$", Map.of());
    }

    /** {@code steer bench ARGS} over {@code rows}, each run by {@code trial} instead of JMH. */
    static CliRunner bench(List<BenchCommand.Row> rows, BenchCommand.Trial trial, String... args) {
        final BenchCommand bench = new BenchCommand();
        bench.rows = rows;
        bench.trial = trial;
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine command = new CommandLine(bench);
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        final int exit = command.execute(args);
        return new CliRunner(exit, out.toString(), err.toString());
    }

    private static String table(List<BenchCommand.Measured> rows) {
        final StringWriter text = new StringWriter();
        BenchReport.printTable(new PrintWriter(text, true), rows, BenchReport.ratios(rows));
        return text.toString();
    }

    /** A trial in which the row of benchmark {@code failing} fails as JMH with failOnError reports a fork's error. */
    private static BenchCommand.Trial failing(String failing, Throwable error) {
        return options -> {
            if (options.getIncludes().contains(failing)) {
                throw new RunnerException("Benchmark caught the exception", new BenchmarkException(error));
            }
            return List.of(iteration(1_000_000, 0), iteration(1_100_000, 0), iteration(900_000, 0));
        };
    }

    @Test
    void shouldPrintEveryOtherRowAndTheFailedRowsCauseThenExitFailedWhenARowFails() {
        final CliRunner run = bench(List.of(benchRow("engine"), benchRow("afpacket"), benchRow("aeron_alone")),
            failing("bench.afpacket$", new IllegalStateException("AfPacketBenchmark cannot run: cannot create a network"
                + " namespace here: ip netns add x: exit 1:\nmount --make-shared /run/netns failed")));
        assertEquals(SteerCli.EXIT_FAILED, run.exit(), run.toString());
        final String cause = "IllegalStateException: AfPacketBenchmark cannot run: cannot create a network namespace"
            + " here: ip netns add x: exit 1: mount --make-shared /run/netns failed";
        assertTrue(run.out().contains("afpacket label") && run.out().contains("failed: " + cause), run.toString());
        assertTrue(run.out().matches("(?s).*engine +engine label +1,000,000 .*"), run.toString());
        assertTrue(run.out().matches("(?s).*aeron_alone +aeron_alone label +1,000,000 .*"), "the row after it ran: " + run);
        assertTrue(run.err().contains("steer bench: afpacket failed: " + cause), run.toString());
    }

    @Test
    void shouldWriteTheFailedRowsCauseAsJsonWhenARowFails() throws Exception {
        final CliRunner run = bench(List.of(benchRow("engine"), benchRow("raw_ring")),
            failing("bench.raw_ring$", new IllegalStateException("Forked VM failed with exit code 134")), "--json");
        assertEquals(SteerCli.EXIT_FAILED, run.exit(), run.toString());
        final JsonNode rows = new ObjectMapper().readTree(run.out()).get("rows");
        assertEquals(1_000_000, rows.get(0).get("frames_per_second").asLong());
        assertFalse(rows.get(0).has("failed"));
        assertEquals("IllegalStateException: Forked VM failed with exit code 134", rows.get(1).get("failed").asText());
        assertTrue(rows.get(1).get("frames_per_second").isNull(), rows.toString());
    }

    /**
     * A trial as JMH runs forks: the options' forks one after the other, counted over every call, each measuring two
     * iterations, of which fork {@code dying} (1-based) dies as JMH reports it, discarding the run's other forks and
     * starting no more; {@code forks[0]} counts the forks started.
     */
    private static BenchCommand.Trial forkDies(int dying, int[] forks) {
        return options -> {
            final List<Map<String, Double>> iterations = new java.util.ArrayList<>();
            for (int fork = 0; fork < options.getForkCount().orElse(1); fork++) {
                final int number = ++forks[0];
                if (number == dying) {
                    throw new RunnerException("Benchmark caught the exception", new BenchmarkException(
                        new IllegalStateException("Forked VM failed with exit code 137")));
                }
                iterations.add(iteration(number * 1_000_000, 0));
                iterations.add(iteration(number * 1_000_000 + 200_000, 0));
            }
            return iterations;
        };
    }

    @Test
    void shouldKeepTheOtherForksFiguresMarkedPartialAndExitFailedWhenOneForkOfARowFails() {
        final CliRunner run = bench(List.of(benchRow("engine"), benchRow("raw_ring")), forkDies(2, new int[1]), "--forks", "3");
        assertEquals(SteerCli.EXIT_FAILED, run.exit(), run.toString());
        // engine: forks 1 and 3 (1.0, 1.2, 3.0, 3.2 M: median 2.1 M, spread 2.2 M); raw_ring: forks 4 to 6.
        assertTrue(run.out().matches("(?s).*\nengine +engine label +2,100,000 +2,200,000 .*  partial: 2 of 3 forks\n"
            + " +failed: fork 2 of 3: IllegalStateException: Forked VM failed with exit code 137\n.*"), run.toString());
        assertTrue(run.out().matches("(?s).*\nraw_ring +raw_ring label +5,100,000 .*"), run.toString());
        assertFalse(run.out().contains("engine / raw_ring"), "no ratio from a failed row: " + run);
        assertTrue(run.err().contains("steer bench: engine failed: fork 2 of 3: IllegalStateException: Forked VM failed"
            + " with exit code 137"), run.toString());
    }

    @Test
    void shouldWriteThePartialFiguresWithTheForksMeasuredAsJsonWhenOneForkOfARowFails() throws Exception {
        final CliRunner run = bench(List.of(benchRow("engine")), forkDies(3, new int[1]), "--forks", "3", "--json");
        assertEquals(SteerCli.EXIT_FAILED, run.exit(), run.toString());
        final JsonNode row = new ObjectMapper().readTree(run.out()).get("rows").get(0);
        assertEquals(1_600_000, row.get("frames_per_second").asLong(), row.toString());
        assertEquals(1_200_000, row.get("frames_per_second_spread").asLong(), row.toString());
        assertEquals("fork 3 of 3: IllegalStateException: Forked VM failed with exit code 137", row.get("failed").asText());
        assertEquals(2, row.get("forks_measured").asInt(), row.toString());
        assertEquals(3, row.get("forks").asInt(), row.toString());
    }

    @Test
    void shouldRunEveryForkOfARowWhenOneFails() {
        final int[] forks = {0};
        final CliRunner run = bench(List.of(benchRow("engine")), forkDies(1, forks), "--forks", "4");
        assertEquals(4, forks[0], "forks started: " + run);
        assertTrue(run.out().contains("partial: 3 of 4 forks"), run.toString());
    }

    @Test
    void shouldExitOkWhenARowIsOnlySkipped() {
        final CliRunner run = bench(List.of(benchRow("engine"),
            new BenchCommand.Row("afpacket", "AF_PACKET", "x", Map.of(), () -> "not root")), failing("none", null));
        assertEquals(SteerCli.EXIT_OK, run.exit(), run.toString());
        assertTrue(run.out().contains("skipped: not root"), run.toString());
    }

    @Test
    void shouldNameTheErrorTheForkThrewAndItsRootCauseOnOneLine() {
        final RunnerException failure = new RunnerException("Benchmark caught the exception", new BenchmarkException(
            new IllegalStateException("media driver did not start", new IOException("No space left\non device"))));
        assertEquals("IllegalStateException: media driver did not start (IOException: No space left on device)",
            JmhTrial.cause(failure));
        assertEquals("no result for [x]", JmhTrial.cause(new RunnerException("no result for [x]")));
    }

    @Test
    void shouldTakeBytesPerFrameAsTheMedianOfEachIterationsAllocationOverItsOwnFrames() throws Exception {
        // Per iteration: 3, 1 and 2 MiB/s over 1, 2 and 4 M frames/s = 3.15, 0.52 and 0.52 B/frame: median 0.52.
        // The median allocation over the median frame rate, from different iterations, would be 2 MiB / 2 M = 1.05.
        final BenchCommand.Measured measured = BenchCommand.measured(benchRow("engine"),
            List.of(iteration(1_000_000, 3), iteration(2_000_000, 1), iteration(4_000_000, 2)));
        assertEquals(1.0 * (1 << 20) / 2_000_000, measured.bytesPerFrame(), 1e-9);
        assertEquals(2_000_000, measured.framesPerSecond(), 1e-9);
        assertEquals(3_000_000, measured.framesSpread(), 1e-9);
    }

    @Test
    void shouldLeaveBytesPerFrameUnknownWhenNoIterationHasAnAllocationRate() throws Exception {
        final BenchCommand.Measured measured = BenchCommand.measured(benchRow("engine"), List.of(
            Map.of("frames", 5.0)));
        assertTrue(Double.isNaN(measured.bytesPerFrame()), measured.toString());
        assertEquals(5, measured.framesPerSecond(), 1e-9);
    }

    @Test
    void shouldMarkARowNoisyAndEveryRatioFromItWhenItsSpreadIsOverAQuarterOfItsMedian() throws Exception {
        final List<BenchCommand.Measured> rows = List.of(new BenchCommand.Measured("engine", "e", 20e6, 1e6, 0),
            new BenchCommand.Measured("raw_ring", "r", 200e6, 60e6, 0),
            new BenchCommand.Measured("tell_per_frame", "t", 4e6, 1e6, 0));
        final String table = table(rows);
        final String[] lines = table.split("\n");
        assertTrue(lines[2].startsWith("raw_ring") && lines[2].endsWith(" noisy"), table);
        assertFalse(lines[1].contains("noisy") || lines[3].contains("noisy"), "a spread of exactly 25 % is not: " + table);
        assertTrue(table.contains("--forks"), table);
        assertTrue(table.matches("(?s).*\nengine / raw_ring +0\\.10  noisy: raw_ring\n.*"), table);
        assertTrue(table.matches("(?s).*\nengine / tell_per_frame +5\\.00\n.*"), table);
        final JsonNode json = new ObjectMapper().readTree(BenchReport.toJson(rows, BenchReport.ratios(rows)));
        assertTrue(json.get("rows").get(1).get("noisy").asBoolean(), json.toString());
        assertFalse(json.get("rows").get(0).get("noisy").asBoolean() || json.get("rows").get(2).get("noisy").asBoolean(),
            json.toString());
        assertEquals("[\"raw_ring\"]", json.get("noisy_ratios").get("engine / raw_ring").toString());
        assertFalse(json.get("noisy_ratios").has("engine / tell_per_frame"), json.toString());
    }

    @Test
    void shouldNotMentionNoiseWhenNoRowIsNoisy() {
        final String table = table(List.of(row("engine", 20), row("raw_ring", 200)));
        assertFalse(table.contains("noisy"), table);
    }

    @Test
    void shouldAskJmhToFailOnAnErrorSoThatTheCauseComesBack() {
        assertTrue(new BenchCommand().options(BenchCommand.ROWS.get(0)).build().shouldFailOnError().get());
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
        final Map<String, Double> ratios = BenchReport.ratios(List.of(row("engine", 20), row("engine_backoff", 30),
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
        final Map<String, Double> ratios = BenchReport.ratios(List.of(row("engine", 20), row("raw_ring", 0)));
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
        final JsonNode json = new ObjectMapper().readTree(BenchReport.toJson(rows, BenchReport.ratios(rows)));
        final JsonNode skipped = json.get("rows").get(2);
        assertEquals("not root", skipped.get("skipped").asText());
        assertTrue(skipped.get("frames_per_second").isNull() && skipped.get("bytes_per_frame").isNull(), skipped.toString());
        assertFalse(json.get("rows").get(0).has("skipped"));
        final String table = table(rows);
        assertTrue(table.contains("skipped: not root"), table);
        assertFalse(table.contains("NaN"), table);
    }

    @Test
    void shouldWriteRowsAndRatiosAsJsonWithNullForAnUnknownAllocation() throws Exception {
        final List<BenchCommand.Measured> rows = List.of(row("engine", 20_000_000.4),
            new BenchCommand.Measured("raw_ring", "raw", 200, 5, Double.NaN));
        final JsonNode json = new ObjectMapper().readTree(BenchReport.toJson(rows, BenchReport.ratios(rows)));
        assertEquals(20_000_000, json.get("rows").get(0).get("frames_per_second").asLong());
        assertEquals("engine label", json.get("rows").get(0).get("what").asText());
        assertTrue(json.get("rows").get(1).get("bytes_per_frame").isNull());
        assertEquals(100_000.002, json.get("ratios").get("engine / raw_ring").asDouble(), 1e-6);
        assertFalse(json.get("ratios").has("engine / tell_per_frame"));
    }
}
