package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;

@Timeout(value = 55, unit = TimeUnit.SECONDS)
class MapChurnTest {
    private static final long FRAMES = 60_000;

    @Test
    void shouldAccountForEveryFrameExactlyOnceAcrossTheClusterWhenAKeyMovesBetweenNodesUnderLoad() {
        try (Nodes nodes = new Nodes()) {
            final SequenceFeed feed = new SequenceFeed(FRAMES, 20);
            // One recorder behind all three nodes: a frame delivered on two nodes would show as a duplicate.
            final SequenceRecorder recorder = new SequenceRecorder();
            final Nodes.Trio trio = nodes.trio(feed, recorder, 1);
            final ClusterNode a = trio.a();
            final ClusterNode b = trio.b();
            final ClusterNode c = trio.c();

            final ClusterNode[] owners = {b, c, a, b};
            final int[] qsizes = {512, 256, 128, 1024};
            assertEquals(MapResult.OK, a.update(1, qsizes[0], owners[0].address(), 0, CpuMap.ANY));
            assertTrue(a.awaitEntry(1, qsizes[0], Duration.ofSeconds(10)));
            feed.open();
            for (int i = 1; i < owners.length; i++) {
                final long at = FRAMES * i / owners.length;
                assertTrue(Nodes.await(() -> feed.sent() >= at, Duration.ofSeconds(30)), "the feed runs");
                assertEquals(MapResult.OK, a.update(1, qsizes[i], owners[i].address(), i % 2, CpuMap.ANY));
                final int qsize = qsizes[i];
                assertTrue(a.awaitEntry(1, qsize, Duration.ofSeconds(10)) && b.awaitEntry(1, qsize, Duration.ofSeconds(10))
                    && c.awaitEntry(1, qsize, Duration.ofSeconds(10)), "every node applied move " + i);
            }
            assertTrue(Nodes.await(() -> feed.sent() == FRAMES && settled(a, b, c), Duration.ofSeconds(30)),
                "every frame settles");

            final EngineStats sa = a.shutdown();
            final EngineStats sb = b.shutdown();
            final EngineStats sc = c.shutdown();
            final Accounting aa = sa.accounting();
            final Accounting ab = sb.accounting();
            final Accounting ac = sc.accounting();
            // The owner rolls each move out in order (new node first, old node last): no frame in flight meets a
            // node without the key's entry, whichever node the key moves to or from (a, the sender, included).
            for (EngineStats node : new EngineStats[] {sa, sb, sc}) {
                assertEquals(0, ClusterAccounting.receiverDrops(node, DropReason.NO_ENTRY), "no no_entry at a receiver: "
                    + node.accounting());
            }
            for (Accounting node : new Accounting[] {aa, ab, ac}) {
                assertEquals(0, node.inFlight(), "nothing in flight: " + node);
                assertEquals(node.received(), node.delivered() + node.forwarded() + node.droppedTotal(), node.toString());
            }
            assertEquals(FRAMES, aa.received(), "a received its feed's frames; b and c have no feed to send back");
            assertEquals(0, ab.forwarded() + ac.forwarded(), "b and c forward nothing");
            assertEquals(aa.forwarded(), ab.received() + ac.received(), "every frame a forwarded was received once");
            final long delivered = aa.delivered() + ab.delivered() + ac.delivered();
            final long dropped = aa.droppedTotal() + ab.droppedTotal() + ac.droppedTotal();
            assertEquals(FRAMES, delivered + dropped, "cluster-wide: each frame delivered or dropped once: a " + aa
                + " b " + ab + " c " + ac);
            assertEquals(delivered, recorder.delivered(), "the handlers saw every delivered frame");
            assertEquals(0, recorder.duplicates(), "no frame delivered twice, on any node");
            assertTrue(ab.delivered() > 0 && ac.delivered() > 0 && aa.delivered() > 0, "each owner delivered some");
        }
    }

    private static boolean settled(ClusterNode... nodes) {
        long forwarded = 0;
        long fromOthers = 0;
        for (ClusterNode node : nodes) {
            final Accounting accounting = node.stats().accounting();
            if (accounting.inFlight() != 0) {
                return false;
            }
            forwarded += accounting.forwarded();
            fromOthers += accounting.received();
        }
        return fromOthers - FRAMES == forwarded;
    }
}
