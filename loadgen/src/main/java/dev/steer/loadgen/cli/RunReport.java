package dev.steer.loadgen.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.HdrHistogram.Histogram;

import dev.steer.cluster.LinkStats;
import dev.steer.cluster.ReceiverStats;
import dev.steer.engine.frame.FramePool;
import dev.steer.engine.path.Feed;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.ingress.aeron.AeronFeed;
import dev.steer.ingress.afpacket.AfPacketFeed;
import dev.steer.ingress.config.FeedConfig;
import dev.steer.ingress.udp.UdpFeed;
import dev.steer.loadgen.report.CaptureCounts;
import dev.steer.loadgen.report.DamagedCapture;
import dev.steer.loadgen.report.FeedCounts;
import dev.steer.loadgen.report.HtmlReport;
import dev.steer.loadgen.report.JsonReport;
import dev.steer.loadgen.report.OfferedTraffic;
import dev.steer.loadgen.report.RunInfo;
import dev.steer.loadgen.report.RunSummary;
import dev.steer.loadgen.stats.Interval;
import dev.steer.loadgen.stats.LatencySnapshot;
import dev.steer.loadgen.stats.Units;
import dev.steer.loadgen.traffic.SyntheticFeed;

/**
 * The end of one {@code steer run}: from what the run counted ({@link Outcome}) it prints the text summary or, with
 * {@code --json}, the JSON object, with what a UDP, AF_PACKET or Aeron feed counted as {@code feed_overrun} split by
 * when, how often an AF_PACKET feed's link went down and its ring was full, and the images and bytes an Aeron feed's
 * subscription consumed ({@link FeedCounts}); writes the report
 * directory when asked; says on stderr why the run failed, where a capture was damaged or empty and what it may have
 * lost; and decides the exit status.
 *
 * <p>The accounting covers the transport too when the run sent into a reliable one (Aeron): frames sent but never
 * received count as lost. Thread contract: the run's thread, once, after the engine has shut down; allocates and
 * does I/O, off the data path.
 */
final class RunReport {
    /**
     * What one run counted, final: the engine has shut down.
     *
     * @param info     what the run was
     * @param stats    the final counters, with the map of the last sample ({@link JsonReport#withRunningMap})
     * @param latency  every latency of the run, in nanoseconds
     * @param series   the sampler's time series, oldest first
     * @param sent     frames this process sent into the feed's transport, or -1 when it sent none (its feed made them)
     * @param links    a cluster node's links to the other nodes; empty on a single node
     * @param churn    the map churn of the run, or null without {@code --churn}
     * @param failure  why the run failed for a reason of its own (its engine stopped under it, its input failed), or
     *                 null
     * @param captures what the pcap feeds replayed, damage and empty files included; nothing for other feeds
     * @param feeds    what the UDP, AF_PACKET and Aeron feeds counted as {@code feed_overrun}, and when, the AF_PACKET
     *                 links' downs, the Aeron images and bytes consumed ({@link #feedCounts}); nothing for other feeds
     * @param offered  the traffic this process made, in frames and bytes, and the rate asked ({@link #offered}); null
     *                 when it made none: the frames the feeds received, bytes not counted, no rate
     * @param receiver what a cluster node's receiver refused (batches for another incarnation of its address); null on
     *                 a single node
     */
    record Outcome(RunInfo info, EngineStats stats, Histogram latency, List<Interval> series, long sent,
                   List<LinkStats> links, Churn churn, String failure, CaptureDamage.Findings captures,
                   List<FeedCounts> feeds, OfferedTraffic offered, ReceiverStats receiver) {
        /** An outcome of a run on a single node. */
        Outcome(RunInfo info, EngineStats stats, Histogram latency, List<Interval> series, long sent,
                List<LinkStats> links, Churn churn, String failure, CaptureDamage.Findings captures,
                List<FeedCounts> feeds, OfferedTraffic offered) {
            this(info, stats, latency, series, sent, links, churn, failure, captures, feeds, offered, null);
        }

        /** An outcome of a run that made no traffic of its own. */
        Outcome(RunInfo info, EngineStats stats, Histogram latency, List<Interval> series, long sent,
                List<LinkStats> links, Churn churn, String failure, CaptureDamage.Findings captures,
                List<FeedCounts> feeds) {
            this(info, stats, latency, series, sent, links, churn, failure, captures, feeds, null, null);
        }
    }

