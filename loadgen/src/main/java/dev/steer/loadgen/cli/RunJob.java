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
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

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
import dev.steer.cluster.ReceiverStats;
import dev.steer.cluster.config.Deployment;
import dev.steer.cluster.config.DeploymentApplier;
import dev.steer.ingress.config.FeedConfig;
import dev.steer.loadgen.report.JsonReport;
import dev.steer.loadgen.report.RunInfo;
import dev.steer.loadgen.stats.EntryPlaces;
import dev.steer.loadgen.stats.Interval;
import dev.steer.loadgen.stats.LatencyHandler;
import dev.steer.loadgen.stats.LatencyRecorder;
import dev.steer.loadgen.stats.LiveStatsPrinter;
import dev.steer.loadgen.stats.StatsSampler;
import dev.steer.loadgen.traffic.SyntheticFeed;

/**
 * One {@code steer run}: opens the feeds, starts the engine and, where this process makes the traffic,
 * the senders; prints live statistics every interval while churning the map if asked; then stops the
 * senders, waits for what they sent to arrive, shuts the engine down (every frame accounted for), and
 * hands what the run counted to {@link RunReport}, which prints the summary, the JSON object and the report
 * and decides the exit status.
 */
final class RunJob {
    /** How often the run looks whether its feeds or senders have ended: the error of the run's measured time. */
    private static final long END_CHECK_NS = TimeUnit.MILLISECONDS.toNanos(10);
    /** How long the run's senders wait for the first poll of each released feed: 1,000 of an ingress' longest parks. */
    static final long FIRST_POLL_WAIT_NS = TimeUnit.SECONDS.toNanos(1);

    /**
     * Pekko runs CoordinatedShutdown from a JVM shutdown hook of its own, which would drain and stop the engine
     * under the run's feet on a signal: the run stops it itself (requestStop), in order, so Pekko's hook is off.
     * So is every other JVM hook of Pekko ({@code jvm-shutdown-hooks}): Artery's closed the transport at the signal,
     * under a cluster node's graceful leave, so the other nodes never learnt of the leave, saw the node unreachable
     * and counted its keys {@code ring_full} and then {@code unreachable} until the split-brain resolver downed it.
     */
    private static final com.typesafe.config.Config NO_PEKKO_SHUTDOWN_HOOK = com.typesafe.config.ConfigFactory.parseString(
        "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\npekko.jvm-shutdown-hooks = off");
    /**
     * The run's Pekko settings: {@link #NO_PEKKO_SHUTDOWN_HOOK}, and {@link DemotingSlf4jLogger}, so that a failed bind
     * and the warnings every graceful leave causes do not tell the user that something is wrong.
     */
    static final com.typesafe.config.Config PEKKO_SETTINGS = NO_PEKKO_SHUTDOWN_HOOK.withFallback(DemotingSlf4jLogger.config());

    private final RunPlan plan;
    /** What asked for lossless, to start its warning: {@code --lossless} or {@code FILE:LINE: ...}; null if not. */
    private final String losslessBy;
    private final boolean json;
    private final Path reportDir;
    private final PrintWriter out;
    private final PrintWriter err;
    private final RunPlanText text;
    private volatile boolean stopRequested;
    /** Set when the engine was drained by Pekko's coordinated shutdown under the run: why, for the output. */
    private String engineStopped;
    private volatile Thread runner;

