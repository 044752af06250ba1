package dev.steer.ingress.aeron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
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
    private static MediaDriver driver;
    private static Aeron aeron;
    private static int stream = 900;

    @BeforeAll
    static void startDriver() {
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context().threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true).dirDeleteOnShutdown(true).ipcTermBufferLength(1 << 20)
            .printConfigurationOnStart(false));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
    }

    @AfterAll
    static void stopDriver() {
        aeron.close();
        driver.close();
    }

    private static Publication connected(String channel, int id, AeronFeed feed) {
        final Publication publication = aeron.addPublication(channel, id);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!publication.isConnected() || !feed.isConnected()) {
            assertTrue(System.nanoTime() < deadline, "publication did not connect");
            LockSupport.parkNanos(100_000);
        }
        return publication;
    }

    private static void offer(Publication publication, int length, int seq) {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        buffer.putInt(0, seq);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (publication.offer(buffer, 0, length) < 0) {
            assertTrue(System.nanoTime() < deadline, "offer of message " + seq);
            Thread.onSpinWait();
        }
    }

    @ParameterizedTest
    @EnumSource(AeronFeed.Mode.class)
    void shouldCountEveryMessageLeftUnpolledAsFeedOverrunWhenTheFeedCloses(AeronFeed.Mode mode) {
        final int id = stream++;
        // A budget of 64 a poll: one poll takes 64 of the 200 messages, 136 (two of them fragmented) are left.
        try (TestIngress ingress = new TestIngress(256, 2048, 8, mode == AeronFeed.Mode.LOSSLESS);
             AeronFeed feed = new AeronFeed(aeron, new AeronFeed.Settings(CHANNEL, id, mode));
             Publication publication = connected(CHANNEL, id, feed)) {
            for (int seq = 0; seq < 200; seq++) {
                offer(publication, seq == 100 || seq == 199 ? 1800 : 60, seq);
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
             AeronFeed feed = new AeronFeed(aeron, new AeronFeed.Settings(CHANNEL, id, mode));
             Publication publication = connected(CHANNEL, id, feed)) {
            ingress.keep = false;
            int published = 0;
            long polled = 0;
            // In chunks far below the publication's window (half the term), each polled before the next is offered.
            while (published < perTerm + 100) {
                for (int i = 0; i < 2_000 && published < perTerm + 100; i++) {
                    offer(publication, 60, published++);
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
