package dev.steer.cluster;

import java.time.Duration;

/**
 * Lets one warning a period through and counts the others, for a log that a peer or a retry loop could otherwise
 * flood: a stale owner republishing every 2 s, a starting node placing an entry again every 100 ms while the map
 * owner answers {@code EBUSY}. One thread (the actor's that logs).
 */
final class WarningLimit {
    private final long periodNanos;
    private long lastNanos;
    private long held;
    private long heldAtLastWarning;
    private boolean warned;

    /** @param period at most one warning per this, above zero */
    WarningLimit(Duration period) {
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period=" + period + ": must be above zero");
        }
        this.periodNanos = period.toNanos();
    }

    /**
     * Counts one occurrence at {@code nowNanos} ({@link System#nanoTime()}): true when it is to be logged as a warning
     * (the first, or the first a period after the last warning), false when it is held back and counted.
     */
    boolean warnNow(long nowNanos) {
        if (warned && nowNanos - lastNanos < periodNanos) {
            held++;
            return false;
        }
        warned = true;
        lastNanos = nowNanos;
        heldAtLastWarning = held;
        held = 0;
        return true;
    }

    /** Occurrences held back between the warning {@link #warnNow} just let through and the one before it. */
    long heldBefore() {
        return heldAtLastWarning;
    }
}
