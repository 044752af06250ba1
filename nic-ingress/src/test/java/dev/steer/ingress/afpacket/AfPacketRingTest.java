package dev.steer.ingress.afpacket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.steer.engine.stats.DropReason;

/**
 * What the AF_PACKET feed makes of what the kernel writes into its ring: frames as they were on the wire (the VLAN
 * tag the kernel takes out put back), nothing the host itself sent, and nothing read through descriptors that
 * contradict their block. The damaged-ring cases write into a block the kernel has not filled and hand it to the
 * feed, playing the kernel's part.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AfPacketRingTest {
    // struct tpacket_block_desc and struct tpacket3_hdr, as the kernel lays them out.
    private static final int BLOCK_STATUS = 8;
    private static final int BLOCK_NUM_PKTS = 12;
    private static final int BLOCK_FIRST_PKT = 16;
    private static final int FIRST = 48;
    private static final int PKT_SPAN = 160;
    private static final int MAC = 80;

    @RegisterExtension
    static final VethPair veth = VethPair.perTestClass();

    @Test
    void shouldHandOverVlanTaggedFrameWithItsTagWhenTheKernelTookItOut() {
        final byte[] tagged = tagged(104, 0x8100, 0x2000 | 42);
        final byte[] qinq = tagged(80, 0x88a8, 7);
        try (AfPacketFeed feed = AfPacketFeed.open(veth.feedSettings()); AfPacketSender sender = veth.sender()) {
            assertEquals(tagged.length, sender.send(new UnsafeBuffer(tagged), 0, tagged.length), "errno " + sender.lastErrno());
            assertEquals(qinq.length, sender.send(new UnsafeBuffer(qinq), 0, qinq.length), "errno " + sender.lastErrno());
            final RecordingSink sink = new RecordingSink();
            AfPacketFeedTest.pollUntil(feed, sink, 64, () -> sink.frames.size() >= 2);
            assertEquals(2, sink.frames.size());
            assertArrayEquals(tagged, sink.frames.get(0), "802.1Q tag, priority 1, VLAN 42, back in place");
            assertArrayEquals(qinq, sink.frames.get(1), "802.1ad tag back in place with its own TPID");
            assertEquals(tagged.length + qinq.length, feed.bytes());
        }
    }

    @Test
    void shouldTagFrameOnceWhenItIsOfferedAgainAfterBackPressure() {
        try (AfPacketFeed feed = AfPacketFeed.open(veth.feedSettings()); AfPacketSender sender = veth.sender()) {
            final byte[][] sent = new byte[6][];
            for (int i = 0; i < sent.length; i++) {
                sent[i] = tagged(70 + i, 0x8100, 100 + i);
                assertEquals(sent[i].length, sender.send(new UnsafeBuffer(sent[i]), 0, sent[i].length));
            }
            final RecordingSink sink = new RecordingSink(2);
            AfPacketFeedTest.pollUntil(feed, sink, 64, () -> sink.frames.size() >= sent.length);
            assertTrue(feed.backPressured() >= 3, "every second offer was refused: " + feed.backPressured());
            assertEquals(sent.length, sink.frames.size());
            for (int i = 0; i < sent.length; i++) {
                assertArrayEquals(sent[i], sink.frames.get(i), "frame " + i + " with one tag");
            }
        }
    }

    @Test
    void shouldNotHandOverFramesWhenTheHostSendsThemOutOfTheInterface() throws Exception {
        try (VethPair own = VethPair.createOrSkip()) {
            own.namespace().addAddress(VethPair.B, "10.77.0.1/24");
            final AfPacketSettings peer = AfPacketSettings.of(VethPair.A).withNetns(own.netns()).withRing(1 << 16, 8)
                .withRetireTimeoutMs(2);
            try (AfPacketFeed feed = AfPacketFeed.open(own.feedSettings()); AfPacketFeed peerFeed = AfPacketFeed.open(peer)) {
                try (NetNamespace.Scope ignored = own.namespace().enter(); DatagramChannel channel = DatagramChannel.open()) {
                    // Nobody has 10.77.0.2: the namespace's stack sends an ARP request for it out of B.
                    channel.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), new InetSocketAddress("10.77.0.2", 9));
                }
                final RecordingSink arrived = new RecordingSink();
                AfPacketFeedTest.pollUntil(peerFeed, arrived, 64,
                    () -> arrived.frames.stream().anyMatch(f -> f.length >= 14 && f[12] == 0x08 && f[13] == 0x06));
                assertTrue(arrived.frames.stream().anyMatch(f -> f[12] == 0x08 && f[13] == 0x06), "the ARP request went out of B");
                final RecordingSink sink = new RecordingSink();
                for (int i = 0; i < 5; i++) {
                    feed.poll(sink, 64);
                }
                assertEquals(0, sink.frames.size(), () -> "frames this host sent out of B were handed over, the first "
                    + sink.frames.get(0).length + " bytes long");
                assertTrue(sink.drops.isEmpty(), () -> "no input, so no drops: " + sink.drops);
            }
        }
    }

    /**
     * A fanout member's socket is not what the kernel hooks into the interface: the group's own hook is, so the socket's
     * {@code PACKET_IGNORE_OUTGOING} does nothing there and the group must be told with
     * {@code PACKET_FANOUT_FLAG_IGNORE_OUTGOING} (Linux 6.2). Without it every frame the host sends out of the interface
     * takes ring space (and can push input into overruns), even though poll then skips it.
     */
    @ParameterizedTest
    @ValueSource(ints = {AfPacketSettings.UNIQUE_FANOUT_GROUP, 4343})
    void shouldKeepFramesTheHostSendsOutOfTheRingWhenTheFeedIsAFanoutMember(int group) throws Exception {
        // The product's own check: the test runs where the feed sets the flag, and only there.
        Assumptions.assumeTrue(RxRing.fanoutIgnoresOutgoing(RxRing.KERNEL_RELEASE),
            () -> "PACKET_FANOUT_FLAG_IGNORE_OUTGOING needs Linux 6.2, this is " + RxRing.KERNEL_RELEASE);
        try (VethPair own = VethPair.createOrSkip()) {
            own.namespace().addAddress(VethPair.B, "10.77.0.1/24");
            final AfPacketSettings peer = AfPacketSettings.of(VethPair.A).withNetns(own.netns()).withRing(1 << 16, 8)
                .withRetireTimeoutMs(2);
            final List<AfPacketFeed> queues = AfPacketFeed.openQueues("afpacket:" + VethPair.B,
                own.feedSettings().withFanout(group, AfPacketSettings.FanoutMode.HASH).withStatsInterval(1), 2);
            try (AfPacketFeed peerFeed = AfPacketFeed.open(peer)) {
                try (NetNamespace.Scope ignored = own.namespace().enter(); DatagramChannel channel = DatagramChannel.open()) {
                    // Nobody has 10.77.0.x: the namespace's stack sends ARP requests for them out of B.
                    for (int host = 2; host < 6; host++) {
                        channel.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), new InetSocketAddress("10.77.0." + host, 9));
                    }
                }
                final RecordingSink arrived = new RecordingSink();
                AfPacketFeedTest.pollUntil(peerFeed, arrived, 64,
                    () -> arrived.frames.stream().filter(f -> f.length >= 14 && f[12] == 0x08 && f[13] == 0x06).count() >= 4);
                assertTrue(arrived.frames.stream().filter(f -> f[12] == 0x08 && f[13] == 0x06).count() >= 4,
                    "the ARP requests went out of B");
                final RecordingSink sink = new RecordingSink();
                for (int i = 0; i < 20; i++) {
                    for (AfPacketFeed queue : queues) {
                        queue.poll(sink, 64);
                    }
                    AfPacketFeedTest.pause();
                }
                assertEquals(0, sink.frames.size(), "nothing the host sent is handed over");
                for (AfPacketFeed queue : queues) {
                    assertEquals(0, queue.outgoing(), queue.name() + ": frames the host sent out of B reached the ring");
                    assertEquals(0, queue.statistics().packets(), queue.name() + ": packets the kernel gave the socket");
                }
            } finally {
                queues.forEach(AfPacketFeed::close);
            }
        }
    }

    @Test
    void shouldJoinAGroupWhenAnotherProgramStartedItWithoutLeavingOutgoingFramesOut() throws Exception {
        final int group = 4344;
        final PacketSocket other;
        try (NetNamespace.Scope ignored = veth.namespace().enter()) {
            // The other program: a member of the group with the mode and no flag (the socket closes itself on failure).
            other = new PacketSocket(VethPair.B, veth.netns(), Libc.SOCK_NONBLOCK);
            other.resolveInterface();
            other.bind(Libc.ETH_P_ALL);
            other.setInt(Libc.PACKET_FANOUT, group | AfPacketSettings.FanoutMode.HASH.kernelValue() << 16,
                "the other program's PACKET_FANOUT, without PACKET_FANOUT_FLAG_IGNORE_OUTGOING");
        }
        try {
            try (AfPacketFeed feed = AfPacketFeed.open(veth.feedSettings().withFanout(group, AfPacketSettings.FanoutMode.HASH))) {
                assertEquals(group, feed.fanoutGroup());
            }
        } finally {
            other.close();
        }
    }

    /**
     * A kernel that reads below 6.2 may still have started a group with {@code PACKET_FANOUT_FLAG_IGNORE_OUTGOING} (a
     * distro kernel with the flag backported, another program, an older build of this feed): the feed then joins with
     * the flag once the join without it is refused. Forced through the release the feed decides by, on a kernel that
     * knows the flag.
     */
    @Test
    void shouldJoinAGroupStartedWithTheFlagWhenTheKernelReadsBelow62() throws Exception {
        Assumptions.assumeTrue(RxRing.fanoutIgnoresOutgoing(RxRing.KERNEL_RELEASE),
            () -> "starting a group with PACKET_FANOUT_FLAG_IGNORE_OUTGOING needs Linux 6.2, this is "
                + RxRing.KERNEL_RELEASE);
        final int group = 4345;
        final int mode = AfPacketSettings.FanoutMode.HASH.kernelValue();
        final AfPacketSettings settings = veth.feedSettings().withFanout(group, AfPacketSettings.FanoutMode.HASH);
        try (NetNamespace.Scope ignored = veth.namespace().enter()) {
            // The group's first member, with the flag (the socket closes itself on failure).
            final PacketSocket other = new PacketSocket(VethPair.B, veth.netns(), Libc.SOCK_NONBLOCK);
            try {
                other.resolveInterface();
                other.bind(Libc.ETH_P_ALL);
                other.setInt(Libc.PACKET_FANOUT, group | (mode | Libc.PACKET_FANOUT_FLAG_IGNORE_OUTGOING) << 16,
                    "the first member's PACKET_FANOUT, with PACKET_FANOUT_FLAG_IGNORE_OUTGOING");
                final RxRing ring = RxRing.open(settings, "6.1.0-18-amd64");
                try {
                    assertEquals(group, ring.fanoutGroup());
                } finally {
                    ring.close();
                }
            } finally {
                other.close();
            }
        }
    }

    @Test
    void shouldGiveBlockBackWhenItsFirstPacketLiesOutsideIt() {
        try (AfPacketFeed feed = AfPacketFeed.open(untouchedRing())) {
            final UnsafeBuffer ring = feed.ring();
            final int blockSize = feed.settings().blockSize();
            for (int first : new int[] {blockSize - 8, ring.capacity(), -64, 0}) {
                final int base = blockUnderTest(feed);
                ring.putInt(base + BLOCK_NUM_PKTS, 1);
                ring.putInt(base + BLOCK_FIRST_PKT, first);
                ring.putIntRelease(base + BLOCK_STATUS, 1);
                final RecordingSink sink = new RecordingSink();
                feed.poll(sink, 64);
                assertTrue(sink.frames.isEmpty(), "nothing handed over from outside the block, first=" + first);
                assertEquals(1, sink.dropped(DropReason.FEED_TRUNCATED), "the block's one packet counted, first=" + first);
                assertEquals(0, ring.getIntVolatile(base + BLOCK_STATUS), "block given back, first=" + first);
            }
            assertEquals(4, feed.damagedBlocks());
            assertEquals(4, feed.truncated());
        }
    }

    @Test
    void shouldHandOverPacketOnceWhenTheNextOffsetDoesNotMoveOn() {
        try (AfPacketFeed feed = AfPacketFeed.open(untouchedRing())) {
            final UnsafeBuffer ring = feed.ring();
            final int base = blockUnderTest(feed);
            ring.putInt(base + BLOCK_NUM_PKTS, 3);
            ring.putInt(base + BLOCK_FIRST_PKT, FIRST);
            writePacket(ring, base + FIRST, 0, 60, 7); // tp_next_offset 0: the next packet would be this one again
            ring.putIntRelease(base + BLOCK_STATUS, 1);
            final RecordingSink sink = new RecordingSink();
            feed.poll(sink, 64);
            assertEquals(1, sink.frames.size(), "the one packet in the block, handed over once");
            assertEquals(7, sink.frames.get(0)[0]);
            assertEquals(2, sink.dropped(DropReason.FEED_TRUNCATED), "the two packets the block claims beyond it");
            assertEquals(1, feed.damagedBlocks());
            assertEquals(0, ring.getIntVolatile(base + BLOCK_STATUS), "block given back");
        }
    }

    @Test
    void shouldCountPacketsOnceWhenABlockClaimsMoreThanItCanHold() {
        try (AfPacketFeed feed = AfPacketFeed.open(untouchedRing())) {
            final UnsafeBuffer ring = feed.ring();
            final int blockSize = feed.settings().blockSize();
            final int base = blockUnderTest(feed);
            ring.putInt(base + BLOCK_NUM_PKTS, Integer.MAX_VALUE);
            ring.putInt(base + BLOCK_FIRST_PKT, FIRST);
            writePacket(ring, base + FIRST, PKT_SPAN, 60, 1);
            ring.putIntRelease(base + BLOCK_STATUS, 1);
            final RecordingSink sink = new RecordingSink();
            feed.poll(sink, 64);
            assertTrue(sink.frames.isEmpty());
            final long counted = sink.dropped(DropReason.FEED_TRUNCATED);
            assertTrue(counted > 0 && counted <= blockSize / 68, "at most as many packets as the block can hold: " + counted);
        }
    }

    @Test
    void shouldGiveRestOfBlockBackWhenAPacketRunsPastItsEnd() {
        try (AfPacketFeed feed = AfPacketFeed.open(untouchedRing())) {
            final UnsafeBuffer ring = feed.ring();
            final int blockSize = feed.settings().blockSize();
            final int base = blockUnderTest(feed);
            ring.putInt(base + BLOCK_NUM_PKTS, 3);
            ring.putInt(base + BLOCK_FIRST_PKT, FIRST);
            writePacket(ring, base + FIRST, PKT_SPAN, 60, 1);
            writePacket(ring, base + FIRST + PKT_SPAN, PKT_SPAN, blockSize, 2); // snaplen past the block's end
            writePacket(ring, base + FIRST + 2 * PKT_SPAN, 0, 60, 3);
            ring.putIntRelease(base + BLOCK_STATUS, 1);
            final RecordingSink sink = new RecordingSink();
            feed.poll(sink, 64);
            assertEquals(1, sink.frames.size(), "the packet before the damage");
            assertEquals(1, sink.frames.get(0)[0]);
            assertEquals(2, sink.dropped(DropReason.FEED_TRUNCATED), "the damaged packet and the one behind it");
            assertEquals(1, feed.packets());
        }
    }

    /**
     * Settings whose retire timeout outlasts the test: the block the tests write into is the one the kernel has open,
     * and its timer would otherwise retire it (with the packet count the test wrote) while the test runs.
     */
    private static AfPacketSettings untouchedRing() {
        return veth.feedSettings().withRetireTimeoutMs(AfPacketSettings.MAX_RETIRE_TIMEOUT_MS);
    }

    /** The block the feed reads next, which the kernel has not filled (no traffic reaches B in these tests). */
    private static int blockUnderTest(AfPacketFeed feed) {
        final int released = (int) (feed.blocksReleased() % feed.settings().blockCount());
        return released * feed.settings().blockSize();
    }

    /** A tpacket3_hdr at {@code at} for a packet of {@code length} bytes at MAC offset 80, its first byte {@code mark}. */
    private static void writePacket(UnsafeBuffer ring, int at, int nextOffset, int length, int mark) {
        ring.putInt(at, nextOffset);
        ring.putInt(at + 12, length);
        ring.putInt(at + 16, length);
        ring.putInt(at + 20, 1);
        ring.putShort(at + 24, (short) MAC);
        ring.putByte(at + 48 + 10, (byte) 0); // sll_pkttype PACKET_HOST
        if (length <= PKT_SPAN - MAC) {
            ring.setMemory(at + MAC, length, (byte) 0);
            ring.putByte(at + MAC, (byte) mark);
        }
    }

    /** A frame of {@code length} bytes with a VLAN tag (TPID, TCI) behind its MAC addresses and a recognisable payload. */
    private static byte[] tagged(int length, int tpid, int tci) {
        final byte[] frame = new byte[length];
        for (int i = 0; i < 6; i++) {
            frame[i] = (byte) 0xff;
            frame[6 + i] = (byte) (0x02 + i);
        }
        frame[12] = (byte) (tpid >>> 8);
        frame[13] = (byte) tpid;
        frame[14] = (byte) (tci >>> 8);
        frame[15] = (byte) tci;
        frame[16] = 0x08;
        frame[17] = 0x00;
        for (int i = 18; i < length; i++) {
            frame[i] = (byte) (i * 31);
        }
        return frame;
    }
}
