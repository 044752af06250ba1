package dev.steer.loadgen.stats;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import dev.steer.engine.map.MapResult;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters.Counter;
import dev.steer.engine.stats.PathStats;
import dev.steer.engine.stats.PoolStats;

/**
 * Formats one {@link Interval} in the layout of {@code xdp-bench redirect-cpu -e}: a summary line, then
 * sections {@code receive}, {@code redirect_err}, {@code enqueue to key K}, {@code kthread} with
 * {@code xdp_stats} (the remote program), and {@code pool}; each section's total row, then one indented
 * row per ingress, consumer, source-to-target pair or pool. As in xdp-bench, a detail row whose every value
 * is 0 is left out (folded), section totals always show (except the enqueue and remote-program sections,
 * which appear only when they have traffic), and a total with traffic says {@code total}.
 *
 * <p>{@code enqueue} {@code pkt/s} counts every frame flushed towards the key, those that did not fit the ring
 * included (they are its {@code drop/s}), as the kernel's tracepoint does. Every value is a rate over the interval's measured length, except {@code bulk-avg} (frames per flush),
 * {@code in-use} and {@code frames} (pool state at the end of the interval). Rows are at most
 * {@value #WIDTH} characters wide. See {@code docs/output.md} for an example.
 *
 * <p>An entry's rows say its map key and where its consumer runs, {@code key 2 cpu 0} ({@link EntryPlaces}): in the
 * kernel's cpumap the key is the CPU, but a key of a cluster map may name a CPU of another number, or of another node.
 *
 * <p>Thread contract: stateless; any thread. Allocates the text, off the data path.
 */
public final class LiveStatsPrinter {
    /** Widest line printed, in characters. */
    public static final int WIDTH = 95;
    private static final int BAR = 20;

    private final EntryPlaces places;

    /** A printer for one node, where the entry of key K runs on CPU K. */
    public LiveStatsPrinter() {
        this(EntryPlaces.keyIsCpu());
    }

    /**
     * A printer whose entry rows say where each key's entry runs.
     *
     * @param places where the entry of each map key runs ({@link EntryPlaces#label}); a key of unknown place shows
     *               the key alone
     */
    public LiveStatsPrinter(EntryPlaces places) {
        this.places = Objects.requireNonNull(places, "places");
    }

    /** Writes {@link #format(Interval)} to {@code out}. */
    public void print(Interval interval, PrintStream out) {
        out.print(format(interval));
        out.flush();
    }

    /** The interval as text, lines ending with {@code \n} and a blank line after the last. */
    public String format(Interval in) {
        final StringBuilder out = new StringBuilder(2048);
        final long rx = sum(in.ingresses(), Counter.RECEIVED);
        final long redirected = sum(in.ingresses(), Counter.REDIRECTED);
        // A program exception is counted as PROGRAM_EXCEPTIONS and its frame as a program_aborted drop: adding
        // errors(row) here would count that frame twice. A feed error is no frame and no drop, so it is added.
        final long dropped = in.accounting().droppedTotal() + sum(in.ingresses(), Counter.FEED_ERRORS);
        out.append(String.format(Locale.ROOT, "%-23s", "Summary " + Units.seconds(in.seconds())))
            .append(column(in.rate(rx), "rx/s")).append(column(in.rate(redirected), "redir/s"))
            .append(column(in.rate(dropped), "err,drop/s")).append('\n');

        receive(in, out, rx);
        redirectErrors(in, out);
        enqueue(in, out);
        kthread(in, out);
        pools(in, out);
        out.append('\n');
        return out.toString().replaceAll(" +\n", "\n"); // padding of the last column is not wanted at line ends
    }

    /**
     * One line for the start-up phase, e.g.
     * {@code warm-up    [########............]  40%   2.0 s / 5.0 s   1,234,567 frames}; without a bar when
     * {@code planned} is zero (an open-ended phase).
     *
     * @param phase   what is starting, e.g. {@code warm-up}
     * @param elapsed time spent in the phase so far
     * @param planned planned length of the phase, {@link Duration#ZERO} when unknown
     * @param frames  frames received so far
     */
    public static String progress(String phase, Duration elapsed, Duration planned, long frames) {
        final StringBuilder out = new StringBuilder(96).append(String.format(Locale.ROOT, "%-10s ", phase));
        final double done = elapsed.toNanos() / 1e9;
        if (!planned.isZero() && !planned.isNegative()) {
            final double fraction = Math.min(1.0, Math.max(0.0, (double) elapsed.toNanos() / planned.toNanos()));
            final int filled = (int) Math.round(fraction * BAR);
            out.append('[').append("#".repeat(filled)).append(".".repeat(BAR - filled)).append(']')
                .append(String.format(Locale.ROOT, " %3d%%  %7s / %s", Math.round(fraction * 100),
                    Units.seconds(done), Units.seconds(planned.toNanos() / 1e9)));
        } else {
            out.append(String.format(Locale.ROOT, "%7s", Units.seconds(done)));
        }
        return out.append(String.format(Locale.ROOT, "  %,13d frames", frames)).toString();
    }

