package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.cluster.ReceiverStats;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters.Counter;
import dev.steer.engine.stats.PathStats;
import dev.steer.ingress.config.FeedConfig;
import dev.steer.loadgen.report.OfferedTraffic;
import dev.steer.loadgen.report.RunInfo;

/** How the end of a run decides its exit status from the final counters and the transport. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RunReportTest {
    private static final FeedConfig.Plan AERON = new FeedConfig.Plan("aeron", 1, false, null, null, "", null, null,
        null);
    private static final FeedConfig.Plan LOSSLESS_AERON = new FeedConfig.Plan("aeron", 1, true, null, null, "", null,
        null, null);

    @Test
    void shouldExitLostWhenTheEngineCountedFramesTwiceAndTheTransportLostAsManyWhenTheTwoCancelOut() {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = reportCancellingLosses(false, out, err);
        assertEquals(SteerCli.EXIT_LOST, exit, "out:\n" + out + "\nerr:\n" + err);
        assertTrue(err.toString().contains("frames lost"), err.toString());
    }

    @Test
    void shouldGiveTheEnginesAndTheTransportsLossesInTheJsonWhenTheirSumCancelsOut() throws Exception {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = reportCancellingLosses(true, out, err);
        assertEquals(SteerCli.EXIT_LOST, exit, "out:\n" + out + "\nerr:\n" + err);
        final JsonNode accounting = new ObjectMapper().readTree(out.toString()).path("accounting");
        assertEquals(-40, accounting.path("engine_lost").asLong(1), "counted twice: " + accounting);
        assertEquals(40, accounting.path("transport_lost").asLong(), "sent and never received: " + accounting);
        assertEquals(0, accounting.path("lost").asLong(1), "the sum, kept as it was: " + accounting);
    }

    @Test
    void shouldAdviseRaisingTheFrameSizeOnlyForWhatFitsTheLargestWhenAnExternalSendersPacketsWereDroppedAsOversize() {
        final StringWriter err = new StringWriter();
        // No traffic of its own (sent -1, nothing offered): an external publisher sent 1,000 messages of 1,900 bytes,
        // or (an Aeron feed cannot tell them apart) above 65,536 bytes, which no frame size takes.
        final int exit = reportOversize(1_000, 2048, null, err);
        assertEquals(SteerCli.EXIT_OK, exit, "counted drops, not a failure: " + err);
        assertTrue(err.toString().contains("steer run: warning: 1,000 packets from the feed did not fit a pool frame"
            + " (steer.engine.pool.frame-size 2048 - headroom 256 = 1792 bytes) and were dropped as oversize: raise"
            + " steer.engine.pool.frame-size (up to 65536, a room of 65280 bytes) to take those that fit; a larger"
            + " packet cannot be taken at any frame size: send smaller packets (a lower MTU or message size at the"
            + " sender)"), err.toString());
    }

    @Test
    void shouldSpeakOfOnePacketWhenOneExternalPacketWasDroppedAsOversize() {
        final StringWriter err = new StringWriter();
        assertEquals(SteerCli.EXIT_OK, reportOversize(1, 2048, null, err), err.toString());
        assertTrue(err.toString().contains("steer run: warning: 1 packet from the feed did not fit a pool frame"
            + " (steer.engine.pool.frame-size 2048 - headroom 256 = 1792 bytes) and was dropped as oversize: raise"
            + " steer.engine.pool.frame-size (up to 65536, a room of 65280 bytes) to take it if it fits; a larger"
            + " packet cannot be taken at any frame size"), err.toString());
    }

    @Test
    void shouldNotAdviseRaisingTheFrameSizeWhenAnExternalSenderRanAtTheLargestFrameSize() {
        final StringWriter err = new StringWriter();
        assertEquals(SteerCli.EXIT_OK, reportOversize(3, 65536, null, err), err.toString());
        assertTrue(err.toString().contains("steer run: warning: 3 packets from the feed did not fit a pool frame"
            + " (steer.engine.pool.frame-size 65536 - headroom 256 = 65280 bytes) and were dropped as oversize: the"
            + " frame size is the largest allowed, so a packet above 65280 bytes cannot be taken: send smaller packets"
            + " (a lower MTU or message size at the sender)"), err.toString());
        assertFalse(err.toString().contains("raise"), err.toString());
    }

    @Test
    void shouldNotWarnOfOversizeAtTheEndWhenTheRunMadeItsOwnTraffic() {
        final StringWriter err = new StringWriter();
        // Its own traffic's sizes were warned of before the run (RunPlanText), so the end says nothing more.
        final OfferedTraffic offered = new OfferedTraffic(1_000, 1_000, 1_900_000, "sender", 0, 1, 1);
        assertEquals(SteerCli.EXIT_OK, reportOversize(1_000, 2048, offered, err), err.toString());
        assertFalse(err.toString().contains("oversize"), err.toString());
    }

    @Test
    void shouldWarnOnStderrThatFramesUnreadAtTheCloseWereDroppedAsFeedOverrunWhenALosslessAeronRunSentThem() {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        // Its senders sent 1,000; the engine took 900 before the end, the feed's close took the other 100.
        final int exit = reportOverrunAtClose(LOSSLESS_AERON, false, out, err);
        assertEquals(SteerCli.EXIT_OK, exit, "received all it sent: not lost. out:\n" + out + "\nerr:\n" + err);
        assertTrue(err.toString().contains("steer run: warning: 100 frames the Aeron feed still held unread when it"
            + " closed were dropped as feed_overrun at the close"), err.toString());
        assertFalse(out.toString().contains("still held unread"), "a warning, not part of the summary: " + out);
    }

    @Test
    void shouldWarnOnStderrOfFeedOverrunAtTheCloseWhenALosslessAeronRunPrintsJson() throws Exception {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        assertEquals(SteerCli.EXIT_OK, reportOverrunAtClose(LOSSLESS_AERON, true, out, err), err.toString());
        assertTrue(err.toString().contains("steer run: warning: 100 frames the Aeron feed still held unread when it"
            + " closed were dropped as feed_overrun at the close"), err.toString());
        assertEquals(100, new ObjectMapper().readTree(out.toString()).path("accounting").path("dropped")
            .path("feed_overrun").asLong(), "stdout holds the JSON alone: " + out);
    }

    @Test
    void shouldNotWarnOfFeedOverrunAtTheCloseWhenTheAeronRunDrops() {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        assertEquals(SteerCli.EXIT_OK, reportOverrunAtClose(AERON, false, out, err), err.toString());
        assertFalse(err.toString().contains("still held unread"), err.toString());
        assertFalse(out.toString().contains("still held unread"), out.toString());
    }

    /** A run that sent 1,000 frames into an Aeron feed: 900 delivered, 100 dropped as feed_overrun. */
    private static int reportOverrunAtClose(FeedConfig.Plan plan, boolean json, StringWriter out, StringWriter err) {
        return report(plan, 2048, json, stats(1_000, 900, Map.of(DropReason.FEED_OVERRUN, 100L)), 1_000, null, out,
            err);
    }

    /** An Aeron run whose ingress received {@code oversize} frames and dropped them all as oversize. */
    private static int reportOversize(long oversize, int frameSize, OfferedTraffic offered, StringWriter err) {
        return report(AERON, frameSize, false, stats(oversize, 0, Map.of(DropReason.OVERSIZE, oversize)),
            offered == null ? -1 : oversize, offered, new StringWriter(), err);
    }

    @Test
    void shouldGiveTheReceiversRefusedBatchesInTheJsonWhenTheRunIsACluster() throws Exception {
        final long[] counters = new long[Counter.values().length];
        counters[Counter.RECEIVED.ordinal()] = 1_000;
        final PathStats ingress = new PathStats("ingress-0", PathStats.Kind.INGRESS, -1, counters,
            new long[DropReason.values().length], new long[MapResult.values().length], new long[0]);
        final EngineStats stats = new EngineStats(List.of(ingress), List.of(), List.of(),
            new Accounting(1_000, 1_000, Map.of(), 0), 1, 1);
        for (ReceiverStats receiver : new ReceiverStats[] {new ReceiverStats(), null}) {
            final StringWriter out = new StringWriter();
            final StringWriter err = new StringWriter();
            final int exit = new RunReport(AERON, 2048, 256, true, null, new PrintWriter(out),
                new PrintWriter(err, true)).report(new RunReport.Outcome(new RunInfo("l4-hash", "aeron", "0",
                    Instant.EPOCH, Duration.ofSeconds(1)), stats, new Histogram(3), List.of(), -1, List.of(), null,
                    null, new CaptureDamage.Findings(List.of(), List.of(), List.of()), List.of(), null, receiver));
            assertEquals(SteerCli.EXIT_OK, exit, "out:\n" + out + "\nerr:\n" + err);
            final JsonNode json = new ObjectMapper().readTree(out.toString());
            if (receiver == null) {
                assertTrue(json.path("receiver").isMissingNode(), "a single node has no receiver: " + json);
            } else {
                assertEquals(0, json.path("receiver").path("refused_batches").asLong(-1), json.toString());
                assertEquals(0, json.path("receiver").path("refused_frames").asLong(-1), json.toString());
            }
        }
    }

    /**
     * The ingress received 1,000 of the 1,040 frames sent into a reliable transport: 40 lost there. The engine's
     * counters say 1,010 delivered + 30 dropped of 1,000 received: 40 frames counted twice. Either alone is exit 1.
     */
    private static int reportCancellingLosses(boolean json, StringWriter out, StringWriter err) {
        return report(AERON, 2048, json, stats(1_000, 1_010, Map.of(DropReason.RING_FULL, 30L)), 1_040, null, out,
            err);
    }

    /** The final counters of a run of one ingress that received {@code received} frames. */
    private static EngineStats stats(long received, long delivered, Map<DropReason, Long> dropped) {
        final long[] counters = new long[Counter.values().length];
        counters[Counter.RECEIVED.ordinal()] = received;
        final PathStats ingress = new PathStats("ingress-0", PathStats.Kind.INGRESS, -1, counters,
            new long[DropReason.values().length], new long[MapResult.values().length], new long[0]);
        return new EngineStats(List.of(ingress), List.of(), List.of(),
            new Accounting(received, delivered, new EnumMap<>(dropped), 0), 1, 1);
    }

    /**
     * Reports a 1 s l4-hash run of {@code plan} with headroom 256, without links, churn, failure, captures or feed
     * counts.
     *
     * @param sent    frames sent into the transport, -1 for none
     * @param offered the traffic this process made, or null for none
     */
    private static int report(FeedConfig.Plan plan, int frameSize, boolean json, EngineStats stats, long sent,
                              OfferedTraffic offered, StringWriter out, StringWriter err) {
        return new RunReport(plan, frameSize, 256, json, null, new PrintWriter(out), new PrintWriter(err, true))
            .report(new RunReport.Outcome(new RunInfo("l4-hash", "aeron", "0", Instant.EPOCH, Duration.ofSeconds(1)),
                stats, new Histogram(3), List.of(), sent, List.of(), null, null,
                new CaptureDamage.Findings(List.of(), List.of(), List.of()), List.of(), offered));
    }
}
