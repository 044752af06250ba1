package dev.steer.loadgen.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.steer.actors.SteerEngine;
import dev.steer.engine.path.Feed;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters;
import dev.steer.ingress.aeron.AeronFeed;
import dev.steer.ingress.config.FeedConfig;
import dev.steer.ingress.udp.UdpFeed;
import dev.steer.loadgen.send.AeronOutput;
import dev.steer.loadgen.send.FrameOutput;
import dev.steer.loadgen.send.SendLoop;
import dev.steer.loadgen.send.UdpOutput;
import dev.steer.loadgen.stats.Units;
import dev.steer.loadgen.traffic.TrafficProfile;

/**
 * The synthetic traffic a {@code steer run} makes itself: its share per feed queue, and the sender threads that
 * publish it into an Aeron or UDP feed, stopped at the end of the run, whose frames the run then waits to arrive.
 *
 * <p>Thread contract: the run's thread; the senders run on threads of their own.
 */
final class RunTraffic {
    /** How long the end of a run waits for frames still in the transport. */
    static final long ARRIVAL_WAIT_NS = TimeUnit.SECONDS.toNanos(15);
    /** The ingress row of a cluster node's frame receiver (frames from other nodes). */
    private static final String CLUSTER_RECEIVER = "receiver";
    /** Failed senders the failure line names, each with its reason; it counts the rest. */
    static final int NAMED_FAILURES = 3;

    private final List<SendLoop> senders = new ArrayList<>();

    /**
     * The traffic of feed queue {@code queue} of {@code queues}, the same for a synthetic feed and a sender: its own
     * seed (the profile's + {@code queue}) and its share of the rate, which is the total over every queue; the first
     * {@code rate % queues} queues take one packet/s more, so the shares add up to the rate. {@code max} stays
     * {@code max} on every queue. Needs a rate of at least one packet/s per queue ({@link RunPlan} checks it).
     */
    static TrafficProfile queueTraffic(TrafficProfile total, int queues, int queue) {
        final TrafficProfile seeded = total.withSeed(total.seed() + queue);
        if (total.unpaced()) {
            return seeded;
        }
        return seeded.withRate(total.rate() / queues + (queue < total.rate() % queues ? 1 : 0), total.burst());
    }

    /** Starts one sender per feed queue, into the Aeron publication or the UDP port of that queue. */
    void start(FeedConfig.Plan feedPlan, TrafficProfile traffic, List<Feed> feeds, FeedConfig.Opened opened) {
        for (int i = 0; i < feeds.size(); i++) {
            final TrafficProfile queue = queueTraffic(traffic, feeds.size(), i);
            final FrameOutput output;
            if (feedPlan.isAeron()) {
                // The feed's channel with the port its driver bound, for an endpoint with port 0 (one per queue).
                final AeronFeed feed = (AeronFeed) feeds.get(i);
                output = new AeronOutput(opened.media().aeron(), feed.publicationChannel(), feed.settings().streamId(),
                    opened.media()::clientClosed);
            } else {
                final UdpFeed feed = (UdpFeed) feeds.get(i);
                final String host = feedPlan.udp().bindAddress().equals("0.0.0.0") ? "127.0.0.1" : feedPlan.udp().bindAddress();
                output = new UdpOutput(host, feed.boundPort());
            }
            start(i, queue, output);
        }
    }

    /** Starts the sender of queue {@code queue} (the next one) into {@code output}. */
    void start(int queue, TrafficProfile traffic, FrameOutput output) {
        senders.add(SendLoop.forTraffic("steer-sender-" + queue, traffic, output, Long.MAX_VALUE).start());
    }

    /** The senders, by queue. */
    List<SendLoop> senders() {
        return senders;
    }

