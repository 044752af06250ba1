package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;

/** Cross-node forwarding under faults: every frame ends once, on one node, and nothing stays in flight. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ForwardingFaultTest {
    private static final long FRAMES = 10_000_000;
    private static final long PER_MILLI = 40;

    @Test
    void shouldEndEveryFrameOnceWhenTheSendingNodeShutsDownWithBatchesUnacknowledged() {
        try (Nodes nodes = new Nodes()) {
            final SequenceFeed feed = new SequenceFeed(FRAMES, PER_MILLI);
            final SequenceRecorder recorder = new SequenceRecorder();
            final Nodes.Pair pair = nodes.pair(feed, recorder, 1);
            final ClusterNode a = pair.a();
            final ClusterNode b = pair.b();
            pair.placeOnB(1, 512);

            Nodes.openAndAwaitTraffic(feed, recorder, 5_000);
            // a leaves mid-load, b stays: a's drain forwards what is left and b acknowledges all of it.
            final EngineStats sa = a.shutdown();
            final LinkStats link = a.links().get(0);
            assertTrue(Nodes.await(() -> b.stats().accounting().inFlight() == 0, Duration.ofSeconds(20)),
                "b settles: " + b.stats().accounting());
            final EngineStats sb = b.shutdown();

            final Accounting aa = sa.accounting();
            final Accounting ab = sb.accounting();
            assertEquals(0, aa.inFlight(), "nothing in flight on a: " + aa);
            assertEquals(aa.received(), aa.forwarded() + aa.droppedTotal(), "a: " + aa);
            assertEquals(0, aa.dropped(DropReason.UNREACHABLE), "b stayed up and answered: " + aa + ", " + link);
            assertEquals(link.batches(), link.acknowledged(), "every batch acknowledged: " + link);
            assertEquals(0, ab.inFlight(), "nothing in flight on b: " + ab);
            assertEquals(ab.received(), ab.delivered() + ab.droppedTotal(), "b: " + ab);
            assertEquals(aa.forwarded(), ab.received(), "b received what a forwarded: a " + aa + " / b " + ab);
            assertEquals(ab.delivered(), recorder.delivered());
            assertEquals(0, recorder.duplicates(), "no frame delivered twice");
            assertTrue(sa.poolsFull() && sb.poolsFull(), "pools full again");
        }
    }

    @Test
    void shouldCountOversizeOnTheReceiverAndForwardedOnTheSenderWhenFramesExceedTheReceiversFrameSize() {
        try (Nodes nodes = new Nodes()) {
            final long frames = 20_000;
            final SequenceFeed feed = new SequenceFeed(frames, PER_MILLI);
            final SequenceRecorder recorder = new SequenceRecorder();
            // b's receiver frames hold 64 bytes of data; the feed's packets are 96.
            final Nodes.Pair pair = nodes.pair(Nodes.settings(), Nodes.engine(feed, FrameHandler.NO_OP, 1),
                Nodes.settings().receiverFrameSize(128, 64), Nodes.engine(null, recorder));
            pair.placeOnB(1, 512);

            feed.open();
            final Nodes.Stopped stopped = pair.settleAndStop(feed, frames, Duration.ofSeconds(40));
            final EngineStats sa = stopped.a();
            final EngineStats sb = stopped.b();
            final Accounting aa = sa.accounting();
            final Accounting ab = sb.accounting();
            assertEquals(aa.received(), aa.forwarded() + aa.droppedTotal(), "a: " + aa);
            assertEquals(0, aa.inFlight());
            assertEquals(aa.forwarded(), ab.received(), "b received what a forwarded");
            assertEquals(ab.received(), ab.dropped(DropReason.OVERSIZE), "b dropped every frame as oversize: " + ab);
            assertEquals(0, ab.delivered());
            assertEquals(frames, ab.droppedTotal() + aa.droppedTotal(), "cluster-wide, once each");
            assertTrue(sa.poolsFull() && sb.poolsFull());
        }
    }
}
