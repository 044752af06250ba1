package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters;
import dev.steer.engine.stats.PathStats;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TwoNodeSteeringTest {
    private static final int FRAMES = 20_000;

    @Test
    void shouldDeliverEveryForwardedFrameOnTheOwningNodeWhenTheKeyIsLocatedThere() {
        try (Nodes nodes = new Nodes()) {
            final SequenceFeed feed = new SequenceFeed(FRAMES);
            final SequenceRecorder recorder = new SequenceRecorder();
            final Nodes.Pair pair = nodes.pair(feed, recorder, 1);
            final ClusterNode a = pair.a();
            final ClusterNode b = pair.b();

            assertEquals(MapResult.OK, a.update(1, 1024, b.address(), 0, CpuMap.ANY));
            assertTrue(a.awaitEntry(1, 1024, Duration.ofSeconds(10)), "a has the forwarding entry");
            assertTrue(b.awaitEntry(1, 1024, Duration.ofSeconds(10)), "b has the local entry");
            assertTrue(b.engine().lookup(1).location() != null && !b.engine().lookup(1).isRemote(), "local on b");
            assertTrue(a.engine().lookup(1).isRemote(), "remote on a");

            feed.open();
            final Nodes.Stopped stopped = pair.settleAndStop(feed, FRAMES, Duration.ofSeconds(30));
            final EngineStats sa = stopped.a();
            final EngineStats sb = stopped.b();

            final Accounting aa = sa.accounting();
            final Accounting ab = sb.accounting();
            // Node a: every frame it received was forwarded (acknowledged) or dropped at its ingress.
            assertEquals(FRAMES, aa.received(), "a received " + aa);
            assertEquals(0, aa.delivered(), "a delivered nothing itself");
            assertEquals(0, aa.inFlight(), "nothing in flight on a");
            assertEquals(aa.received(), aa.forwarded() + aa.dropped(DropReason.RING_FULL), "a's ends: " + aa);
            assertEquals(aa.droppedTotal(), aa.dropped(DropReason.RING_FULL), "a drops only ring_full: " + aa);
            // Node b: what a forwarded is what b's receiver counted received, all delivered or dropped there.
            assertEquals(aa.forwarded(), ab.received(), "b received what a forwarded");
            assertEquals(0, ab.inFlight(), "nothing in flight on b");
            assertEquals(ab.received(), ab.delivered() + ab.droppedTotal(), "b's ends: " + ab);
            assertEquals(sa.consumerTotal(PathCounters.Counter.REMOTE_RING_FULL), ab.dropped(DropReason.RING_FULL),
                "a learns of b's ring_full drops");
            // Cluster-wide: each frame counted once.
            assertEquals(FRAMES, ab.delivered() + ab.droppedTotal() + aa.droppedTotal(), "cluster-wide accounting");
            assertEquals(ab.delivered(), recorder.delivered(), "the handler saw what b counted delivered");
            assertEquals(0, recorder.duplicates(), "no frame delivered twice");
            assertEquals(0, recorder.malformed(), "every frame arrived whole");
            assertTrue(ab.delivered() > 0, "frames crossed the network");
            assertTrue(sa.poolsFull() && sb.poolsFull(), "pools full again on both nodes");
        }
    }

    @Test
    void shouldCountRingFullOnTheReceivingNodeAndReportItToTheSenderWhenTheRemoteRingIsFull() {
        try (Nodes nodes = new Nodes()) {
            // Paced so that a's forwarder keeps up; a slow handler behind b's small ring cannot.
            final SequenceFeed feed = new SequenceFeed(5_000, 5);
            final SequenceRecorder recorder = new SequenceRecorder(5_000_000);
            final Nodes.Pair pair = nodes.pair(Nodes.settings().batchFrames(32).maxInFlight(4), feed, recorder, 1);
            pair.placeOnB(1, 64);
            feed.open();
            final Nodes.Stopped stopped = pair.settleAndStop(feed, 5_000, Duration.ofSeconds(40));
            final EngineStats sa = stopped.a();
            final EngineStats sb = stopped.b();
            final Accounting aa = sa.accounting();
            final Accounting ab = sb.accounting();
            assertTrue(ab.dropped(DropReason.RING_FULL) > 0, "b's ring overflowed: " + ab);
            assertEquals(ab.dropped(DropReason.RING_FULL), sa.consumerTotal(PathCounters.Counter.REMOTE_RING_FULL),
                "a learns exactly how many of its frames b dropped on a full ring");
            assertEquals(aa.received(), aa.forwarded() + aa.droppedTotal(), "a: " + aa);
            assertEquals(aa.forwarded(), ab.received(), "b received what a forwarded");
            assertEquals(ab.received(), ab.delivered() + ab.droppedTotal(), "b: " + ab);
            assertEquals(5_000, ab.delivered() + ab.droppedTotal() + aa.droppedTotal(), "cluster-wide, once each");
            assertEquals(ab.delivered(), recorder.delivered());
        }
    }

    @Test
    void shouldRunTheEntrysRemoteProgramOnTheOwningNodeWhenThePlacementCarriesOne() {
        try (Nodes nodes = new Nodes()) {
            final SequenceFeed feed = new SequenceFeed(FRAMES);
            final SequenceRecorder recorder = new SequenceRecorder();
            final Nodes.Pair pair = nodes.pair(feed, recorder, 1);
            final ClusterNode a = pair.a();
            final ClusterNode b = pair.b();
            // Key 1 on b runs a program: first pass, then round-robin over key 2, also on b.
            assertEquals(MapResult.OK, a.update(2, 4096, b.address(), 1, CpuMap.ANY));
            assertEquals(MapResult.OK, a.update(1, 4096, b.address(), 0, new RemoteProgramSpec("pass", new int[0]),
                CpuMap.ANY));
            assertTrue(b.awaitEntry(1, 4096, Duration.ofSeconds(10)) && a.awaitEntry(1, 4096, Duration.ofSeconds(10)));
            assertTrue(Nodes.await(() -> a.mapVersion() == b.mapVersion(), Duration.ofSeconds(10)));
            final EntryValue forwarding = a.engine().lookup(1);
            assertNull(forwarding.remoteProgram(), "the program runs where the consumer runs, not on the sender");
            assertEquals("pass", b.engine().lookup(1).remoteProgram().name());

            assertEquals(MapResult.OK, b.update(1, 4096, b.address(), 0, new RemoteProgramSpec("round-robin",
                new int[] {2}), CpuMap.ANY), "any node may ask the owner");
            assertTrue(Nodes.await(() -> "round-robin".equals(b.engine().lookup(1).remoteProgram().name())
                && a.mapVersion() == b.mapVersion(), Duration.ofSeconds(10)));
            assertSame(forwarding, a.engine().lookup(1), "a program change leaves the senders' forwarding entry alone");

            feed.open();
            final Nodes.Stopped stopped = pair.settleAndStop(feed, FRAMES, Duration.ofSeconds(30));
            final EngineStats sa = stopped.a();
            final EngineStats sb = stopped.b();
            final Accounting aa = sa.accounting();
            final Accounting ab = sb.accounting();
            assertEquals(aa.forwarded(), ab.received(), "b received what a forwarded");
            assertEquals(0, ab.inFlight());
            assertEquals(ab.received(), ab.delivered() + ab.droppedTotal(), "b: " + ab);
            assertEquals(FRAMES, ab.delivered() + ab.droppedTotal() + aa.droppedTotal(), "cluster-wide, once each");
            assertTrue(ab.delivered() > 0, "frames reached b's handler: " + ab);
            final PathStats key1 = ClusterAccounting.consumer(sb, 1);
            final PathStats key2 = ClusterAccounting.consumer(sb, 2);
            assertEquals(key1.get(PathCounters.Counter.RECEIVED), key1.get(PathCounters.Counter.REMOTE_REDIRECT),
                "key 1's program redirected every frame it took: " + key1);
            assertEquals(0, key1.get(PathCounters.Counter.DELIVERED));
            assertEquals(ab.delivered(), key2.get(PathCounters.Counter.DELIVERED), "b delivered through key 2 only");
            assertEquals(ab.delivered(), recorder.delivered());
            assertEquals(0, recorder.duplicates());
            assertTrue(sa.poolsFull() && sb.poolsFull());
        }
    }
}
