package dev.steer.loadgen.send;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.aeron.Subscription;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.ingress.aeron.AeronMedia;
import dev.steer.loadgen.traffic.Pacer;

/**
 * {@link AeronOutput} behind a {@link SendLoop} on a real embedded media driver whose client is closed under it (a
 * driver gone makes the client close itself): the loop's close path must not throw, and its counts must stay those of
 * the frames that went out.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AeronOutputClosedClientTest {
    /**
     * A subscription on 127.0.0.1 with port 0, which the driver binds to a port of its choosing (a free port picked
     * here and released would be the driver's only if nothing took it in between).
     */
    private static Subscription udpSubscription(AeronMedia media, int stream) {
        return media.aeron().addSubscription("aeron:udp?endpoint=127.0.0.1:0|mtu=8192", stream);
    }

    /** The channel a publisher reaches {@code subscription} on: the endpoint its driver bound. */
    private static String publicationChannel(Subscription subscription) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String endpoint;
        while ((endpoint = subscription.resolvedEndpoint()) == null) {
            assertTrue(System.nanoTime() < deadline, "the driver reported no port bound for " + subscription.channel());
            LockSupport.parkNanos(1_000_000);
        }
        return "aeron:udp?endpoint=" + endpoint;
    }

    private static long received(Subscription subscription, long expected) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        final long[] count = {0};
        while (count[0] < expected && System.nanoTime() < deadline) {
            if (subscription.poll((buffer, offset, length, header) -> count[0]++, 256) == 0) {
                Thread.onSpinWait();
            }
        }
        return count[0];
    }

    @Test
    void shouldCloseWithoutThrowingAndKeepItsCountsWhenTheClientClosedAfterTheLastFrame() throws Exception {
        try (AeronMedia media = AeronMedia.embedded()) {
            final Subscription subscription = udpSubscription(media, 9);
            final AeronOutput output = new AeronOutput(media.aeron(), publicationChannel(subscription), 9);
            final SendLoop loop = new SendLoop("test-sender", FrameSource.cycling(new byte[][] {new byte[60]}), output,
                SendLoop.UNPACED, 2_000, 60).start();
            assertTrue(loop.await(Duration.ofSeconds(20)), "2,000 frames sent");
            assertEquals(2_000, received(subscription, 2_000), "every frame arrived before the client closed");
            media.aeron().close();
            assertDoesNotThrow(loop::close, "the drain of a closed client's publication must not throw");
            assertEquals(2_000, loop.sent(), "the frames that went out stay sent");
            assertEquals(0, loop.refused());
            assertEquals(null, loop.failure(), "the loop ended at its count, before the client closed");
        }
    }

    @Test
    void shouldEndWithAFailureNamingTheClosedClientAndNotThrowOnCloseWhenTheClientClosesWhileSending() throws Exception {
        try (AeronMedia media = AeronMedia.embedded()) {
            final Subscription subscription = udpSubscription(media, 10);
            final AeronOutput output = new AeronOutput(media.aeron(), publicationChannel(subscription), 10);
            final SendLoop loop = new SendLoop("test-sender", FrameSource.cycling(new byte[][] {new byte[60]}), output,
                new Pacer(10_000, 64), Long.MAX_VALUE, 60).start();
            assertTrue(received(subscription, 1_000) >= 1_000, "sending");
            media.aeron().close();
            assertTrue(loop.await(Duration.ofSeconds(20)), "a closed client ends the loop");
            final long sent = loop.sent();
            assertDoesNotThrow(loop::close, "the close path of a failed output must not throw");
            assertEquals(sent, loop.sent(), "the close takes nothing off: what was offered before the close went out");
            assertTrue(sent >= 1_000, "at least what arrived: " + sent);
            assertEquals(0, loop.refused(), "a closed client is a failure, not a refusal");
            assertNotNull(loop.failure(), "the loop says why it ended");
            assertTrue(loop.failure().contains("Aeron client") && loop.failure().contains("closed"),
                "names what happened: " + loop.failure());
        }
    }

    @Test
    void shouldWaitForTheCloseReasonThatTheClientGivesAfterItIsClosed() throws Exception {
        try (AeronMedia media = AeronMedia.embedded()) {
            // The close handler runs after the client reads closed: the reason is not there at the first ask.
            final AtomicInteger asks = new AtomicInteger();
            final AeronOutput output = new AeronOutput(media.aeron(), "aeron:ipc", 11,
                () -> asks.incrementAndGet() > 3 ? "the driver went" : null);
            media.aeron().close();
            assertEquals(FrameOutput.FAILED, output.send(new UnsafeBuffer(new byte[60]), 0, 60), "a closed client");
            assertEquals("the driver went", output.lastError(), "the reason the client gives once its close ends");
        }
    }

    @Test
    void shouldNameTheClosedClientWhenItClosesAfterThePublicationWithoutAReasonSupplier() throws Exception {
        try (AeronMedia media = AeronMedia.embedded()) {
            final AeronOutput output = new AeronOutput(media.aeron(), "aeron:ipc", 12);
            output.close(); // the publication reads closed before its client does, as when a client closes
            assertEquals(FrameOutput.FAILED, output.send(new UnsafeBuffer(new byte[60]), 0, 60), "a closed publication");
            final Thread asking = Thread.currentThread();
            final Thread closer = Thread.ofPlatform().start(() -> {
                // Closes the client once lastError() waits for it, whatever the machine's load (bounded: a lastError()
                // that does not wait has answered already).
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (asking.getState() != Thread.State.TIMED_WAITING && System.nanoTime() - deadline < 0) {
                    Thread.onSpinWait();
                }
                media.aeron().close();
            });
            assertEquals("the Aeron client is closed", output.lastError(), "waits for the client that is closing");
            closer.join();
        }
    }
}
