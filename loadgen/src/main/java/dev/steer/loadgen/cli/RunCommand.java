package dev.steer.loadgen.cli;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import dev.steer.cluster.config.DeploymentLoader;
import dev.steer.engine.map.CpuList;
import dev.steer.ingress.config.ConfigCheck;
import dev.steer.loadgen.traffic.Scenarios;

/**
 * {@code steer run}: the main job. With no arguments: one node, an embedded Aeron media driver, synthetic
 * traffic published into Aeron IPC, program {@code l4-hash}, every usable CPU as an entry, for 10 s, with live
 * statistics every 2 s, then a summary with latency percentiles and the accounting check.
 *
 * <p>Settings come from, highest first: the options given on the command line, {@code --config FILE},
 * {@code --scenario}, the defaults. Options and files use the same keys (see {@code docs/running.md}). An option
 * overrides the file's value of its key; an invalid value of the file there is warned of, and not used.
 */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = SteerCli.Version.class, sortOptions = false,
    description = "Run the engine on a feed with live statistics, then print the summary and the accounting.",
    footer = {"", "Exit status: 0 ok, 1 frames lost, 2 bad options or config, 3 the run failed (or a pcap replay stopped"
        + " at damage in the file); on Ctrl-C or SIGTERM the run stops cleanly, prints its summary and exits 130 or 143."})
