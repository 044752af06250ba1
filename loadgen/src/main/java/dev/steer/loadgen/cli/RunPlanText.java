package dev.steer.loadgen.cli;

import java.util.List;
import java.util.StringJoiner;

import io.aeron.ChannelUri;

import dev.steer.cluster.config.Deployment;
import dev.steer.engine.map.CpuList;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.path.Feed;
import dev.steer.ingress.aeron.AeronFeed;
import dev.steer.ingress.config.FeedConfig;
import dev.steer.ingress.udp.UdpFeed;
import dev.steer.loadgen.stats.Units;
import dev.steer.loadgen.traffic.FrameSizes;
import dev.steer.loadgen.traffic.TrafficProfile;

/**
 * What {@code steer run} says about its plan: the entries and the traffic of its progress lines, the feed of its
 * summary ({@link dev.steer.loadgen.report.RunInfo#feed()}), and the warning for traffic no pool frame can hold.
 *
 * <p>Immutable; any thread; allocates, off the data path.
 */
final class RunPlanText {
    private final RunPlan plan;

    RunPlanText(RunPlan plan) {
        this.plan = plan;
    }

    /**
     * This node's entries: {@code K (qsize Q), ...}, or every usable CPU and the default qsize when none is configured.
     */
    String entries() {
        final var entries = plan.deployment().localEntries();
        if (entries.isEmpty()) {
            return "on every usable CPU (" + CpuList.format(CpuSet.fromMachine().usableCpus()) + "), qsize "
                + plan.deployment().map().defaultQsize();
        }
        final StringBuilder text = new StringBuilder();
        for (Deployment.MapSettings.Entry entry : entries) {
            text.append(text.length() == 0 ? "" : ", ").append(entry.key()).append(" (qsize ").append(entry.qsize())
                .append(')');
        }
        return text.toString();
    }

    /**
     * The synthetic traffic: {@code N flows, sizes S, rate R pps} (or {@code rate max}). With several feed queues,
     * {@code N flows per queue} and {@code rate R pps in total}: each queue makes its own N flows and an even share of
     * R, and the bare form, followed by the feed's {@code x2 queues}, read as N flows at R per queue. An on/off pattern
     * follows as {@code , on-off 10ms/90ms}.
     */
    String traffic() {
        final var t = plan.traffic();
        final boolean queues = plan.deployment().feed().queues() > 1;
        return t.flows() + (queues ? " flows per queue" : " flows") + ", sizes " + t.sizes() + ", rate "
            + rate(t, queues);
    }

    /**
     * The rate as {@code steer run}'s header and {@code steer loadgen}'s start line say it after {@code rate }:
     * {@code max}, {@code R pps} or, with {@code inTotal} (several queues sharing it), {@code R pps in total}, then the
     * on/off pattern ({@link #onOffSuffix}).
     */
    static String rate(TrafficProfile traffic, boolean inTotal) {
        return (traffic.rate() == 0 ? "max" : traffic.rate() + (inTotal ? " pps in total" : " pps"))
            + onOffSuffix(traffic);
    }

    /**
     * {@code , on-off 10ms/90ms} for traffic with an on/off pattern, empty without one: how {@code steer run}'s header
     * and {@code steer loadgen}'s start line name the pattern after the rate, in the file's own notation.
     */
    private static String onOffSuffix(TrafficProfile traffic) {
        return traffic.onOff() ? ", on-off " + TrafficProfile.formatOnOff(traffic.onNs(), traffic.offNs()) : "";
    }

    /**
     * The feed as the summary names it: type, where it reads, the traffic this process makes, queues, lossless. A UDP
     * feed names the ports its queues bound, {@code udp 127.0.0.1:9100,9101}: with port 0 they are ephemeral ones. So
     * does an Aeron feed whose endpoint has port 0, in its channel: {@code aeron:udp?endpoint=127.0.0.1:41234,41240}.
     *
     * @param feeds the run's open feeds, one per queue
     */
    String feed(List<Feed> feeds) {
        final FeedConfig.Plan feed = plan.deployment().feed();
        final String traffic = RunPlan.generatesTraffic(plan.run(), plan.deployment())
            ? ", synthetic traffic: " + traffic() : "";
        return switch (feed.type()) {
            case "aeron" -> "aeron " + aeronChannel(feed.aeron(), feeds) + " stream " + feed.aeron().streamId()
                + traffic;
            case "udp" -> "udp " + udpPorts(feeds) + traffic;
            case "pcap" -> "pcap " + feed.pcap().path();
            case "afpacket" -> "afpacket " + feed.afpacket().iface();
            default -> "synthetic" + (plan.run().traffic() ? traffic : ", no traffic (--no-traffic)");
        } + (feed.queues() > 1 ? (traffic.isEmpty() ? "" : ",") + " x" + feed.queues() + " queues" : "")
            + (feed.lossless() ? ", lossless" : "");
    }