    /**
     * What this process offered: the frames and bytes its synthetic feeds handed to the engine, or (with {@code sent}
     * not -1) those its senders sent, the rate judged over their own sending time; {@code rateAsked} the rate in total
     * (0: max). Read after the engine has stopped.
     */
    static OfferedTraffic offered(List<SyntheticFeed> synthetic, RunTraffic senders, long sent, double rateAsked,
                                  RunInfo info) {
        if (sent >= 0) {
            return new OfferedTraffic(sent, senders.made(), senders.bytes(), "sender", rateAsked, info.seconds(),
                senders.sendingSeconds());
        }
        long frames = 0;
        long bytes = 0;
        for (SyntheticFeed feed : synthetic) {
            frames += feed.sent();
            bytes += feed.bytes();
        }
        return new OfferedTraffic(frames, frames, bytes, "feed", rateAsked, info.seconds());
    }

    /** Who makes the traffic of a run, for the warning of a rate not reached. */
    private static final String RATE_THREADS = "the threads making the traffic (the senders, or the ingresses polling a"
        + " synthetic feed)";

    private final FeedConfig.Plan feed;
    private final int frameSize;
    private final int headroom;
    private final boolean json;
    private final Path reportDir;
    private final PrintWriter out;
    private final PrintWriter err;

    /**
     * @param feed      the run's feed: whether its transport is reliable, and whether it replays captures
     * @param frameSize the engine's {@code steer.engine.pool.frame-size}, named by the warning of oversize packets
     * @param headroom  the engine's {@code steer.engine.pool.headroom}
     * @param json      print the JSON object instead of the text summary
     * @param reportDir where to write the report, or null for none
     * @param out       the summary or the JSON
     * @param err       the report's path, failures and warnings
     */
    RunReport(FeedConfig.Plan feed, int frameSize, int headroom, boolean json, Path reportDir, PrintWriter out,
              PrintWriter err) {
        this.feed = feed;
        this.frameSize = frameSize;
        this.headroom = headroom;
        this.json = json;
        this.reportDir = reportDir;
        this.out = out;
        this.err = err;
    }

    /**
     * What every UDP, AF_PACKET and Aeron feed of {@code feeds} counted, in feed order; others count nothing here. Read
     * after the engine has stopped, once each ingress has closed its feed, so the counts at the close are in.
     */
    static List<FeedCounts> feedCounts(List<Feed> feeds) {
        final List<FeedCounts> counts = new ArrayList<>();
        for (Feed feed : feeds) {
            if (feed instanceof UdpFeed udp) {
                counts.add(new FeedCounts(udp.name(), "udp", udp.datagrams(), udp.kernelDrops(),
                    udp.kernelDropsVisible(), udp.heldAtClose(), udp.leftAtClose(), 0, 0,
                    udp.overrunsBeforeFirstPoll(), 0));
            } else if (feed instanceof AfPacketFeed ring) {
                // The kernel's drops of a ring are always readable (PACKET_STATISTICS); a refused packet is in the
                // ring.
                counts.add(new FeedCounts(ring.name(), "afpacket", ring.packets(), ring.overruns(), true, 0,
                    ring.leftAtClose(), ring.link().downs(), ring.statistics().queueFreezes(),
                    ring.overrunsBeforeFirstPoll(), ring.queueFreezesBeforeFirstPoll()));
            } else if (feed instanceof AeronFeed aeron) {
                counts.add(FeedCounts.aeron(aeron.name(), aeron.fragments(), aeron.leftAtClose(),
                    aeron.imagesAvailable(), aeron.imagesUnavailable(), aeron.bytesConsumed()));
            }
        }
        return counts;
    }

