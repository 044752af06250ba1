package dev.steer.cluster;

import static dev.steer.cluster.ClusterAccounting.consumer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters;
import dev.steer.engine.stats.PathStats;

/** Frames for one node travel in shared batches, one segment per key, through that node's one link. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class NodeLinkTest {
    private static final int FRAMES = 40_000;

    @Test
    void shouldCarryTheFramesOfEveryKeyOfANodeInSharedBatchesWhenSeveralKeysLiveThere() {
        try (Nodes nodes = new Nodes()) {
            // Paced, so that the link finds a few frames in each ring rather than a full batch in the first one.
            final SequenceFeed feed = new SequenceFeed(FRAMES, 20);
            final SequenceRecorder recorder = new SequenceRecorder();
            final Nodes.Pair pair = nodes.pair(feed, recorder, 1, 2);
            final ClusterNode a = pair.a();
            final ClusterNode b = pair.b();
            placeBothKeysOnB(pair, 4096);

            feed.open();
            final Nodes.Stopped end = settleStopAndCheck(pair, feed, recorder);
            final List<LinkStats> links = end.links();
            final EngineStats sa = end.a();
            final EngineStats sb = end.b();

            assertEquals(1, links.size(), "one link for the two keys on b: " + links);
            final LinkStats link = links.get(0);
            assertEquals(b.address(), link.node());
            assertEquals(link.batches(), link.acknowledged(), "every batch acknowledged: " + link);
            assertTrue(link.segments() > link.batches(), "batches carried both keys: " + link);
            assertEquals(sa.accounting().forwarded(), link.frames(), "the link sent what a counts forwarded");
            for (int key = 1; key <= 2; key++) {
                // Each segment's acknowledgement reaches its own key: per key, what a forwarded is what b's consumer
                // took plus what b dropped on that key's full ring.
                final PathStats sent = consumer(sa, key);
                final PathStats taken = consumer(sb, key);
                assertTrue(sent.get(PathCounters.Counter.FORWARDED) > FRAMES / 4, "key " + key + " carried: " + sent);
                assertEquals(sent.get(PathCounters.Counter.FORWARDED), taken.get(PathCounters.Counter.RECEIVED)
                    + sent.get(PathCounters.Counter.REMOTE_RING_FULL), "key " + key + ": " + sent + " / " + taken);
            }
            assertEquals(0, recorder.malformed(), "every frame arrived whole");
        }
    }

    @Test
    void shouldKeepForwardingTheOtherKeyWhenOneKeyOfTheNodeIsReplacedUnderLoad() {
        try (Nodes nodes = new Nodes()) {
            final SequenceFeed feed = new SequenceFeed(FRAMES, 20);
            final SequenceRecorder recorder = new SequenceRecorder();
            final Nodes.Pair pair = nodes.pair(feed, recorder, 1, 2);
            final ClusterNode a = pair.a();
            final ClusterNode b = pair.b();
            placeBothKeysOnB(pair, 1024);

            feed.open();
            // Key 1 gets a new entry (a new qsize) every 100 ms on both nodes; key 2 is never touched.
            for (int round = 0; round < 12; round++) {
                final int qsize = round % 2 == 0 ? 512 : 1024;
                assertEquals(MapResult.OK, a.update(1, qsize, b.address(), 0, CpuMap.ANY));
                Nodes.await(() -> false, Duration.ofMillis(100));
            }
            final long key2Before = consumer(a.stats(), 2).get(PathCounters.Counter.FORWARDED);
            final Nodes.Stopped end = settleStopAndCheck(pair, feed, recorder);

            assertEquals(1, end.links().size(), "the replaced key kept its node's link: " + end.links());
            assertTrue(key2Before > 0, "key 2 flowed while key 1 churned");
        }
    }

    /**
     * Waits until every frame of {@code feed} has settled, shuts both nodes down, and checks the accounting: each
     * node's equation, b received what a forwarded, every frame ended once cluster-wide and was delivered at most
     * once, pools full.
     */
    private static Nodes.Stopped settleStopAndCheck(Nodes.Pair pair, SequenceFeed feed, SequenceRecorder recorder) {
        final Nodes.Stopped end = pair.settleAndStop(feed, FRAMES, Duration.ofSeconds(40));
        final EngineStats sa = end.a();
        final EngineStats sb = end.b();
        final Accounting aa = sa.accounting();
        final Accounting ab = sb.accounting();
        assertEquals(0, aa.inFlight(), "nothing in flight on a: " + aa);
        assertEquals(aa.received(), aa.forwarded() + aa.droppedTotal(), "a: " + aa);
        assertEquals(aa.forwarded(), ab.received(), "b received what a forwarded");
        assertEquals(0, ab.inFlight(), "nothing in flight on b: " + ab);
        assertEquals(ab.received(), ab.delivered() + ab.droppedTotal(), "b: " + ab);
        assertEquals(FRAMES, ab.delivered() + ab.droppedTotal() + aa.droppedTotal(), "cluster-wide, once each");
        assertEquals(ab.delivered(), recorder.delivered());
        assertEquals(0, recorder.duplicates(), "no frame delivered twice");
        assertTrue(sa.poolsFull() && sb.poolsFull(), "pools full again");
        return end;
    }

    /** Keys 1 and 2 on b (CPUs 0 and 1), in place on both nodes. */
    private static void placeBothKeysOnB(Nodes.Pair pair, int qsize) {
        for (int key = 1; key <= 2; key++) {
            assertEquals(MapResult.OK, pair.a().update(key, qsize, pair.b().address(), key - 1, CpuMap.ANY));
        }
        for (int key = 1; key <= 2; key++) {
            assertTrue(pair.a().awaitEntry(key, qsize, Duration.ofSeconds(10))
                && pair.b().awaitEntry(key, qsize, Duration.ofSeconds(10)), "key " + key + " in place");
        }
    }
}
