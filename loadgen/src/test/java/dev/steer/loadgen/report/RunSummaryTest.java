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

import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters.Counter;
import dev.steer.engine.stats.PathStats;
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
            assertTrue(text.lines().anyMatch(l -> l.startsWith("  " + row.name() + " ")
                && l.contains(Units.count(row.get(Counter.DELIVERED)))), row.name() + " in\n" + text);
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
        assertEquals(65, summary.lost());
        assertFalse(summary.accounted());
        assertTrue(summary.accountingLine().endsWith(": LOST 65"), summary.accountingLine());
        assertTrue(summary.format().contains("latency: not recorded"), summary.format());
    }

    @Test
    void shouldRejectRunInfoWhenTheDurationIsNegative() {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> new RunInfo("p", "f", "0", Instant.EPOCH, Duration.ofSeconds(-1)));
        assertTrue(error.getMessage().contains("duration=PT-1S"), error.getMessage());
    }
}
