package dev.steer.loadgen.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.pekko.actor.CoordinatedShutdown;

import dev.steer.actors.SteerEngine;
import dev.steer.engine.map.CpuList;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryLocation;
import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.stats.EngineStats;
import dev.steer.cluster.ClusterNode;
import dev.steer.cluster.LinkStats;
import dev.steer.cluster.config.Deployment;
import dev.steer.cluster.config.DeploymentApplier;
import dev.steer.ingress.config.FeedConfig;
import dev.steer.ingress.pcap.PcapFeed;
import dev.steer.loadgen.report.CaptureCounts;
import dev.steer.loadgen.report.HtmlReport;
import dev.steer.loadgen.report.JsonReport;
import dev.steer.loadgen.report.RunInfo;
import dev.steer.loadgen.report.RunSummary;
import dev.steer.loadgen.stats.EntryPlaces;
import dev.steer.loadgen.stats.Interval;
import dev.steer.loadgen.stats.LatencyHandler;
import dev.steer.loadgen.stats.LatencyRecorder;
import dev.steer.loadgen.stats.LatencySnapshot;
import dev.steer.loadgen.stats.LiveStatsPrinter;
import dev.steer.loadgen.stats.StatsSampler;
import dev.steer.loadgen.traffic.SyntheticFeed;

/**
 * One {@code steer run}: opens the feeds, starts the engine and, where this process makes the traffic,
 * the senders; prints live statistics every interval while churning the map if asked; then stops the
 * senders, waits for what they sent to arrive, shuts the engine down (every frame accounted for), and
 * prints the summary, the JSON object and the report.
 *
 * <p>The accounting covers the transport too when this process sends into a reliable one (Aeron): frames
 * sent but never received count as lost.
 */
final class RunJob {
    /** How often the run looks whether its feeds or senders have ended: the error of the run's measured time. */
    private static final long END_CHECK_NS = TimeUnit.MILLISECONDS.toNanos(10);

    /**
     * Pekko runs CoordinatedShutdown from a JVM shutdown hook of its own, which would drain and stop the engine
     * under the run's feet on a signal: the run stops it itself (requestStop), in order, so Pekko's hook is off.
     * So is every other JVM hook of Pekko ({@code jvm-shutdown-hooks}): Artery's closed the transport at the signal,
     * under a cluster node's graceful leave, so the other nodes never learnt of the leave, saw the node unreachable
     * and counted its keys {@code ring_full} and then {@code unreachable} until the split-brain resolver downed it.
     */
    static final com.typesafe.config.Config NO_PEKKO_SHUTDOWN_HOOK = com.typesafe.config.ConfigFactory.parseString(
        "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\npekko.jvm-shutdown-hooks = off");
    /**
     * The run's Pekko settings: {@link #NO_PEKKO_SHUTDOWN_HOOK}, and {@link DemotingSlf4jLogger}, so that a failed bind
     * and the warnings every graceful leave causes do not tell the user that something is wrong.
     */
    static final com.typesafe.config.Config PEKKO_SETTINGS = NO_PEKKO_SHUTDOWN_HOOK.withFallback(DemotingSlf4jLogger.config());

    private final RunPlan plan;
    private final boolean json;
    private final Path reportDir;
    private final PrintWriter out;
    private final PrintWriter err;
    private volatile boolean stopRequested;
    /** Set when the engine was drained by Pekko's coordinated shutdown under the run: why, for the output. */
    private String engineStopped;
    private volatile Thread runner;

    RunJob(RunPlan plan, boolean json, Path reportDir, PrintWriter out, PrintWriter err) {
        this.plan = plan;
        this.json = json;
        this.reportDir = reportDir;
        this.out = out;
        this.err = err;
    }