    /**
     * The Aeron channel as the summary names it: as given, or for an endpoint with port 0 the channel a publisher
     * reaches queue 0 on ({@link AeronFeed#publicationChannel()}), its endpoint followed by the other queues' ports
     * bound (or their whole endpoint, on another host), as a UDP feed's.
     */
    private static String aeronChannel(AeronFeed.Settings settings, List<Feed> feeds) {
        if (!settings.endpointOnPortZero() || feeds.isEmpty()) {
            return settings.channel();
        }
        final AeronFeed first = (AeronFeed) feeds.get(0);
        final String endpoint = first.resolvedEndpoint();
        final String host = endpoint.substring(0, endpoint.lastIndexOf(':') + 1);
        final StringBuilder endpoints = new StringBuilder(endpoint);
        for (int i = 1; i < feeds.size(); i++) {
            final String other = ((AeronFeed) feeds.get(i)).resolvedEndpoint();
            endpoints.append(',').append(other.startsWith(host) ? other.substring(host.length()) : other);
        }
        final ChannelUri channel = ChannelUri.parse(first.publicationChannel());
        channel.put("endpoint", endpoints.toString());
        return channel.toString();
    }

    /** Where the run's UDP feed queues listen, {@code HOST:PORT} each with the port it bound, for a sender to use. */
    String listening(List<Feed> feeds) {
        final String host = plan.deployment().feed().udp().bindAddress();
        return host + ":" + boundPorts(feeds, ", " + host + ":");
    }

    /** Where the run's Aeron feed queues listen, {@code HOST:PORT stream ID} each, the port its driver bound. */
    static String aeronListening(List<Feed> feeds) {
        final StringJoiner where = new StringJoiner(", ");
        for (Feed feed : feeds) {
            final AeronFeed aeron = (AeronFeed) feed;
            where.add(aeron.resolvedEndpoint() + " stream " + aeron.settings().streamId());
        }
        return where.toString();
    }

    /** {@code HOST:PORT,PORT...}: the ports the UDP feed's queues bound. */
    private String udpPorts(List<Feed> feeds) {
        return plan.deployment().feed().udp().bindAddress() + ":" + boundPorts(feeds, ",");
    }

    private static String boundPorts(List<Feed> feeds, String between) {
        final StringJoiner ports = new StringJoiner(between);
        feeds.forEach(feed -> ports.add(Integer.toString(((UdpFeed) feed).boundPort())));
        return ports.toString();
    }

    /**
     * The warning, said before the run, when a lossless run reads a feed whose sender is on the wire (UDP, AF_PACKET),
     * else null. The kernel never waits for a socket or a ring: a packet the engine refuses stays where the feed read
     * it, the socket's receive buffer or the AF_PACKET ring fills behind it, and the kernel drops what does not fit,
     * which the feed counts {@code feed_overrun}. Aeron, pcap and synthetic feeds hold back their input instead.
     *
     * A UDP feed is named as the summary names it, by the ports its queues bound ({@code 127.0.0.1:9100,9101}).
     *
     * @param setting what asked for lossless, as the line starts: {@code --lossless}, or
     *                {@code FILE:LINE: steer.feed.mode = lossless}
     * @param feeds   the run's open feeds, one per queue
     */
    String losslessWireWarning(String setting, List<Feed> feeds) {
        final FeedConfig.Plan feed = plan.deployment().feed();
        if (!feed.lossless()) {
            return null;
        }
        final String what = switch (feed.type()) {
            case "udp" -> "the udp feed on " + udpPorts(feeds) + " cannot slow its"
                + " sender: datagrams the engine refuses wait in the socket's receive buffer, and the kernel drops what"
                + " does not fit (a larger steer.feed.udp.receive-buffer absorbs a longer burst)";
            case "afpacket" -> "the afpacket feed on " + feed.afpacket().iface()
                + (feed.afpacket().netns().isEmpty() ? "" : " (netns " + feed.afpacket().netns() + ")")
                + " cannot slow its sender: frames the engine refuses wait in the kernel's AF_PACKET ring, and the"
                + " kernel drops what does not fit (a larger steer.feed.afpacket.block-count absorbs a longer burst)";
            default -> null;
        };
        return what == null ? null : setting + ": " + what + ": counted feed_overrun, not ring_full (the summary's"
            + " feed: line, \"dropped by the kernel while running\"; kernel_drops in the JSON's feed_counts)";
    }