    /** @param losslessBy what asked for lossless, as its warning starts ({@code --lossless}); null when nothing did */
    RunJob(RunPlan plan, String losslessBy, boolean json, Path reportDir, PrintWriter out, PrintWriter err) {
        this.plan = plan;
        this.losslessBy = losslessBy;
        this.json = json;
        this.reportDir = reportDir;
        this.out = out;
        this.err = err;
        this.text = new RunPlanText(plan);
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
            // Said once, at start: an AF_PACKET feed on a down interface opens and waits, receiving nothing; one whose
            // MTU lets in frames no pool frame holds drops them as oversize.
            opened.warnings(deployment.engine().frameSize(), deployment.engine().headroom()).forEach(this::warn);
            if ("udp".equals(feedPlan.type())) {
                // With port 0 the kernel chose the ports: an external sender (--no-traffic) needs them now.
                progress("listening on " + text.listening(opened.feeds()));
            } else if (feedPlan.isAeron() && feedPlan.aeron().endpointOnPortZero()) {
                // The same for an Aeron UDP endpoint with port 0: the media driver chose a port per queue.
                progress("listening on " + RunPlanText.aeronListening(opened.feeds()));
            }
            // Once, at start: lossless cannot hold back a sender on the wire, so the loss moves to the kernel.
            final String wire = losslessBy == null ? null : text.losslessWireWarning(losslessBy, opened.feeds());
            if (wire != null) {
                warn(wire);
            }
        }
        final List<Feed> feeds = new ArrayList<>();
        final List<SyntheticFeed> held = new ArrayList<>();
        // The other feeds are held until the baseline too (HeldFeed), and always released: their traffic may be
        // external (--no-traffic), and at the end the run waits for its own senders' frames to arrive.
        final List<HeldFeed> heldInputs = new ArrayList<>();
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
        // After the start's warnings: an AF_PACKET link that goes down or comes back up during the run is said once.
        final LinkWatch linkWatch = new LinkWatch(feeds);
        final RunTraffic senders = new RunTraffic();
        SteerEngine engine = null;
        ClusterNode clusterNode = null;
        final LatencyRecorder latency = new LatencyRecorder();
        Instant startedAt = Instant.now();
        long start = System.nanoTime();
        long end;
        Churn churn = null;
        final String poolBacklog = text.poolBacklogWarning();
        if (poolBacklog != null) {
            warn(poolBacklog);
        }
        if (RunPlan.generatesTraffic(run, deployment)) {
            final String oversize = text.oversizeWarning();
            if (oversize != null) {
                warn(oversize);
            }
        }
        try {
            progress("starting the engine: program " + deployment.engine().program() + ", entries " + text.entries()
                + ", idle " + deployment.engine().idle().label());
            final SteerEngine.Builder builder = DeploymentApplier.applyTo(deployment, SteerEngine.builder())
                .handler(new LatencyHandler(latency, FrameHandler.NO_OP))
                // Frames passed at the ingress count as delivered and end there: said, not warned of (the warning
                // of the default local handler tells an embedding service to set one).
                .localHandler(FrameHandler.NO_OP).systemName("steer")
                .actorConfig(PEKKO_SETTINGS);
            for (Feed feed : feeds) {
                if (synthetic) {
                    builder.feed(feed);
                } else {
                    final HeldFeed input = new HeldFeed(feed);
                    heldInputs.add(input);
                    builder.feed(input);
                }
            }
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
            final SteerEngine running = engine;
            // The live intervals count what happened while the feeds were polled: a UDP socket's or an AF_PACKET ring's
            // drops before its first poll are the summary's, apart, not the first interval's.
            final FirstPollDrops firstPollDrops = FirstPollDrops.of(feeds);
            final StatsSampler sampler = startMeasuring(() -> firstPollDrops.leftOut(running.stats()), latency,
                new StatsSampler.Settings(interval, StatsSampler.Settings.DEFAULT_MAX_SAMPLES),
                () -> {
                    if (run.traffic()) {
                        held.forEach(SyntheticFeed::release);
                    }
                    heldInputs.forEach(HeldFeed::release);
                });
            // The run's time is the sampler's from its baseline, taken before the release: a frame the released feeds
            // make before this thread reads a clock again (a GC pause here) is in the totals, so in the time too.
            start = sampler.baselineNs();
            startedAt = Instant.now().minusNanos(System.nanoTime() - start);
            // Held inputs say when their feed was first polled since the release; the engine's POLLS also count the
            // polls of a held feed, which touch no real feed.
            final PollingLine pollingLine = new PollingLine(feeds.size(), heldInputs, this::say);
            if (sending) {
                // Once the feeds are released and polled: sent into a held feed, the first datagrams would wait in (or
                // overflow) the socket's buffer, and what overflowed before a feed's first poll would count as dropped
                // before the first poll.
                startSenders(pollingLine, FIRST_POLL_WAIT_NS, () -> stopRequested, () -> {
                    progress("sending synthetic traffic into " + feedPlan.type() + " (" + text.traffic() + ")");
                    senders.start(feedPlan, plan.traffic(), feeds, opened);
                });
            }
            if (!run.churnInterval().isZero()) {
                churn = new Churn(engine, localKeys(), deployment.map().defaultQsize(), plan.traffic().seed());
            }
            final PrintWriter live = json ? err : out;
            final LiveStatsPrinter printer = new LiveStatsPrinter(places(deployment));
            final long deadline = start + run.duration().toNanos();
            // Ticks count from the sampler's baseline, taken just before start (and the release), so the first interval
            // is a whole one.
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
                linkWatch.look(this::warn, this::say);
                if (now >= nextChurn) {
                    churn.step();
                    // As the samples: after a stall the steps missed are skipped, not made in a burst.
                    nextChurn = StatsSampler.nextTick(nextChurn, run.churnInterval().toNanos(), System.nanoTime());
                }
                if (now >= nextSample) {
                    live.print(printer.format(sampler.sample()));
                    live.flush();
                    pollingLine.sampled(sampler.latest());
                    // Printing may block (a paused terminal) and the thread may stall: skip the ticks missed.
                    nextSample = StatsSampler.nextTick(nextSample, interval.toNanos(), System.nanoTime());
                }
                // After the sample: when it showed every ingress polling, no ask of its own.
                pollingLine.look(engine::stats);
                // Wake for the next sample, churn step or the deadline, and at least every END_CHECK_NS: a bounded
                // feed (a pcap file) or a sender may end at any moment, and the run's time ends when it does.
                final long wake = Math.min(Math.min(Math.min(nextSample, nextChurn), deadline), now + END_CHECK_NS);
                LockSupport.parkNanos(Math.max(0, wake - System.nanoTime()));
            }
            end = System.nanoTime();
            held.forEach(SyntheticFeed::hold);
            final long sent = senders.stop();
            senders.idle().forEach(this::warn);
            if (sending) {
                RunTraffic.awaitArrival(engine, sent);
            }
            // The last (partial) interval goes where the others went, stdout or, with --json, stderr.
            final Interval last = sampler.sample();
            // A run that ended before the line was said (shorter than its first look) says it now, from that sample.
            pollingLine.end(sampler.latest());
            if (last.seconds() > 0.05) {
                live.print(printer.format(last));
                live.flush();
            }
            progress("stopping: draining every entry");
            // Live counters, final once the node has shut down (its links acknowledge or give up what is in flight).
            final List<LinkStats> links = clusterNode != null ? clusterNode.links() : List.of();
            final ReceiverStats receiver = clusterNode != null ? clusterNode.receiverStats() : null;
            final EngineStats finalStats = clusterNode != null ? clusterNode.shutdown() : engine.shutdown();
            engine = null;
            clusterNode = null;
            // A change the feeds noticed after the last look, before their ingresses closed them.
            linkWatch.look(this::warn, this::say);
            final RunInfo info = new RunInfo(deployment.engine().program(), text.feed(feeds),
                CpuList.format(localCpus()), startedAt, Duration.ofNanos(end - start), places(deployment));
            final String failure = engineStopped != null ? engineStopped : failedInput(senders, feeds);
            // The traffic this process made: a synthetic feed's (released) or its senders'; none with --no-traffic.
            final boolean traffic = run.traffic() && (synthetic || sending);
            // The counters of the final stats, the map of the last sample: the shutdown has emptied the map.
            return new RunReport(feedPlan, deployment.engine().frameSize(),
                deployment.engine().headroom(), json, reportDir, out, err).report(new RunReport.Outcome(info,
                JsonReport.withRunningMap(finalStats, sampler.latest()), latency.cumulative(), sampler.series(),
                sending ? sent : -1, links, churn, failure, CaptureDamage.Findings.of(feeds),
                RunReport.feedCounts(feeds), traffic ? RunReport.offered(held, senders, sending ? sent : -1,
                    plan.traffic().averageRate(), info) : null, receiver));
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
     * The run's time starts when everything is up: the sampler's baseline is taken, then the held feeds are
     * released, so that the live intervals add up to the run's totals. A first read of the stats, discarded, loads and links the classes of the stats path first: in the
     * baseline read that took long enough after the counters were read (about 10 ms) for the first interval to count
     * frames outside its measured time (4,345/s in the first 0.5 s of a --rate 4000 run).
     *
     * @param release lets the held feeds go ({@link SyntheticFeed#release()}, {@link HeldFeed#release()})
     */
    static StatsSampler startMeasuring(Supplier<EngineStats> stats, LatencyRecorder latency,
        StatsSampler.Settings settings, Runnable release) {
        stats.get();
        // Baseline first: a frame received during the baseline read is in the run's totals, so it must be in an
        // interval too (released first, a 5 ms run had all its frames in the baseline and none in an interval).
        final StatsSampler sampler = new StatsSampler(stats, System::nanoTime, latency, settings);
        release.run();
        return sampler;
    }

    /**
     * Starts the run's own senders ({@code start}) once each of the line's held inputs has been polled since its
     * release, waiting at most {@code boundNs} ({@link PollingLine#awaitFirstPolls}, which warns of a feed not polled by
     * then). The release only lets the next poll through, and an ingress may be parked (1 ms at most) when it comes: a
     * UDP or AF_PACKET feed's first poll keeps what the kernel dropped before it apart, out of the live intervals, so
     * the senders' own traffic must not be among those drops. When {@code stopRequested} comes during the wait, the wait
     * ends and no sender starts: the run's loop then stops at once. The run's thread.
     */
    static void startSenders(PollingLine line, long boundNs, BooleanSupplier stopRequested, Runnable start) {
        if (!line.awaitFirstPolls(boundNs, stopRequested)) {
            start.run();
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

    /**
     * Why the run's input failed: traffic senders that stopped early (every one: {@link RunTraffic#failure()}), or a
     * feed that says why it ended ({@link Feed#endReason()}: an AF_PACKET interface deleted under it, say); null when
     * neither did. A damaged capture is not here: {@link CaptureDamage} reports it with its file and offset.
     */
    static String failedInput(RunTraffic senders, List<Feed> feeds) {
        final String failedSenders = senders.failure();
        if (failedSenders != null) {
            return failedSenders;
        }
        for (Feed feed : feeds) {
            final String reason = feed.endReason();
            if (reason != null && !reason.isEmpty()) {
                return "the feed " + feed.name() + " ended: " + reason;
            }
        }
        return null;
    }

    private void progress(String phase) {
        say(phase + " ...");
    }

    private void say(String line) {
        err.println("steer run: " + line);
        err.flush();
    }

    private void warn(String warning) {
        say("warning: " + warning);
    }
}
