package dev.steer.loadgen.report;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

import dev.steer.loadgen.stats.EntryPlaces;

/**
 * What a run was, for the summary, the JSON and the report: filled by the {@code steer} command.
 *
 * @param program   steering program name, e.g. {@code l4-hash}
 * @param feed      feed description, e.g. {@code synthetic udp4 64 flows x 60 B}
 * @param cpus      the CPUs this node's entries run on, as a list such as {@code 0-3} (on a single node the map
 *                  keys; in a cluster an entry's CPU, not its global key)
 * @param startedAt wall-clock start of the run
 * @param duration  measured length of the run, not negative
 * @param places    where the entry of each map key ran: names the entry rows of the summary and the report, and gives
 *                  the {@code cpu} and {@code node} of each JSON path
 */
public record RunInfo(String program, String feed, String cpus, Instant startedAt, Duration duration,
                      EntryPlaces places) {
    /** Validates: nothing null, duration not negative; the message names the field and the value. */
    public RunInfo {
        Objects.requireNonNull(places, "run places");
        Objects.requireNonNull(program, "run program");
        Objects.requireNonNull(feed, "run feed");
        Objects.requireNonNull(cpus, "run cpus");
        Objects.requireNonNull(startedAt, "run startedAt");
        Objects.requireNonNull(duration, "run duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("run duration=" + duration + ": must not be negative");
        }
    }

    /** A run on one node, where the entry of key K runs on CPU K ({@link EntryPlaces#keyIsCpu()}). */
    public RunInfo(String program, String feed, String cpus, Instant startedAt, Duration duration) {
        this(program, feed, cpus, startedAt, duration, EntryPlaces.keyIsCpu());
    }

    /** Duration in seconds. */
    public double seconds() {
        return duration.toNanos() / 1e9;
    }
}
