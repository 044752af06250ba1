package dev.steer.cluster;

import static dev.steer.cluster.ClusterAccounting.assertEachNodeExact;
import static dev.steer.cluster.ClusterAccounting.receiverDrops;
import static dev.steer.cluster.ClusterAccounting.receiverReceived;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;

/**
 * Nodes that stop while frames travel between them: a frame another node forwarded (steered while its entry was
 * in the map, acknowledged, counted {@code forwarded} there) is this node's to deliver, even when the removal of
 * this node's entries, published because this node leaves, reaches its agent before the frame reaches its receiver.
 */
@Timeout(value = 50, unit = TimeUnit.SECONDS)
class LeaveTest {
    private static final long FRAMES = 10_000_000;
    private static final long PER_MILLI = 60;

    @Test
    void shouldDeliverEveryForwardedFrameWhenBothNodesStopAtOnce() throws Exception {
        try (Nodes nodes = new Nodes()) {
            final SequenceFeed feedA = new SequenceFeed(FRAMES, PER_MILLI);
            final SequenceFeed feedB = new SequenceFeed(FRAMES, PER_MILLI);
            final SequenceRecorder onA = new SequenceRecorder();
            final SequenceRecorder onB = new SequenceRecorder();
            // Key 0 on a, key 1 on b; each node's feed goes round-robin to both: half of it crosses.
            final Nodes.Pair pair = nodes.pair(Nodes.settings(), Nodes.engine(feedA, onA, 0, 1), Nodes.settings(),
                Nodes.engine(feedB, onB, 0, 1));
            final ClusterNode a = pair.a();
            final ClusterNode b = pair.b();
            assertEquals(MapResult.OK, a.update(0, 512, a.address(), 0, CpuMap.ANY));
            assertEquals(MapResult.OK, a.update(1, 512, b.address(), 0, CpuMap.ANY));
            for (ClusterNode node : new ClusterNode[] {a, b}) {
                assertTrue(node.awaitEntry(0, 512, Duration.ofSeconds(10)) && node.awaitEntry(1, 512,
                    Duration.ofSeconds(10)), "the map is in place on every node");
            }
            feedA.open();
            feedB.open();
            assertTrue(Nodes.await(() -> onA.delivered() > 20_000 && onB.delivered() > 20_000, Duration.ofSeconds(20)),
                "traffic flows both ways");

            final CompletableFuture<EngineStats> stopA = CompletableFuture.supplyAsync(a::shutdown);
            final EngineStats sb = b.shutdown();
            final EngineStats sa = stopA.get(40, TimeUnit.SECONDS);

            assertEachNodeExact("a", sa);
            assertEachNodeExact("b", sb);
            assertEquals(0, receiverDrops(sa, DropReason.NO_ENTRY), "a's receiver found no entry for frames b forwarded: "
                + sa.accounting());
            assertEquals(0, receiverDrops(sb, DropReason.NO_ENTRY), "b's receiver found no entry for frames a forwarded: "
                + sb.accounting());
            assertTrue(sa.accounting().forwarded() <= receiverReceived(sb), "b took every frame a counted forwarded");
            assertTrue(sb.accounting().forwarded() <= receiverReceived(sa), "a took every frame b counted forwarded");
            assertEquals(sa.accounting().delivered(), onA.delivered());
            assertEquals(sb.accounting().delivered(), onB.delivered());
            // (Both feeds number their frames from 0, so the recorders cannot tell duplicates here; the one-way
            // test below checks them.)
        }
    }

    @Test
    void shouldDeliverEveryForwardedFrameWhenTheOwningNodeLeavesAlone() {
        try (Nodes nodes = new Nodes()) {
            final SequenceFeed feed = new SequenceFeed(FRAMES, PER_MILLI);
            final SequenceRecorder recorder = new SequenceRecorder();
            final Nodes.Pair pair = nodes.pair(feed, recorder, 1);
            final ClusterNode a = pair.a();
            final ClusterNode b = pair.b();
            pair.placeOnB(1, 512);
            Nodes.openAndAwaitTraffic(feed, recorder, 20_000);

            final EngineStats sb = b.shutdown();
            final EngineStats sa = a.shutdown();

            assertEachNodeExact("a", sa);
            assertEachNodeExact("b", sb);
            assertEquals(0, receiverDrops(sb, DropReason.NO_ENTRY), "b's receiver found no entry for frames a forwarded: "
                + sb.accounting());
            assertEquals(sb.accounting().delivered(), recorder.delivered());
            assertEquals(receiverReceived(sb), sb.accounting().delivered() + sb.accounting().droppedTotal(),
                "what b received from a ended on b");
            assertEquals(0, recorder.duplicates(), "no frame delivered twice");
        }
    }
}
