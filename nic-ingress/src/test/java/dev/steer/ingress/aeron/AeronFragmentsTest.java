package dev.steer.ingress.aeron;

import static dev.steer.ingress.aeron.EmbeddedMediaPerClass.connected;
import static dev.steer.ingress.aeron.EmbeddedMediaPerClass.offer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.exceptions.RegistrationException;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.FrameDescriptor;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameSink;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;
import dev.steer.ingress.TestIngress;

/** Fragmented Aeron messages through a real embedded driver, polled by a real ingress path on the test thread. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AeronFragmentsTest {
    private static final byte BEGIN = FrameDescriptor.BEGIN_FRAG_FLAG;
    private static final byte END = FrameDescriptor.END_FRAG_FLAG;
    private static final byte MIDDLE = 0;
    private static int stream = 500;

    @RegisterExtension
    static final EmbeddedMediaPerClass driver = EmbeddedMediaPerClass.withDriver(context -> context
        .ipcTermBufferLength(4 << 20).publicationTermBufferLength(4 << 20)
        .publicationLingerTimeoutNs(TimeUnit.MILLISECONDS.toNanos(50))
        .imageLivenessTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500)).timerIntervalNs(TimeUnit.MILLISECONDS.toNanos(10)));

    /**
     * A feed's channel: IPC, or UDP on 127.0.0.1 with port 0, which the driver binds to a port of its choosing (a free
     * port picked here and released would be the driver's only if nothing took it in between).
     */
    private static String channel(String kind) {
        return "ipc".equals(kind) ? "aeron:ipc?mtu=1408" : "aeron:udp?endpoint=127.0.0.1:0|mtu=1408";
    }

    private static void await(String what, BooleanSupplier done, Runnable step) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            step.run();
            LockSupport.parkNanos(100_000);
        }
    }

    private static byte[] message(int length, int seq) {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + seq);
        }
        bytes[0] = (byte) seq;
        return bytes;
    }

    /** Appends one fragment with the given flags, as a publisher's log holds it. */
    private static void fragment(ExclusivePublication publication, byte flags, String text) {
        final BufferClaim claim = new BufferClaim();
        await("claim", () -> publication.tryClaim(text.length(), claim) > 0, () -> { });
        claim.buffer().putStringWithoutLengthAscii(claim.offset(), text);
        claim.flags(flags).commit();
    }

    /** A sink that hands everything to another; tests override what they watch. */
    private static class DelegatingSink implements FrameSink {
        private final FrameSink target;

        DelegatingSink(FrameSink target) {
            this.target = target;
        }

        @Override
        public int onFrame(DirectBuffer buffer, int offset, int length, long timestampNs) {
            return target.onFrame(buffer, offset, length, timestampNs);
        }

        @Override
        public void onDropped(DropReason reason, int count) {
            target.onDropped(reason, count);
        }

        @Override
        public void onFeedError(Throwable error) {
            target.onFeedError(error);
        }

        @Override
        public void onFeedErrors(Throwable summary, long count) {
            target.onFeedErrors(summary, count);
        }

        @Override
        public DropReason refusalReason() {
            return target.refusalReason();
        }
    }

    private static long droppedTotal(TestIngress ingress) {
        long total = 0;
        for (DropReason reason : DropReason.values()) {
            total += ingress.dropped(reason);
        }
        return total;
    }

    @ParameterizedTest
    @ValueSource(strings = {"ipc", "udp"})
    void shouldDeliverAMessageOfSeveralFragmentsWholeWhenItFitsAFrame(String kind) {
        final String channel = channel(kind);
        final int id = stream++;
        try (TestIngress ingress = new TestIngress(256, 2048, 8, false);
             AeronFeed feed = new AeronFeed(driver.aeron(), new AeronFeed.Settings(channel, id, AeronFeed.Mode.DROP));
             Publication publication = connected(driver.aeron().addPublication(feed.publicationChannel(), id), feed)) {
            for (int seq = 0; seq < 10; seq++) {
                offer(publication, message(1500, seq)); // a full Ethernet frame: two fragments at MTU 1408
            }
            await("10 frames", () -> ingress.delivered == 10 || droppedTotal(ingress) > 0, () -> ingress.poll(feed));
            assertEquals(0, droppedTotal(ingress), "nothing dropped");
            assertEquals(10, ingress.get(PathCounters.Counter.RECEIVED));
            for (int seq = 0; seq < 10; seq++) {
                assertArrayEquals(message(1500, seq), ingress.frames.get(seq), "message " + seq + " reassembled intact");
            }
            assertEquals(10, feed.multiFragmentMessages());
        }
    }

    @Test
    void shouldCountAMessageLongerThanTheLargestFrameOnceWithoutGrowingBeyondIt() {
        final String channel = channel("ipc");
        final int id = stream++;
        try (TestIngress ingress = new TestIngress(256, 2048, 8, false);
             AeronFeed feed = new AeronFeed(driver.aeron(), new AeronFeed.Settings(channel, id, AeronFeed.Mode.DROP));
             Publication publication = connected(driver.aeron().addPublication(channel, id), feed)) {
            offer(publication, message(200_000, 1));
            offer(publication, message(60, 2));
            await("2 messages", () -> ingress.get(PathCounters.Counter.RECEIVED) == 2, () -> ingress.poll(feed));
            for (int i = 0; i < 10; i++) {
                ingress.poll(feed);
            }
            assertEquals(2, ingress.get(PathCounters.Counter.RECEIVED), "each message received once");
            assertEquals(1, ingress.dropped(DropReason.OVERSIZE), "the long one counted once");
            assertEquals(1, droppedTotal(ingress));
            assertEquals(1, ingress.delivered);
            assertEquals(1, feed.oversizeMessages());
            assertTrue(feed.reassemblyCapacity() <= MessageReassembler.MAX_MESSAGE, "buffer " + feed.reassemblyCapacity());
        }
    }

    @Test
    void shouldHandOverAMessageOnceWhenLosslessBackPressureAbortsItsLastFragment() {
        final String channel = channel("ipc");
        final int id = stream++;
        // Four frames and a local batch of eight: every poll runs out of frames and back-pressures.
        try (TestIngress ingress = new TestIngress(4, 2048, 8, true);
             AeronFeed feed = new AeronFeed(driver.aeron(),
                 new AeronFeed.Settings(channel, id, AeronFeed.Mode.LOSSLESS));
             Publication publication = connected(driver.aeron().addPublication(channel, id), feed)) {
            for (int seq = 0; seq < 40; seq++) {
                offer(publication, message(1500, seq));
            }
            await("40 frames", () -> ingress.get(PathCounters.Counter.RECEIVED) >= 40, () -> ingress.poll(feed));
            for (int i = 0; i < 10; i++) {
                ingress.poll(feed);
            }
            assertTrue(ingress.get(PathCounters.Counter.BACK_PRESSURED) > 0, "back-pressure happened");
            assertEquals(40, ingress.get(PathCounters.Counter.RECEIVED), "no message received twice");
            assertEquals(0, droppedTotal(ingress));
            assertEquals(40, ingress.delivered);
            for (int seq = 0; seq < 40; seq++) {
                assertArrayEquals(message(1500, seq), ingress.frames.get(seq), "message " + seq + " whole, in order");
            }
        }
    }

    /**
     * Feed.poll's contract: after a lossless refusal the feed stops the poll at once. A subscription's controlled poll
     * goes on to its other images after one aborts, so the feed itself must abort their fragments unoffered.
     */
    @Test
    void shouldOfferNothingMoreInAPollWhenLosslessBackPressureRefusesAFrameOfOneOfSeveralPublishers() {
        final String channel = channel("ipc");
        final int id = stream++;
        // One pool frame, handed back at the end of each poll: the second message of a poll is refused.
        try (TestIngress ingress = new TestIngress(1, 2048, 8, true);
             AeronFeed feed = new AeronFeed(driver.aeron(),
                 new AeronFeed.Settings(channel, id, AeronFeed.Mode.LOSSLESS));
             ExclusivePublication a = connected(driver.aeron().addExclusivePublication(channel, id), feed);
             ExclusivePublication b = connected(driver.aeron().addExclusivePublication(channel, id), feed)) {
            await("two images", () -> feed.imagesAvailable() == 2, () -> { });
            for (int seq = 0; seq < 2; seq++) {
                offer(a, message(64, seq));
                offer(b, message(64, 10 + seq));
            }
            assertEquals(1, ingress.poll(feed), "one message taken before the refusal");
            assertEquals(1, ingress.get(PathCounters.Counter.BACK_PRESSURED), "one refusal, then nothing more offered");
            assertEquals(1, ingress.get(PathCounters.Counter.RECEIVED));
            await("four messages", () -> ingress.get(PathCounters.Counter.RECEIVED) == 4, () -> ingress.poll(feed));
            assertEquals(4, ingress.delivered, "each message delivered once");
            assertEquals(0, droppedTotal(ingress));
        }
    }

    /** An empty message is no Ethernet frame: feed_truncated, as an empty UDP datagram or pcap record is. */
    @ParameterizedTest
    @EnumSource(AeronFeed.Mode.class)
    void shouldCountAnEmptyMessageAsTruncatedNotDeliverIt(AeronFeed.Mode mode) {
        final String channel = channel("ipc");
        final int id = stream++;
        try (TestIngress ingress = new TestIngress(256, 2048, 8, mode == AeronFeed.Mode.LOSSLESS);
             AeronFeed feed = new AeronFeed(driver.aeron(), new AeronFeed.Settings(channel, id, mode));
             Publication publication = connected(driver.aeron().addPublication(channel, id), feed)) {
            offer(publication, new byte[0]);
            offer(publication, message(64, 1));
            await("two messages", () -> ingress.get(PathCounters.Counter.RECEIVED) == 2, () -> ingress.poll(feed));
            assertEquals(1, ingress.dropped(DropReason.FEED_TRUNCATED), "the empty message");
            assertEquals(1, droppedTotal(ingress));
            assertEquals(1, ingress.delivered, "only the non-empty message");
            assertArrayEquals(message(64, 1), ingress.frames.get(0));
            assertEquals(1, feed.truncatedMessages());
        }
    }

    @Test
    void shouldCountARefusedMessageOnceAsPoolExhaustedWhenADropModeFeedMeetsALosslessEngineWithoutFrames() {
        final String channel = channel("ipc");
        final int id = stream++;
        // Four frames and a local batch of eight: the lossless ingress refuses once its pool is out (no ring is
        // involved: every frame is PASSed); the drop-mode feed has consumed the fragments and counts the message
        // once, for the reason the ingress refused it, as a drop-mode engine would have counted it.
        try (TestIngress ingress = new TestIngress(4, 2048, 8, true);
             AeronFeed feed = new AeronFeed(driver.aeron(), new AeronFeed.Settings(channel, id, AeronFeed.Mode.DROP));
             Publication publication = connected(driver.aeron().addPublication(channel, id), feed)) {
            for (int seq = 0; seq < 40; seq++) {
                offer(publication, message(1500, seq));
            }
            await("40 messages", () -> ingress.get(PathCounters.Counter.RECEIVED) >= 40, () -> ingress.poll(feed));
            for (int i = 0; i < 10; i++) {
                ingress.poll(feed);
            }
            feed.close(ingress.path);
            assertEquals(40, ingress.get(PathCounters.Counter.RECEIVED), "each message received once");
            assertEquals(40, ingress.delivered + droppedTotal(ingress), "each message delivered or dropped once");
            assertTrue(ingress.dropped(DropReason.POOL_EXHAUSTED) > 0, "refusals happened");
            assertEquals(ingress.get(PathCounters.Counter.BACK_PRESSURED), ingress.dropped(DropReason.POOL_EXHAUSTED),
                "each refusal counted once, for its reason");
            assertEquals(0, ingress.dropped(DropReason.RING_FULL), "no ring was full");
            assertEquals(0, ingress.dropped(DropReason.FEED_TRUNCATED), "a refused message is not also truncated");
            assertEquals(0, feed.reassembling(), "no message left in progress");
        }
    }

    @Test
    void shouldReassembleEachSessionApartWhenTwoPublishersInterleave() {
        final String channel = channel("ipc");
        final int id = stream++;
        try (TestIngress ingress = new TestIngress();
             AeronFeed feed = new AeronFeed(driver.aeron(), new AeronFeed.Settings(channel, id, AeronFeed.Mode.DROP));
             ExclusivePublication a = connected(driver.aeron().addExclusivePublication(channel, id), feed);
             ExclusivePublication b = connected(driver.aeron().addExclusivePublication(channel, id), feed)) {
            await("two images", () -> feed.imagesAvailable() == 2, () -> { });
            fragment(a, BEGIN, "a-first;");
            fragment(b, BEGIN, "b-first;");
            await("two first fragments", () -> feed.fragments() == 2, () -> ingress.poll(feed));
            fragment(a, END, "a-last");
            fragment(b, END, "b-last");
            await("two messages", () -> ingress.get(PathCounters.Counter.RECEIVED) == 2, () -> ingress.poll(feed));
            final List<String> got = new ArrayList<>();
            ingress.frames.forEach(frame -> got.add(new String(frame, java.nio.charset.StandardCharsets.US_ASCII)));
            got.sort(null);
            assertEquals(List.of("a-first;a-last", "b-first;b-last"), got);
            assertEquals(0, droppedTotal(ingress));
        }
    }

    @Test
    void shouldKeepANewImagesMessageWhenAnOldImageOfTheSameSessionGoesAwayJustBeforeItBegins() {
        final int id = stream++;
        // A publisher restarted with a fixed session id: its old image goes away and the new one, of the same session
        // id, appears. The client's conductor thread may report both between a poll's look at the images gone and its
        // fragment poll; that interleaving is forced here from the one sink callback that runs in between (a client
        // error reported to the feed). The new image's first fragment is then taken before the old image's departure
        // is seen, which must not take the new image's message with it.
        final String publications = "aeron:ipc?mtu=1408|session-id=" + (7000 + id);
        final int[] hooks = new int[1];
        try (TestIngress ingress = new TestIngress();
             AeronMedia media = AeronMedia.external(driver.directory());
             AeronFeed feed = new AeronFeed(media, new AeronFeed.Settings("aeron:ipc", id, AeronFeed.Mode.DROP))) {
            final ExclusivePublication old = driver.aeron().addExclusivePublication(publications, id);
            connected(old, feed);
            final ExclusivePublication[] next = new ExclusivePublication[1];
            final FrameSink hooked = new DelegatingSink(ingress.path) {
                @Override
                public void onFeedError(Throwable error) {
                    super.onFeedError(error);
                    hooks[0]++;
                    old.close();
                    // The driver frees the session id once the old publication is drained, and reports its image gone.
                    await("the session id to be free", () -> {
                        try {
                            next[0] = driver.aeron().addExclusivePublication(publications, id);
                            return true;
                        } catch (RegistrationException ex) {
                            return false;
                        }
                    }, () -> { });
                    fragment(next[0], BEGIN, "new-first;");
                    await("the client to see the new image", () -> feed.imagesAvailable() == 2, () -> { });
                }
            };
            media.aeron().context().errorHandler().onError(new IllegalStateException("a client error, reported"));
            await("the new first fragment", () -> feed.fragments() == 1, () -> ingress.path.poll(new Feed() {
                @Override
                public int poll(FrameSink sink, int budget) {
                    return feed.poll(hooked, budget);
                }

                @Override
                public String name() {
                    return feed.name();
                }
            }));
            try (old; ExclusivePublication publication = next[0]) {
                assertEquals(1, hooks[0]);
                assertEquals(old.sessionId(), publication.sessionId(), "one session id");
                assertEquals(1, feed.imagesUnavailable(), "the old image went");
                fragment(publication, END, "new-last");
                await("the new message's last fragment", () -> feed.fragments() == 2, () -> ingress.poll(feed));
                assertEquals(1, ingress.get(PathCounters.Counter.RECEIVED), "one message, received once");
                assertEquals(0, droppedTotal(ingress), "the old image took nothing of the new one's with it");
                assertEquals(1, ingress.delivered);
                assertArrayEquals("new-first;new-last".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    ingress.frames.get(0));
            }
        }
    }

    @Test
    void shouldCountEachMessageWithMissingFragmentsOnceAsTruncated() {
        final String channel = channel("ipc");
        final int id = stream++;
        try (TestIngress ingress = new TestIngress();
             AeronFeed feed = new AeronFeed(driver.aeron(), new AeronFeed.Settings(channel, id, AeronFeed.Mode.DROP));
             ExclusivePublication publication = connected(driver.aeron().addExclusivePublication(channel, id), feed)) {
            fragment(publication, END, "last without first");
            fragment(publication, MIDDLE, "middle without first");
            fragment(publication, END, "its last");
            fragment(publication, BEGIN, "first, never ended");
            fragment(publication, BEGIN, "first;");
            fragment(publication, END, "last");
            fragment(publication, (byte) (BEGIN | END), "whole");
            await("7 fragments", () -> feed.fragments() == 7, () -> ingress.poll(feed));
            assertEquals(5, ingress.get(PathCounters.Counter.RECEIVED), "five messages began or ended");
            assertEquals(3, ingress.dropped(DropReason.FEED_TRUNCATED));
            assertEquals(3, droppedTotal(ingress));
            assertEquals(2, ingress.delivered);
            assertEquals("first;last", new String(ingress.frames.get(0), java.nio.charset.StandardCharsets.US_ASCII));
            assertEquals(3, feed.truncatedMessages());
            assertEquals(0, feed.reassembling(), "no message left in progress");
        }
    }

    @ParameterizedTest
    @EnumSource(AeronFeed.Mode.class)
    void shouldCountAMessageAsTruncatedWhenItsPublisherGoesAwayBeforeItsLastFragment(AeronFeed.Mode mode) {
        for (String kind : List.of("ipc", "udp")) {
            final String channel = channel(kind);
            final int id = stream++;
            try (TestIngress ingress = new TestIngress(256, 2048, 8, mode == AeronFeed.Mode.LOSSLESS);
                 AeronFeed feed = new AeronFeed(driver.aeron(), new AeronFeed.Settings(channel, id, mode))) {
                final ExclusivePublication publication =
                    connected(driver.aeron().addExclusivePublication(feed.publicationChannel(), id), feed);
                fragment(publication, BEGIN, "first of a message never finished");
                await("the first fragment on " + kind, () -> feed.fragments() == 1, () -> ingress.poll(feed));
                publication.close();
                await("the image to go on " + kind, () -> feed.imagesUnavailable() == 1, () -> ingress.poll(feed));
                ingress.poll(feed);
                assertEquals(1, ingress.get(PathCounters.Counter.RECEIVED), kind);
                assertEquals(1, ingress.dropped(DropReason.FEED_TRUNCATED), kind);
                assertEquals(1, feed.truncatedMessages(), kind);
                feed.close(ingress.path);
                assertEquals(1, ingress.get(PathCounters.Counter.RECEIVED), "not counted again at close on " + kind);
            }
        }
    }

    @Test
    void shouldCountAnUnfinishedMessageWhenTheFeedCloses() {
        final String channel = channel("ipc");
        final int id = stream++;
        try (TestIngress ingress = new TestIngress();
             AeronFeed feed = new AeronFeed(driver.aeron(), new AeronFeed.Settings(channel, id, AeronFeed.Mode.DROP));
             ExclusivePublication publication = connected(driver.aeron().addExclusivePublication(channel, id), feed)) {
            fragment(publication, BEGIN, "first of a message the feed will not see end");
            await("the first fragment", () -> feed.fragments() == 1, () -> ingress.poll(feed));
            assertEquals(0, ingress.get(PathCounters.Counter.RECEIVED));
            assertEquals(1, feed.reassembling(), "one message in progress");
            feed.close(ingress.path);
            assertEquals(1, ingress.get(PathCounters.Counter.RECEIVED));
            assertEquals(1, ingress.dropped(DropReason.FEED_TRUNCATED));
        }
    }

    @Test
    void shouldCountTheMessageAndFreeTheBufferOfAnImageGoneAtTheNextPollWhenMoreImagesGoBetweenTwoPollsThanTheQueueHolds() {
        final String channel = channel("ipc");
        final int id = stream++;
        try (TestIngress ingress = new TestIngress();
             AeronFeed feed = new AeronFeed(driver.aeron(), new AeronFeed.Settings(channel, id, AeronFeed.Mode.DROP))) {
            final ExclusivePublication publication =
                connected(driver.aeron().addExclusivePublication(channel, id), feed);
            fragment(publication, BEGIN, "first;");
            fragment(publication, END, "last");
            fragment(publication, BEGIN, "first of a message whose image goes");
            await("three fragments", () -> feed.fragments() == 3, () -> ingress.poll(feed));
            assertEquals(1, ingress.delivered);
            assertEquals(1, feed.reassembling(), "one message in progress");
            // What the client conductor reports when as many images as the feed holds go between two polls (other
            // publishers', of no message here): this image's departure finds the hand-over full.
            for (int i = 0; i < AeronFeed.GONE_CAPACITY; i++) {
                feed.imageGone(-1 - i);
            }
            publication.close();
            await("the image to go", () -> feed.imagesUnavailable() == AeronFeed.GONE_CAPACITY + 1, () -> { });

            ingress.poll(feed);

            assertEquals(1, ingress.dropped(DropReason.FEED_TRUNCATED), "counted at the next poll, not left to the close");
            assertEquals(2, ingress.get(PathCounters.Counter.RECEIVED));
            assertEquals(1, feed.truncatedMessages());
            assertEquals(0, feed.reassembling());
            assertEquals(0, feed.reassemblyCapacity(), "the image's reassembly buffer is let go with it");
            feed.close(ingress.path);
            assertEquals(1, ingress.dropped(DropReason.FEED_TRUNCATED), "not counted again at the close");
            assertEquals(1, droppedTotal(ingress));
        }
    }

    /** How a message in progress loses its end: its image goes, the feed closes, or the feed's client closes under it. */
    enum Ending { IMAGE_GONE, FEED_CLOSED, CLIENT_CLOSED }

    /**
     * docs/feeds.md: a message above 64 KiB is "counted once as oversize"; a message half reassembled when its image goes
     * or the feed ends is feed_truncated. One being skipped for its size when it loses its end is still the oversize
     * message it was: its reason must not depend on which of the three ends it met.
     */
    @ParameterizedTest
    @EnumSource(Ending.class)
    void shouldCountAnUnfinishedMessageAboveTheLargestFrameAsOversizeWhenItLosesItsEnd(Ending ending) {
        final String channel = channel("ipc");
        final int id = stream++;
        // CLIENT_CLOSED: the feed on a client of its own, which the test closes; the publisher stays on the shared one.
        final Aeron feedClient = ending == Ending.CLIENT_CLOSED
            ? Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.directory())) : driver.aeron();
        try (TestIngress ingress = new TestIngress(256, 2048, 8, false);
             AeronFeed feed = new AeronFeed(feedClient, new AeronFeed.Settings(channel, id, AeronFeed.Mode.DROP))) {
            final ExclusivePublication publication =
                connected(driver.aeron().addExclusivePublication(channel, id), feed);
            final String chunk = "x".repeat(1024);
            final int fragments = MessageReassembler.MAX_MESSAGE / chunk.length() + 2;
            fragment(publication, BEGIN, chunk);
            for (int i = 1; i < fragments; i++) {
                fragment(publication, MIDDLE, chunk); // past MAX_MESSAGE: skipped from here on, never ended
            }
            await("every fragment", () -> feed.fragments() == fragments, () -> ingress.poll(feed));
            assertEquals(0, ingress.get(PathCounters.Counter.RECEIVED), "not ended yet");
            assertEquals(1, feed.reassembling(), "one message in progress, being skipped");
            switch (ending) {
                case IMAGE_GONE -> {
                    publication.close();
                    await("the image to go", () -> feed.imagesUnavailable() == 1, () -> ingress.poll(feed));
                    ingress.poll(feed);
                    feed.close(ingress.path);
                }
                case FEED_CLOSED -> {
                    feed.close(ingress.path);
                    publication.close();
                }
                case CLIENT_CLOSED -> {
                    feedClient.close();
                    await("the feed to end", () -> feed.endReason() != null, () -> ingress.poll(feed));
                    feed.close(ingress.path);
                    publication.close();
                }
                default -> throw new AssertionError(ending);
            }
            assertEquals(1, ingress.get(PathCounters.Counter.RECEIVED), "counted once");
            assertEquals(1, ingress.dropped(DropReason.OVERSIZE), "oversize, as docs/feeds.md says");
            assertEquals(0, ingress.dropped(DropReason.FEED_TRUNCATED), "not feed_truncated as well or instead");
            assertEquals(1, droppedTotal(ingress));
            assertEquals(1, feed.oversizeMessages());
            assertEquals(0, feed.truncatedMessages());
        } finally {
            if (feedClient != driver.aeron()) {
                feedClient.close();
            }
        }
    }
}
