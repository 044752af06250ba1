package dev.steer.ingress.aeron;

import static dev.steer.ingress.aeron.EmbeddedMediaPerClass.connected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.status.ChannelEndpointStatus;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.steer.actors.SteerEngine;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.path.FrameBatch;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AeronFeedTest {
    private static final int FRAMES = 20_000;
    private static final int STREAM = 77;

    @RegisterExtension
    static final EmbeddedMediaPerClass driver = new EmbeddedMediaPerClass();

    /**
     * The feed's channel: IPC, or UDP on 127.0.0.1 with port 0, which the driver binds to a port of its choosing
     * (a free port picked here and released would be the driver's only if nothing took it in between).
     */
    private static String channel(String kind) {
        return "ipc".equals(kind) ? "aeron:ipc" : "aeron:udp?endpoint=127.0.0.1:0";
    }

    /** A handler that is slow (about 0.2 ms per batch) and checks that sequence numbers only go up. */
    private static final class SlowOrderedHandler implements FrameHandler {
        final AtomicLong delivered = new AtomicLong();
        final AtomicLong outOfOrder = new AtomicLong();
        private long last = -1;

        @Override
        public void onFrames(FrameBatch batch) {
            for (int i = 0; i < batch.size(); i++) {
                final var frame = batch.frame(i);
                final long seq = frame.buffer().getLong(frame.dataOffset() + 14);
                if (seq <= last) {
                    outOfOrder.incrementAndGet();
                }
                last = seq;
            }
            delivered.addAndGet(batch.size());
            LockSupport.parkNanos(200_000);
        }
    }

    private static SteerEngine.Builder engine(AeronFeed feed, FrameHandler handler, boolean lossless, String name) {
        return SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(1).entry(0, 64).handler(handler).feed(feed)
            .pinning(false).lossless(lossless).systemName(name).errorHandler((where, error) -> { });
    }

    /** Publishes {@code count} 60-byte non-IP frames carrying their sequence number; back-pressure is retried. */
    private static void publish(Publication publication, int count, int length) {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        buffer.putShort(12, (short) 0xB588); // EtherType 0x88B5, local experimental: not IP
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        for (long seq = 0; seq < count; seq++) {
            buffer.putLong(14, seq);
            long result;
            while ((result = publication.offer(buffer, 0, length)) < 0) {
                if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED) {
                    throw new IllegalStateException("publication failed: " + result);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("publisher stuck at " + seq + ": " + result);
                }
                Thread.onSpinWait();
            }
        }
    }

    /** A publication to {@code feed}'s channel and stream, connected. */
    private static Publication connectedPublication(AeronFeed feed) {
        return connected(driver.aeron().addPublication(feed.publicationChannel(), feed.settings().streamId()), feed);
    }

    private static EngineStats awaitReceived(SteerEngine engine, long expected) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        EngineStats stats = engine.stats();
        while (stats.accounting().received() < expected && System.nanoTime() < deadline) {
            LockSupport.parkNanos(5_000_000);
            stats = engine.stats();
        }
        return stats;
    }

    @ParameterizedTest
    @ValueSource(strings = {"ipc", "udp"})
    void shouldCountEveryRingFullDropExactlyWhenDropModeMeetsASlowConsumer(String kind) {
        final String channel = channel(kind);
        final AeronFeed feed = new AeronFeed(driver.media().aeron(),
            new AeronFeed.Settings(channel, STREAM, AeronFeed.Mode.DROP));
        final SlowOrderedHandler handler = new SlowOrderedHandler();
        final SteerEngine engine = engine(feed, handler, false, "aeron-drop-" + kind).start();
        try (Publication publication = connectedPublication(feed)) {
            publish(publication, FRAMES, 60);
            awaitReceived(engine, FRAMES);
        }
        final EngineStats stats = engine.shutdown();
        final var accounting = stats.accounting();
        assertEquals(FRAMES, accounting.received(), "every fragment received: " + accounting);
        assertEquals(0, accounting.inFlight());
        assertEquals(handler.delivered.get(), accounting.delivered());
        assertTrue(accounting.dropped(DropReason.RING_FULL) > 0, "the slow consumer made the ring overflow: " + accounting);
        assertEquals(FRAMES, accounting.delivered() + accounting.dropped(DropReason.RING_FULL), accounting.toString());
        assertEquals(accounting.dropped(DropReason.RING_FULL), accounting.droppedTotal(), "no other drop: " + accounting);
        assertEquals(0, handler.outOfOrder.get());
        assertEquals(FRAMES, feed.fragments());
        assertTrue(stats.poolsFull());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ipc", "udp"})
    void shouldLoseNothingWhenLosslessModeMeetsASlowConsumer(String kind) {
        final String channel = channel(kind);
        final AeronFeed feed = new AeronFeed(driver.media().aeron(),
            new AeronFeed.Settings(channel, STREAM, AeronFeed.Mode.LOSSLESS));
        final SlowOrderedHandler handler = new SlowOrderedHandler();
        final SteerEngine engine = engine(feed, handler, true, "aeron-lossless-" + kind).start();
        try (Publication publication = connectedPublication(feed)) {
            publish(publication, FRAMES, 60);
            awaitReceived(engine, FRAMES);
        }
        final EngineStats stats = engine.shutdown();
        final var accounting = stats.accounting();
        assertEquals(FRAMES, accounting.received(), accounting.toString());
        assertEquals(FRAMES, accounting.delivered(), "nothing dropped: " + accounting);
        assertEquals(0, accounting.droppedTotal());
        assertEquals(FRAMES, handler.delivered.get());
        assertEquals(0, handler.outOfOrder.get(), "frames in publication order");
        assertTrue(stats.ingressTotal(PathCounters.Counter.BACK_PRESSURED) > 0,
            "the full ring back-pressured the feed, so the test exercised lossless mode");
        assertTrue(stats.poolsFull());
    }

    @Test
    void shouldCountAnOverlongFragmentAndAnOverlongReassembledMessageAsOversize() {
        final String channel = "aeron:ipc?mtu=1408";
        final AeronFeed feed = new AeronFeed(driver.media().aeron(),
            new AeronFeed.Settings(channel, STREAM + 1, AeronFeed.Mode.DROP));
        final SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(1).entry(0, 64).feed(feed)
            .frameSize(512).headroom(256).pinning(false).systemName("aeron-oversize").errorHandler((w, e) -> { }).start();
        try (Publication publication = driver.media().aeron().addPublication(channel, STREAM + 1)) {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!publication.isConnected()) {
                assertTrue(System.nanoTime() < deadline);
                LockSupport.parkNanos(1_000_000);
            }
            publish(publication, 3, 60);      // fit
            publish(publication, 2, 1000);    // one fragment each, longer than the frame's 256-byte data room
            publish(publication, 1, 3000);    // three fragments, reassembled: longer than the frame
            awaitReceived(engine, 6);
        }
        final var accounting = engine.shutdown().accounting();
        assertEquals(6, accounting.received(), accounting.toString());
        assertEquals(3, accounting.delivered());
        assertEquals(3, accounting.dropped(DropReason.OVERSIZE));
        assertEquals(1, feed.multiFragmentMessages());
    }

    @Test
    void shouldTellThePortTheDriverBoundWhenTheUdpEndpointHasPortZero() {
        try (AeronFeed feed = new AeronFeed(driver.media(),
                 new AeronFeed.Settings("aeron:udp?endpoint=127.0.0.1:0", STREAM + 2, AeronFeed.Mode.DROP));
             AeronFeed ipc = new AeronFeed(driver.media(), new AeronFeed.Settings("aeron:ipc", STREAM + 2, AeronFeed.Mode.DROP))) {
            final String endpoint = feed.resolvedEndpoint();
            assertTrue(endpoint != null && endpoint.startsWith("127.0.0.1:"), "host:port: " + endpoint);
            final int port = Integer.parseInt(endpoint.substring("127.0.0.1:".length()));
            assertTrue(port > 0, "an ephemeral port, not 0: " + endpoint);
            assertEquals(null, ipc.resolvedEndpoint(), "IPC binds no socket");
            assertEquals("aeron:udp?endpoint=" + endpoint, feed.publicationChannel());
            assertEquals("aeron:ipc", ipc.publicationChannel());
            // The port is the subscription's: a publication to it connects.
            try (Publication publication =
                     connected(driver.aeron().addPublication(feed.publicationChannel(), STREAM + 2), feed)) {
                assertTrue(publication.isConnected());
            }
        }
    }

    @Test
    void shouldNameTheBoundEndpointInTheFeedNameWhenTheUdpEndpointHasPortZero() {
        try (AeronFeed feed = new AeronFeed(driver.media(),
                 new AeronFeed.Settings("aeron:udp?endpoint=127.0.0.1:0|mtu=8192", STREAM + 3, AeronFeed.Mode.DROP));
             AeronFeed ipc = new AeronFeed(driver.media(), new AeronFeed.Settings("aeron:ipc", STREAM + 3, AeronFeed.Mode.DROP))) {
            assertEquals("aeron:" + (STREAM + 3) + "@" + feed.publicationChannel(), feed.name(),
                "the port the driver bound, not port 0: " + feed.name());
            assertFalse(feed.name().contains(":0|") || feed.name().endsWith(":0"), feed.name());
            assertEquals("aeron:" + (STREAM + 3) + "@aeron:ipc", ipc.name(), "other channels are named as given");
            assertEquals("aeron:udp?endpoint=127.0.0.1:0|mtu=8192", feed.settings().channel(),
                "the settings keep the channel as given");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"aeron:udp?endpoint=239.1.2.3:0", "aeron:udp?endpoint=224.0.1.1:0|interface=127.0.0.1",
        "aeron:udp?interface=127.0.0.1|endpoint=[ff02::1]:0"})
    void shouldRefuseAMulticastEndpointOnPortZeroNamingTheSettingTheValueAndWhatIsAllowed(String channel) {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> new AeronFeed.Settings(channel, 1, AeronFeed.Mode.DROP));
        assertTrue(error.getMessage().startsWith("aeron channel='" + channel + "': "), error.getMessage());
        assertTrue(error.getMessage().contains("multicast"), error.getMessage());
        assertTrue(error.getMessage().contains("port 1..65535"), error.getMessage());
    }

    @Test
    void shouldAcceptPortZeroOnAUnicastEndpointAndAPortOfItsOwnOnAMulticastOne() {
        assertTrue(new AeronFeed.Settings("aeron:udp?endpoint=127.0.0.1:0", 1, AeronFeed.Mode.DROP).endpointOnPortZero());
        assertTrue(new AeronFeed.Settings("aeron:udp?endpoint=localhost:0", 1, AeronFeed.Mode.DROP).endpointOnPortZero());
        assertTrue(new AeronFeed.Settings("aeron:udp?endpoint=[::1]:0", 1, AeronFeed.Mode.DROP).endpointOnPortZero());
        assertFalse(new AeronFeed.Settings("aeron:udp?endpoint=239.1.2.3:40456", 1, AeronFeed.Mode.DROP)
            .endpointOnPortZero());
        assertFalse(new AeronFeed.Settings("aeron:udp?endpoint=[ff02::1]:40456", 1, AeronFeed.Mode.DROP)
            .endpointOnPortZero());
    }

    @Test
    void shouldRefuseAClosedClientOfTheCallersNamingItBeforeSubscribing() {
        final io.aeron.Aeron closed = io.aeron.Aeron.connect(new io.aeron.Aeron.Context()
            .aeronDirectoryName(driver.media().directory()));
        closed.close();
        final IllegalStateException error = assertThrows(IllegalStateException.class, () -> new AeronFeed(closed,
            new AeronFeed.Settings("aeron:ipc", STREAM + 4, AeronFeed.Mode.DROP)));
        assertTrue(error.getMessage().contains("aeron channel='aeron:ipc' stream " + (STREAM + 4)), error.getMessage());
        assertTrue(error.getMessage().contains("the Aeron client of media driver " + driver.media().directory()
            + " is closed"), error.getMessage());
    }

    @Test
    void shouldRefuseTheClientOfAClosedMediaNamingItBeforeSubscribing() {
        final AeronMedia media = AeronMedia.embedded();
        final String directory = media.directory();
        media.close();
        final IllegalStateException error = assertThrows(IllegalStateException.class, () -> new AeronFeed(media,
            new AeronFeed.Settings("aeron:ipc", STREAM + 5, AeronFeed.Mode.DROP)));
        assertTrue(error.getMessage().contains("the Aeron client of media driver " + directory + " is closed"),
            error.getMessage());
    }

    @Test
    void shouldNameTheChannelAndTheWaitWhenTheDriverReportsNoBoundPortInTime() {
        final AeronFeed.Settings settings = new AeronFeed.Settings("aeron:udp?endpoint=127.0.0.1:0", 5, AeronFeed.Mode.DROP);
        final IllegalStateException error = assertThrows(IllegalStateException.class, () -> BoundEndpoint.await(
            () -> null, () -> ChannelEndpointStatus.INITIALIZING, () -> false, settings, TimeUnit.MILLISECONDS.toNanos(20)));
        assertTrue(error.getMessage().contains("aeron channel='aeron:udp?endpoint=127.0.0.1:0' stream 5"), error.getMessage());
        assertTrue(error.getMessage().contains("did not report the port it bound"), error.getMessage());
        assertTrue(error.getMessage().contains("within 20 ms (channel status INITIALIZING)"), error.getMessage());
    }

    @Test
    void shouldStopWaitingForTheBoundPortWhenTheChannelErrors() {
        final AeronFeed.Settings settings = new AeronFeed.Settings("aeron:udp?endpoint=127.0.0.1:0", 5, AeronFeed.Mode.DROP);
        // A wait longer than the test's timeout: only an errored channel ends it.
        final IllegalStateException error = assertThrows(IllegalStateException.class, () -> BoundEndpoint.await(
            () -> "127.0.0.1:0", () -> ChannelEndpointStatus.ERRORED, () -> false, settings, TimeUnit.MINUTES.toNanos(5)));
        assertEquals("aeron channel='aeron:udp?endpoint=127.0.0.1:0' stream 5: the channel errored before the media"
            + " driver reported the port it bound for the endpoint with port 0 (channel status ERRORED); see the"
            + " driver's errors", error.getMessage(), "not a wait of 5 minutes that never happened");
    }

    @Test
    void shouldStopWaitingForTheBoundPortWhenTheSubscriptionIsClosed() {
        final AeronFeed.Settings settings = new AeronFeed.Settings("aeron:udp?endpoint=127.0.0.1:0", 5, AeronFeed.Mode.DROP);
        // A wait longer than the test's timeout: the subscription closed under it (its client closed) ends it.
        final IllegalStateException error = assertThrows(IllegalStateException.class, () -> BoundEndpoint.await(
            () -> null, () -> ChannelEndpointStatus.INITIALIZING, () -> true, settings, TimeUnit.MINUTES.toNanos(5)));
        assertEquals("aeron channel='aeron:udp?endpoint=127.0.0.1:0' stream 5: the subscription closed before the media"
            + " driver reported the port it bound for the endpoint with port 0 (its client closed?)", error.getMessage());
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void shouldStopWaitingForTheBoundPortOfARealSubscriptionThatIsClosed() {
        // As above through BoundEndpoint.of, on a subscription of a client. A closed subscription's channel status
        // reads -1, which is ERRORED too: the closed look must come first, or the wait blames the channel.
        final AeronFeed.Settings settings = new AeronFeed.Settings("aeron:udp?endpoint=127.0.0.1:0", STREAM + 9,
            AeronFeed.Mode.DROP);
        final Subscription subscription = driver.media().aeron().addSubscription(settings.channel(), settings.streamId());
        subscription.close();
        final IllegalStateException error = assertThrows(IllegalStateException.class,
            () -> BoundEndpoint.of(subscription, settings, TimeUnit.MINUTES.toNanos(5)));
        assertTrue(error.getMessage().contains("the subscription closed before the media driver reported the port"),
            error.getMessage());
    }

    @Test
    void shouldRejectABadChannelWithAMessageNamingIt() {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> new AeronFeed.Settings("udp://127.0.0.1:4000", 1, AeronFeed.Mode.DROP));
        assertTrue(error.getMessage().contains("udp://127.0.0.1:4000"), error.getMessage());
        assertTrue(error.getMessage().contains("aeron:ipc"), error.getMessage());
    }

    @Test
    void shouldSayThereIsNoDriverWhenAnExternalDirectoryIsEmpty(@org.junit.jupiter.api.io.TempDir File dir) {
        final IllegalStateException error = assertThrows(IllegalStateException.class, () -> AeronMedia.external(dir.getPath()));
        assertTrue(error.getMessage().contains("no media driver"), error.getMessage());
    }

    @Test
    void shouldDeleteTheEmbeddedDriverDirectoryOnClose() {
        final String directory;
        try (AeronMedia own = AeronMedia.embedded()) {
            directory = own.directory();
            assertTrue(new File(directory, "cnc.dat").exists());
            try (AeronMedia client = AeronMedia.external(directory)) {
                assertFalse(client.isEmbedded());
            }
        }
        assertFalse(new File(directory).exists(), "directory deleted: " + directory);
    }
}
