package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters.Counter;
import dev.steer.engine.stats.PathStats;
import dev.steer.engine.stats.PoolStats;

/**
 * Two ingress actors, two entries, and random update / delete / replace of entry 1 (qsize changes
 * included) every few milliseconds while traffic flows; after close every frame is accounted for.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EngineChurnTest {
    private static final int FLOWS_PER_FEED = 8;
    private static final long CHURN_NANOS = TimeUnit.SECONDS.toNanos(4);
    private static final long MAX_CHURN_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final int MIN_OPERATIONS = 200;

    @Test
    void shouldAccountForEveryFrameWhenEntriesChurnUnderTraffic() throws Exception {
        final DeliveryRecorder recorder = new DeliveryRecorder();
        final SequencedFeed feedA = new SequencedFeed("a", 0, FLOWS_PER_FEED, Long.MAX_VALUE);
        final SequencedFeed feedB = new SequencedFeed("b", FLOWS_PER_FEED, FLOWS_PER_FEED, Long.MAX_VALUE);
        final List<Throwable> failures = new ArrayList<>();
        final SteerEngine engine = SteerEngine.builder()
            .cpus(CpuSet.all(2)).maxEntries(2).entry(0, 256).entry(1, 256)
            .program(SequencedFeed.byFlow(2)).handler(recorder).localHandler(recorder)
            .feed(feedA).feed(feedB).poolFrames(4096).pinning(false).systemName("churn")
            .errorHandler((where, error) -> {
                synchronized (failures) {
                    failures.add(error);
                }
            })
            .start();

        final SplittableRandom random = new SplittableRandom(42);
        final int[] qsizes = {0, 8, 64, 512, 2048};
        final Map<MapResult, Integer> results = new EnumMap<>(MapResult.class);
        int operations = 0;
        // At least CHURN_NANOS and MIN_OPERATIONS, whichever ends later: a loaded machine slows the operations
        // down, and the test is about the operations, not the clock. MAX_CHURN_NANOS bounds it.
        final long start = System.nanoTime();
        while ((System.nanoTime() - start < CHURN_NANOS || operations < MIN_OPERATIONS)
            && System.nanoTime() - start < MAX_CHURN_NANOS) {
            final MapResult result = switch (random.nextInt(4)) {
                case 0 -> engine.delete(1);
                case 1 -> engine.update(1, EntryValue.of(qsizes[random.nextInt(qsizes.length)]), CpuMap.ANY);
                case 2 -> engine.update(1, EntryValue.of(qsizes[1 + random.nextInt(qsizes.length - 1)]), CpuMap.EXIST);
                default -> engine.update(1, EntryValue.of(64), CpuMap.NOEXIST);
            };
            results.merge(result, 1, Integer::sum);
            operations++;
            Thread.sleep(1 + random.nextInt(4));
        }
        // Close while traffic still flows: the feeds stop mid-stream and everything must still add up.
        final EngineStats stats = engine.shutdown();

        assertTrue(operations >= MIN_OPERATIONS, "churn ran only " + operations + " operations in 60 s");
        assertEquals(java.util.Set.of(MapResult.OK, MapResult.EEXIST), results.keySet(),
            "only OK, and EEXIST for NOEXIST, can come back: " + results);

        final long received = feedA.sent() + feedB.sent();
        assertTrue(received > 100_000, "traffic flowed: " + received);
        assertEquals(received, stats.accounting().received(), "received");
        assertEquals(0, stats.accounting().inFlight(), "in flight after close: " + stats.accounting());
        assertEquals(recorder.delivered(), stats.accounting().delivered(), "delivered counted = delivered seen");
        assertEquals(received, stats.accounting().delivered() + stats.accounting().droppedTotal(), "invariant");
        assertEquals(0, recorder.duplicates(), "frames delivered twice");
        for (int flow = 0; flow < 2 * FLOWS_PER_FEED; flow += 2) {
            assertEquals(0, recorder.reorders(flow), "flow " + flow + " on entry 0 out of order");
        }
        for (PoolStats pool : stats.pools()) {
            assertTrue(pool.isFull(), "pool not full after close: " + pool);
            assertEquals(0, pool.doubleReturns(), "double returns in " + pool);
        }
        // Only these drop reasons can happen here, and the drops of entry 1 must have happened.
        for (DropReason reason : DropReason.values()) {
            if (reason != DropReason.RING_FULL && reason != DropReason.NO_ENTRY && reason != DropReason.POOL_EXHAUSTED) {
                assertEquals(0, stats.accounting().dropped(reason), reason.label());
            }
        }
        assertTrue(stats.accounting().dropped(DropReason.NO_ENTRY) > 0, "deleted entry 1 caused no_entry drops");
        assertEquals(List.of(), failures, "reported failures");

        checkCountersAgree(stats);
    }

    /** Per key: what the ingresses flushed minus what did not fit = what the key's consumers took = delivered. */
    private static void checkCountersAgree(EngineStats stats) {
        long redirected = 0;
        for (PathStats ingress : stats.ingresses()) {
            long flushed = 0;
            for (int key = 0; key < ingress.maxKeys(); key++) {
                flushed += ingress.enqueueProcessed(key);
            }
            assertEquals(ingress.get(Counter.REDIRECTED), flushed, ingress.name() + " redirected = flushed");
            assertEquals(ingress.get(Counter.RECEIVED),
                ingress.get(Counter.REDIRECTED) + ingress.get(Counter.DELIVERED) + ingress.dropped(DropReason.NO_ENTRY)
                    + ingress.dropped(DropReason.POOL_EXHAUSTED), ingress.name() + " received = redirected + passed + dropped");
            redirected += ingress.get(Counter.REDIRECTED);
        }
        long taken = 0;
        for (PathStats consumer : stats.consumers()) {
            long enqueued = 0;
            long ringFull = 0;
            for (PathStats ingress : stats.ingresses()) {
                enqueued += ingress.enqueueProcessed(consumer.key());
                ringFull += ingress.enqueueDrops(consumer.key());
            }
            assertEquals(enqueued - ringFull, consumer.get(Counter.RECEIVED), consumer.name() + " took what entered its rings");
            assertEquals(consumer.get(Counter.RECEIVED), consumer.get(Counter.DELIVERED), consumer.name() + " delivered all it took");
            taken += consumer.get(Counter.RECEIVED);
        }
        assertEquals(redirected - stats.accounting().dropped(DropReason.RING_FULL), taken, "ring totals");
    }
}
