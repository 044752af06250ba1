package dev.steer.ingress.afpacket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.steer.engine.frame.FramePool;
import dev.steer.engine.path.Feed;
import dev.steer.ingress.config.FeedConfig;

/**
 * An interface whose MTU lets in frames larger than a pool frame holds (jumbo frames, MTU 9000 on the test's veth pair)
 * is said before the run: every such frame is an oversize drop, which otherwise shows only in the summary.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AfPacketMtuTest {
    @RegisterExtension
    static final VethPair veth = VethPair.perTestClass();

    @Test
    void shouldWarnNamingTheMtuAndThePoolFrameWhenTheInterfaceCarriesFramesNoPoolFrameHolds() {
        try (AfPacketFeed feed = AfPacketFeed.open(veth.feedSettings())) {
            final String warning = feed.mtuWarning(2048, 256);
            assertNotNull(warning, "MTU 9000 lets in 9018-byte frames, a pool frame holds 1792 bytes");
            assertTrue(warning.startsWith("AF_PACKET " + VethPair.B + " (netns " + veth.netns() + "): "), warning);
            assertTrue(warning.contains("MTU 9000") && warning.contains("9018 bytes")
                && warning.contains("2048 - headroom 256 = 1792 bytes") && warning.contains("oversize")
                && warning.contains("steer.engine.pool.frame-size = 9280"), warning);
            assertNotNull(feed.mtuWarning(9216, 256), "8960 bytes of room are still 58 too few");
            assertNull(feed.mtuWarning(9280, 256), "9024 bytes of room hold every frame the MTU lets in");
        }
    }

    @Test
    void shouldProposeNoFrameSizeAboveTheLargestAllowedWhenTheMtuLetsInFramesNoPoolFrameCanHold() {
        // The namespace's loopback has MTU 65536: 65554-byte frames, more than the largest pool frame (65536) holds.
        try (AfPacketFeed feed = AfPacketFeed.open("afpacket:lo", AfPacketSettings.of("lo").withNetns(veth.netns())
            .withRing(1 << 16, 8).withRetireTimeoutMs(2))) {
            assertEquals(65536, feed.mtu());
            final String warning = feed.mtuWarning(2048, 256);
            assertNotNull(warning, "a pool frame holds 1792 bytes");
            final Matcher proposed = Pattern.compile("frame-size = (\\d+)").matcher(warning);
            while (proposed.find()) {
                assertTrue(FramePool.Context.validFrameSize(Integer.parseInt(proposed.group(1))),
                    "the proposed frame-size must be one steer accepts: " + warning);
            }
            assertTrue(warning.contains("at most " + FramePool.Context.MAX_FRAME_SIZE) && warning.contains("mtu 65262"),
                "names the limit and the MTU whose frames fit it: " + warning);
        }
    }

    @Test
    void shouldReceiveAFrameAsLargeAsTheWarningSaysWhenItCarriesAVlanTagAtTheMtu() {
        final int length = VethPair.MTU + 18;
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[length]);
        TestFrames.write(frame, length, 1, 0);
        frame.putBytes(16, new UnsafeBuffer(frame.byteArray().clone()), 12, length - 16);
        frame.putShort(12, (short) 0x8100, ByteOrder.BIG_ENDIAN);
        frame.putShort(14, (short) 42, ByteOrder.BIG_ENDIAN);
        try (AfPacketFeed feed = AfPacketFeed.open(veth.feedSettings()); AfPacketSender sender = veth.sender()) {
            assertEquals(length, sender.send(frame, 0, length), "errno " + sender.lastErrno());
            final RecordingSink sink = new RecordingSink();
            AfPacketFeedTest.pollUntil(feed, sink, 64, () -> !sink.frames.isEmpty());
            assertEquals(1, sink.frames.size());
            assertEquals(length, sink.frames.get(0).length, "MTU + Ethernet header + VLAN tag");
        }
    }

    @Test
    void shouldSayTheMtuOnceForAllTheQueuesWhenTheyShareTheInterface() {
        final List<AfPacketFeed> queues = AfPacketFeed.openQueues("afpacket:" + VethPair.B, veth.feedSettings()
            .withFanout(AfPacketSettings.UNIQUE_FANOUT_GROUP, AfPacketSettings.FanoutMode.HASH), 2);
        try (FeedConfig.Opened opened = new FeedConfig.Opened(List.<Feed>copyOf(queues), List.of(), null)) {
            final List<String> warnings = opened.warnings(2048, 256);
            assertEquals(1, warnings.size(), warnings.toString());
            assertEquals(queues.get(0).mtuWarning(2048, 256), warnings.get(0));
            assertEquals(List.of(), opened.warnings(16384, 256), "frames up to 16128 bytes fit");
        }
    }
}
