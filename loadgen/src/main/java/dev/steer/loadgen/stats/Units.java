package dev.steer.loadgen.stats;

import java.util.Locale;

/**
 * Number formats of the text outputs: counts and rates with thousands separators, latencies with a unit.
 * Locale-independent (always {@code ,} for thousands, {@code .} for decimals) so that output is the same on
 * every machine and tests can match it. Off the hot path: every call allocates its string.
 */
public final class Units {
    private Units() {
    }

    /** {@code 1234567} as {@code 1,234,567}. */
    public static String count(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    /** A rate rounded to a whole number, with thousands separators: {@code 1234567.4} as {@code 1,234,567}. */
    public static String rate(double value) {
        return String.format(Locale.ROOT, "%,.0f", value);
    }

    /** A latency in nanoseconds in the largest unit that keeps it at 1 or more: {@code 1.50 us}, {@code 12.3 ms}. */
    public static String nanos(long ns) {
        if (ns < 1_000) {
            return ns + " ns";
        }
        // Thresholds where the two decimals would round up to 1000.00 of the smaller unit.
        if (ns < 999_995) {
            return String.format(Locale.ROOT, "%.2f us", ns / 1e3);
        }
        if (ns < 999_995_000) {
            return String.format(Locale.ROOT, "%.2f ms", ns / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f s", ns / 1e9);
    }

    /**
     * A bit rate in decimal units with three significant figures: {@code 36432000000.0} as {@code 36.4 Gb/s},
     * {@code 950.0} as {@code 950 b/s}.
     */
    public static String bits(double bitsPerSecond) {
        final String[] units = {"b/s", "kb/s", "Mb/s", "Gb/s", "Tb/s"};
        double value = bitsPerSecond;
        int unit = 0;
        while (unit < units.length - 1 && value >= 999.5) {
            value /= 1000;
            unit++;
        }
        final String digits = value >= 99.95 || unit == 0 ? "%.0f" : value >= 9.995 ? "%.1f" : "%.2f";
        return String.format(Locale.ROOT, digits + " %s", value, units[unit]);
    }

    /** Seconds with one decimal: {@code 12.3 s}. */
    public static String seconds(double seconds) {
        return String.format(Locale.ROOT, "%.1f s", seconds);
    }
}
