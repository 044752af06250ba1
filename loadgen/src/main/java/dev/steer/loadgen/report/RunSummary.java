package dev.steer.loadgen.report;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import dev.steer.engine.map.MapResult;
import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters.Counter;
import dev.steer.engine.stats.PathStats;
import dev.steer.engine.stats.PoolStats;
import dev.steer.loadgen.stats.LatencySnapshot;
import dev.steer.loadgen.stats.Units;

/**
 * The end-of-run table: per ingress and consumer (named as the live statistics name it, {@code key K cpu C}) the
 * totals and average rate, drops by reason, redirect
 * errors by code, pools, latency percentiles and the accounting check: after the engine has stopped,
 * {@code lost = received - delivered - forwarded - dropped} must be 0 ({@code OK}, else {@code LOST n}), which is to
 * say nothing is left in flight.
 *
 * <p>Immutable; any thread; formatting allocates, off the data path.
 */
public final class RunSummary {
    /** Width of the path column, wider when a row's name needs it. */
    private static final int PATH_WIDTH = 16;

    private final RunInfo info;
    private final EngineStats stats;
    private final LatencySnapshot latency;

    /**
     * @param info    what the run was
     * @param stats   the final stats, from {@code SteerEngine#shutdown()}
     * @param latency latency of the whole run; {@link LatencySnapshot#EMPTY} when not recorded
     */
    public RunSummary(RunInfo info, EngineStats stats, LatencySnapshot latency) {
        this.info = Objects.requireNonNull(info, "info");
        this.stats = Objects.requireNonNull(stats, "stats");
        this.latency = Objects.requireNonNull(latency, "latency");
    }

    /**
     * Of final stats (the engine has stopped): frames neither delivered, forwarded to another node nor dropped,
     * {@code received - delivered - forwarded - dropped}. Once the engine has stopped nothing may be in flight, so a
     * frame still counted in flight then is lost; a negative figure means frames counted twice. (The engine's own
     * {@code in_flight} is this same difference, so subtracting it as well would always give 0.)
     */
    public static long lost(Accounting accounting) {
        return accounting.received() - accounting.delivered() - accounting.forwarded() - accounting.droppedTotal();
    }

    /** {@link #lost(Accounting)} of this run's stats. */
    public long lost() {
        return lost(stats.accounting());
    }

    /** True when no frame is lost. */
    public boolean accounted() {
        return lost() == 0;
    }

    /** {@code accounting: received N = delivered N + dropped N + in_flight N: OK} (or {@code LOST n}). */
    public String accountingLine() {
        final Accounting a = stats.accounting();
        final long lost = lost();
        return "accounting: received " + Units.count(a.received()) + " = delivered " + Units.count(a.delivered())
            + (a.forwarded() == 0 ? "" : " + forwarded " + Units.count(a.forwarded()))
            + " + dropped " + Units.count(a.droppedTotal()) + " + in_flight " + Units.count(a.inFlight()) + ": "
            + (lost == 0 ? "OK" : "LOST " + Units.count(lost));
    }

    /** Writes {@link #format()} to {@code out}. */
    public void print(PrintStream out) {
        out.print(format());
        out.flush();
    }

    /** The table, lines ending with {@code \n}. */
    public String format() {
        final StringBuilder out = new StringBuilder(2048);
        out.append("Run summary: program ").append(info.program()).append(", feed ").append(info.feed())
            .append(", cpus ").append(info.cpus()).append(", ").append(Units.seconds(info.seconds())).append('\n');
        final List<PathStats> rows = new ArrayList<>(stats.ingresses());
        rows.addAll(stats.consumers());
        // Entry rows named as the live statistics name them; a cluster node's (key 12 node-3 cpu 1) widen the column.
        int width = PATH_WIDTH;
        for (PathStats row : rows) {
            width = Math.max(width, info.places().label(row).length() + 1);
        }
        final String line = "  %-" + width + "s%15s%15s%15s%15s%15s%n";
        out.append(String.format(Locale.ROOT, line, "path", "received", "redirected", "delivered", "dropped",
            "avg pkt/s"));
        for (PathStats row : rows) {
            out.append(String.format(Locale.ROOT, line, info.places().label(row),
                Units.count(row.get(Counter.RECEIVED)), Units.count(row.get(Counter.REDIRECTED)),
                Units.count(row.get(Counter.DELIVERED)), Units.count(row.droppedTotal()),
                Units.rate(info.seconds() == 0 ? 0 : row.get(Counter.RECEIVED) / info.seconds())));
        }
        final Accounting a = stats.accounting();
        out.append("  drops by reason:");
        if (a.droppedTotal() == 0) {
            out.append(" none");
        }
        out.append('\n');
        for (DropReason reason : DropReason.values()) {
            if (a.dropped(reason) != 0) {
                out.append(String.format(Locale.ROOT, "    %-18s%15s%n", reason.label(), Units.count(a.dropped(reason))));
            }
        }
        for (MapResult code : MapResult.values()) {
            long n = 0;
            for (PathStats row : rows) {
                n += row.redirectErrors(code);
            }
            if (n != 0) {
                out.append(String.format(Locale.ROOT, "    redirect %-9s%15s%n", code.name(), Units.count(n)));
            }
        }
        for (PoolStats pool : stats.pools()) {
            out.append(String.format(Locale.ROOT, "  pool %-14s capacity %s, available %s, leases %s, exhausted %s%s%n",
                pool.id(), Units.count(pool.capacity()), Units.count(pool.available()), Units.count(pool.leases()),
                Units.count(pool.exhausted()), pool.isFull() ? "" : " (NOT FULL)"));
        }
        if (latency.count() == 0) {
            out.append("  latency: not recorded\n");
        } else {
            out.append("  latency ingress->handler (").append(Units.count(latency.count())).append(" frames): p50 ")
                .append(Units.nanos(latency.p50())).append("  p99 ").append(Units.nanos(latency.p99()))
                .append("  p99.9 ").append(Units.nanos(latency.p999())).append("  max ")
                .append(Units.nanos(latency.max())).append('\n');
        }
        out.append("  ").append(accountingLine()).append('\n');
        return out.toString();
    }
}
