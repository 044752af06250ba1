package dev.steer.loadgen.cli;

import java.time.Duration;
import java.util.Set;

import com.typesafe.config.Config;

import dev.steer.ingress.config.ConfigCheck;

/**
 * The {@code run { }} block: what a {@code steer run} does beyond the deployment ({@code steer { }}, see
 * docs/config.md), which says what runs.
 *
 * <pre>
 * run {
 *   duration = 10s         # how long traffic flows
 *   churn-interval = 0     # random map updates this often (0 = none), like xdp-bench --stress-mode
 *   traffic = true         # generate traffic in this process (false: an external loadgen sends)
 * }
 * </pre>
 *
 * @param duration      traffic time
 * @param churnInterval churn period, {@link Duration#ZERO} for none
 * @param traffic       whether this process generates the traffic
 */
record RunSettings(Duration duration, Duration churnInterval, boolean traffic) {
    /** Shortest run (and loadgen) duration: 1 ms. */
    static final long MIN_DURATION_NS = 1_000_000L;
    /** Longest run (and loadgen) duration: 24 h. */
    static final long MAX_DURATION_NS = 24 * 3_600_000_000_000L;

    private static final Set<String> KEYS = Set.of("duration", "churn-interval", "traffic");
    private static final long HOUR_NS = 3_600_000_000_000L;

    /** Reads and validates the block (absent keys take their defaults); problems go to {@code check}. */
    static RunSettings from(Config run, ConfigCheck check) {
        check.unknownKeys(run, "run", KEYS);
        // Read under its block's name, so that messages name the key as written: run.duration, not duration.
        final Config full = run.atKey("run");
        final long duration = check.nanosIn(full, "run.duration", 10_000_000_000L, MIN_DURATION_NS, MAX_DURATION_NS);
        final long churn = check.nanosIn(full, "run.churn-interval", 0, 0, HOUR_NS);
        if (churn > 0 && churn < 1_000_000L) {
            check.error(full, "run.churn-interval", "must be 0 (off) or at least 1ms");
        }
        final boolean traffic = check.bool(full, "run.traffic", true);
        return new RunSettings(Duration.ofNanos(duration), Duration.ofNanos(churn), traffic);
    }
}