    /**
     * The warning, said before the run, when the traffic this process makes holds sizes that no pool frame can take,
     * else null: --sizes takes wire sizes up to 9022 bytes, a frame holds frame-size - headroom (1792 bytes by
     * default), and every larger frame is an oversize drop, which otherwise showed only as a run with nothing
     * delivered.
     */
    String oversizeWarning() {
        final Deployment.EngineSettings engine = plan.deployment().engine();
        final var sizes = plan.traffic().sizes();
        int largest = 0;
        for (int i = 0; i < sizes.count(); i++) {
            if (sizes.weight(i) > 0) {
                largest = Math.max(largest, sizes.wireSize(i));
            }
        }
        final int room = engine.frameSize() - engine.headroom();
        if (largest - FrameSizes.FCS <= room) {
            return null;
        }
        // Only traffic this process makes (a synthetic feed's or a sender's): a capture's sizes show as it is read.
        return "synthetic traffic sizes up to " + largest + " bytes on the wire (" + (largest - FrameSizes.FCS)
            + " without FCS) do not fit a pool frame (steer.engine.pool.frame-size " + engine.frameSize()
            + " - headroom " + engine.headroom() + " = " + room + " bytes): those frames will be dropped as oversize;"
            + " raise steer.engine.pool.frame-size for the engine to take them";
    }

    /**
     * The warning, said before the run, when a ring of this node is as large as its ingress pools together, else null.
     * Every frame in a ring is a frame of an ingress pool, taken before the ring is tried, so such a ring never drops a
     * frame as {@code ring_full} (one exactly as large is full once every frame is in it, but the next frame is then an
     * empty pool's): its backlog runs out of frames first and is dropped as {@code pool_exhausted}, and the qsize buys
     * nothing ({@code --qsize 16384} with the default pool of 16,384 frames). Lossless, nothing is dropped: a packet no
     * frame is left for back-pressures the feed as {@code pool_exhausted}; and since a lossless ingress asks the ring
     * for room before it takes a frame, a ring exactly as large as the pools is full, refusing as {@code ring_full},
     * once every frame is in it: there only a larger ring, which can never be full, is warned of. Not said on a
     * cluster node, whose rings also hold frames of its receiver's pool.
     */
    String poolBacklogWarning() {
        final Deployment deployment = plan.deployment();
        if (deployment.cluster().enabled()) {
            return null;
        }
        final int queues = deployment.feed().queues();
        final boolean lossless = deployment.feed().lossless();
        final long poolFrames = deployment.engine().poolFrames();
        final long pools = poolFrames * queues;
        final var entries = deployment.localEntries();
        final StringJoiner never = new StringJoiner(", ");
        int neverCount = 0;
        long rings = 0;
        if (entries.isEmpty()) {
            final int cpus = CpuSet.fromMachine().usableCpus().length;
            rings = (long) cpus * deployment.map().defaultQsize();
            if (neverRefuses(deployment.map().defaultQsize(), pools, lossless)) {
                never.add("every entry (qsize " + Units.count(deployment.map().defaultQsize()) + ")");
                neverCount = cpus;
            }
        } else {
            for (Deployment.MapSettings.Entry entry : entries) {
                rings += entry.qsize();
                if (neverRefuses(entry.qsize(), pools, lossless)) {
                    never.add(entry.key() + " (qsize " + Units.count(entry.qsize()) + ")");
                    neverCount++;
                }
            }
        }
        if (never.length() == 0) {
            return null;
        }
        final boolean one = neverCount == 1;
        final String which = entries.isEmpty() ? (one ? "the ring of " : "the rings of ")
            : (one ? "the ring of entry " : "the rings of entries ");
        // Dropping, a ring exactly as large as the pools is full once every frame is in it, but never drops as
        // ring_full; lossless, the warning is only for a larger ring, which can never be full.
        final String pool = ": the ingress pool" + (queues > 1 ? "s hold " : " holds ") + Units.count(pools)
            + " frames (steer.engine.pool.frames " + Units.count(poolFrames) + " x " + queues + " feed queue"
            + (queues > 1 ? "s" : "") + ")";
        final String backlog = (one ? "its" : "their") + " backlog ";
        return which + never + (lossless
                ? " can never be full" + pool + " and every frame in a ring is one of them, so " + backlog
                    + "back-pressures the feed (lossless) as pool_exhausted, not ring_full"
                : (one ? " never drops" : " never drop") + " a frame as ring_full" + pool + ", every frame in a ring is"
                    + " one of them, and a frame is taken from the pool before the ring is tried, so " + backlog
                    + "is dropped as pool_exhausted")
            + "; lower the qsize, or raise steer.engine.pool.frames (the rings together hold " + Units.count(rings)
            + ")";
    }

    /**
     * Whether a ring of {@code qsize} can never refuse a frame as full with {@code pools} frames behind it. Dropping, a
     * frame is taken before the ring is tried, so a ring as large as the pools never refuses one; lossless, the ring is
     * asked for room first, and one as large as the pools refuses as {@code ring_full} once every frame is in it.
     */
    private static boolean neverRefuses(long qsize, long pools, boolean lossless) {
        return lossless ? qsize > pools : qsize >= pools;
    }
}