    /**
     * Asks the run to stop now, as if its duration were over: it stops the senders, drains the engine and prints
     * the summary. Any thread (a shutdown hook); returns at once.
     */
    void requestStop() {
        stopRequested = true;
        final Thread thread = runner;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    int run() throws InterruptedException {
        runner = Thread.currentThread();
        final RunSettings run = plan.run();
        final Deployment deployment = plan.deployment();
        final boolean clustered = deployment.cluster().enabled();
        if (clustered && !run.churnInterval().isZero()) {
            throw new IllegalArgumentException("--churn: map churn runs on a single node; a cluster map changes through "
                + "its owner (docs/cluster.md)");
        }
        final FeedConfig.Plan feedPlan = deployment.feed();
        final Duration interval = deployment.stats().interval();
        final boolean synthetic = "synthetic".equals(feedPlan.type());
        final boolean sending = run.traffic() && (feedPlan.isAeron() || "udp".equals(feedPlan.type()));
        progress("opening " + feedPlan.queues() + " " + feedPlan.type() + " feed queue(s)"
            + (feedPlan.isAeron() && feedPlan.aeronDirectory().isEmpty() ? " with an embedded Aeron media driver" : ""));
        final FeedConfig.Opened opened = synthetic ? null : FeedConfig.open(feedPlan);
        if (opened != null) {
            CaptureDamage.refuseNonCaptures(opened);
        }
        final List<Feed> feeds = new ArrayList<>();
        final List<SyntheticFeed> held = new ArrayList<>();
        if (synthetic) {
            for (int i = 0; i < feedPlan.queues(); i++) {
                final SyntheticFeed feed = new SyntheticFeed("synthetic#" + i, RunTraffic.queueTraffic(plan.traffic(),
                    feedPlan.queues(), i), SyntheticFeed.UNLIMITED);
                // Held until the measured run begins (a cluster node's map is in place only once ClusterRun.start
                // returns), and held again when it ends, so that the totals are the run's frames, not also those of
                // the engine's start-up and drain. With --no-traffic the feed is never released: an idle engine (a
                // cluster node with it still steers what other nodes forward to it).
                held.add(feed.hold());
                feeds.add(feed);
            }
        } else {
            feeds.addAll(opened.feeds());
        }
        final RunTraffic senders = new RunTraffic();
        SteerEngine engine = null;
        ClusterNode clusterNode = null;
        EngineStats finalStats = null;
        final LatencyRecorder latency = new LatencyRecorder();
        Instant startedAt = Instant.now();
        long start = System.nanoTime();
        long end;
        Churn churn = null;
        if (run.traffic() && (synthetic || sending)) {
            warnOversize(deployment.engine());
        }
        try {
            progress("starting the engine: program " + deployment.engine().program() + ", entries " + describeEntries()
                + ", idle " + deployment.engine().idle().label());
            final SteerEngine.Builder builder = DeploymentApplier.applyTo(deployment, SteerEngine.builder())
                .handler(new LatencyHandler(latency, FrameHandler.NO_OP)).systemName("steer")
                .actorConfig(PEKKO_SETTINGS);
            feeds.forEach(builder::feed);
            if (clustered) {
                try {
                    clusterNode = ClusterRun.start(deployment, builder, this::progress, () -> stopRequested);
                } catch (IllegalStateException ex) {
                    if (!stopRequested) {
                        throw ex;
                    }
                    // Said here, before the finally closes the driver: once the run returns, the signal's hook lets
                    // the JVM exit, before the command line could print the exception.
                    err.println("steer run: " + ex.getMessage());
                    err.flush();
                    return SteerCli.EXIT_FAILED;
                }
                engine = clusterNode.engine();
            } else {
                engine = builder.start();
            }
            if (sending) {
                progress("sending synthetic traffic into " + feedPlan.type() + " (" + describeTraffic() + ")");
                senders.start(feedPlan, plan.traffic(), feeds, opened);
            }
            // The run's time starts when everything is up: the sampler's baseline is taken now. A first read of the
            // stats, discarded, loads and links the classes of the stats path first: in the baseline read that took
            // long enough after the counters were read (about 10 ms) for the first interval to count frames outside
            // its measured time (4,345/s in the first 0.5 s of a --rate 4000 run).
            engine.stats();
            if (run.traffic()) {
                held.forEach(SyntheticFeed::release);
            }
            startedAt = Instant.now();
            start = System.nanoTime();
            final StatsSampler sampler = new StatsSampler(engine::stats, System::nanoTime, latency,
                new StatsSampler.Settings(interval, StatsSampler.Settings.DEFAULT_MAX_SAMPLES));
            if (!run.churnInterval().isZero()) {
                churn = new Churn(engine, localKeys(), deployment.map().defaultQsize(), plan.traffic().seed());
            }
            final PrintWriter live = json ? err : out;
            final LiveStatsPrinter printer = new LiveStatsPrinter(places(deployment));
            final long deadline = start + run.duration().toNanos();
            // Ticks count from the sampler's baseline, taken a little after start, so the first interval is a whole one.
            long nextSample = sampler.baselineNs() + interval.toNanos();
            long nextChurn = churn == null ? Long.MAX_VALUE : start + run.churnInterval().toNanos();
            final CoordinatedShutdown coordinatedShutdown = CoordinatedShutdown.get(engine.actorSystem());
            while (true) {
                final long now = System.nanoTime();
                if (stopRequested) {
                    progress("stopping early: the process was asked to stop (SIGINT or SIGTERM)");
                    break;
                }
                if (coordinatedShutdown.getShutdownReason().isPresent()) {
                    // Pekko's coordinated shutdown has begun, not started by this run: the split-brain resolver downed
                    // this node, say. Its drain stops the ingresses (so the feeds look ended) and the run would end
                    // as if asked to; it did not, whatever the accounting says.
                    engineStopped = "the engine was stopped while the run was running"
                        + coordinatedShutdown.getShutdownReason().map(reason -> " (" + reason + ")").orElse("");
                    progress(engineStopped);
                    break;
                }
                if (now >= deadline || failedInput(senders, feeds) != null || (!sending && engine.feedsEnded())) {
                    break;
                }
                if (now >= nextChurn) {
                    churn.step();
                    // As the samples: after a stall the steps missed are skipped, not made in a burst.
                    nextChurn = StatsSampler.nextTick(nextChurn, run.churnInterval().toNanos(), System.nanoTime());
                }
                if (now >= nextSample) {
                    live.print(printer.format(sampler.sample()));
                    live.flush();
                    // Printing may block (a paused terminal) and the thread may stall: skip the ticks missed.
                    nextSample = StatsSampler.nextTick(nextSample, interval.toNanos(), System.nanoTime());
                }
                // Wake for the next sample, churn step or the deadline, and at least every END_CHECK_NS: a bounded
                // feed (a pcap file) or a sender may end at any moment, and the run's time ends when it does.
                final long wake = Math.min(Math.min(Math.min(nextSample, nextChurn), deadline), now + END_CHECK_NS);
                LockSupport.parkNanos(Math.max(0, wake - System.nanoTime()));
            }
            end = System.nanoTime();
            held.forEach(SyntheticFeed::hold);
            final long sent = senders.stop();
            if (sending) {
                RunTraffic.awaitArrival(engine, sent);
            }
            // The last (partial) interval goes where the others went, stdout or, with --json, stderr.
            final Interval last = sampler.sample();
            if (last.seconds() > 0.05) {
                live.print(printer.format(last));
                live.flush();
            }
            progress("stopping: draining every entry");
            // Live counters, final once the node has shut down (its links acknowledge or give up what is in flight).
            final List<LinkStats> links = clusterNode != null ? clusterNode.links() : List.of();
            finalStats = clusterNode != null ? clusterNode.shutdown() : engine.shutdown();
            engine = null;
            clusterNode = null;
            final String failure = failedInput(senders, feeds);
            final List<CaptureDamage.Found> damage = CaptureDamage.of(feeds);
            final List<PcapFeed> empty = CaptureDamage.empty(feeds);
            final List<CaptureCounts> captures = CaptureDamage.counts(feeds);
            // The counters of the final stats, the map of the last sample: the shutdown has emptied the map.
            return finish(JsonReport.withRunningMap(finalStats, sampler.latest()), links, latency, sampler,
                sending ? sent : -1, churn, startedAt, Duration.ofNanos(end - start), failure, damage, empty,
                captures);
        } finally {
            senders.stop();
            if (engine != null) {
                try {
                    if (clusterNode != null) {
                        clusterNode.shutdown();
                    } else {
                        engine.shutdown();
                    }
                } catch (RuntimeException ex) {
                    err.println("steer run: " + ex.getMessage());
                }
            }
            if (opened != null) {
                opened.close();
            }
        }
    }

    /**
     * Where the entry of each key runs, for the live rows, the summary and the JSON: on one node the CPU that is the
     * key; on a cluster node the entry's {@code cpu} on this node or on another, which the key alone does not say.
     */
    static EntryPlaces places(Deployment deployment) {
        if (!deployment.cluster().enabled()) {
            return EntryPlaces.keyIsCpu();
        }
        final Map<Integer, EntryLocation> places = new HashMap<>();
        final List<Deployment.MapSettings.Entry> local = deployment.localEntries();
        for (Deployment.MapSettings.Entry entry : deployment.map().entries()) {
            places.put(entry.key(), local.contains(entry) ? EntryLocation.local(entry.cpu())
                : EntryLocation.remote(entry.node(), entry.cpu()));
        }
        return EntryPlaces.of(places);
    }

    /** Keys of this node's entries: the configured ones, or every usable CPU when none is configured. */
    private int[] localKeys() {
        final var entries = plan.deployment().localEntries();
        if (entries.isEmpty()) {
            return CpuSet.fromMachine().usableCpus();
        }
        return entries.stream().mapToInt(Deployment.MapSettings.Entry::key).toArray();
    }

    /** CPUs this node's entries run on: in a cluster an entry's CPU need not equal its (global) key. */
    private int[] localCpus() {
        final int[] cpus = plan.deployment().localCpus();
        return cpus.length == 0 ? CpuSet.fromMachine().usableCpus() : cpus;
    }

    private String describeEntries() {
        final var entries = plan.deployment().localEntries();
        if (entries.isEmpty()) {
            return "on every usable CPU (" + CpuList.format(CpuSet.fromMachine().usableCpus()) + "), qsize "
                + plan.deployment().map().defaultQsize();
        }
        final StringBuilder text = new StringBuilder();
        for (Deployment.MapSettings.Entry entry : entries) {
            text.append(text.length() == 0 ? "" : ", ").append(entry.key()).append(" (qsize ").append(entry.qsize()).append(')');
        }
        return text.toString();
    }

    private String describeTraffic() {
        final var t = plan.traffic();
        return t.flows() + " flows, sizes " + t.sizes() + ", rate " + (t.rate() == 0 ? "max" : t.rate() + " pps");
    }

    /**
     * Why the run's input failed: a traffic sender that stopped early, or a feed that says why it ended
     * ({@link Feed#endReason()}: an AF_PACKET interface deleted under it, say); null when neither did. A damaged
     * capture is not here: {@link CaptureDamage} reports it with its file and offset.
     */
    static String failedInput(RunTraffic senders, List<Feed> feeds) {
        if (senders.failure() != null) {
            return "the traffic sender stopped early: " + senders.failure();
        }
        for (Feed feed : feeds) {
            final String reason = feed.endReason();
            if (reason != null && !reason.isEmpty()) {
                return "the feed " + feed.name() + " ended: " + reason;
            }
        }
        return null;
    }

    private int finish(EngineStats stats, List<LinkStats> links, LatencyRecorder latency, StatsSampler sampler, long sent,
                       Churn churn, Instant startedAt, Duration duration, String inputFailure,
                       List<CaptureDamage.Found> damage, List<PcapFeed> empty, List<CaptureCounts> captures) {
        final RunInfo info = new RunInfo(plan.deployment().engine().program(), describeFeed(), CpuList.format(localCpus()),
            startedAt, duration, places(plan.deployment()));
        final LatencySnapshot percentiles = LatencySnapshot.of(latency.cumulative());
        final RunSummary summary = new RunSummary(info, stats, percentiles);
        final long received = RunTraffic.fromFeeds(stats);
        final long notReceived = sent < 0 ? 0 : Math.max(0, sent - received);
        // Aeron is reliable: whatever was sent and not received is lost. UDP is not: the kernel may drop
        // datagrams before the feed sees them, which is reported but is the transport's, not the engine's.
        final boolean reliable = plan.deployment().feed().isAeron();
        final long lost = summary.lost() + (reliable ? notReceived : 0);
        // One JSON object for --json and the report's summary.json, so that the two cannot disagree.
        final ObjectNode root = JsonReport.toJson(info, stats, percentiles);
        // Why the run failed, when it did for a reason of its own (exit 3): always present, null otherwise.
        final String failure = engineStopped != null ? engineStopped
            : inputFailure;
        root.put("failure", failure);
        final ObjectNode accounting = (ObjectNode) root.get("accounting");
        if (sent >= 0) {
            final ObjectNode transport = root.putObject("transport");
            transport.put("type", plan.deployment().feed().type());
            transport.put("reliable", reliable);
            transport.put("sent", sent);
            transport.put("received", received);
            transport.put("not_received", notReceived);
            accounting.put("lost", lost);
        }
        if (!links.isEmpty()) {
            final var array = root.putArray("links");
            for (LinkStats link : links) {
                final ObjectNode node = array.addObject();
                node.put("node", link.node());
                node.put("batches", link.batches());
                node.put("frames", link.frames());
                node.put("bytes", link.bytes());
                node.put("acknowledged", link.acknowledged());
                node.put("timed_out", link.timedOut());
                node.put("timed_out_frames", link.timedOutFrames());
                node.put("late_acknowledged", link.lateAcknowledged());
            }
        }
        if (churn != null) {
            root.set("churn", churn.toJson());
        }
        if ("pcap".equals(plan.deployment().feed().type())) {
            // Always there for a pcap run, empty when the files were whole: the keys do not depend on the file.
            CaptureDamage.toJson(damage, root.putArray("capture_damage"));
            CaptureDamage.emptyToJson(empty, root.putArray("capture_empty"));
            CaptureDamage.countsToJson(captures, root.putArray(CaptureCounts.JSON_ARRAY));
        }
        if (json) {
            try {
                out.println(new ObjectMapper().writeValueAsString(root));
            } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
                throw new IllegalStateException(ex);
            }
        } else {
            out.print(summary.format());
            if (sent >= 0) {
                out.printf("transport: sent %,d, received %,d, not received %,d%s%n", sent, received, notReceived,
                    reliable ? "" : " (UDP: the socket's own drops are feed_overrun; this is what was lost before it)");
            }
            for (LinkStats link : links) {
                out.printf("link to %s: %,d batches (%,d frames), %,d acknowledged, %,d timed out (%,d frames), %,d late"
                    + " acknowledgements%n", link.node(), link.batches(), link.frames(), link.acknowledged(),
                    link.timedOut(), link.timedOutFrames(), link.lateAcknowledged());
            }
            if (churn != null) {
                out.println(churn.describe());
            }
            captures.forEach(capture -> out.println(capture.describe()));
            damage.forEach(found -> out.println(found.describe()));
            empty.forEach(feed -> out.println(CaptureDamage.describeEmpty(feed)));
        }
        out.flush();
        if (reportDir != null) {
            final Path index = HtmlReport.write(reportDir, info, stats, sampler.series(), latency.cumulative(), root,
                lost - summary.lost());
            err.println("steer run: report written to " + index);
        }
        if (failure != null) {
            err.println("steer run: " + failure);
        }
        damage.forEach(found -> err.println("steer run: " + found.describe()));
        empty.forEach(feed -> err.println("steer run: " + CaptureDamage.describeEmpty(feed)));
        // Possibly lost packets, but not a failure: the file was read to its end, so the exit status stays.
        captures.stream().filter(CaptureCounts::possibleLoss)
            .forEach(capture -> err.println("steer run: warning: " + capture.warning()));
        if (lost != 0) {
            err.println("steer run: frames lost: " + lost);
            return SteerCli.EXIT_LOST;
        }
        return failure == null && damage.isEmpty() ? SteerCli.EXIT_OK : SteerCli.EXIT_FAILED;
    }

