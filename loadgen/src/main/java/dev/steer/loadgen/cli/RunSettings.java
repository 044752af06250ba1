package dev.steer.loadgen.cli;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import com.typesafe.config.Config;

import dev.steer.actors.IdleMode;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.program.Programs;
import dev.steer.ingress.config.ConfigCheck;

/**
 * The {@code run { }} block of a run: how long, which program on which CPUs, map churn, statistics.
 *
 * <pre>
 * run {
 *   duration = 10s         # how long traffic flows
 *   interval = 2s          # live statistics period
 *   program = l4-hash      # a built-in program (steer run --help lists them)
 *   cpus = all             # entries: "all" usable CPUs, or a list such as "0-3,6"
 *   qsize = 2048           # ring size of every entry, 1..16384
 *   churn-interval = 0     # random map updates this often (0 = none), like xdp-bench --stress-mode
 *   idle = park            # park | backoff | yield | busy-spin
 *   pin = true             # pin data-path threads to their CPUs
 *   traffic = true         # generate traffic in this process (false: an external loadgen sends)
 * }
 * </pre>
 *
 * @param duration      traffic time
 * @param interval      statistics period
 * @param program       program name
 * @param cpus          entry CPUs
 * @param qsize         ring size
 * @param churnInterval churn period, {@link Duration#ZERO} for none
 * @param idle          idle mode
 * @param pin           pinning
 * @param traffic       whether this process generates the traffic
 */
record RunSettings(Duration duration, Duration interval, String program, int[] cpus, int qsize, Duration churnInterval,
                   IdleMode idle, boolean pin, boolean traffic) {
    private static final Set<String> KEYS = Set.of("duration", "interval", "program", "cpus", "qsize", "churn-interval",
        "idle", "pin", "traffic");
    private static final long HOUR_NS = 3_600_000_000_000L;

    /** Reads and validates the block (absent keys take their defaults); problems go to {@code check}. */
    static RunSettings from(Config run, CpuSet machine, ConfigCheck check) {
        check.unknownKeys(run, "run", KEYS);
        final long duration = check.nanosIn(run, "duration", 10_000_000_000L, 1_000_000L, 24 * HOUR_NS);
        final long interval = check.nanosIn(run, "interval", 2_000_000_000L, 100_000_000L, HOUR_NS);
        final String program = check.oneOf(run, "program", "l4-hash", Programs.names());
        int[] cpus = machine.usableCpus();
        final String cpuText = check.string(run, "cpus", "all");
        if (cpuText != null && !"all".equalsIgnoreCase(cpuText)) {
            try {
                cpus = CpuList.parse(cpuText);
                for (int cpu : cpus) {
                    if (!machine.isUsable(cpu)) {
                        check.error(run, "cpus", "CPU " + cpu + " is not usable here; usable CPUs: "
                            + CpuList.format(machine.usableCpus()));
                        break;
                    }
                }
            } catch (IllegalArgumentException ex) {
                check.error(run, "cpus", ex.getMessage());
            }
        }
        final int qsize = check.intIn(run, "qsize", 2048, 1, CpuMap.MAX_QSIZE);
        final long churn = check.nanosIn(run, "churn-interval", 0, 0, HOUR_NS);
        if (churn > 0 && churn < 1_000_000L) {
            check.error(run, "churn-interval", "must be 0 (off) or at least 1ms");
        }
        final String idleName = check.oneOf(run, "idle", "park", List.of("park", "backoff", "yield", "busy-spin"));
        final boolean pin = check.bool(run, "pin", true);
        final boolean traffic = check.bool(run, "traffic", true);
        return new RunSettings(Duration.ofNanos(duration), Duration.ofNanos(interval), program, cpus, qsize,
            Duration.ofNanos(churn), IdleMode.parse(idleName), pin, traffic);
    }
}