final class RunCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "HOCON file: a deployment steer { } (docs/config.md), and run { } and traffic { } blocks.")
    File config;

    @Option(names = "--node", paramLabel = "NAME", description = "Which node of a cluster config file this process is (refused without one).")
    String node;

    @Option(names = "--scenario", paramLabel = "NAME|FILE", description = "A shipped scenario (flood-64, imix, many-flows, churn) or a scenario file.")
    String scenario;

    @Option(names = "--duration", paramLabel = "DURATION", description = "How long traffic flows, e.g. 10s, 2m (default 10s).")
    String duration;

    @Option(names = "--interval", paramLabel = "DURATION", description = "Live statistics period (default 2s).")
    String interval;

    @Option(names = {"-p", "--program"}, paramLabel = "NAME", description = "Steering program (default l4-hash).")
    String program;

    @Option(names = "--cpus", paramLabel = "LIST", description = "Entry CPUs, e.g. 0-3,6 (default: every usable CPU).")
    String cpus;

    @Option(names = {"-q", "--qsize"}, paramLabel = "N", description = "Ring size of the entries without one of their own, 1..16384 (default 2048).")
    Integer qsize;

    @Option(names = "--churn", paramLabel = "DURATION", description = "Random map updates at this interval, like xdp-bench --stress-mode (default off).")
    String churn;

    @Option(names = "--idle", paramLabel = "MODE", description = "Idle mode of data-path threads: park, backoff, yield, busy-spin (default park).")
    String idle;

    @Option(names = "--no-pin", description = "Do not pin data-path threads to CPUs.")
    boolean noPin;

    @Option(names = "--feed", paramLabel = "TYPE", description = "Feed: aeron, udp, pcap, afpacket, synthetic (default aeron: Aeron IPC, embedded driver).")
    String feed;

    @Option(names = "--queues", paramLabel = "N", description = "Feed queues, one ingress actor each (default 1).")
    Integer queues;

    @Option(names = "--lossless", description = "A full ring back-pressures the feed instead of dropping.")
    boolean lossless;

    @Option(names = "--channel", paramLabel = "URI", description = "Aeron channel of the aeron feed (default aeron:ipc).")
    String channel;

    @Option(names = "--aeron-dir", paramLabel = "DIR", description = "Use the external media driver in DIR instead of an embedded one.")
    String aeronDir;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Address of the udp feed.")
    String listen;

    @Option(names = "--pcap", paramLabel = "FILE", description = "Capture file of the pcap feed.")
    String pcap;

    @Option(names = "--pace", paramLabel = "fast|capture", description = "Replay pace of the pcap feed.")
    String pace;

    @Option(names = "--loops", paramLabel = "N", description = "Passes over the pcap file (0 = forever).")
    Integer loops;

    @Option(names = "--max-gap", paramLabel = "DURATION",
        description = "With --pace capture, the longest wait between two records (default 1s; a longer gap is cut).")
    String maxGap;

    @Option(names = "--interface", paramLabel = "IF", description = "Network interface of the afpacket feed.")
    String networkInterface;

    @Option(names = "--netns", paramLabel = "NAME", description = "Network namespace of the afpacket interface (default: this process').")
    String netns;

    @Option(names = "--no-traffic", description = "Do not generate traffic in this process: an external steer loadgen sends, or, with the"
        + " synthetic feed, the engine idles.")
    boolean noTraffic;

    @Option(names = "--rate", paramLabel = "PPS|max", description = "Synthetic traffic rate, the total over every feed queue: max, or packets/s with an optional k, M or G"
            + " suffix, e.g. 250k (default max).")
    String rate;

    @Option(names = "--on-off", paramLabel = "ON/OFF", description = "Send in bursts: ON of every ON+OFF at the rate (or"
        + " as fast as it goes without one), nothing during OFF, e.g. 10ms/90ms (default off).")
    String onOff;

    @Option(names = "--flows", paramLabel = "N", description = "Synthetic flows per feed queue: each queue makes its own (default 1024).")
    Integer flows;

    @Option(names = "--sizes", paramLabel = "SIZES", description = "Frame sizes on the wire (with FCS): 64, imix, or a list of SIZE or SIZE:WEIGHT, e.g. 64:7,594:4,1518:1 (a weight left out is 1).")
    String sizes;

    @Option(names = "--mix", paramLabel = "MIX", description = "Protocol weights, e.g. udp=7,tcp=2,icmp=1.")
    String mix;

    @Option(names = "--ipv6", paramLabel = "PERCENT", description = "Share of IPv6 traffic in percent (default 0).")
    Integer ipv6;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the synthetic flows.")
    Long seed;

    @Option(names = "--json", description = "Print one JSON object with every counter on stdout (live statistics go to stderr).")
    boolean json;

    @Option(names = "--report", paramLabel = "DIR", description = "Write an offline HTML report with charts, CSV and .hgrm to DIR.")
    Path report;

    @Override
    public Integer call() throws Exception {
        final LayeredSettings settings = settings();
        refuseNodeWithoutCluster(settings.merged());
        final PrintWriter err = spec.commandLine().getErr();
        final RunPlan plan = RunPlan.from(settings, node, config == null ? DeploymentLoader.COMMAND_LINE
            : config.getPath(), config == null ? Path.of("") : config.getAbsoluteFile().toPath().getParent(),
            warning -> {
                err.println("steer run: warning: " + warning);
                err.flush();
            });
        refuseOptionsOfOtherFeeds(plan.deployment().feed().type());
        refuseOptionsThatDoNotApply(plan);
        // Said by the run once its feeds are open (RunJob): lossless cannot hold back a sender on the wire.
        final String losslessBy = !plan.deployment().feed().lossless() ? null : lossless ? "--lossless"
            : ConfigCheck.where(settings.merged().getValue("steer.feed.mode")) + "steer.feed.mode = lossless";
        if (report != null) {
            // Before the run, not after it: a report that cannot be written is a bad option, not a failed run.
            prepareReportDir(report);
        }
        final RunJob job = new RunJob(plan, losslessBy, json, report, spec.commandLine().getOut(), err);
        // Ctrl-C or SIGTERM: the run stops as at its deadline (summary, engine drained, Aeron directory deleted).
        try (StopOnSignal ignored = StopOnSignal.install("steer-run", job::requestStop, stopTimeout(plan))) {
            return job.run();
        }
    }

    /**
     * How long a signal waits for the run to finish. A cluster node first leaves (up to its {@code leave-timeout}:
     * with a member unreachable, the leave completes only once the split-brain resolver has decided, after
     * {@code stable-after}) and its forwarders then wait up to {@code drain-timeout}: the hook outlasts both, or it let
     * the JVM exit at 30 s in the middle of the leave, without a summary and without closing the feed.
     */
    static java.time.Duration stopTimeout(RunPlan plan) {
        final var cluster = plan.deployment().cluster();
        if (!cluster.enabled()) {
            return StopOnSignal.STOP_TIMEOUT;
        }
        return StopOnSignal.STOP_TIMEOUT.plus(cluster.leaveTimeout()).plus(cluster.drainTimeout());
    }

    /**
     * Refuses a feed option of a type other than the run's ({@code --pcap FILE} while the feed is {@code aeron}): left
     * alone, it was ignored and the run steered the default feed's traffic instead of, say, replaying the capture.
     * A config file may keep blocks of other types (to switch with {@code --feed}); an option is a request.
     *
     * @throws IllegalArgumentException naming the option, its feed type and the run's
     */
    private void refuseOptionsOfOtherFeeds(String type) {
        new OptionOwners().own("aeron", "--channel", "--aeron-dir").own("udp", "--listen")
            .own("pcap", "--pcap", "--pace", "--loops", "--max-gap").own("afpacket", "--interface", "--netns")
            .refuseOthers(spec.commandLine().getParseResult(), type, owner -> "an option of the " + owner
                + " feed, but the feed is " + type + ": add --feed " + owner + " (or leave the option out)");
    }

    /**
     * Refuses an option that the run would ignore although its feed is the option's: a traffic option ({@code --rate},
     * {@code --flows}, ...) when this process generates no traffic (a pcap or afpacket feed, {@code --no-traffic}), and
     * {@code --max-gap} for a replay that is not paced by the capture. A config file's keys stay allowed.
     *
     * @throws IllegalArgumentException naming the option and why it does not apply
     */
    private void refuseOptionsThatDoNotApply(RunPlan plan) {
        if (!RunPlan.generatesTraffic(plan.run(), plan.deployment())) {
            final String why = plan.run().traffic() ? "the feed is " + plan.deployment().feed().type() : "--no-traffic";
            OptionOwners.refuseGiven(spec.commandLine().getParseResult(), TrafficOptions.NAMES, option -> "sets the"
                + " traffic this process generates, but it generates none (" + why + "): leave the option out");
        }
        final dev.steer.ingress.pcap.PcapSettings replay = plan.deployment().feed().pcap();
        if (maxGap != null && replay != null && replay.pace() != dev.steer.ingress.pcap.PcapSettings.Pace.CAPTURE) {
            throw new IllegalArgumentException("--max-gap " + maxGap + ": applies only to a replay paced by the capture,"
                + " but the pace is fast: add --pace capture (or leave the option out)");
        }
    }

    /**
     * Refuses {@code --node NAME} unless the deployment is a cluster: it picks the node of a cluster file, and on a
     * single node it only renamed the node, so a user who meant to run a cluster node got a lone engine instead. Checked
     * before the deployment is read: renamed, a single node's entries that name it would be refused for a node that is
     * not this one, which hides the cause. A {@code steer.cluster.enabled} that is no boolean is left for the
     * deployment's own check.
     *
     * @throws IllegalArgumentException naming the option, the deployment and why
     */
    private void refuseNodeWithoutCluster(Config merged) {
        if (node == null) {
            return;
        }
        final String key = "steer.cluster.enabled";
        final boolean cluster;
        try {
            cluster = merged.hasPath(key) && merged.getBoolean(key);
        } catch (ConfigException ex) {
            return; // not a boolean, or steer/cluster not a block: the deployment's check names it with file and line
        }
        if (!cluster) {
            throw new IllegalArgumentException("--node " + node + ": picks the node of a cluster file, but the deployment "
                + (config == null ? "is a single node (no --config)" : config + " is a single node (" + key
                + " is not true)") + ": leave the option out (or give a cluster file, " + key + " = true)");
        }
    }

    /**
     * Makes sure {@code --report DIR} can take the report: an existing directory, or one created now.
     *
     * @throws IllegalArgumentException naming the option, the path and why it cannot be the report directory
     */
    static void prepareReportDir(Path dir) {
        if (dir.toString().isBlank()) {
            // An empty path resolves to the current directory, which then got the report's files among its own.
            throw new IllegalArgumentException("--report '" + dir + "': must name a directory, e.g. --report report"
                + " (--report . for the current one)");
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--report " + dir + ": is a file, not a directory");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException ex) {
            String why = ex.getClass().getSimpleName();
            if (ex instanceof NoSuchFileException missing) {
                why = "no such directory: " + missing.getFile();
            } else if (ex instanceof FileSystemException fs && fs.getReason() != null) {
                why = fs.getReason() + (dir.toString().equals(fs.getFile()) ? "" : ": " + fs.getFile());
            }
            throw new IllegalArgumentException("--report " + dir + ": cannot create the directory (" + why + ")", ex);
        }
        if (!Files.isWritable(dir)) {
            throw new IllegalArgumentException("--report " + dir + ": the directory is not writable");
        }
    }

    /**
     * Command line over config file over scenario (the defaults are applied by each block's reader), and the config
     * file's own values that options override, so that their problems are warned of.
     */
    LayeredSettings settings() {
        return LayeredSettings.of(commandLine(), config == null ? null : ConfigFile.read("--config", config),
            scenario == null ? null : scenarioConfig(scenario));
    }

    /**
     * A shipped scenario or a scenario file as a config to merge: validated first by {@link Scenarios#load}
     * (every problem at once, with file and line).
     */
    static Config scenarioConfig(String nameOrPath) {
        return Scenarios.load(nameOrPath).config();
    }

    /** The options as config keys, each with its option. */
    private LayeredSettings.Options commandLine() {
        final LayeredSettings.Options values = new LayeredSettings.Options();
        values.put("run.duration", "--duration", duration);
        values.put("run.churn-interval", "--churn", churn);
        if (noTraffic) {
            values.put("run.traffic", "--no-traffic", false);
        }
        values.put("steer.stats.interval", "--interval", interval);
        values.put("steer.engine.program", "--program", program);
        values.put("steer.engine.idle", "--idle", idle);
        if (noPin) {
            values.put("steer.engine.pinning", "--no-pin", false);
        }
        if (cpus != null) {
            // One entry per CPU of this node, key = CPU, with the default qsize (--qsize).
            final int[] list;
            try {
                list = CpuList.parse(cpus);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("--cpus " + cpus + ": " + ex.getMessage(), ex);
            }
            final dev.steer.engine.map.CpuSet machine = dev.steer.engine.map.CpuSet.fromMachine();
            final java.util.List<Object> entries = new java.util.ArrayList<>();
            for (int cpu : list) {
                if (!machine.isUsable(cpu)) {
                    throw new IllegalArgumentException("--cpus " + cpus + ": CPU " + cpu + " is not usable here; usable CPUs: "
                        + CpuList.format(machine.usableCpus()));
                }
                entries.add(Map.of("key", cpu));
            }
            values.put("steer.map.entries", "--cpus", entries);
        }
        values.put("steer.map.default-qsize", "--qsize", qsize);
        values.put("steer.feed.type", "--feed", feed);
        values.put("steer.feed.queues", "--queues", queues);
        if (lossless) {
            values.put("steer.feed.mode", "--lossless", "lossless");
        }
        values.put("steer.feed.aeron.channel", "--channel", channel);
        values.put("steer.feed.aeron.directory", "--aeron-dir", aeronDir);
        values.put("steer.feed.udp.bind", "--listen", listen);
        values.put("steer.feed.pcap.file", "--pcap", pcap);
        values.put("steer.feed.pcap.pace", "--pace", pace);
        values.put("steer.feed.pcap.loops", "--loops", loops);
        values.put("steer.feed.pcap.max-gap", "--max-gap", maxGap);
        values.put("steer.feed.afpacket.interface", "--interface", networkInterface);
        values.put("steer.feed.afpacket.netns", "--netns", netns);
        return values.traffic(rate, flows, sizes, mix, ipv6, seed)
            .put("traffic.on-off", "--on-off", TrafficOptions.onOff(onOff));
    }
}