    /**
     * Reports {@code run} and returns the exit status: {@link SteerCli#EXIT_LOST} when frames were lost, else
     * {@link SteerCli#EXIT_FAILED} when the run failed or a capture was damaged, else {@link SteerCli#EXIT_OK}.
     */
    int report(Outcome run) {
        final LatencySnapshot percentiles = LatencySnapshot.of(run.latency());
        final RunSummary summary = new RunSummary(run.info(), run.stats(), percentiles);
        final Transport transport = transport(run.sent(), run.stats());
        final long lost = summary.lost() + transport.lost();
        final OfferedTraffic offered = run.offered() != null ? run.offered() : new OfferedTraffic(
            RunTraffic.fromFeeds(run.stats()), RunTraffic.fromFeeds(run.stats()), OfferedTraffic.NOT_COUNTED, null, 0,
            run.info().seconds());
        final ObjectNode root = toJson(run, percentiles, transport, lost);
        offered.toJson(root.putObject("traffic"));
        final String rateWarning = offered.warning(RATE_THREADS);
        if (json) {
            try {
                out.println(new ObjectMapper().writeValueAsString(root));
            } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
                throw new IllegalStateException(ex);
            }
        } else {
            printText(run, summary, transport);
            final String line = offered.line();
            if (line != null) {
                out.println("  " + line);
            }
        }
        out.flush();
        // On stderr whatever the format, as every other warning of the run (pool, oversize, close overrun, idle
        // sender, capture).
        if (rateWarning != null) {
            err.println("steer run: " + rateWarning);
        }
        if (reportDir != null) {
            final Path index = HtmlReport.write(reportDir, run.info(), run.stats(), run.series(), run.latency(), root,
                transport.lost());
            err.println("steer run: report written to " + index);
        }
        return exitStatus(run, summary.lost(), transport.lost());
    }

    /**
     * What the transport did with the frames this process sent: {@code sent} -1 when it sent none.
     *
     * @param sent        frames sent into the transport
     * @param received    frames the feeds received
     * @param notReceived sent and never received
     * @param reliable    whether the transport is reliable (Aeron), so that what it did not deliver is lost
     */
    private record Transport(long sent, long received, long notReceived, boolean reliable) {
        /** Frames lost in the transport: what a reliable one did not deliver; an unreliable one loses none of ours. */
        long lost() {
            return reliable ? notReceived : 0;
        }
    }

    private Transport transport(long sent, EngineStats stats) {
        final long received = RunTraffic.fromFeeds(stats);
        // Aeron is reliable: whatever was sent and not received is lost. UDP is not: the kernel may drop
        // datagrams before the feed sees them, which is reported but is the transport's, not the engine's.
        return new Transport(sent, received, sent < 0 ? 0 : Math.max(0, sent - received), feed.isAeron());
    }

    /** One JSON object for --json and the report's summary.json, so that the two cannot disagree. */
    private ObjectNode toJson(Outcome run, LatencySnapshot percentiles, Transport transport, long lost) {
        final ObjectNode root = JsonReport.toJson(run.info(), run.stats(), percentiles);
        // Why the run failed, when it did for a reason of its own (exit 3): always present, null otherwise.
        root.put("failure", run.failure());
        final ObjectNode accounting = (ObjectNode) root.get("accounting");
        if (transport.sent() >= 0) {
            final ObjectNode node = root.putObject("transport");
            node.put("type", feed.type());
            node.put("reliable", transport.reliable());
            node.put("sent", transport.sent());
            node.put("received", transport.received());
            node.put("not_received", transport.notReceived());
            accounting.put("lost", lost);
            accounting.put("transport_lost", transport.lost());
        }
        if (!run.links().isEmpty()) {
            final var array = root.putArray("links");
            for (LinkStats link : run.links()) {
                final ObjectNode node = array.addObject();
                node.put("node", link.node());
                node.put("batches", link.batches());
                node.put("frames", link.frames());
                node.put("bytes", link.bytes());
                node.put("acknowledged", link.acknowledged());
                node.put("timed_out", link.timedOut());
                node.put("timed_out_frames", link.timedOutFrames());
                node.put("abandoned", link.abandoned());
                node.put("late_acknowledged", link.lateAcknowledged());
            }
        }
        if (run.receiver() != null) {
            final ObjectNode node = root.putObject("receiver");
            node.put("refused_batches", run.receiver().refusedBatches());
            node.put("refused_frames", run.receiver().refusedFrames());
        }
        if (run.churn() != null) {
            root.set("churn", run.churn().toJson());
        }
        if ("pcap".equals(feed.type())) {
            // Always there for a pcap run, empty when the files were whole: the keys do not depend on the file.
            final CaptureDamage.Findings captures = run.captures();
            final var damage = root.putArray(DamagedCapture.JSON_ARRAY);
            captures.damage().forEach(each -> each.toJson(damage.addObject()));
            CaptureDamage.emptyToJson(captures.empty(), root.putArray("capture_empty"));
            final var counts = root.putArray(CaptureCounts.JSON_ARRAY);
            captures.counts().forEach(each -> each.toJson(counts.addObject()));
        }
        if ("udp".equals(feed.type()) || "afpacket".equals(feed.type()) || feed.isAeron()) {
            // Always there for these feeds, every key even when 0, as capture_counts is for a pcap run.
            final var array = root.putArray(FeedCounts.JSON_ARRAY);
            run.feeds().forEach(each -> each.toJson(array.addObject()));
        }
        return root;
    }

    private void printText(Outcome run, RunSummary summary, Transport transport) {
        out.print(summary.format());
        if (transport.sent() >= 0) {
            out.println("transport: sent " + Units.count(transport.sent()) + ", received "
                + Units.count(transport.received()) + ", not received " + Units.count(transport.notReceived())
                + (transport.reliable() ? ""
                    : " (UDP: the socket's own drops are feed_overrun; this is what was lost before it)"));
        }
        // Only a feed that overran (which of its feed_overrun the kernel dropped while running, which the close found)
        // or whose link went down during the run, and every Aeron feed (its images and bytes consumed).
        FeedCounts.lines(run.feeds()).forEach(out::println);
        for (LinkStats link : run.links()) {
            out.println("link to " + link.node() + ": " + Units.count(link.batches()) + " batches ("
                + Units.count(link.frames()) + " frames), " + Units.count(link.acknowledged()) + " acknowledged, "
                + Units.count(link.timedOut()) + " timed out (" + Units.count(link.timedOutFrames()) + " frames), "
                + Units.count(link.abandoned()) + " abandoned, "
                + Units.count(link.lateAcknowledged()) + " late acknowledgements");
        }
        // Only when the receiver refused something: batches sent to a node that ran at this address before this one.
        if (run.receiver() != null && run.receiver().refusedBatches() > 0) {
            out.println("receiver: refused " + Units.count(run.receiver().refusedBatches()) + " batches ("
                + Units.count(run.receiver().refusedFrames()) + " frames) sent to an earlier node at this address"
                + " (their senders count the frames unreachable)");
        }
        if (run.churn() != null) {
            out.println(run.churn().describe());
        }
        final CaptureDamage.Findings captures = run.captures();
        captures.counts().forEach(capture -> out.println(capture.describe()));
        captures.damage().forEach(found -> out.println(found.describe()));
        captures.empty().forEach(empty -> out.println(CaptureDamage.describeEmpty(empty)));
    }

    /**
     * The warning of a lossless Aeron run whose feed's close took frames the engine had not polled, else null. A
     * lossless Aeron feed drops nothing while it polls, so its {@code feed_overrun} drops are all the close's
     * ({@code AeronFeed.leftAtClose()}): received, so the transport lost none and the exit status is not 1, but
     * dropped by a run that asked for none, which the run should not leave to the drop table alone.
     */
    private String closeOverrunWarning(Outcome run) {
        final long left = run.stats().accounting().dropped(DropReason.FEED_OVERRUN);
        if (left == 0 || !feed.isAeron() || !feed.lossless()) {
            return null;
        }
        return Units.count(left) + (left == 1 ? " frame" : " frames") + " the Aeron feed still held"
            + " unread when it closed " + (left == 1 ? "was" : "were") + " dropped as feed_overrun at the close: a"
            + " lossless run drops nothing while it polls, but it stops polling at its end"
            + (run.sent() >= 0 ? " (after waiting up to " + RunTraffic.ARRIVAL_WAIT_NS / 1_000_000_000L
                + " s for what its senders sent to arrive)" : "")
            + "; received, so not lost, but the engine did not keep up with the traffic";
    }

    /**
     * The warning of a run whose packets from a capture or an external sender did not all fit a pool frame, else
     * null. Traffic this process makes is warned of before the run ({@code RunPlanText.oversizeWarning}); a capture's
     * sizes, or an external publisher's, are known only as they arrive (captures taken on a host with GRO or TSO
     * commonly hold packets far above the MTU, an application may send jumbo frames), and otherwise show only as
     * {@code oversize} drops, without the size that fits. Counted drops, so not a failure.
     */
    private String oversizeWarning(Outcome run) {
        final long oversize = run.stats().accounting().dropped(DropReason.OVERSIZE);
        if (oversize == 0 || !"pcap".equals(feed.type()) && run.offered() != null) {
            return null;
        }
        final boolean one = oversize == 1;
        final int room = frameSize - headroom;
        final int largest = FramePool.Context.MAX_FRAME_SIZE;
        final String size = " did not fit a pool frame (steer.engine.pool.frame-size " + frameSize + " - headroom "
            + headroom + " = " + room + " bytes) and" + (one ? " was" : " were") + " dropped as oversize";
        final String what;
        final String verb;
        final String done;
        final String instead;
        if ("pcap".equals(feed.type())) {
            what = (one ? " captured packet" : " captured packets") + size
                + " (a capture taken on a host with GRO or TSO holds packets above the MTU)";
            verb = "replay";
            done = "replayed";
            instead = "capture with GRO and TSO off (ethtool -K IF gro off tso off)";
        } else {
            what = (one ? " packet" : " packets") + " from the feed" + size;
            verb = "take";
            done = "taken";
            instead = "send smaller packets (a lower MTU or message size at the sender)";
        }
        // The drops do not tell a packet the largest frame would hold from one it would not (a GRO capture's packet
        // above 65,280 bytes, a datagram above its room, an Aeron message above 65,536 bytes, which the feed never
        // reassembles): advice for both.
        final String remedy = frameSize < largest
            ? "raise steer.engine.pool.frame-size (up to " + largest + ", a room of " + (largest - headroom)
                + " bytes) to " + verb + (one ? " it if it fits" : " those that fit") + "; a larger packet cannot be "
                + done + " at any frame size: " + instead
            : "the frame size is the largest allowed, so a packet above " + room + " bytes cannot be " + done + ": "
                + instead;
        return Units.count(oversize) + what + ": " + remedy;
    }

    /**
     * Says on stderr why the run failed, what its captures found and its warnings of drops, and returns the exit
     * status: frames are lost when the engine's accounting does not balance ({@code engineLost}, negative when frames
     * were counted twice) or a reliable transport did not deliver ({@code transportLost}), each on its own account:
     * their sum could cancel.
     */
    private int exitStatus(Outcome run, long engineLost, long transportLost) {
        if (run.failure() != null) {
            err.println("steer run: " + run.failure());
        }
        final CaptureDamage.Findings captures = run.captures();
        captures.damage().forEach(found -> err.println("steer run: " + found.describe()));
        captures.empty().forEach(empty -> err.println("steer run: " + CaptureDamage.describeEmpty(empty)));
        // Possibly lost packets, but not a failure: the file was read to its end, so the exit status stays.
        captures.counts().stream().filter(CaptureCounts::possibleLoss)
            .forEach(capture -> err.println("steer run: warning: " + capture.warning()));
        final String closeOverrun = closeOverrunWarning(run);
        if (closeOverrun != null) {
            err.println("steer run: warning: " + closeOverrun);
        }
        final String oversize = oversizeWarning(run);
        if (oversize != null) {
            err.println("steer run: warning: " + oversize);
        }
        if (engineLost != 0 || transportLost != 0) {
            err.println("steer run: frames lost: " + (engineLost + transportLost)
                + (engineLost != 0 && transportLost != 0
                    ? " (the engine's accounting " + engineLost + ", the transport " + transportLost + ")" : ""));
            return SteerCli.EXIT_LOST;
        }
        return run.failure() == null && captures.damage().isEmpty() ? SteerCli.EXIT_OK : SteerCli.EXIT_FAILED;
    }
}
