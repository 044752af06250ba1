package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
            final Nodes.Pair pair = nodes.pair(Nodes.settings().batchFrames(16).ackTimeout(Duration.ofMillis(500)),
                Nodes.engine(feed, FrameHandler.NO_OP, 1), Nodes.settings(ConfigFactory.parseString(
                    "pekko.actor.serializers.steer-kryo = \"dev.steer.cluster.RefusingKryoSerializer\"")),
                Nodes.engine(null, recorder));
            pair.placeOnB(1, 1024);
            final int refusedBefore = RefusingKryoSerializer.REFUSED.get();

            feed.open();
            final Nodes.Stopped stopped = pair.settleAndStop(feed, FRAMES, Duration.ofSeconds(30));
            final LinkStats link = stopped.links().get(0);
            final EngineStats sa = stopped.a();
            final EngineStats sb = stopped.b();
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
