package dev.steer.loadgen.report;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.steer.engine.map.EntryLocation;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters.Counter;
import dev.steer.engine.stats.PathStats;
import dev.steer.engine.stats.PoolStats;
import dev.steer.loadgen.stats.LatencySnapshot;

/**
 * The run as one JSON object: metadata, every counter of every ingress, consumer and pool (zeros
 * included, so the keys never depend on what happened), latency percentiles and the accounting. The schema
 * is in {@code docs/output.md}; names are snake-case, counts are integers, latencies nanoseconds.
 *
 * <p>Stateless; any thread; allocates, off the data path.
 */
public final class JsonReport {
    private static final ObjectMapper MAPPER = new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private JsonReport() {
    }

    /** The object described in {@code docs/output.md}. */
    public static ObjectNode toJson(RunInfo info, EngineStats stats, LatencySnapshot latency) {
        final ObjectNode root = MAPPER.createObjectNode();
        final ObjectNode run = root.putObject("run");
        run.put("program", info.program());
        run.put("feed", info.feed());
        run.put("cpus", info.cpus());
        run.put("started_at", info.startedAt().toString());
        run.put("duration_s", info.seconds());
        paths(root.putArray("ingresses"), stats.ingresses(), info);
        paths(root.putArray("consumers"), stats.consumers(), info);
        final ArrayNode pools = root.putArray("pools");
        for (PoolStats pool : stats.pools()) {
            pools.addObject().put("id", pool.id()).put("capacity", pool.capacity()).put("available", pool.available())
                .put("leases", pool.leases()).put("returns", pool.returns()).put("exhausted", pool.exhausted())
                .put("double_returns", pool.doubleReturns()).put("full", pool.isFull());
        }
        root.putObject("map").put("entries", stats.entries()).put("version", stats.mapVersion());
        root.set("latency_ns", latency(latency));
        final Accounting a = stats.accounting();
        final ObjectNode accounting = root.putObject("accounting");
        accounting.put("received", a.received());
        accounting.put("delivered", a.delivered());
        accounting.put("forwarded", a.forwarded());
        final ObjectNode dropped = accounting.putObject("dropped");
        for (DropReason reason : DropReason.values()) {
            dropped.put(reason.label(), a.dropped(reason));
        }
        accounting.put("in_flight", a.inFlight());
        accounting.put("lost", RunSummary.lost(a));
        // The two parts of lost, each its own: a steer run with a reliable transport adds what it lost to "lost", and
        // a double count of the engine (negative) could cancel that out in the sum.
        accounting.put("engine_lost", RunSummary.lost(a));
        accounting.put("transport_lost", 0L);
        return root;
    }

    /**
     * The final stats of a run with the map as it was while the engine ran: the counters, pools and accounting of
     * {@code finalStats} (from {@code shutdown()}, exact), the entries and map version of {@code running} (say the
     * last sample taken before the shutdown). The shutdown removes every entry, so the map of final stats is always
     * empty; a report of a run shows the map the traffic was steered over. Any thread.
     */
    public static EngineStats withRunningMap(EngineStats finalStats, EngineStats running) {
        return new EngineStats(finalStats.ingresses(), finalStats.consumers(), finalStats.pools(),
            finalStats.accounting(), running.entries(), running.mapVersion());
    }

    /** Writes the object to {@code out} (left open), indented, with a final newline. */
    public static void write(Writer out, RunInfo info, EngineStats stats, LatencySnapshot latency) {
        try {
            MAPPER.writeValue(out, toJson(info, stats, latency));
            out.write('\n');
            out.flush();
        } catch (IOException ex) {
            throw new UncheckedIOException("could not write the JSON report", ex);
        }
    }

    /** Writes the object to {@code out} (left open) in UTF-8. */
    public static void write(PrintStream out, RunInfo info, EngineStats stats, LatencySnapshot latency) {
        write(new OutputStreamWriter(out, StandardCharsets.UTF_8), info, stats, latency);
    }

    /**
     * Every object of the array {@code name} of a run's JSON, read by {@code read}, in order; none when it has no
     * such array. The one reader of the arrays {@code steer run} writes ({@code capture_counts}, ...).
     */
    static <T> List<T> readArray(JsonNode runJson, String name, Function<JsonNode, T> read) {
        final List<T> all = new ArrayList<>();
        for (JsonNode object : runJson.path(name)) {
            all.add(read.apply(object));
        }
        return all;
    }

    /** The latency object: count, min, p50, p90, p99, p99_9, max, mean. */
    static ObjectNode latency(LatencySnapshot latency) {
        return MAPPER.createObjectNode().put("count", latency.count()).put("min", latency.min())
            .put("p50", latency.p50()).put("p90", latency.p90()).put("p99", latency.p99())
            .put("p99_9", latency.p999()).put("max", latency.max()).put("mean", latency.mean());
    }

    static ObjectMapper mapper() {
        return MAPPER;
    }

    private static void paths(ArrayNode array, List<PathStats> rows, RunInfo info) {
        final double seconds = info.seconds();
        for (PathStats row : rows) {
            final ObjectNode node = array.addObject();
            node.put("name", row.name());
            node.put("key", row.key());
            // Where the entry of the key ran: a key is a CPU only in the kernel's cpumap, not in a cluster map.
            final EntryLocation place = info.places().place(row.key());
            node.put("cpu", place == null ? -1 : place.cpu());
            node.put("node", place == null ? null : place.node());
            final ObjectNode counters = node.putObject("counters");
            for (Counter counter : Counter.values()) {
                counters.put(counter.name().toLowerCase(java.util.Locale.ROOT), row.get(counter));
            }
            node.put("avg_received_pps", seconds == 0 ? 0 : row.get(Counter.RECEIVED) / seconds);
            final ObjectNode drops = node.putObject("dropped");
            for (DropReason reason : DropReason.values()) {
                drops.put(reason.label(), row.dropped(reason));
            }
            final ObjectNode errors = node.putObject("redirect_errors");
            for (MapResult code : MapResult.values()) {
                if (!code.isOk()) {
                    errors.put(code.name(), row.redirectErrors(code));
                }
            }
            final ArrayNode enqueue = node.putArray("enqueue");
            for (int key = 0; key < row.maxKeys(); key++) {
                enqueue.addObject().put("key", key).put("processed", row.enqueueProcessed(key))
                    .put("drops", row.enqueueDrops(key)).put("bulks", row.enqueueBulks(key))
                    .put("bulk_avg", row.averageBulk(key));
            }
        }
    }
}