    private static void receive(Interval in, StringBuilder out, long rx) {
        final long drops = sumDrops(in.ingresses());
        long errors = 0;
        for (PathStats row : in.ingresses()) {
            errors += errors(row);
        }
        out.append(label(2, rx != 0 ? "receive total" : "receive")).append(column(in.rate(rx), "pkt/s"))
            .append(column(in.rate(drops), "drop/s")).append(column(in.rate(errors), "error/s")).append('\n');
        for (PathStats row : in.ingresses()) {
            final long received = row.get(Counter.RECEIVED);
            if (received == 0 && row.droppedTotal() == 0 && errors(row) == 0) {
                continue;
            }
            out.append(label(4, row.name())).append(column(in.rate(received), "pkt/s"))
                .append(column(in.rate(row.droppedTotal()), "drop/s"))
                .append(column(in.rate(errors(row)), "error/s")).append('\n');
            dropReasons(in, row, out);
        }
    }

    private static void redirectErrors(Interval in, StringBuilder out) {
        final List<PathStats> rows = all(in);
        long total = 0;
        for (PathStats row : rows) {
            for (MapResult code : MapResult.values()) {
                total += row.redirectErrors(code);
            }
        }
        out.append(label(2, total != 0 ? "redirect_err total" : "redirect_err"))
            .append(column(in.rate(total), "error/s")).append('\n');
        for (MapResult code : MapResult.values()) {
            long n = 0;
            for (PathStats row : rows) {
                n += row.redirectErrors(code);
            }
            if (n == 0) {
                continue;
            }
            out.append(label(4, code.name())).append(column(in.rate(n), "error/s")).append('\n');
            for (PathStats row : rows) {
                if (row.redirectErrors(code) != 0) {
                    out.append(label(6, row.name())).append(column(in.rate(row.redirectErrors(code)), "error/s"))
                        .append('\n');
                }
            }
        }
    }

    private void enqueue(Interval in, StringBuilder out) {
        final List<PathStats> rows = all(in);
        int keys = 0;
        for (PathStats row : rows) {
            keys = Math.max(keys, row.maxKeys());
        }
        for (int key = 0; key < keys; key++) {
            long processed = 0;
            long drops = 0;
            long bulks = 0;
            for (PathStats row : rows) {
                if (key < row.maxKeys()) {
                    processed += row.enqueueProcessed(key);
                    drops += row.enqueueDrops(key);
                    bulks += row.enqueueBulks(key);
                }
            }
            if (processed == 0 && drops == 0) {
                continue;
            }
            out.append(label(2, "enqueue to key " + key)).append(column(in.rate(processed), "pkt/s"))
                .append(column(in.rate(drops), "drop/s")).append(bulk(processed, bulks)).append('\n');
            for (PathStats row : rows) {
                if (key < row.maxKeys() && (row.enqueueProcessed(key) != 0 || row.enqueueDrops(key) != 0)) {
                    out.append(label(4, row.name() + "->" + key))
                        .append(column(in.rate(row.enqueueProcessed(key)), "pkt/s"))
                        .append(column(in.rate(row.enqueueDrops(key)), "drop/s"))
                        .append(bulk(row.enqueueProcessed(key), row.enqueueBulks(key))).append('\n');
                }
            }
        }
    }

