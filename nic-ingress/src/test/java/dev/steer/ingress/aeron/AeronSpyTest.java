package dev.steer.ingress.aeron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.steer.engine.stats.PathCounters;
import dev.steer.ingress.TestIngress;

/**
 * A feed on a spy subscription ({@code aeron-spy:aeron:udp?...}), which reads a UDP publication of its own media
 * driver from the publication's log: how a user taps traffic an application of an existing Aeron deployment publishes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AeronSpyTest {
    @RegisterExtension
    static final EmbeddedMediaPerClass driver = new EmbeddedMediaPerClass();

    @Test
    void shouldReceiveWhatAUdpPublicationOfItsDriverSendsWhenTheChannelIsASpy() {
        final Aeron aeron = driver.media().aeron();
        // The publication's own receiver, which connects it; the spy reads beside it.
        try (Subscription receiver = aeron.addSubscription("aeron:udp?endpoint=127.0.0.1:0", 31);
             TestIngress ingress = new TestIngress()) {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (receiver.resolvedEndpoint() == null) {
                assertTrue(System.nanoTime() < deadline, "receiver bound no port");
                LockSupport.parkNanos(1_000_000);
            }
            final String channel = "aeron:udp?endpoint=" + receiver.resolvedEndpoint();
            try (AeronFeed feed = new AeronFeed(driver.media(),
                     new AeronFeed.Settings("aeron-spy:" + channel, 31, AeronFeed.Mode.DROP));
                 Publication publication = aeron.addPublication(feed.publicationChannel(), 31)) {
                assertEquals(channel, feed.publicationChannel(), "a publisher sends on the channel spied on");
                while (!publication.isConnected() || !feed.isConnected()) {
                    assertTrue(System.nanoTime() < deadline, "publication and spy did not connect");
                    LockSupport.parkNanos(1_000_000);
                }
                final UnsafeBuffer frame = new UnsafeBuffer(new byte[60]);
                for (int seq = 0; seq < 100; seq++) {
                    frame.putInt(14, seq);
                    while (publication.offer(frame, 0, 60) < 0) {
                        assertTrue(System.nanoTime() < deadline, "offer of " + seq);
                        Thread.onSpinWait();
                    }
                }
                while (ingress.get(PathCounters.Counter.RECEIVED) < 100) {
                    assertTrue(System.nanoTime() < deadline,
                        "spy received " + ingress.get(PathCounters.Counter.RECEIVED));
                    ingress.poll(feed);
                }
                assertEquals(100, ingress.delivered);
                for (int seq = 0; seq < 100; seq++) {
                    assertEquals(seq, new UnsafeBuffer(ingress.frames.get(seq)).getInt(14),
                        "frame " + seq + " in order");
                }
            }
        }
    }

    @Test
    void shouldRefuseASpyOnPortZeroNamingTheChannelWhenItsSettingsAreMade() {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> new AeronFeed.Settings("aeron-spy:aeron:udp?endpoint=127.0.0.1:0", 31, AeronFeed.Mode.DROP));
        assertEquals("aeron channel='aeron-spy:aeron:udp?endpoint=127.0.0.1:0': a spy reads a publication of its own"
            + " media driver, which sends to an endpoint it names: a spy's endpoint needs a port 1..65535 (port 0, a"
            + " port the media driver chooses, is for a subscription that receives)", error.getMessage());
    }

    @Test
    void shouldRefuseASpyWhoseMediaIsNotUdpNamingTheChannelWhenItsSettingsAreMade() {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> new AeronFeed.Settings("aeron-spy:aeron:ipc", 31, AeronFeed.Mode.DROP));
        assertEquals("aeron channel='aeron-spy:aeron:ipc': a spy reads a UDP publication of its own media driver;"
            + " media ipc has none to spy on: spy on aeron-spy:aeron:udp?endpoint=HOST:PORT, or subscribe to an IPC"
            + " publication's channel (aeron:ipc) itself", error.getMessage());
    }
}
