package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuMapEntry;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;

/**
 * The link toward a node that does not answer (congested, or starved of CPU, yet reachable): what a batch given up
 * at the ack timeout leaves behind is bounded, and the window comes back with the acknowledgements.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NodeLinkWindowTest {
    private static final int MAX_IN_FLIGHT = 32;
    private static final int BATCH_FRAMES = 16;
    private static final Duration ACK_TIMEOUT = Duration.ofMillis(100);
    /**
     * For the window's recovery: while the test holds the acknowledgements and fills the window again, no stall of a
     * loaded machine (GC, descheduling) comes near it, so no batch times out and halves the window under the test.
     */
    private static final Duration LONG_ACK_TIMEOUT = Duration.ofSeconds(5);

    private static ClusterSettings settings(Duration ackTimeout) {
        return new ClusterSettings().batchFrames(BATCH_FRAMES).maxInFlight(MAX_IN_FLIGHT).ackTimeout(ackTimeout)
            .receiverFrameSize(2048, 256);
    }

    @Test
    void shouldSendAtMostTheWindowAndThenOneBatchPerAckTimeoutWhenNoBatchIsAcknowledged() {
        try (LinkRig rig = new LinkRig(settings(ACK_TIMEOUT))) {
            final CpuMapEntry entry = rig.attach(1, 1024, rig.forwarder());
            // Continuous traffic for 2 s toward a node that answers nothing: every batch times out.
            final long start = System.nanoTime();
            final long end = start + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < end) {
                rig.offer(entry, 1024);
                entry.wake();
                LinkRig.await(() -> false, Duration.ofMillis(5));
            }
            final long elapsedTimeouts = (System.nanoTime() - start) / ACK_TIMEOUT.toNanos();
            final long batches = rig.stats.batches();

            // Before: maxInFlight more batches, each with a new array, every ack timeout for good (over 300 here).
            assertTrue(batches <= MAX_IN_FLIGHT + elapsedTimeouts + 2, "the window shrank to one batch: " + batches
                + " batches in " + elapsedTimeouts + " ack timeouts, " + rig.stats);
            assertEquals(0, rig.stats.acknowledged());
            assertTrue(rig.stats.timedOut() >= MAX_IN_FLIGHT, "the first window timed out: " + rig.stats);

            rig.autoAck(true);
            checkSettled(rig, entry);
        }
    }

    @Test
    void shouldWidenTheWindowBackToMaxInFlightWhenBatchesAreAcknowledgedAfterItShrank() {
        try (LinkRig rig = new LinkRig(settings(LONG_ACK_TIMEOUT))) {
            final CpuMapEntry entry = rig.attach(1, 1024, rig.forwarder());
            // The first window times out as one: its maxInFlight halvings leave a window of one batch.
            assertTrue(feedUntil(rig, entry, () -> rig.stats.timedOut() >= MAX_IN_FLIGHT,
                LONG_ACK_TIMEOUT.multipliedBy(3)), "the first window timed out: " + rig.stats);
            assertTrue(rig.stats.batches() <= MAX_IN_FLIGHT + 2, "the window shrank to one batch: " + rig.stats);
            assertEquals(0, rig.stats.acknowledged());

            // Acknowledgements bring the whole window back: with acks held again, maxInFlight batches wait at once.
            rig.autoAck(true);
            assertTrue(feedUntil(rig, entry, () -> rig.stats.acknowledged() > 4 * MAX_IN_FLIGHT,
                Duration.ofSeconds(10)), "batches flow again: " + rig.stats);
            rig.autoAck(false);
            final long timedOut = rig.stats.timedOut();
            assertTrue(feedUntil(rig, entry, () -> rig.unanswered() >= MAX_IN_FLIGHT, LONG_ACK_TIMEOUT.dividedBy(2)),
                "the whole window in flight again: " + rig.stats);
            assertEquals(MAX_IN_FLIGHT, rig.unanswered(), "never more than the window: " + rig.stats);
            assertEquals(timedOut, rig.stats.timedOut(), "no batch timed out while the window filled: " + rig.stats);

            rig.autoAck(true);
            checkSettled(rig, entry);
        }
    }

    @Test
    void shouldSizeANewBatchArrayToItsFramesRatherThanToAFullBatchWhenNoSpareHoldsIt() {
        try (LinkRig rig = new LinkRig(settings(ACK_TIMEOUT))) {
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

    /** Keeps {@code entry}'s ring full and the link woken until {@code done}, for at most {@code timeout}. */
    private static boolean feedUntil(LinkRig rig, CpuMapEntry entry, BooleanSupplier done, Duration timeout) {
        final long end = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean() && System.nanoTime() < end) {
            rig.offer(entry, 1024);
            entry.wake();
            LinkRig.await(() -> false, Duration.ofMillis(2));
        }
        return done.getAsBoolean();
    }

    /** Every batch answered or given up, every frame of the entry forwarded or counted unreachable, pool full. */
    private static void checkSettled(LinkRig rig, CpuMapEntry entry) {
        final PathCounters counters = entry.counters();
        assertTrue(LinkRig.await(() -> counters.get(PathCounters.Counter.RECEIVED) == counters.get(
            PathCounters.Counter.FORWARDED) + counters.dropped(DropReason.UNREACHABLE) && entry.ring().isEmpty(),
            Duration.ofSeconds(10)), "settled: " + rig.stats);
        final LinkStats stats = rig.stats;
        assertEquals(stats.batches(), stats.acknowledged() + stats.timedOut() + stats.abandoned(),
            "every batch left the window once: " + stats);
        assertEquals(stats.frames(), counters.get(PathCounters.Counter.RECEIVED), "every frame taken was sent");
        assertEquals(stats.timedOutFrames(), counters.dropped(DropReason.UNREACHABLE), "unreachable: " + stats);
        assertTrue(LinkRig.await(() -> rig.framesOut() == 0, Duration.ofSeconds(5)), "pool full");
        final List<ForwardBatch> all = rig.received();
        assertEquals(stats.batches(), all.size(), "the receiver got every batch sent");
    }
}