    private void kthread(Interval in, StringBuilder out) {
        final List<PathStats> consumers = in.consumers();
        final long pkts = sum(consumers, Counter.RECEIVED);
        final long drops = sumDrops(consumers);
        final long sched = sum(consumers, Counter.SCHED);
        out.append(label(2, pkts != 0 ? "kthread total" : "kthread")).append(column(in.rate(pkts), "pkt/s"))
            .append(column(in.rate(drops), "drop/s")).append(column(in.rate(sched), "sched/s")).append('\n');
        for (PathStats row : consumers) {
            final long received = row.get(Counter.RECEIVED);
            if (received == 0 && row.droppedTotal() == 0 && row.get(Counter.SCHED) == 0) {
                continue;
            }
            out.append(label(4, entry(row))).append(column(in.rate(received), "pkt/s"))
                .append(column(in.rate(row.droppedTotal()), "drop/s"))
                .append(column(in.rate(row.get(Counter.SCHED)), "sched/s")).append('\n');
            dropReasons(in, row, out);
        }
        final long pass = sum(consumers, Counter.REMOTE_PASS);
        final long drop = sum(consumers, Counter.REMOTE_DROP);
        final long redirect = sum(consumers, Counter.REMOTE_REDIRECT);
        if (pass == 0 && drop == 0 && redirect == 0) {
            return;
        }
        out.append(label(4, "xdp_stats")).append(column(in.rate(pass), "pass/s")).append(column(in.rate(drop), "drop/s"))
            .append(column(in.rate(redirect), "redir/s")).append('\n');
        for (PathStats row : consumers) {
            final long p = row.get(Counter.REMOTE_PASS);
            final long d = row.get(Counter.REMOTE_DROP);
            final long r = row.get(Counter.REMOTE_REDIRECT);
            if (p != 0 || d != 0 || r != 0) {
                out.append(label(6, entry(row))).append(column(in.rate(p), "pass/s")).append(column(in.rate(d), "drop/s"))
                    .append(column(in.rate(r), "redir/s")).append('\n');
            }
        }
    }

    private static void pools(Interval in, StringBuilder out) {
        long inUse = 0;
        long capacity = 0;
        long exhausted = 0;
        for (PoolStats pool : in.pools()) {
            inUse += pool.capacity() - pool.available();
            capacity += pool.capacity();
            exhausted += pool.exhausted();
        }
        out.append(label(2, "pool")).append(column(inUse, "in-use")).append(column(capacity, "frames"))
            .append(column(in.rate(exhausted), "exhaust/s")).append('\n');
        for (PoolStats pool : in.pools()) {
            final int used = pool.capacity() - pool.available();
            if (used == 0 && pool.leases() == 0 && pool.exhausted() == 0) {
                continue;
            }
            out.append(label(4, pool.id())).append(column(used, "in-use")).append(column(pool.capacity(), "frames"))
                .append(column(in.rate(pool.exhausted()), "exhaust/s")).append('\n');
        }
    }

    private static void dropReasons(Interval in, PathStats row, StringBuilder out) {
        for (DropReason reason : DropReason.values()) {
            final long n = row.dropped(reason);
            if (n != 0) {
                out.append(label(6, reason.label())).append(column(in.rate(n), "drop/s")).append('\n');
            }
        }
    }

    /** The name of a consumer row: its key and where it runs, as the summary and the report name it. */
    private String entry(PathStats row) {
        return places.label(row);
    }

    private static List<PathStats> all(Interval in) {
        final List<PathStats> rows = new ArrayList<>(in.ingresses());
        rows.addAll(in.consumers());
        return rows;
    }

    private static long errors(PathStats row) {
        return row.get(Counter.PROGRAM_EXCEPTIONS) + row.get(Counter.FEED_ERRORS);
    }

    private static long sum(List<PathStats> rows, Counter counter) {
        long sum = 0;
        for (PathStats row : rows) {
            sum += row.get(counter);
        }
        return sum;
    }

    private static long sumDrops(List<PathStats> rows) {
        long sum = 0;
        for (PathStats row : rows) {
            sum += row.droppedTotal();
        }
        return sum;
    }

    /** The name column: {@code indent} spaces, the name cut to fit, padded to 23 characters in all. */
    private static String label(int indent, String name) {
        final int room = 22 - indent;
        final String fitted = name.length() > room ? name.substring(0, room - 1) + "~" : name;
        return " ".repeat(indent) + String.format(Locale.ROOT, "%-" + room + "s ", fitted);
    }

    private static String column(double value, String unit) {
        return String.format(Locale.ROOT, "%,13.0f %-10s", value, unit);
    }

    private static String bulk(long processed, long bulks) {
        return String.format(Locale.ROOT, "%,13.2f %-10s", bulks == 0 ? 0.0 : (double) processed / bulks, "bulk-avg");
    }
}