    /**
     * One line per sender that sent nothing although it tried, its output refusing every try of its first frame (an
     * Aeron publication no subscriber connected to): its queue counts 0 sent and 0 received, which would read as a
     * clean run. Not a UDP sender to a port nothing listens on: port unreachable fails only the next try, so it sends
     * every other one, counted as sent and not received. Not a sender that failed ({@link #failure()}): it was not idle
     * to the end, and the run reports its failure. Exact once {@link #stop()} has returned.
     */
    List<String> idle() {
        final List<String> lines = new ArrayList<>();
        for (int i = 0; i < senders.size(); i++) {
            final SendLoop sender = senders.get(i);
            final long tries = sender.backPressured() + sender.refused();
            if (sender.sent() == 0 && tries > 0 && sender.failure() == null) {
                // Tries are send calls, all of one frame: the loop retries the frame the output did not take (spun,
                // yielded, then parked up to 1 ms apart) and never got past it (Aeron and UDP reject no frame).
                lines.add("the sender into queue " + i + " (" + sender.target() + ") sent nothing: its output refused"
                    + " all " + Units.count(tries) + " tries of its first frame, which it retried until the run ended (not"
                    + " connected, or full: is anything receiving?)");
            }
        }
        return lines;
    }

    /**
     * The run's failure line for the senders that stopped on their own, every one of them, null when none did: one,
     * {@code the traffic sender stopped early: REASON}; several, {@code N traffic senders stopped early: queue Q:
     * REASON; ...}, the first {@value #NAMED_FAILURES} by queue and {@code and M more}, so that a run of many queues
     * that all failed says so in one line of bounded length. Exact once {@link #stop()} has returned.
     */
    String failure() {
        final StringBuilder named = new StringBuilder();
        String only = null;
        int count = 0;
        for (int i = 0; i < senders.size(); i++) {
            final String reason = senders.get(i).failure();
            if (reason != null) {
                count++;
                only = reason;
                if (count <= NAMED_FAILURES) {
                    named.append(count > 1 ? "; " : "").append("queue ").append(i).append(": ").append(reason);
                }
            }
        }
        if (count <= 1) {
            // One reason names its output: said as it always was.
            return only == null ? null : "the traffic sender stopped early: " + only;
        }
        return count + " traffic senders stopped early: " + named
            + (count > NAMED_FAILURES ? "; and " + (count - NAMED_FAILURES) + " more" : "");
    }

    /**
     * Frames the senders made at their rate, whatever became of them ({@link SendLoop#made()}); exact once
     * {@link #stop()} has returned.
     */
    long made() {
        long made = 0;
        for (SendLoop sender : senders) {
            made += sender.made();
        }
        return made;
    }

    /**
     * The senders' own sending time, the mean over them ({@link SendLoop#elapsedNanos()}: from a sender's start to its
     * stop), in seconds; 0 without senders, or when none had started. The time their frames were made in: the run's
     * time also holds its set-up of them. Exact once {@link #stop()} has returned.
     */
    double sendingSeconds() {
        if (senders.isEmpty()) {
            return 0;
        }
        long nanos = 0;
        for (SendLoop sender : senders) {
            nanos += sender.elapsedNanos();
        }
        return nanos / 1e9 / senders.size();
    }

    /** Bytes the senders sent ({@link SendLoop#bytes()}); exact once {@link #stop()} has returned. */
    long bytes() {
        long bytes = 0;
        for (SendLoop sender : senders) {
            bytes += sender.bytes();
        }
        return bytes;
    }

    /** Stops every sender (again: idempotent) and returns the frames they sent. */
    long stop() throws InterruptedException {
        long sent = 0;
        for (SendLoop sender : senders) {
            sender.close();
            sent += sender.sent();
        }
        return sent;
    }

    /** Waits, bounded, until the engine has received every frame the senders sent (or it stops arriving). */
    static void awaitArrival(SteerEngine engine, long sent) {
        final long deadline = System.nanoTime() + ARRIVAL_WAIT_NS;
        long received = fromFeeds(engine.stats());
        while (received < sent && System.nanoTime() < deadline) {
            LockSupport.parkNanos(10_000_000);
            received = fromFeeds(engine.stats());
        }
    }

    /**
     * Frames the feeds received: every ingress row but a cluster node's receiver, whose frames come from
     * other nodes, not from this node's transport.
     */
    static long fromFeeds(EngineStats stats) {
        return stats.ingresses().stream().filter(row -> !CLUSTER_RECEIVER.equals(row.name()))
            .mapToLong(row -> row.get(PathCounters.Counter.RECEIVED)).sum();
    }
}
