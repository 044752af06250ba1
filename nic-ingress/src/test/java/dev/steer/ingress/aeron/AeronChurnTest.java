package dev.steer.ingress.aeron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.aeron.Publication;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters.Counter;
import dev.steer.ingress.FeedChurn;

/**
 * The accounting invariant on a real Aeron IPC feed while both map entries churn and the engine closes in the middle
 * of the traffic, in drop and in lossless mode (lossless: a key without an entry falls back to PASS, so that no frame
 * may be dropped at all).
 *
 * <p>Sender's side: IPC is reliable and ordered, so the feed takes a prefix of what was published: the frames
 * numbered 0 to received - 1, each once. The close takes what the subscription had not polled (up to one term
 * length past its position) and counts it as feed_overrun ({@link AeronFeed#leftAtClose()}); what the sender published
 * after that stayed in the publication's log, unread: never received, so no loss of the engine (nor can the test count
 * it once the subscription is closed, beyond published - received).
 */
@Timeout(value = 40, unit = TimeUnit.SECONDS)
class AeronChurnTest {
    private static final int STREAM = 91;

    @RegisterExtension
    static final EmbeddedMediaPerClass driver = new EmbeddedMediaPerClass();

    @ParameterizedTest
    @EnumSource(AeronFeed.Mode.class)
    void shouldAccountForEveryMessageWhenTheMapChurnsAndTheEngineClosesMidTraffic(AeronFeed.Mode mode)
        throws Exception {
        final boolean lossless = mode == AeronFeed.Mode.LOSSLESS;
        final int stream = STREAM + mode.ordinal();
        final AeronFeed feed = new AeronFeed(driver.media(), new AeronFeed.Settings("aeron:ipc", stream, mode));
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[FeedChurn.FRAME_LENGTH]);
        final long[] published = new long[1];
        try (Publication publication = driver.media().aeron().addPublication("aeron:ipc", stream)) {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!publication.isConnected() || !feed.isConnected()) {
                assertTrue(System.nanoTime() < deadline, "publication did not connect");
                LockSupport.parkNanos(1_000_000);
            }
            final FeedChurn.Sender sender = () -> {
                for (int i = 0; i < 64; i++) {
                    FeedChurn.frame(frame, (int) published[0]);
                    final long result = publication.offer(frame, 0, FeedChurn.FRAME_LENGTH);
                    if (result > 0) {
                        published[0]++;
                    } else if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED) {
                        throw new IllegalStateException("publication failed: " + result);
                    } else {
                        Thread.yield(); // back-pressured, or not connected any more: the engine has closed
                        return;
                    }
                }
            };
            final Set<DropReason> allowed = lossless ? EnumSet.of(DropReason.FEED_OVERRUN)
                : EnumSet.of(DropReason.RING_FULL, DropReason.NO_ENTRY, DropReason.POOL_EXHAUSTED,
                    DropReason.FEED_OVERRUN);
            final FeedChurn.Result result = FeedChurn.run("aeron-churn-" + mode.name().toLowerCase(), feed, lossless,
                lossless ? Verdict.PASS : Verdict.DROP, sender, allowed, true);
            final Accounting accounting = result.accounting();
            final long left = feed.leftAtClose();
            assertEquals(feed.fragments() + left, accounting.received(),
                "the engine received what the feed polled and what its close took");
            assertEquals(left, accounting.dropped(DropReason.FEED_OVERRUN), "left at the close: feed_overrun");
            assertTrue(published[0] >= accounting.received(), "published " + published[0] + " >= received");
            assertTrue(result.recorder().highest() < accounting.received() - left,
                "the feed took a prefix of what was published: highest delivered " + result.recorder().highest());
            assertEquals(0, feed.truncatedMessages(), "no message cut");
            assertEquals(0, feed.oversizeMessages(), "no message oversize");
            if (lossless) {
                assertEquals(left, accounting.droppedTotal(), "lossless: nothing dropped but what the close took: "
                    + accounting);
                assertEquals(accounting.received() - left, result.recorder().distinct(),
                    "every frame polled was delivered");
                assertEquals(accounting.received() - left - 1, result.recorder().highest(), "frames 0..polled-1");
            } else {
                assertTrue(accounting.dropped(DropReason.NO_ENTRY) > 0,
                    "deleted entries caused no_entry drops: " + accounting);
                assertEquals(0, result.stats().ingressTotal(Counter.BACK_PRESSURED), "drop mode never back-pressures");
            }
        }
    }
}
