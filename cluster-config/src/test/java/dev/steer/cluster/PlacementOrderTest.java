package dev.steer.cluster;

import static dev.steer.cluster.ClusterAccounting.assertEachNodeExact;
import static dev.steer.cluster.ClusterAccounting.receiverDrops;
import static dev.steer.cluster.ClusterAccounting.receiverReceived;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;

/**
 * Map changes under traffic lose no frame in flight, as the kernel's cpumap promises: a node forwards to a key's node
 * only once that node has its entry, and a node gives up its entry only once no other node forwards to it any more.
 * The rule under test is "no {@code no_entry} at any receiver" while keys are placed, moved and deleted; the frames
 * a node steers to a key before the key reaches its own copy of the map are counted {@code no_entry} at its ingress,
 * which is correct and not what this test is about. No timing is asserted: each step waits for progress.
 */
@Timeout(value = 55, unit = TimeUnit.SECONDS)
class PlacementOrderTest {
    private static final long FRAMES = 100_000_000;
    private static final long PER_MILLI = 60;
    private static final int ROUNDS = 6;

    @Test
    void shouldDropNoFrameAtTheReceiverWhenAKeyIsPlacedOnAnotherNodeAndDeletedUnderTraffic() {
        try (Nodes nodes = new Nodes()) {
            final SequenceFeed feed = new SequenceFeed(FRAMES, PER_MILLI);
            final SequenceRecorder recorder = new SequenceRecorder();
            // a owns the map and steers to key 1 before the key exists: its agent applies every publication first.
            final Nodes.Pair pair = nodes.pair(feed, recorder, 1);
            final ClusterNode a = pair.a();
            final ClusterNode b = pair.b();
            feed.open();
            for (int round = 0; round < ROUNDS; round++) {
                final int qsize = 256 << (round % 3);
                final long noEntryBefore = receiverDrops(b.stats(), DropReason.NO_ENTRY);
                assertEquals(MapResult.OK, a.update(1, qsize, b.address(), round % 2, CpuMap.ANY));
                assertTrue(a.awaitEntry(1, qsize, Duration.ofSeconds(10)) && b.awaitEntry(1, qsize,
                    Duration.ofSeconds(10)), "round " + round + ": both nodes applied the placement");
                final long before = recorder.delivered();
                assertTrue(Nodes.await(() -> recorder.delivered() > before + 2_000, Duration.ofSeconds(10)),
                    "round " + round + ": b delivers");
                assertEquals(noEntryBefore, receiverDrops(b.stats(), DropReason.NO_ENTRY), "round " + round + ": b's receiver"
                    + " found no entry for frames a forwarded after the placement: " + b.stats().accounting());
                assertEquals(MapResult.OK, a.delete(1));
                assertTrue(a.awaitEntry(1, 0, Duration.ofSeconds(10)) && b.awaitEntry(1, 0, Duration.ofSeconds(10)),
                    "round " + round + ": both nodes applied the delete");
                // What a forwarded before the delete has reached b, so that the next round counts its own frames only.
                assertTrue(Nodes.await(() -> a.stats().accounting().inFlight() == 0
                    && a.stats().accounting().forwarded() == receiverReceived(b.stats()), Duration.ofSeconds(10)),
                    "round " + round + ": a's forwarded frames settle on b");
            }
            final EngineStats sa = a.shutdown();
            final EngineStats sb = b.shutdown();

            assertEachNodeExact("a", sa);
            assertEachNodeExact("b", sb);
            assertEquals(0, receiverDrops(sb, DropReason.NO_ENTRY), "b's receiver found no entry for frames a"
                + " forwarded: " + sb.accounting());
            assertEquals(sa.accounting().forwarded(), receiverReceived(sb), "b received what a forwarded");
            assertEquals(receiverReceived(sb), sb.accounting().delivered() + sb.accounting().droppedTotal(),
                "what b received ended on b");
            assertEquals(sb.accounting().delivered(), recorder.delivered());
            assertEquals(0, recorder.duplicates(), "no frame delivered twice");
        }
    }

    @Test
    void shouldDropNoFrameAtAnyReceiverWhenAKeyMovesBetweenNodesUnderTraffic() {
        try (Nodes nodes = new Nodes()) {
            final SequenceFeed feed = new SequenceFeed(FRAMES, PER_MILLI);
            // One recorder behind all three nodes: a frame delivered on two nodes would show as a duplicate.
            final SequenceRecorder recorder = new SequenceRecorder();
            final Nodes.Trio trio = nodes.trio(feed, recorder, 1);
            final ClusterNode a = trio.a();
            final ClusterNode b = trio.b();
            final ClusterNode c = trio.c();
            feed.open();
            // Key 1 alternates between b and c (neither is the owner's node), with a new ring size every move.
            final ClusterNode[] owners = {b, c};
            for (int move = 0; move < 2 * ROUNDS; move++) {
                final ClusterNode owner = owners[move % 2];
                final int qsize = 256 + 128 * move;
                assertEquals(MapResult.OK, a.update(1, qsize, owner.address(), move % 2, CpuMap.ANY));
                for (ClusterNode node : new ClusterNode[] {a, b, c}) {
                    assertTrue(node.awaitEntry(1, qsize, Duration.ofSeconds(10)), "move " + move + " applied");
                }
                final long before = recorder.delivered();
                assertTrue(Nodes.await(() -> recorder.delivered() > before + 2_000, Duration.ofSeconds(10)),
                    "move " + move + ": the new owner delivers");
            }
            final EngineStats sa = a.shutdown();
            final EngineStats sb = b.shutdown();
            final EngineStats sc = c.shutdown();

            long delivered = 0;
            long received = 0;
            for (EngineStats stats : new EngineStats[] {sa, sb, sc}) {
                assertEachNodeExact(stats == sa ? "a" : stats == sb ? "b" : "c", stats);
                delivered += stats.accounting().delivered();
                received += receiverReceived(stats);
            }
            assertEquals(0, receiverDrops(sb, DropReason.NO_ENTRY), "b's receiver found no entry: " + sb.accounting());
            assertEquals(0, receiverDrops(sc, DropReason.NO_ENTRY), "c's receiver found no entry: " + sc.accounting());
            assertEquals(0, receiverReceived(sa), "nothing is forwarded to a");
            assertEquals(sa.accounting().forwarded(), received, "b and c together received what a forwarded");
            assertEquals(delivered, recorder.delivered(), "the handlers saw every delivered frame");
            assertEquals(0, recorder.duplicates(), "no frame delivered twice, on any node");
        }
    }
}
