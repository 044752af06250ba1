package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuMapEntry;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;

/**
 * {@link LinkStats} of a batch that carries a key given up (its drain timed out) beside a live one: each batch is
 * counted once, and {@code timedOutFrames} are the frames the timeout counted, not those the give-up counted.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NodeLinkStatsTest {
    private static final int FRAMES = 3;

    /** Keys 1 and 2 on the rig's node; one credit, so the test decides what each batch carries. */
    private record Mixed(LinkRig rig, CpuMapEntry key1, CpuMapEntry key2) {
    }

    /**
     * Sends a first batch of key 1 alone and holds its ack (the one credit is taken), fills both rings, then lets
     * the first batch be acknowledged: the next batch carries {@value #FRAMES} frames of each key, and is held.
     * Then key 1's drain times out: its frames in the held batch are counted {@code unreachable}.
     */
    private static Mixed mixedBatchHeldAndKey1GivenUp(Duration ackTimeout) {
        final LinkRig rig = new LinkRig(new ClusterSettings().batchFrames(16).maxInFlight(1).ackTimeout(ackTimeout));
        final TestProbe<RemoteForwarder.Command> forwarder1 = rig.forwarder();
        final CpuMapEntry key1 = rig.attach(1, 64, forwarder1);
        final CpuMapEntry key2 = rig.attach(2, 64, rig.forwarder());
        assertEquals(1, rig.offer(key1, 1));
        key1.wake();
        assertTrue(LinkRig.await(() -> rig.unanswered() == 1, Duration.ofSeconds(5)), "first batch sent");
        assertEquals(FRAMES, rig.offer(key1, FRAMES));
        assertEquals(FRAMES, rig.offer(key2, FRAMES));
        rig.ackOldest();
        assertTrue(LinkRig.await(() -> rig.received().size() == 2, Duration.ofSeconds(5)), "mixed batch sent");
        final ForwardBatch mixed = rig.received().get(1);
        assertEquals(2, mixed.segments(), "both keys in one batch: " + mixed);
        assertEquals(2 * FRAMES, mixed.frames());
        rig.link.tell(new NodeLink.Detach(key1, true));
        forwarder1.expectMessage(new NodeLink.Detached(key1));
        assertEquals(1 + FRAMES, key1.counters().get(PathCounters.Counter.RECEIVED));
        assertEquals(FRAMES, key1.counters().dropped(DropReason.UNREACHABLE), "key 1's held frames counted");
        return new Mixed(rig, key1, key2);
    }

    /** Every frame the rig leased is back in its pool (the link released each once it was sent or counted). */
    private static void checkPoolFull(LinkRig rig) {
        assertTrue(LinkRig.await(() -> rig.framesOut() == 0, Duration.ofSeconds(5)), "pool full");
    }

    /** The invariants of {@link LinkStats} with nothing in flight. */
    private static void checkEachBatchOnce(LinkStats stats) {
        assertEquals(stats.batches(), stats.acknowledged() + stats.timedOut() + stats.abandoned(),
            "each batch left the window once: " + stats);
        assertTrue(stats.lateAcknowledged() <= stats.timedOut() + stats.abandoned(), "late of given up: " + stats);
    }

    @Test
    void shouldCountAMixedBatchOnceWhenItsAckComesAfterOneOfItsKeysWasGivenUp() {
        final Mixed mixed = mixedBatchHeldAndKey1GivenUp(Duration.ofSeconds(20));
        try (LinkRig rig = mixed.rig()) {
            rig.ackOldest();
            assertTrue(LinkRig.await(() -> rig.stats.acknowledged() + rig.stats.lateAcknowledged() >= 2,
                Duration.ofSeconds(5)), "ack handled: " + rig.stats);
            LinkRig.await(() -> false, Duration.ofMillis(200));

            final LinkStats stats = rig.stats;
            assertEquals(2, stats.batches());
            // Before: the mixed ack was counted acknowledged and late, 3 of 2 batches.
            checkEachBatchOnce(stats);
            assertEquals(0, stats.lateAcknowledged(), "the batch waited for this ack: " + stats);
            assertEquals(FRAMES, mixed.key2().counters().get(PathCounters.Counter.FORWARDED), "key 2 forwarded");
            assertEquals(0, mixed.key2().counters().dropped(DropReason.UNREACHABLE));
            assertEquals(1, mixed.key1().counters().get(PathCounters.Counter.FORWARDED), "key 1's first frame only");
            assertEquals(FRAMES, mixed.key1().counters().dropped(DropReason.UNREACHABLE), "counted once");
            checkPoolFull(rig);
        }
    }

    @Test
    void shouldCountABatchAbandonedAndItsAckLateWhenEveryEntryInItWasGivenUp() {
        final Mixed mixed = mixedBatchHeldAndKey1GivenUp(Duration.ofSeconds(20));
        try (LinkRig rig = mixed.rig()) {
            rig.link.tell(new NodeLink.Detach(mixed.key2(), true));
            assertTrue(LinkRig.await(() -> rig.stats.abandoned() == 1, Duration.ofSeconds(5)), "let go: " + rig.stats);
            rig.ackOldest();
            assertTrue(LinkRig.await(() -> rig.stats.lateAcknowledged() == 1, Duration.ofSeconds(5)),
                "late: " + rig.stats);

            final LinkStats stats = rig.stats;
            checkEachBatchOnce(stats);
            assertEquals(1, stats.acknowledged());
            assertEquals(0, stats.timedOut());
            assertEquals(FRAMES, mixed.key2().counters().dropped(DropReason.UNREACHABLE), "counted at its give-up");
            assertEquals(0, mixed.key2().counters().get(PathCounters.Counter.FORWARDED), "the late ack: no change");
            checkPoolFull(rig);
        }
    }

    @Test
    void shouldCountOnlyTheFramesNotGivenUpAsTimedOutWhenAMixedBatchTimesOut() {
        final Mixed mixed = mixedBatchHeldAndKey1GivenUp(Duration.ofMillis(500));
        try (LinkRig rig = mixed.rig()) {
            assertTrue(LinkRig.await(() -> rig.stats.timedOut() == 1, Duration.ofSeconds(5)),
                "timed out: " + rig.stats);

            final LinkStats stats = rig.stats;
            assertEquals(2, stats.batches());
            checkEachBatchOnce(stats);
            // Before: 6, key 1's three frames counted unreachable by the give-up and again in timedOutFrames.
            assertEquals(FRAMES, stats.timedOutFrames(), "only key 2's frames timed out: " + stats);
            final long unreachable = mixed.key1().counters().dropped(DropReason.UNREACHABLE)
                + mixed.key2().counters().dropped(DropReason.UNREACHABLE);
            assertEquals(2 * FRAMES, unreachable, "each held frame counted unreachable once");
            assertEquals(FRAMES, mixed.key2().counters().dropped(DropReason.UNREACHABLE));

            // The ack after all: late, and it changes no counter.
            rig.ackOldest();
            assertTrue(LinkRig.await(() -> rig.stats.lateAcknowledged() == 1, Duration.ofSeconds(5)), "late: " + stats);
            assertEquals(0, mixed.key2().counters().get(PathCounters.Counter.FORWARDED));
            checkPoolFull(rig);
        }
    }
}