    private String describeFeed() {
        final FeedConfig.Plan feed = plan.deployment().feed();
        final String traffic = plan.run().traffic() && (feed.isAeron() || "udp".equals(feed.type())
            || "synthetic".equals(feed.type())) ? ", synthetic traffic: " + describeTraffic() : "";
        return switch (feed.type()) {
            case "aeron" -> "aeron " + feed.aeron().channel() + " stream " + feed.aeron().streamId() + traffic;
            case "udp" -> "udp " + feed.udp().bindAddress() + ":" + feed.udp().port() + traffic;
            case "pcap" -> "pcap " + feed.pcap().path();
            case "afpacket" -> "afpacket " + feed.afpacket().iface();
            default -> "synthetic" + (plan.run().traffic() ? traffic : ", no traffic (--no-traffic)");
        } + (feed.queues() > 1 ? " x" + feed.queues() + " queues" : "") + (feed.lossless() ? ", lossless" : "");
    }

    /**
     * Says before the run when the traffic this process makes holds sizes that no pool frame can take: --sizes takes
     * wire sizes up to 9022 bytes, a frame holds frame-size - headroom (1792 bytes by default), and every larger frame
     * is an oversize drop, which otherwise showed only as a run with nothing delivered.
     */
    private void warnOversize(Deployment.EngineSettings engine) {
        final var sizes = plan.traffic().sizes();
        int largest = 0;
        for (int i = 0; i < sizes.count(); i++) {
            if (sizes.weight(i) > 0) {
                largest = Math.max(largest, sizes.wireSize(i));
            }
        }
        final int room = engine.frameSize() - engine.headroom();
        if (largest - dev.steer.loadgen.traffic.FrameSizes.FCS > room) {
            err.println("steer run: warning: traffic sizes up to " + largest + " bytes on the wire ("
                + (largest - dev.steer.loadgen.traffic.FrameSizes.FCS) + " without FCS) do not fit a pool frame"
                + " (steer.engine.pool.frame-size " + engine.frameSize() + " - headroom " + engine.headroom() + " = "
                + room + " bytes): those frames will be dropped as oversize; raise steer.engine.pool.frame-size to"
                + " replay them");
            err.flush();
        }
    }

    private void progress(String phase) {
        err.println("steer run: " + phase + " ...");
        err.flush();
    }
}
