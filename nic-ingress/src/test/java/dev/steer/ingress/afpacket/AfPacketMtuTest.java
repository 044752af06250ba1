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
            assertNotNull(warning, "MTU 9000 lets in 9022-byte frames, a pool frame holds 1792 bytes");
            assertTrue(warning.startsWith("AF_PACKET " + VethPair.B + " (netns " + veth.netns() + "): "), warning);
            assertTrue(warning.contains("MTU 9000") && warning.contains("9022 bytes (9014 and two VLAN tags)")
                && warning.contains("2048 - headroom 256 = 1792 bytes") && warning.contains("oversize")
                && warning.contains("steer.engine.pool.frame-size = 9280"), warning);
            assertNotNull(feed.mtuWarning(9216, 256), "8960 bytes of room are still 62 too few");
            assertNull(feed.mtuWarning(9280, 256), "9024 bytes of room hold every frame the MTU lets in");
        }
    }

    @Test
    void shouldProposeNoFrameSizeAboveTheLargestAllowedWhenTheMtuLetsInFramesNoPoolFrameCanHold() {
        // The namespace's loopback has MTU 65536: 65558-byte frames, more than the largest pool frame (65536) holds.
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
            assertTrue(warning.contains("at most " + FramePool.Context.MAX_FRAME_SIZE) && warning.contains("mtu 65258"),
                "names the limit and the MTU whose frames fit it: " + warning);
        }
    }

    @Test
    void shouldReceiveMtuPlus18BytesWhenAFrameCarriesOneVlanTagAtTheMtu() {
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

    /**
     * A double-tagged (QinQ) frame whose outer tag the kernel holds out of band (here a bridge's port took it out on
     * receipt; a NIC's VLAN offload does the same) passes a veth of MTU 9000 with 9018 bytes besides that tag; the
     * kernel reports the outer tag in the packet's header and the feed puts it back in front of the inner one, so
     * MTU + 22 bytes reach the sink, as many as the warning counts.
     */
    @Test
    void shouldReceiveAFrameAsLargeAsTheWarningSaysWhenItCarriesTwoVlanTagsAtTheMtu() throws Exception {
        final String x = "steer-x";
        final String bridge = "steer-br";
        veth.namespace().addVethPair(x, "steer-xp", VethPair.MTU + 4);
        try {
            AfPacketLifecycleTest.run("ip", "-n", veth.netns(), "link", "add", "name", bridge, "type", "bridge");
            AfPacketLifecycleTest.run("ip", "-n", veth.netns(), "link", "set", "dev", "steer-xp", "master", bridge);
            AfPacketLifecycleTest.run("ip", "-n", veth.netns(), "link", "set", "dev", VethPair.A, "master", bridge);
            AfPacketLifecycleTest.run("ip", "-n", veth.netns(), "link", "set", "dev", bridge, "up");
            final int length = VethPair.MTU + 22;
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[length]);
            TestFrames.write(frame, length, 1, 0);
            frame.putBytes(20, new UnsafeBuffer(frame.byteArray().clone()), 12, length - 20);
            frame.putInt(12, 0x8100_0064, ByteOrder.BIG_ENDIAN);
            frame.putInt(16, 0x8100_002a, ByteOrder.BIG_ENDIAN);
            try (AfPacketFeed feed = AfPacketFeed.open(veth.feedSettings());
                 AfPacketSender sender = AfPacketSender.open(veth.netns(), x)) {
                assertEquals(length, sender.send(frame, 0, length), "errno " + sender.lastErrno());
                final RecordingSink sink = new RecordingSink();
                AfPacketFeedTest.pollUntil(feed, sink, 64, () -> sink.frames.stream().anyMatch(f -> doubleTagged(f)));
                final byte[] received = sink.frames.stream().filter(f -> doubleTagged(f)).findFirst().orElseThrow();
                assertEquals(length, received.length, "MTU + Ethernet header + two VLAN tags, the outer one put back");
                final String warning = feed.mtuWarning(length + 256 - 1, 256);
                assertNotNull(warning, "a room of MTU + 21 bytes is one byte short");
                assertTrue(warning.contains("frames of up to " + length + " bytes"), warning);
                assertNull(feed.mtuWarning(length + 256, 256), "a room of MTU + 22 bytes holds them");
            }
        } finally {
            AfPacketLifecycleTest.run("ip", "-n", veth.netns(), "link", "del", "dev", bridge);
            AfPacketLifecycleTest.run("ip", "-n", veth.netns(), "link", "del", "dev", x);
        }
    }

    /** Whether {@code frame} carries the outer tag 100 and the inner tag 42 of the double-tagged test frame. */
    private static boolean doubleTagged(byte[] frame) {
        final UnsafeBuffer buffer = new UnsafeBuffer(frame);
        return frame.length >= 20 && buffer.getInt(12, ByteOrder.BIG_ENDIAN) == 0x8100_0064
            && buffer.getInt(16, ByteOrder.BIG_ENDIAN) == 0x8100_002a;
    }

    /**
     * MTU 9004: a 9280-byte pool frame with headroom 256 holds the 9022 bytes of a frame with one VLAN tag but not the
     * 9026 of a double-tagged one; the warning names the larger and the frame-size that holds it, 9344.
     */
    @Test
    void shouldWarnWhenAPoolFrameHoldsAFrameWithOneVlanTagButNotOneWithTwoAtTheMtu() throws Exception {
        final String a = "steer-qa";
        final String b = "steer-qb";
        veth.namespace().addVethPair(a, b, 9004);
        try (AfPacketFeed feed = AfPacketFeed.open("afpacket:" + b, AfPacketSettings.of(b).withNetns(veth.netns())
            .withRing(1 << 16, 8).withRetireTimeoutMs(2))) {
            assertEquals(9004, feed.mtu());
            final String warning = feed.mtuWarning(9280, 256);
            assertNotNull(warning, "9024 bytes of room hold 9022 but not 9026");
            assertTrue(warning.contains("MTU 9004 lets in frames of up to 9026 bytes (9018 and two VLAN tags)")
                && warning.contains("9280 - headroom 256 = 9024 bytes")
                && warning.contains("steer.engine.pool.frame-size = 9344"), warning);
            assertNull(feed.mtuWarning(9344, 256), "9088 bytes of room hold every frame the MTU lets in");
        } finally {
            AfPacketLifecycleTest.run("ip", "-n", veth.netns(), "link", "del", "dev", a);
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
