package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;

/**
 * A batch the owning node cannot read, on a real two-node cluster: Artery logs it and drops it, nothing answers,
 * and the sender gives the batch up at its ack timeout and counts its frames {@code unreachable}, as
 * docs/cluster.md ("Lost batches") promises for a lost batch; the link keeps forwarding.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UndeserializableBatchTest {
    private static final int FRAMES = 6_000;

    @Test
    void shouldCountTheBatchUnreachableAtTheAckTimeoutWhenTheOwningNodeCannotDeserializeIt() {
        try (Nodes nodes = new Nodes()) {
            final SequenceFeed feed = new SequenceFeed(FRAMES, 3);
            final SequenceRecorder recorder = new SequenceRecorder();
            final ClusterNode a = nodes.start(Nodes.settings().batchFrames(16).ackTimeout(Duration.ofMillis(500)),
                Nodes.engine(feed, FrameHandler.NO_OP, 1));
            final ClusterNode b = nodes.start(Nodes.settings(ConfigFactory.parseString(
                "pekko.actor.serializers.steer-kryo = \"dev.steer.cluster.RefusingKryoSerializer\""))
                .seed(a.address()), Nodes.engine(null, recorder));
            assertTrue(a.awaitMembers(2, Duration.ofSeconds(20)) && b.awaitMembers(2, Duration.ofSeconds(20)));
            assertEquals(MapResult.OK, a.update(1, 1024, b.address(), 0, CpuMap.ANY));
            assertTrue(a.awaitEntry(1, 1024, Duration.ofSeconds(10)) && b.awaitEntry(1, 1024, Duration.ofSeconds(10)));
            final int refusedBefore = RefusingKryoSerializer.REFUSED.get();

            feed.open();
            assertTrue(Nodes.await(() -> feed.sent() == FRAMES && TwoNodeSteeringTest.settled(a, b),
                Duration.ofSeconds(30)), "settles: a " + a.stats().accounting() + " / b " + b.stats().accounting());
            final LinkStats link = a.links().get(0);
            final EngineStats sa = a.shutdown();
            final EngineStats sb = b.shutdown();
            final Accounting aa = sa.accounting();
            final Accounting ab = sb.accounting();
            final int refused = RefusingKryoSerializer.REFUSED.get() - refusedBefore;

            assertTrue(refused > 0, "b refused batches: " + refused);
            assertEquals(refused, link.timedOut(), "every refused batch timed out on a: " + link);
            assertEquals(0, link.lateAcknowledged(), "nothing answered a refused batch: " + link);
            assertEquals(link.timedOutFrames(), aa.dropped(DropReason.UNREACHABLE), "a counts them unreachable: " + aa);
            assertEquals(FRAMES, aa.received());
            assertEquals(0, aa.inFlight(), "a: " + aa);
            assertEquals(aa.received(), aa.forwarded() + aa.droppedTotal(), "a's ends: " + aa);
            assertEquals(aa.forwarded(), ab.received(), "b received what a forwarded, the refused batches not");
            assertEquals(0, ab.inFlight(), "b: " + ab);
            assertEquals(ab.received(), ab.delivered() + ab.droppedTotal(), "b's ends: " + ab);
            assertEquals(FRAMES, ab.delivered() + ab.droppedTotal() + aa.droppedTotal(), "cluster-wide, once each");
            assertEquals(0, recorder.duplicates(), "no frame twice");
            assertTrue(ab.delivered() > FRAMES / 2, "the link kept forwarding after the refusals: " + ab);
            assertTrue(sa.poolsFull() && sb.poolsFull(), "pools full");
        }
    }
}
