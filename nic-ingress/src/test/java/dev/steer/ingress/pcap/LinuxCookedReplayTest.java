package dev.steer.ingress.pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;
import dev.steer.ingress.TestIngress;

/**
 * Replay of Linux cooked captures ({@code tcpdump -i any}: LINUX_SLL 113, LINUX_SLL2 276) as Ethernet frames, from
 * files the test writes itself: every frame carries the expected Ethernet header and exactly the captured L3 bytes,
 * and every packet that cannot become an Ethernet II frame is counted.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LinuxCookedReplayTest {
    static final int SLL = 113;
    static final int SLL2 = 276;
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final int HOST = 0;
    private static final int BROADCAST = 1;
    private static final int OUTGOING = 4;
    private static final int ARPHRD_ETHER = 1;
    private static final int ARPHRD_LOOPBACK = 772;
    private static final byte[] NO_MAC = new byte[6];
    private static final byte[] ALL_ONES = {-1, -1, -1, -1, -1, -1};
    private static final byte[] MAC_A = {2, 0x11, 0x22, 0x33, 0x44, 0x55};
    private static final byte[] MAC_B = {2, 0x66, 0x77, (byte) 0x88, (byte) 0x99, (byte) 0xaa};

    @TempDir
    Path dir;

    /** One cooked packet as a capture holds it and the Ethernet frame the replay must make of it. */
    record Cooked(byte[] captured, byte[] frame) {
    }

    /**
     * A packet of {@code linkType} with the given cooked fields and {@code l3} after the header; {@code address} is
     * written into the 8-byte address field, {@code addressLength} stated.
     */
    static byte[] cooked(int linkType, int packetType, int arphrd, int addressLength, byte[] address, int protocol,
                         byte[] l3) {
        final ByteBuffer bytes = ByteBuffer.allocate((linkType == SLL ? 16 : 20) + l3.length)
            .order(ByteOrder.BIG_ENDIAN);
        final byte[] field = new byte[8];
        System.arraycopy(address, 0, field, 0, Math.min(8, address.length));
        if (linkType == SLL) {
            bytes.putShort((short) packetType).putShort((short) arphrd).putShort((short) addressLength).put(field)
                .putShort((short) protocol);
        } else {
            bytes.putShort((short) protocol).putShort((short) 0).putInt(7).putShort((short) arphrd)
                .put((byte) packetType).put((byte) addressLength).put(field);
        }
        return bytes.put(l3).array();
    }

    static byte[] ethernet(byte[] destination, byte[] source, int etherType, byte[] l3) {
        return ByteBuffer.allocate(14 + l3.length).put(destination).put(source).putShort((short) etherType).put(l3)
            .array();
    }

    /**
     * Packets of every shape the header can take: an incoming unicast from an Ethernet interface, a broadcast (its
     * destination is known), an outgoing one on loopback (its address is no MAC), one with no address and a VLAN
     * tag kept in the payload, one with an 8-byte address.
     */
    static List<Cooked> shapes(int linkType) {
        final List<Cooked> packets = new ArrayList<>();
        final byte[] ipv4 = PcapFeedTest.frame(1, 60);
        packets.add(new Cooked(cooked(linkType, HOST, ARPHRD_ETHER, 6, MAC_A, 0x0800, ipv4),
            ethernet(NO_MAC, MAC_A, 0x0800, ipv4)));
        final byte[] arp = PcapFeedTest.frame(2, 28);
        packets.add(new Cooked(cooked(linkType, BROADCAST, ARPHRD_ETHER, 6, MAC_B, 0x0806, arp),
            ethernet(ALL_ONES, MAC_B, 0x0806, arp)));
        final byte[] ipv6 = PcapFeedTest.frame(3, 1200);
        packets.add(new Cooked(cooked(linkType, OUTGOING, ARPHRD_LOOPBACK, 6, MAC_A, 0x86dd, ipv6),
            ethernet(NO_MAC, NO_MAC, 0x86dd, ipv6)));
        final byte[] tagged = PcapFeedTest.frame(4, 64);
        packets.add(new Cooked(cooked(linkType, HOST, ARPHRD_ETHER, 0, MAC_B, 0x8100, tagged),
            ethernet(NO_MAC, NO_MAC, 0x8100, tagged)));
        final byte[] long8 = PcapFeedTest.frame(5, 100);
        packets.add(new Cooked(cooked(linkType, HOST, ARPHRD_ETHER, 8, MAC_B, 0x0800, long8),
            ethernet(NO_MAC, NO_MAC, 0x0800, long8)));
        return packets;
    }

    static Path writeClassic(Path file, ByteOrder order, int linkType, List<Cooked> packets) {
        try (PcapWriter writer = PcapWriter.create(file, order, PcapWriter.Resolution.NANOS,
            PcapWriter.DEFAULT_SNAPLEN, linkType)) {
            long at = T0;
            for (Cooked packet : packets) {
                writer.write(packet.captured(), at += 1_000);
            }
        }
        return file;
    }

    private static List<byte[]> frames(List<Cooked> packets) {
        return packets.stream().map(Cooked::frame).toList();
    }

    @ParameterizedTest
    @CsvSource({"LITTLE_ENDIAN, 113", "BIG_ENDIAN, 113", "LITTLE_ENDIAN, 276", "BIG_ENDIAN, 276"})
    void shouldDeliverEthernetFramesWithTheCookedProtocolAndSenderWhenClassicPcapIsLinuxCooked(String orderName,
                                                                                             int linkType) {
        final ByteOrder order = orderName.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        final List<Cooked> packets = shapes(linkType);
        final Path file = writeClassic(dir.resolve("any.pcap"), order, linkType, packets);
        ReplayChecks.assertDeliversEveryFrameIntactAndInOrder(file, frames(packets), false);
        try (PcapFeed feed = new PcapFeed(PcapSettings.of(file)); TestIngress ingress = new TestIngress()) {
            ingress.drain(feed, 10);
            assertEquals(linkType == SLL ? packets.size() : 0, feed.convertedLinuxSll());
            assertEquals(linkType == SLL2 ? packets.size() : 0, feed.convertedLinuxSll2());
            assertEquals(0, feed.foreignLink() + feed.truncated() + feed.snapped());
        }
    }

    @ParameterizedTest
    @CsvSource({"113", "276"})
    void shouldCountEveryPacketThatCannotBecomeAnEthernetFrameWhenItIsShortOrItsProtocolIsNoEtherType(int linkType) {
        final int header = linkType == SLL ? 16 : 20;
        final byte[] ipv4 = PcapFeedTest.frame(1, 60);
        final byte[] llc = PcapFeedTest.frame(2, 50);
        final byte[] whole = cooked(linkType, HOST, ARPHRD_ETHER, 6, MAC_A, 0x0800, PcapFeedTest.frame(3, 100));
        final Path file = dir.resolve("drops.pcap");
        try (PcapWriter writer = PcapWriter.create(file, ByteOrder.LITTLE_ENDIAN, PcapWriter.Resolution.MICROS,
            PcapWriter.DEFAULT_SNAPLEN, linkType)) {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[2048]);
            writer.write(cooked(linkType, HOST, ARPHRD_ETHER, 6, MAC_A, 0x0800, ipv4), T0);
            // 802.2 LLC (protocol 4): no EtherType, so no Ethernet II frame.
            writer.write(cooked(linkType, HOST, ARPHRD_ETHER, 6, MAC_A, 0x0004, llc), T0 + 1);
            // Shorter than the cooked header: captured 10 bytes of a 10-byte and of a 200-byte packet.
            buffer.putBytes(0, whole, 0, 10);
            writer.write(buffer, 0, 10, 10, T0 + 2);
            writer.write(buffer, 0, 10, 200, T0 + 3);
            // The header alone: an Ethernet header alone.
            writer.write(cooked(linkType, HOST, ARPHRD_ETHER, 6, MAC_A, 0x0800, new byte[0]), T0 + 4);
            // Snapped after 30 bytes of L3: delivered as captured, counted as snapped.
            buffer.putBytes(0, whole, 0, header + 30);
            writer.write(buffer, 0, header + 30, whole.length, T0 + 5);
        }
        try (PcapFeed feed = new PcapFeed(PcapSettings.of(file)); TestIngress ingress = new TestIngress()) {
            ingress.drain(feed, 10);
            final byte[] snappedL3 = new byte[30];
            System.arraycopy(PcapFeedTest.frame(3, 100), 0, snappedL3, 0, 30);
            final List<byte[]> expected = List.of(ethernet(NO_MAC, MAC_A, 0x0800, ipv4),
                ethernet(NO_MAC, MAC_A, 0x0800, new byte[0]), ethernet(NO_MAC, MAC_A, 0x0800, snappedL3));
            assertEquals(expected.size(), ingress.frames.size());
            for (int i = 0; i < expected.size(); i++) {
                assertArrayEquals(expected.get(i), ingress.frames.get(i), "frame " + i);
            }
            assertEquals(6, ingress.get(PathCounters.Counter.RECEIVED));
            assertEquals(3, ingress.get(PathCounters.Counter.DELIVERED));
            assertEquals(3, ingress.dropped(DropReason.FEED_TRUNCATED));
            assertEquals(3, feed.records());
            assertEquals(2, feed.truncated(), "the two packets shorter than their cooked header");
            assertEquals(1, feed.foreignLink(), "the 802.2 packet");
            assertArrayEquals(new int[] {linkType}, feed.foreignLinkTypes());
            assertEquals(1, feed.snapped());
            assertEquals(3, linkType == SLL ? feed.convertedLinuxSll() : feed.convertedLinuxSll2());
            assertTrue(feed.damage().isEmpty());
        }
    }

    @ParameterizedTest
    @CsvSource({"LITTLE_ENDIAN", "BIG_ENDIAN"})
    void shouldConvertTheCookedInterfaceAndKeepTheEthernetOneWhenPcapngHasBoth(String orderName) {
        final ByteOrder order = orderName.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        final Path file = dir.resolve("mixed.pcapng");
        final List<Cooked> cookedPackets = shapes(SLL2);
        final List<byte[]> expected = new ArrayList<>();
        try (PcapngWriter writer = PcapngWriter.create(file, order)) {
            final int ether = writer.addInterface(PcapngWriter.LINKTYPE_ETHERNET, 0, PcapngWriter.TSRESOL_MICROS, 0);
            final int any = writer.addInterface(SLL2, 0, PcapngWriter.TSRESOL_NANOS, 0);
            final int v1 = writer.addInterface(SLL, 0, PcapngWriter.TSRESOL_NANOS, 0);
            long at = T0;
            for (int i = 0; i < cookedPackets.size(); i++) {
                final byte[] plain = PcapFeedTest.frame(10 + i, 64 + i);
                writer.write(ether, plain, at += 1_000);
                expected.add(plain);
                writer.write(any, cookedPackets.get(i).captured(), at += 1_000);
                expected.add(cookedPackets.get(i).frame());
            }
            final Cooked v1Packet = shapes(SLL).get(0);
            writer.write(v1, v1Packet.captured(), at + 1_000);
            expected.add(v1Packet.frame());
        }
        ReplayChecks.assertDeliversEveryFrameIntactAndInOrder(file, expected, true);
        try (PcapFeed feed = new PcapFeed(PcapSettings.of(file)); TestIngress ingress = new TestIngress()) {
            ingress.drain(feed, 10);
            assertEquals(cookedPackets.size(), feed.convertedLinuxSll2());
            assertEquals(1, feed.convertedLinuxSll());
            assertEquals(0, feed.foreignLink());
            assertArrayEquals(new int[0], feed.foreignLinkTypes());
        }
    }

    @Test
    void shouldDeliverTheSameFramesEveryPassWhenASmallCookedCaptureIsPacedAndLooped() {
        // The window holds the whole file, so the loops replay the bytes already read, and a paced packet that is not
        // due yet is found again by the next poll: neither may see a cooked header already rewritten.
        final List<Cooked> packets = shapes(SLL);
        final Path file = dir.resolve("paced.pcap");
        try (PcapWriter writer = PcapWriter.create(file, ByteOrder.LITTLE_ENDIAN, PcapWriter.Resolution.NANOS,
            PcapWriter.DEFAULT_SNAPLEN, SLL)) {
            for (int i = 0; i < packets.size(); i++) {
                writer.write(packets.get(i).captured(), T0 + i * 2_000_000L); // 2 ms apart
            }
        }
        ReplayChecks.assertReplaysEveryPassInOrder(PcapSettings.of(file).withPace(PcapSettings.Pace.CAPTURE, 1.0)
            .withLoops(3), frames(packets), 3, 100_000_000);
    }
}
