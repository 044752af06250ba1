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
            final Nodes.Pair pair = nodes.pair(feed, recorder, 1);
            final ClusterNode a = pair.a();
            final ClusterNode b = pair.b();
            pair.placeOnB(1, 512);

            Nodes.openAndAwaitTraffic(feed, recorder, 5_000);
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
            Nodes.place(a, 1, 512, b);

            Nodes.openAndAwaitTraffic(feed, recorder, 5_000);
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
            Nodes.openAndAwaitTraffic(feed, recorder, 2_000);

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

    @Test
    void shouldCountLostBatchesUnreachableAndKeepForwardingWhenALiveLinkLosesBatches() {
        final long frames = 200_000;
        try (Nodes nodes = new Nodes()) {
            final SequenceFeed feed = new SequenceFeed(frames, PER_MILLI);
            final SequenceRecorder recorder = new SequenceRecorder();
            // Failure detection far slower than the half-second blackhole below, so that b stays up and reachable.
            final Nodes.Pair pair = nodes.pair(Nodes.settings().heartbeatPause(Duration.ofSeconds(8))
                .ackTimeout(Duration.ofSeconds(1)), Nodes.engine(feed, FrameHandler.NO_OP, 1), Nodes.settings(
                    ConfigFactory.parseString("pekko.remote.artery.advanced.test-mode = on"))
                    .heartbeatPause(Duration.ofSeconds(8)), Nodes.engine(null, recorder));
            final ClusterNode a = pair.a();
            final ClusterNode b = pair.b();
            pair.placeOnB(1, 512);

            Nodes.openAndAwaitTraffic(feed, recorder, 2_000);
            // For half a second b's link to a drops everything both ways: the batches of that window and the acks
            // of the batches b took just before are lost, and b stays reachable (the failure detector accepts 8 s).
            // Without an ack timeout the link would never send again.
            throttle(b, "Both", "Blackhole", a);
            Nodes.await(() -> false, Duration.ofMillis(500));
            throttle(b, "Both", "Unthrottled", a);
            assertTrue(Nodes.await(() -> a.links().get(0).timedOut() > 0, Duration.ofSeconds(10)),
                "the lost batches timed out: " + a.links());
            final long resumed = recorder.delivered();
            assertTrue(Nodes.await(() -> recorder.delivered() > resumed + 2_000, Duration.ofSeconds(15)),
                "the link forwards again: " + a.links());

            assertTrue(Nodes.await(() -> {
                final Accounting aa = a.stats().accounting();
                final Accounting ab = b.stats().accounting();
                return feed.sent() == frames && aa.inFlight() == 0 && ab.inFlight() == 0
                    && ab.received() >= aa.forwarded();
            }, Duration.ofSeconds(40)), "every frame settles: a " + a.stats().accounting() + " / b "
                + b.stats().accounting());
            final LinkStats link = a.links().get(0);
            final EngineStats sa = a.shutdown();
            final EngineStats sb = b.shutdown();
            final Accounting aa = sa.accounting();
            final Accounting ab = sb.accounting();
            assertEquals(0, aa.inFlight(), "nothing in flight on a: " + aa);
            assertEquals(aa.received(), aa.forwarded() + aa.droppedTotal(), "every frame of a ended: " + aa);
            assertTrue(aa.dropped(DropReason.UNREACHABLE) >= link.timedOutFrames(), "lost batches counted: " + aa);
            assertEquals(0, ab.inFlight(), "nothing in flight on b: " + ab);
            assertEquals(ab.received(), ab.delivered() + ab.droppedTotal(), "every frame of b ended: " + ab);
            assertTrue(aa.forwarded() <= ab.received(), "b counted every frame a counted forwarded");
            // A batch that arrived but whose ack was lost or late is counted twice, unreachable here and received
            // there; nothing else is, and no frame is ever missing.
            final long ended = ab.delivered() + ab.droppedTotal() + aa.droppedTotal();
            assertTrue(ended >= frames, "cluster-wide, none missing: " + ended + " of " + frames + ", " + link);
            assertTrue(ended - frames <= link.timedOutFrames(), "counted twice only if given up: " + link);
            assertEquals(ab.delivered(), recorder.delivered());
            assertEquals(0, recorder.duplicates(), "no frame delivered twice");
            assertTrue(sa.poolsFull() && sb.poolsFull(), "pools full again");
        }
    }

    /**
     * Sets Artery's test-mode throttle of {@code node}'s links to {@code others}: {@code direction} one of
     * {@code Send}, {@code Receive}, {@code Both}; {@code mode} {@code Blackhole} or {@code Unthrottled}.
     */
    static void throttle(ClusterNode node, String direction, String mode, ClusterNode... others) {
        final RemoteActorRefProvider provider =
            ((RARP) RARP.get(Adapter.toClassic(node.engine().actorSystem()))).provider();
        for (ClusterNode other : others) {
            try {
                final Future<Object> done = provider.transport().managementCommand(new SetThrottle(
                    AddressFromURIString.parse(other.address()),
                    (ThrottlerTransportAdapter.Direction) scalaObject("ThrottlerTransportAdapter$Direction$" + direction + "$"),
                    (ThrottlerTransportAdapter.ThrottleMode) scalaObject("ThrottlerTransportAdapter$" + mode + "$")));
                Await.result(done, scala.concurrent.duration.Duration.create(5, TimeUnit.SECONDS));
            } catch (Exception ex) {
                throw new IllegalStateException("cannot throttle " + other.address(), ex);
            }
        }
    }

    @Test
    void shouldRemoveTheCrashedNodesEntriesWhenThatNodeRanTheMapOwner() {
        try (Nodes nodes = new Nodes()) {
            // a is the oldest, so the map owner runs there; it then goes silent without leaving (Artery test mode).
            final ClusterNode a = nodes.start(Nodes.settings(ConfigFactory.parseString(
                "pekko.remote.artery.advanced.test-mode = on")), Nodes.engine(null, FrameHandler.NO_OP));
            assertTrue(a.awaitMembers(1, Duration.ofSeconds(20)));
            final ClusterNode b = nodes.start(Nodes.settings().seed(a.address()), Nodes.engine(null, FrameHandler.NO_OP));
            final ClusterNode c = nodes.start(Nodes.settings().seed(a.address()), Nodes.engine(null, FrameHandler.NO_OP));
            assertTrue(a.awaitMembers(3, Duration.ofSeconds(20)) && b.awaitMembers(3, Duration.ofSeconds(20))
                && c.awaitMembers(3, Duration.ofSeconds(20)), "three members up");
            assertEquals(MapResult.OK, b.update(1, 64, a.address(), 0, CpuMap.ANY));
            assertEquals(MapResult.OK, b.update(2, 64, c.address(), 1, CpuMap.ANY));
            assertTrue(b.awaitEntry(1, 64, Duration.ofSeconds(10)) && c.awaitEntry(1, 64, Duration.ofSeconds(10)));
            // Both changes in place everywhere before a goes silent: the owner rolls changes out one at a time, so a
            // change accepted just before may not have reached every node yet, and the next owner starts from its
            // own node's copy.
            assertTrue(b.awaitEntry(2, 64, Duration.ofSeconds(10)) && c.awaitEntry(2, 64, Duration.ofSeconds(10)));

            partition(a, b, c);
            assertTrue(Nodes.await(() -> b.upMembers() == 2 && c.upMembers() == 2, Duration.ofSeconds(30)),
                "b and c removed a");
            // The owner moves to b, which starts from the map it last applied: a's entry must not survive that.
            assertTrue(b.awaitEntry(1, 0, Duration.ofSeconds(30)), "a's key left b's map: " + b.engine().lookup(1));
            assertTrue(c.awaitEntry(1, 0, Duration.ofSeconds(5)), "and c's: " + c.engine().lookup(1));
            assertTrue(c.awaitEntry(2, 64, Duration.ofSeconds(1)), "c's own key stays");
        }
    }

    /** Black-holes every link of {@code node} to {@code others}, both ways: to them it is as if it crashed. */
    static void partition(ClusterNode node, ClusterNode... others) {
        throttle(node, "Both", "Blackhole", others);
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
