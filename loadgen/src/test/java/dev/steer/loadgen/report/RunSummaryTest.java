package dev.steer.loadgen.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.EntryLocation;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters.Counter;
import dev.steer.engine.stats.PathStats;
import dev.steer.loadgen.stats.EntryPlaces;
import dev.steer.loadgen.stats.LatencySnapshot;
import dev.steer.loadgen.stats.Units;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RunSummaryTest {
    private static ReportFixture fixture;

    @BeforeAll
    static void runEngine() {
        fixture = new ReportFixture("summary");
    }

    @Test
    void shouldSayOkWithEveryPathAndPercentilesWhenTheRunAddsUp() {
        final EngineStats stats = fixture.run.finalStats();
        final RunSummary summary = new RunSummary(fixture.info, stats, fixture.latency);
        final String text = summary.format();
        assertEquals(0, summary.lost());
        assertTrue(summary.accounted());
        final Accounting a = stats.accounting();
        assertTrue(text.contains("accounting: received " + Units.count(a.received()) + " = delivered "
            + Units.count(a.delivered()) + " + dropped " + Units.count(a.droppedTotal()) + " + in_flight 0: OK"), text);
        for (PathStats row : stats.ingresses()) {
            assertTrue(text.contains(row.name()), row.name() + " in\n" + text);
            assertTrue(text.contains(Units.count(row.get(Counter.RECEIVED))), text);
        }
        for (PathStats row : stats.consumers()) {
            final String label = fixture.info.places().label(row);
            assertTrue(text.lines().anyMatch(l -> l.startsWith("  " + label + " ")
                && l.contains(Units.count(row.get(Counter.DELIVERED)))), label + " in\n" + text);
        }
        for (DropReason reason : DropReason.values()) {
            assertEquals(a.dropped(reason) != 0, text.contains(reason.label()), reason.label() + " in\n" + text);
        }
        assertTrue(text.contains("p50 " + Units.nanos(fixture.latency.p50())), text);
        assertTrue(text.contains("p99 " + Units.nanos(fixture.latency.p99())), text);
        assertTrue(text.contains("p99.9 " + Units.nanos(fixture.latency.p999())), text);
        assertTrue(text.contains("max " + Units.nanos(fixture.latency.max())), text);
    }

    @Test
    void shouldSayLostWhenTheStatsDoNotAddUp() {
        final Map<DropReason, Long> dropped = new EnumMap<>(DropReason.class);
        dropped.put(DropReason.RING_FULL, 30L);
        final EngineStats broken = new EngineStats(java.util.List.of(), java.util.List.of(), java.util.List.of(),
            new Accounting(1_000, 900, dropped, 5), 0, 0);
        final RunSummary summary = new RunSummary(
            new RunInfo("p", "f", "0", Instant.EPOCH, Duration.ofSeconds(1)), broken, LatencySnapshot.EMPTY);
        assertEquals(70, summary.lost(), "after the stop, the 5 'in flight' are lost too");
        assertFalse(summary.accounted());
        assertTrue(summary.accountingLine().endsWith(": LOST 70"), summary.accountingLine());
        assertTrue(summary.format().contains("latency: not recorded"), summary.format());
    }

    @Test
    void shouldSayLostWhenFinalStatsAsTheEngineBuildsThemStillHaveFramesInFlight() {
        // Built as the engine builds them (in_flight is what the others leave): 1,000 received, 600 delivered, none
        // dropped. After the engine has stopped, those 400 are lost, not in flight.
        final Row ingress = new Row("ingress-0", PathStats.Kind.INGRESS, -1, 1);
        ingress.counters()[Counter.RECEIVED.ordinal()] = 1_000;
        final Row consumer = new Row("key-0", PathStats.Kind.CONSUMER, 0, 1);
        consumer.counters()[Counter.RECEIVED.ordinal()] = 600;
        consumer.counters()[Counter.DELIVERED.ordinal()] = 600;
        final EngineStats finalStats = EngineStats.of(java.util.List.of(ingress.stats()), java.util.List.of(consumer.stats()),
            java.util.List.of(), 0, 1);
        final RunInfo info = new RunInfo("p", "f", "0", Instant.EPOCH, Duration.ofSeconds(1));
        final RunSummary summary = new RunSummary(info, finalStats, LatencySnapshot.EMPTY);
        assertEquals(400, summary.lost());
        assertTrue(summary.accountingLine().endsWith("in_flight 400: LOST 400"), summary.accountingLine());
        assertEquals(400, JsonReport.toJson(info, finalStats, LatencySnapshot.EMPTY).get("accounting").get("lost")
            .asLong());
    }

    @Test
    void shouldNameEveryEntryRowAsTheLiveStatisticsDoWhenPrinted() {
        final EngineStats stats = fixture.run.finalStats();
        final String text = new RunSummary(fixture.info, stats, fixture.latency).format();
        for (PathStats row : stats.consumers()) {
            // On one node an entry runs on the CPU that is its key: "key K cpu K", as the live rows say.
            assertTrue(text.lines().anyMatch(l -> l.startsWith("  key " + row.key() + " cpu " + row.key() + " ")
                && l.contains(Units.count(row.get(Counter.DELIVERED)))), "key " + row.key() + " in\n" + text);
        }
        assertFalse(text.contains("cpu-"), "no row named by its key as if the key were a CPU:\n" + text);
    }

    @Test
    void shouldNameEntryRowsByWhereTheyRanWhenAKeyIsNotTheCpu() {
        // A cluster node: key 0 served by node-1's CPU 0 (this node only forwards to it), key 1 by this node's CPU 0.
        final Row ingress = new Row("ingress-0", PathStats.Kind.INGRESS, -1, 2);
        final Row forwarder = new Row("key-0", PathStats.Kind.CONSUMER, 0, 2);
        final Row own = new Row("key-1", PathStats.Kind.CONSUMER, 1, 2);
        final EngineStats stats = EngineStats.of(java.util.List.of(ingress.stats()),
            java.util.List.of(forwarder.stats(), own.stats()), java.util.List.of(), 2, 1);
        final RunInfo info = new RunInfo("p", "f", "0", Instant.EPOCH, Duration.ofSeconds(1),
            EntryPlaces.of(Map.of(0, EntryLocation.remote("node-1", 0), 1, EntryLocation.local(0))));
        final java.util.List<String> lines = new RunSummary(info, stats, LatencySnapshot.EMPTY).format().lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("  key 0 node-1 cpu 0 ")), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("  key 1 cpu 0 ")), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("  ingress-0 ")), String.join("\n", lines));
        final int received = lines.get(1).indexOf("received") + "received".length();
        for (String line : lines.subList(1, 5)) {
            assertTrue(Character.isDigit(line.charAt(received - 1)) || line.startsWith("  path"),
                "the columns stay aligned under a longer name:\n" + String.join("\n", lines));
        }

        final com.fasterxml.jackson.databind.JsonNode json = JsonReport.toJson(info, stats, LatencySnapshot.EMPTY);
        final com.fasterxml.jackson.databind.JsonNode consumers = json.get("consumers");
        assertEquals(0, consumers.get(0).get("key").asInt());
        assertEquals(0, consumers.get(0).get("cpu").asInt());
        assertEquals("node-1", consumers.get(0).get("node").asText());
        assertEquals(1, consumers.get(1).get("key").asInt());
        assertEquals(0, consumers.get(1).get("cpu").asInt(), "key 1 ran on CPU 0: the key is not the CPU");
        assertTrue(consumers.get(1).get("node").isNull(), "this node");
    }

    @Test
    void shouldRejectRunInfoWhenTheDurationIsNegative() {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> new RunInfo("p", "f", "0", Instant.EPOCH, Duration.ofSeconds(-1)));
        assertTrue(error.getMessage().contains("duration=PT-1S"), error.getMessage());
    }

    /** A path row filled in place, then frozen: a PathStats keeps copies of its arrays. */
    private record Row(String name, PathStats.Kind kind, int key, long[] counters, long[] drops, long[] redirectErrors,
                       long[] enqueue) {
        Row(String name, PathStats.Kind kind, int key, int maxKeys) {
            this(name, kind, key, new long[Counter.values().length], new long[DropReason.values().length],
                new long[MapResult.values().length], new long[3 * maxKeys]);
        }

        PathStats stats() {
            return new PathStats(name, kind, key, counters, drops, redirectErrors, enqueue);
        }
    }
}
