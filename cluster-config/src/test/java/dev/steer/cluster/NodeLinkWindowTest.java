package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuMapEntry;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;

/**
 * The link toward a node that does not answer (congested, or starved of CPU, yet reachable): what a batch given up
 * at the ack timeout leaves behind is bounded.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NodeLinkWindowTest {
    private static final int MAX_IN_FLIGHT = 32;
    private static final int BATCH_FRAMES = 16;
    private static final Duration ACK_TIMEOUT = Duration.ofMillis(100);

    private static ClusterSettings settings() {
        return new ClusterSettings().batchFrames(BATCH_FRAMES).maxInFlight(MAX_IN_FLIGHT).ackTimeout(ACK_TIMEOUT)
            .receiverFrameSize(2048, 256);
    }

    @Test
    void shouldSizeANewBatchArrayToItsFramesRatherThanToAFullBatchWhenNoSpareHoldsIt() {
        try (LinkRig rig = new LinkRig(settings())) {
            final CpuMapEntry entry = rig.attach(1, 1024, rig.forwarder());
            for (int frames = 1; frames <= BATCH_FRAMES; frames *= 2) {
                final int count = frames;
                final int before = rig.received().size();
                rig.offer(entry, count);
                entry.wake();
                assertTrue(LinkRig.await(() -> rig.received().size() > before, Duration.ofSeconds(5)), "sent");
                final ForwardBatch batch = rig.received().get(before);
                assertEquals(count, batch.frames());
                // A batch given up may stay in Artery's queue with its array: the array is what it costs there.
                // Before: batchFrames x (frameSize + 12) = 32,960 bytes for every batch, 72 bytes of frames or not.
                assertTrue(batch.bytes().length <= 2 * batch.length(), count + " frames: " + batch.length()
                    + " bytes in an array of " + batch.bytes().length);
            }
            rig.autoAck(true);
            checkSettled(rig, entry);
        }
    }

    /** Every batch answered or given up, every frame of the entry forwarded or counted unreachable, pool full. */
    private static void checkSettled(LinkRig rig, CpuMapEntry entry) {
        final PathCounters counters = entry.counters();
        assertTrue(LinkRig.await(() -> counters.get(PathCounters.Counter.RECEIVED) == counters.get(
            PathCounters.Counter.FORWARDED) + counters.dropped(DropReason.UNREACHABLE) && entry.ring().isEmpty(),
            Duration.ofSeconds(10)), "settled: " + rig.stats);
        final LinkStats stats = rig.stats;
        assertEquals(stats.batches(), stats.acknowledged() + stats.timedOut(),
            "every batch left the window once: " + stats);
        assertEquals(stats.frames(), counters.get(PathCounters.Counter.RECEIVED), "every frame taken was sent");
        assertEquals(stats.timedOutFrames(), counters.dropped(DropReason.UNREACHABLE), "unreachable: " + stats);
        assertTrue(LinkRig.await(() -> rig.framesOut() == 0, Duration.ofSeconds(5)), "pool full");
        final List<ForwardBatch> all = rig.received();
        assertEquals(stats.batches(), all.size(), "the receiver got every batch sent");
    }
}
