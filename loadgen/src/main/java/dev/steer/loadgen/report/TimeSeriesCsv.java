package dev.steer.loadgen.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters.Counter;
import dev.steer.engine.stats.PathStats;
import dev.steer.loadgen.stats.Interval;

/**
 * The time series as CSV: a header, then one row per interval, oldest first. Columns, in order:
 * {@code t_s} (end of the interval, seconds since the first interval's start), {@code interval_s},
 * {@code rx_pps}, {@code delivered_pps}, {@code dropped_pps}, {@code in_flight} (frames in flight at the
 * end), {@code lat_p50_ns}, {@code lat_p99_ns}, {@code lat_p99_9_ns}, {@code lat_max_ns}, then
 * {@code pps_<consumer>} (frames/s taken by each consumer row, e.g. {@code pps_key-0}, every consumer seen
 * in the series, sorted by name) and {@code drop_<reason>_pps} for every {@link DropReason}. Rates have
 * three decimals; the decimal separator is always {@code .}.
 *
 * <p>Stateless; any thread; allocates, off the data path.
 */
public final class TimeSeriesCsv {
    private TimeSeriesCsv() {
    }

    /** The consumer names that appear anywhere in {@code series}, sorted. */
    public static List<String> consumers(List<Interval> series) {
        final TreeMap<String, Boolean> names = new TreeMap<>();
        for (Interval interval : series) {
            for (PathStats row : interval.consumers()) {
                names.put(row.name(), Boolean.TRUE);
            }
        }
        return new ArrayList<>(names.keySet());
    }

    /** The header line, without a newline. */
    public static String header(List<String> consumers) {
        final StringBuilder out = new StringBuilder(
            "t_s,interval_s,rx_pps,delivered_pps,dropped_pps,in_flight,lat_p50_ns,lat_p99_ns,lat_p99_9_ns,lat_max_ns");
        for (String name : consumers) {
            out.append(",pps_").append(name);
        }
        for (DropReason reason : DropReason.values()) {
            out.append(",drop_").append(reason.label()).append("_pps");
        }
        return out.toString();
    }

    /** Writes the header and one row per interval to {@code out} (left open). */
    public static void write(Writer out, List<Interval> series) {
        final List<String> consumers = consumers(series);
        try {
            out.write(header(consumers));
            out.write('\n');
            final long origin = series.isEmpty() ? 0 : series.get(0).startNs();
            for (Interval in : series) {
                final StringBuilder row = new StringBuilder(256);
                row.append(String.format(Locale.ROOT, "%.3f,%.3f", (in.endNs() - origin) / 1e9, in.seconds()));
                row.append(decimal(in.rate(in.accounting().received())))
                    .append(decimal(in.rate(in.accounting().delivered())))
                    .append(decimal(in.rate(in.accounting().droppedTotal())))
                    .append(',').append(in.end().accounting().inFlight())
                    .append(',').append(in.latency().p50()).append(',').append(in.latency().p99())
                    .append(',').append(in.latency().p999()).append(',').append(in.latency().max());
                for (String name : consumers) {
                    long received = 0;
                    for (PathStats c : in.consumers()) {
                        if (c.name().equals(name)) {
                            received = c.get(Counter.RECEIVED);
                        }
                    }
                    row.append(decimal(in.rate(received)));
                }
                for (DropReason reason : DropReason.values()) {
                    row.append(decimal(in.rate(in.accounting().dropped(reason))));
                }
                out.write(row.append('\n').toString());
            }
            out.flush();
        } catch (IOException ex) {
            throw new UncheckedIOException("could not write the time series CSV", ex);
        }
    }

    private static String decimal(double value) {
        return String.format(Locale.ROOT, ",%.3f", value);
    }
}
