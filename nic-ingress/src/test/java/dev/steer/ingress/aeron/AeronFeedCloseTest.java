package dev.steer.ingress.aeron;

import static dev.steer.ingress.aeron.EmbeddedMediaPerClass.connected;
import static dev.steer.ingress.aeron.EmbeddedMediaPerClass.offer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import io.aeron.Publication;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;
import dev.steer.ingress.TestIngress;

/**
 * What an Aeron feed's close does with the messages its subscription had not polled yet: they go with the feed, as the
 * datagrams left in a UDP feed's socket do, so each is counted, not lost without a trace.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AeronFeedCloseTest {
    private static final String CHANNEL = "aeron:ipc?mtu=1408";
    private static int stream = 900;

    /** A 1 MiB IPC term: the padding test fills one exactly. */
    @RegisterExtension
    static final EmbeddedMediaPerClass driver = EmbeddedMediaPerClass.withDriver(
        context -> context.ipcTermBufferLength(1 << 20));

    /** A message of {@code length} zero bytes but its first four, {@code seq}. */
    private static byte[] message(int length, int seq) {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        buffer.putInt(0, seq);
        return buffer.byteArray();
    }

    @ParameterizedTest
    @EnumSource(AeronFeed.Mode.class)
    void shouldCountEveryMessageLeftUnpolledAsFeedOverrunWhenTheFeedCloses(AeronFeed.Mode mode) {
        final int id = stream++;
        // A budget of 64 a poll: one poll takes 64 of the 200 messages, 136 (two of them fragmented) are left.
        try (TestIngress ingress = new TestIngress(256, 2048, 8, mode == AeronFeed.Mode.LOSSLESS);
             AeronFeed feed = new AeronFeed(driver.aeron(), new AeronFeed.Settings(CHANNEL, id, mode));
             Publication publication = connected(driver.aeron().addPublication(CHANNEL, id), feed)) {
            for (int seq = 0; seq < 200; seq++) {
                offer(publication, message(seq == 100 || seq == 199 ? 1800 : 60, seq));
            }
            assertEquals(64, ingress.poll(feed));
            feed.close(ingress.path);
            assertEquals(200, ingress.get(PathCounters.Counter.RECEIVED), "every message published is received");
            assertEquals(64, ingress.delivered);
            assertEquals(136, ingress.dropped(DropReason.FEED_OVERRUN), "left in the log at the close");
            assertEquals(136, feed.leftAtClose());
            assertEquals(0, ingress.dropped(DropReason.FEED_TRUNCATED));
        }
    }

    /**
     * A poll whose budget ends on the last message of a term leaves the image's position on the term's padding frame.
     * The close's first bounded poll then reads only that padding, takes no fragment, and must still go on to the next
     * term: its messages are as unpolled as any.
     */
    @ParameterizedTest
    @EnumSource(AeronFeed.Mode.class)
    void shouldCountTheMessagesOfTheNextTermWhenThePositionAtTheCloseIsOnATermsPadding(AeronFeed.Mode mode) {
        final int id = stream++;
        // 60 bytes a message, 96 with its header: 10,922 fill the 1 MiB term, a 64-byte padding frame ends it.
        final int perTerm = (1 << 20) / 96;
        try (TestIngress ingress = new TestIngress(256, 2048, 8, mode == AeronFeed.Mode.LOSSLESS);
             AeronFeed feed = new AeronFeed(driver.aeron(), new AeronFeed.Settings(CHANNEL, id, mode));
             Publication publication = connected(driver.aeron().addPublication(CHANNEL, id), feed)) {
            ingress.keep = false;
            int published = 0;
            long polled = 0;
            // In chunks far below the publication's window (half the term), each polled before the next is offered.
            while (published < perTerm + 100) {
                for (int i = 0; i < 2_000 && published < perTerm + 100; i++) {
                    offer(publication, message(60, published++));
                }
                // Exactly up to the term's last message: the poll's fragment limit stops it before the padding.
                final long target = Math.min(published, perTerm);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (polled < target) {
                    assertTrue(System.nanoTime() < deadline, "polled " + polled + " of " + target);
                    polled += feed.poll(ingress.path, (int) Math.min(64, target - polled));
                    ingress.path.flush();
                }
            }
            assertEquals(perTerm, polled);
            ingress.path.close(feed);
            assertEquals(100, feed.leftAtClose(), "the next term's messages, unpolled");
            assertEquals(perTerm + 100, ingress.get(PathCounters.Counter.RECEIVED), "every message published");
            assertEquals(perTerm, ingress.delivered);
            assertEquals(100, ingress.dropped(DropReason.FEED_OVERRUN));
        }
    }
}
