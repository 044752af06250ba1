package dev.steer.loadgen.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.MapResult;
import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters.Counter;
import dev.steer.engine.stats.PathStats;
import dev.steer.engine.stats.PoolStats;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JsonReportTest {
    private static ReportFixture fixture;

    @BeforeAll
    static void runEngine() {
        fixture = new ReportFixture("json");
    }

    @Test
    void shouldHoldEveryCounterOfTheFinalStatsWhenParsedBack() throws Exception {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final EngineStats stats = fixture.run.finalStats();
        JsonReport.write(new PrintStream(bytes, true, StandardCharsets.UTF_8), fixture.info, stats, fixture.latency);
        final JsonNode root = new ObjectMapper().readTree(bytes.toString(StandardCharsets.UTF_8));

        assertEquals("l4-hash", root.at("/run/program").asText());
        assertEquals("synthetic udp4 64 flows x 60 B", root.at("/run/feed").asText());
        assertEquals("0-1", root.at("/run/cpus").asText());
        assertEquals(fixture.info.seconds(), root.at("/run/duration_s").asDouble(), 1e-9);
        assertEquals(fixture.info.startedAt().toString(), root.at("/run/started_at").asText());
        assertPaths(stats.ingresses(), root.get("ingresses"));
        assertPaths(stats.consumers(), root.get("consumers"));
        assertEquals(stats.pools().size(), root.get("pools").size());
        for (int i = 0; i < stats.pools().size(); i++) {
            final PoolStats pool = stats.pools().get(i);
            final JsonNode node = root.get("pools").get(i);
            assertEquals(pool.id(), node.get("id").asText());
            assertEquals(pool.capacity(), node.get("capacity").asInt());
            assertEquals(pool.available(), node.get("available").asInt());
            assertEquals(pool.leases(), node.get("leases").asLong());
            assertEquals(pool.returns(), node.get("returns").asLong());
            assertEquals(pool.exhausted(), node.get("exhausted").asLong());
            assertEquals(pool.doubleReturns(), node.get("double_returns").asLong());
            assertTrue(node.get("full").asBoolean(), "pool full after shutdown");
        }
        assertEquals(stats.entries(), root.at("/map/entries").asInt());
        assertEquals(stats.mapVersion(), root.at("/map/version").asLong());
        assertEquals(fixture.latency.count(), root.at("/latency_ns/count").asLong());
        assertEquals(fixture.latency.p50(), root.at("/latency_ns/p50").asLong());
        assertEquals(fixture.latency.p99(), root.at("/latency_ns/p99").asLong());
        assertEquals(fixture.latency.p999(), root.at("/latency_ns/p99_9").asLong());
        assertEquals(fixture.latency.max(), root.at("/latency_ns/max").asLong());
        assertTrue(fixture.latency.count() > 0, "latencies recorded");

        final Accounting a = stats.accounting();
        final JsonNode accounting = root.get("accounting");
        assertEquals(List.of("received", "delivered", "forwarded", "dropped", "in_flight", "lost", "engine_lost",
            "transport_lost"), fieldNames(accounting));
        assertEquals(a.received(), accounting.get("received").asLong());
        assertEquals(a.delivered(), accounting.get("delivered").asLong());
        assertEquals(DropReason.values().length, accounting.get("dropped").size());
        for (DropReason reason : DropReason.values()) {
            assertEquals(a.dropped(reason), accounting.get("dropped").get(reason.label()).asLong(), reason.label());
        }
        assertEquals(0, accounting.get("in_flight").asLong());
        assertEquals(0, accounting.get("lost").asLong());
        assertEquals(0, accounting.get("engine_lost").asLong());
        assertEquals(0, accounting.get("transport_lost").asLong());
        assertEquals(200_000, a.received());
    }

    @Test
    void shouldCarryTheKeyAndTheCpuOfEveryPathAsFieldsWhenWritten() {
        final EngineStats stats = fixture.run.finalStats();
        final JsonNode root = JsonReport.toJson(fixture.info, stats, fixture.latency);
        for (JsonNode consumer : root.get("consumers")) {
            final int key = consumer.get("key").asInt();
            assertTrue(consumer.has("cpu"), consumer.toString());
            assertEquals(key, consumer.get("cpu").asInt(), "on one node an entry runs on the CPU that is its key");
            assertTrue(consumer.has("node") && consumer.get("node").isNull(), "this node: " + consumer.get("node"));
            assertEquals("key-" + key, consumer.get("name").asText(), "named by its key, not as a CPU");
        }
        for (JsonNode ingress : root.get("ingresses")) {
            assertEquals(-1, ingress.get("key").asInt());
            assertEquals(-1, ingress.get("cpu").asInt(), ingress.toString());
            assertTrue(ingress.get("node").isNull(), ingress.toString());
        }
    }

    private static void assertPaths(List<PathStats> rows, JsonNode array) {
        assertEquals(rows.size(), array.size());
        for (int i = 0; i < rows.size(); i++) {
            final PathStats row = rows.get(i);
            final JsonNode node = array.get(i);
            assertEquals(row.name(), node.get("name").asText());
            assertEquals(row.key(), node.get("key").asInt());
            for (Counter counter : Counter.values()) {
                assertEquals(row.get(counter), node.get("counters").get(counter.name().toLowerCase(Locale.ROOT)).asLong(),
                    row.name() + " " + counter);
            }
            for (DropReason reason : DropReason.values()) {
                assertEquals(row.dropped(reason), node.get("dropped").get(reason.label()).asLong(), reason.label());
            }
            for (MapResult code : MapResult.values()) {
                if (!code.isOk()) {
                    assertEquals(row.redirectErrors(code), node.get("redirect_errors").get(code.name()).asLong());
                }
            }
            assertEquals(row.maxKeys(), node.get("enqueue").size());
            for (int key = 0; key < row.maxKeys(); key++) {
                final JsonNode enqueue = node.get("enqueue").get(key);
                assertEquals(key, enqueue.get("key").asInt());
                assertEquals(row.enqueueProcessed(key), enqueue.get("processed").asLong());
                assertEquals(row.enqueueDrops(key), enqueue.get("drops").asLong());
                assertEquals(row.enqueueBulks(key), enqueue.get("bulks").asLong());
            }
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        final List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
