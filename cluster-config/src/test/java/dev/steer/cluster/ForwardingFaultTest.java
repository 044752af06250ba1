package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.MapResult;
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
            assertEquals(MapResult.OK, a.update(1, 512, b.address(), 0, CpuMap.ANY));
            assertTrue(a.awaitEntry(1, 512, Duration.ofSeconds(10)) && b.awaitEntry(1, 512, Duration.ofSeconds(10)));

            feed.open();
            assertTrue(Nodes.await(() -> recorder.delivered() > 5_000, Duration.ofSeconds(20)), "traffic flows to b");
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
            final ClusterNode a = nodes.start(Nodes.settings(), Nodes.engine(feed, FrameHandler.NO_OP, 1));
            // b's receiver frames hold 64 bytes of data; the feed's packets are 96.
            final ClusterNode b = nodes.start(Nodes.settings().receiverFrameSize(128, 64).seed(a.address()),
                Nodes.engine(null, recorder));
            assertTrue(a.awaitMembers(2, Duration.ofSeconds(20)) && b.awaitMembers(2, Duration.ofSeconds(20)));
            assertEquals(MapResult.OK, a.update(1, 512, b.address(), 0, CpuMap.ANY));
            assertTrue(a.awaitEntry(1, 512, Duration.ofSeconds(10)) && b.awaitEntry(1, 512, Duration.ofSeconds(10)));

            feed.open();
            assertTrue(Nodes.await(() -> feed.sent() == frames && TwoNodeSteeringTest.settled(a, b),
                Duration.ofSeconds(40)), "settles: a " + a.stats().accounting() + " / b " + b.stats().accounting());
            final EngineStats sa = a.shutdown();
            final EngineStats sb = b.shutdown();
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
