package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.remote.RARP;
import org.apache.pekko.remote.RemoteActorRefProvider;
import org.apache.pekko.remote.transport.ThrottlerTransportAdapter;
import org.apache.pekko.remote.transport.ThrottlerTransportAdapter.SetThrottle;
import scala.concurrent.Await;
import scala.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;

@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MembershipTest {
    private static final long FRAMES = 10_000_000;
    private static final long PER_MILLI = 40;

    @Test
    void shouldRemoveTheEntriesAndCountTheRestAsDropsOnTheSenderWhenTheOwningNodeLeaves() {
        try (Nodes nodes = new Nodes()) {
            final SequenceFeed feed = new SequenceFeed(FRAMES, PER_MILLI);
            final SequenceRecorder recorder = new SequenceRecorder();
            final ClusterNode a = nodes.start(Nodes.settings(), Nodes.engine(feed, FrameHandler.NO_OP, 1));
            final ClusterNode b = nodes.start(Nodes.settings().seed(a.address()), Nodes.engine(null, recorder));
            assertTrue(a.awaitMembers(2, Duration.ofSeconds(20)) && b.awaitMembers(2, Duration.ofSeconds(20)));
            assertEquals(MapResult.OK, a.update(1, 512, b.address(), 0, CpuMap.ANY));
            assertTrue(a.awaitEntry(1, 512, Duration.ofSeconds(10)) && b.awaitEntry(1, 512, Duration.ofSeconds(10)));

            feed.open();
            assertTrue(Nodes.await(() -> recorder.delivered() > 5_000, Duration.ofSeconds(20)), "traffic flows to b");
            final EngineStats sb = b.shutdown();
            assertTrue(a.awaitEntry(1, 0, Duration.ofSeconds(20)), "a removed the entry of the node that left");
            final long noEntryBefore = a.stats().accounting().dropped(DropReason.NO_ENTRY);
            assertTrue(Nodes.await(() -> a.stats().accounting().dropped(DropReason.NO_ENTRY) > noEntryBefore + 1_000,
                Duration.ofSeconds(10)), "a keeps running and counts later redirects as no_entry");
            final EngineStats sa = a.shutdown();

            assertSurvivorAccounted(sa.accounting(), sb.accounting());
            assertEquals(0, recorder.duplicates(), "no frame delivered twice");
            assertEquals(sb.accounting().delivered(), recorder.delivered());
            assertTrue(sa.poolsFull() && sb.poolsFull(), "pools full again");
        }
    }

    @Test
    void shouldCountInFlightFramesAsUnreachableWhenTheOwningNodeCrashes() {
        try (Nodes nodes = new Nodes()) {
            final SequenceFeed feed = new SequenceFeed(FRAMES, PER_MILLI);
            final SequenceRecorder recorder = new SequenceRecorder();
            final ClusterNode a = nodes.start(Nodes.settings(), Nodes.engine(feed, FrameHandler.NO_OP, 1));
            final ClusterNode c = nodes.start(Nodes.settings().seed(a.address()),
                Nodes.engine(null, FrameHandler.NO_OP));
            // b goes silent without leaving: Artery's test mode lets the test black-hole its links.
            final ClusterNode b = nodes.start(Nodes.settings(ConfigFactory.parseString(
                "pekko.remote.artery.advanced.test-mode = on")).seed(a.address()), Nodes.engine(null, recorder));
            assertTrue(a.awaitMembers(3, Duration.ofSeconds(20)) && b.awaitMembers(3, Duration.ofSeconds(20))
                && c.awaitMembers(3, Duration.ofSeconds(20)), "three members up");
            assertEquals(MapResult.OK, a.update(1, 512, b.address(), 0, CpuMap.ANY));
            assertTrue(a.awaitEntry(1, 512, Duration.ofSeconds(10)) && b.awaitEntry(1, 512, Duration.ofSeconds(10)));

            feed.open();
            assertTrue(Nodes.await(() -> recorder.delivered() > 5_000, Duration.ofSeconds(20)), "traffic flows to b");
            partition(b, a, c);
            assertTrue(a.awaitEntry(1, 0, Duration.ofSeconds(30)), "the split-brain resolver downed b, its entry left");
            assertTrue(c.awaitEntry(1, 0, Duration.ofSeconds(10)), "on every node");
            assertEquals(2, a.upMembers(), "a and c keep running");
            final EngineStats sa = a.shutdown();
            final Accounting aa = sa.accounting();
            assertEquals(0, aa.inFlight(), "nothing in flight on a: " + aa);
            assertEquals(aa.received(), aa.forwarded() + aa.droppedTotal(), "every frame of a ended: " + aa);
            assertTrue(aa.dropped(DropReason.RING_FULL) + aa.dropped(DropReason.UNREACHABLE) > 0,
                "frames that could not reach b were counted: " + aa);
            assertTrue(aa.forwarded() > 0, "frames reached b before it died");
            assertEquals(0, recorder.duplicates());
            assertTrue(sa.poolsFull(), "a's pools are full again");
        }
    }

    @Test
    void shouldBoundTheDrainAndCountTheRestUnreachableWhenAKeyMovesAwayFromASilentNode() {
        try (Nodes nodes = new Nodes()) {
            final SequenceFeed feed = new SequenceFeed(FRAMES, PER_MILLI);
            final SequenceRecorder recorder = new SequenceRecorder();
            final ClusterNode a = nodes.start(Nodes.settings(), Nodes.engine(feed, FrameHandler.NO_OP, 1));
            final ClusterNode c = nodes.start(Nodes.settings().seed(a.address()), Nodes.engine(null, recorder));
            // b's failure detection is slow enough that it is still a member when the key moves away from it.
            final ClusterNode b = nodes.start(Nodes.settings(ConfigFactory.parseString(
                "pekko.remote.artery.advanced.test-mode = on")).seed(a.address()), Nodes.engine(null, recorder));
            assertTrue(a.awaitMembers(3, Duration.ofSeconds(20)) && b.awaitMembers(3, Duration.ofSeconds(20))
                && c.awaitMembers(3, Duration.ofSeconds(20)), "three members up");
            assertEquals(MapResult.OK, a.update(1, 512, b.address(), 0, CpuMap.ANY));
            assertTrue(a.awaitEntry(1, 512, Duration.ofSeconds(10)));
            feed.open();
            assertTrue(Nodes.await(() -> recorder.delivered() > 2_000, Duration.ofSeconds(20)), "traffic flows to b");

            partition(b, a, c);
            assertEquals(MapResult.OK, a.update(1, 256, c.address(), 1, CpuMap.ANY), "b is still a member: move to c");
            assertTrue(a.awaitEntry(1, 256, Duration.ofSeconds(10)), "a forwards to c now");
            final long before = recorder.delivered();
            assertTrue(Nodes.await(() -> recorder.delivered() > before + 2_000, Duration.ofSeconds(20)),
                "c receives while the old forwarder to b drains");
            final EngineStats sa = a.shutdown();
            final Accounting aa = sa.accounting();
            assertEquals(0, aa.inFlight(), "the drain to the silent node ended: " + aa);
            assertEquals(aa.received(), aa.forwarded() + aa.droppedTotal(), "every frame of a ended: " + aa);
            // Whether any batch was still unacknowledged when b fell silent depends on timing (in one full run
            // on the shared 2-core machine every batch had been acknowledged, unreachable 0): what is asserted
            // is that the drain ended and every frame ended as forwarded or a counted drop.
            assertTrue(sa.poolsFull(), "a's pools are full again");
            assertEquals(0, recorder.duplicates());
        }
    }

    /** Black-holes every link of {@code node} to {@code others}, both ways: to them it is as if it crashed. */
    static void partition(ClusterNode node, ClusterNode... others) {
        final RemoteActorRefProvider provider =
            ((RARP) RARP.get(Adapter.toClassic(node.engine().actorSystem()))).provider();
        for (ClusterNode other : others) {
            try {
                final Future<Object> done = provider.transport().managementCommand(new SetThrottle(
                    AddressFromURIString.parse(other.address()),
                    (ThrottlerTransportAdapter.Direction) scalaObject("ThrottlerTransportAdapter$Direction$Both$"),
                    (ThrottlerTransportAdapter.ThrottleMode) scalaObject("ThrottlerTransportAdapter$Blackhole$")));
                Await.result(done, scala.concurrent.duration.Duration.create(5, TimeUnit.SECONDS));
            } catch (Exception ex) {
                throw new IllegalStateException("cannot black-hole " + other.address(), ex);
            }
        }
    }

    private static Object scalaObject(String name) throws ReflectiveOperationException {
        return Class.forName("org.apache.pekko.remote.transport." + name).getField("MODULE$").get(null);
    }

    /** The survivor's every frame ended, and the leaver counted everything the survivor counted forwarded. */
    static void assertSurvivorAccounted(Accounting aa, Accounting ab) {
        assertEquals(0, aa.inFlight(), "nothing in flight on a: " + aa);
        assertEquals(aa.received(), aa.forwarded() + aa.droppedTotal(), "every frame of a ended: " + aa);
        assertEquals(0, ab.inFlight(), "nothing in flight on b: " + ab);
        assertEquals(ab.received(), ab.delivered() + ab.droppedTotal(), "every frame of b ended: " + ab);
        assertTrue(aa.forwarded() <= ab.received(), "b counted every frame a counted forwarded: a " + aa + " b " + ab);
        // An acknowledgement overtaken by b's removal is counted unreachable on a although b counted it:
        // the only double count there can be, and never a loss.
        assertTrue(ab.received() - aa.forwarded() <= aa.dropped(DropReason.UNREACHABLE), "a " + aa + " b " + ab);
    }
}
