package dev.steer.ingress.afpacket;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A feed on an interface that is down (or up without a carrier) opens, says so in {@link AfPacketFeed#linkWarning()},
 * and receives once the link comes up; so do the queues of a fanout group. Each test owns a veth pair in a namespace it
 * creates.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AfPacketLinkStateTest {
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[2048]);

    private static void link(VethPair veth, String iface, String state) throws Exception {
        AfPacketLifecycleTest.run("ip", "-n", veth.netns(), "link", "set", "dev", iface, state);
    }

    @Test
    void shouldOpenAndWarnNamingTheInterfaceWhenItIsDownThenReceiveOnceItIsUp() throws Exception {
        try (VethPair veth = VethPair.createOrSkip()) {
            link(veth, VethPair.B, "down");
            try (AfPacketFeed feed = AfPacketFeed.open(veth.feedSettings());
                 AfPacketSender sender = veth.sender()) {
                final String warning = feed.linkWarning();
                assertNotNull(warning, "a down interface is named");
                assertTrue(warning.contains("AF_PACKET " + VethPair.B + " (netns " + veth.netns() + ")")
                    && warning.contains("the interface is down")
                    && warning.contains("ip -n " + veth.netns() + " link set " + VethPair.B + " up"), warning);

                link(veth, VethPair.B, "up");
                final RecordingSink sink = new RecordingSink();
                TestFrames.write(frame, 100, 1, 0);
                // The veth's carrier follows the peer's state a moment later: send until one frame arrives.
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (sink.marked() == 0 && System.nanoTime() < deadline) {
                    sender.send(frame, 0, 100);
                    AfPacketFeedTest.pollUntil(feed, sink, 64, () -> sink.marked() > 0);
                }
                assertTrue(sink.marked() > 0, "the feed receives once the interface is up");
                assertNull(feed.linkWarning(), "up and running: nothing to say");
            }
        }
    }

    @Test
    void shouldWarnOfNoCarrierWhenTheInterfaceIsUpButItsPeerIsDown() throws Exception {
        try (VethPair veth = VethPair.createOrSkip(); AfPacketFeed feed = AfPacketFeed.open(veth.feedSettings())) {
            assertNull(feed.linkWarning(), "both ends up");
            link(veth, VethPair.A, "down");
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (feed.linkWarning() == null && System.nanoTime() < deadline) {
                AfPacketFeedTest.pause(); // the carrier goes a moment after the peer
            }
            final String warning = feed.linkWarning();
            assertNotNull(warning, "an interface without a carrier is named");
            assertTrue(warning.contains(VethPair.B) && warning.contains("no carrier"), warning);
            feed.close();
            assertNull(feed.linkWarning(), "a closed feed says nothing");
        }
    }

    @Test
    void shouldOpenEveryQueueOfAFanoutGroupAndWarnWhenTheInterfaceIsDown() throws Exception {
        try (VethPair veth = VethPair.createOrSkip()) {
            link(veth, VethPair.B, "down");
            final java.util.List<AfPacketFeed> queues = AfPacketFeed.openQueues("afpacket:" + VethPair.B,
                veth.feedSettings().withFanout(AfPacketSettings.UNIQUE_FANOUT_GROUP, AfPacketSettings.FanoutMode.HASH), 2);
            try {
                for (AfPacketFeed queue : queues) {
                    assertNotNull(queue.linkWarning(), queue.name());
                    assertTrue(queue.linkWarning().contains("the interface is down"), queue.linkWarning());
                }
            } finally {
                queues.forEach(AfPacketFeed::close);
            }
        }
    }
}
