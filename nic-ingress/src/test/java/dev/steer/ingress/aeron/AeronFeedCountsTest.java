package dev.steer.ingress.aeron;

import static dev.steer.ingress.aeron.EmbeddedMediaPerClass.connected;
import static dev.steer.ingress.aeron.EmbeddedMediaPerClass.offer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import io.aeron.Aeron;
import io.aeron.Publication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.steer.engine.stats.DropReason;
import dev.steer.ingress.TestIngress;

/**
 * What an {@link AeronFeed} counts off the poll path: the images that joined and went away (Aeron's image handlers)
 * and the bytes its subscription consumed (each image's position past its join position, an image gone keeping its
 * last figure), over IPC and UDP on 127.0.0.1 through a real embedded media driver.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AeronFeedCountsTest {
    private static final int MESSAGES = 500;
    private static final int LENGTH = 100;
    /** One message in the log: Aeron's 32-byte frame header and the payload, aligned to 32 bytes. */
    private static final long FRAME = 160;
    private static int stream = 900;

    @RegisterExtension
    static final EmbeddedMediaPerClass driver = EmbeddedMediaPerClass.withDriver(context -> context
        .publicationLingerTimeoutNs(TimeUnit.MILLISECONDS.toNanos(50))
        .imageLivenessTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500)).timerIntervalNs(TimeUnit.MILLISECONDS.toNanos(10)));

    private static String channel(String kind) {
        return "ipc".equals(kind) ? "aeron:ipc" : "aeron:udp?endpoint=127.0.0.1:0";
    }

    private static AeronFeed feed(String kind) {
        return new AeronFeed(driver.aeron(), new AeronFeed.Settings(channel(kind), stream++, AeronFeed.Mode.DROP));
    }

    private static Publication publication(AeronFeed feed) {
        return connected(driver.aeron().addPublication(feed.publicationChannel(), feed.settings().streamId()), feed);
    }

    private static void publish(Publication publication, int count) {
        for (int i = 0; i < count; i++) {
            offer(publication, new byte[LENGTH]);
        }
    }

    private static void await(String what, BooleanSupplier done, Runnable step) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            step.run();
            LockSupport.parkNanos(100_000);
        }
    }

    /**
     * Read where the contract allows: on the poll thread while the feed is open, and on any thread once the feed (and
     * here its client after it) has closed, when the figure is the images' last positions and no live image is read.
     */
    @ParameterizedTest
    @ValueSource(strings = {"ipc", "udp"})
    void shouldCountTheAlignedFramesAsBytesConsumedWhenTheFeedPollsMessages(String kind) throws Exception {
        final TestIngress ingress = new TestIngress();
        final AeronFeed feed;
        try (Aeron client = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.directory()))) {
            feed = new AeronFeed(client, new AeronFeed.Settings(channel(kind), stream++, AeronFeed.Mode.DROP));
            try (feed; Publication publication = publication(feed)) {
                ingress.keep = false;
                final long[] last = {0};
                publish(publication, MESSAGES);
                await(MESSAGES + " messages", () -> ingress.delivered == MESSAGES, () -> {
                    ingress.poll(feed);
                    final long now = feed.bytesConsumed();
                    assertTrue(now >= last[0], "the figure went back from " + last[0] + " to " + now);
                    last[0] = now;
                });

                assertEquals(MESSAGES * FRAME, feed.bytesConsumed(), "the subscription's position past its join");
                assertEquals(1, feed.imagesAvailable());
                assertEquals(0, feed.imagesUnavailable());
            }
        } finally {
            ingress.close();
        }
        final AtomicLong after = new AtomicLong(-1);
        final Thread reader = Thread.ofPlatform().start(() -> after.set(feed.bytesConsumed()));
        reader.join();
        assertEquals(MESSAGES * FRAME, after.get(), "read on another thread after the feed and its client closed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ipc", "udp"})
    void shouldCountOneImageGoneAndKeepItsBytesWhenItsPublisherCloses(String kind) {
        try (TestIngress ingress = new TestIngress(); AeronFeed feed = feed(kind)) {
            ingress.keep = false;
            try (Publication publication = publication(feed)) {
                publish(publication, MESSAGES);
                await(MESSAGES + " messages", () -> ingress.delivered == MESSAGES, () -> ingress.poll(feed));
            }
            await("the image to go", () -> feed.imagesUnavailable() == 1, () -> ingress.poll(feed));

            assertEquals(MESSAGES * FRAME, feed.bytesConsumed(), "the image gone keeps its figure");
            assertEquals(1, feed.imagesAvailable());
            feed.close(ingress.path);
            assertEquals(MESSAGES * FRAME, feed.bytesConsumed(), "after the close");
            assertEquals(1, feed.imagesUnavailable());
        }
    }

    /** Over IPC, where what is offered is in the subscription's log at once, for the close to drain. */
    @Test
    void shouldCountWhatTheCloseDrainedButNoImageGoneWhenTheFeedClosesUnderAPublisher() {
        try (TestIngress ingress = new TestIngress(); AeronFeed feed = feed("ipc");
             Publication publication = publication(feed)) {
            ingress.keep = false;
            publish(publication, MESSAGES);
            await(MESSAGES + " messages", () -> ingress.delivered == MESSAGES, () -> ingress.poll(feed));
            final int left = 64;
            publish(publication, left);

            feed.close(ingress.path);

            assertEquals(left, feed.leftAtClose(), "the close drained them as feed_overrun");
            assertEquals(left, ingress.dropped(DropReason.FEED_OVERRUN));
            assertEquals((MESSAGES + left) * FRAME, feed.bytesConsumed(), "the close's drain is consumed too");
            assertEquals(1, feed.imagesAvailable());
            assertEquals(0, feed.imagesUnavailable(), "the feed's own close takes its image: none went away");
        }
    }
}
