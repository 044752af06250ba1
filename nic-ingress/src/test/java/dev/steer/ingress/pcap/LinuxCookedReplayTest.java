package dev.steer.ingress.pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
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
    private static final int MULTICAST = 2;
    private static final int OUTGOING = 4;
    private static final int ARPHRD_ETHER = 1;
    private static final int ARPHRD_LOOPBACK = 772;
    private static final byte[] NO_MAC = new byte[6];
    private static final byte[] ALL_ONES = {-1, -1, -1, -1, -1, -1};
    private static final byte[] MAC_A = {2, 0x11, 0x22, 0x33, 0x44, 0x55};
    private static final byte[] MAC_B = {2, 0x66, 0x77, (byte) 0x88, (byte) 0x99, (byte) 0xaa};
    /** The Ethernet group bit alone: a multicast destination whose group the frame does not tell. */
    private static final byte[] GROUP_BIT = {1, 0, 0, 0, 0, 0};

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
        packets.add(onEthernet(linkType, HOST, MAC_A, 0x0800, ipv4, NO_MAC));
        final byte[] arp = PcapFeedTest.frame(2, 28);
        packets.add(onEthernet(linkType, BROADCAST, MAC_B, 0x0806, arp, ALL_ONES));
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

    /**
     * A packet of {@code linkType} the kernel saw as {@code packetType} on an Ethernet device of MAC {@code source},
     * and the frame it must become: {@code destination}, {@code source}, {@code etherType}, {@code l3}.
     */
    private static Cooked onEthernet(int linkType, int packetType, byte[] source, int etherType, byte[] l3,
        byte[] destination) {
        return new Cooked(cooked(linkType, packetType, ARPHRD_ETHER, 6, source, etherType, l3),
            ethernet(destination, source, etherType, l3));
    }

    /**
     * Writes {@code packets} to {@code name} and then one more, of {@code packetType} on MAC_A, whose IPv4 packet
     * {@code snappedL3} is captured only to 18 bytes of its header, and checks that the replay delivers every frame of
     * {@code packets}, then the snapped one with {@code snappedDestination}.
     */
    private void assertReplaysWithOneSnapped(int linkType, String name, List<Cooked> packets, int packetType,
        byte[] snappedL3, byte[] snappedDestination) {
        final int header = linkType == SLL ? 16 : 20;
        final Path file = dir.resolve(name);
        final List<byte[]> expected = new ArrayList<>(frames(packets));
        try (PcapWriter writer = PcapWriter.create(file, ByteOrder.LITTLE_ENDIAN, PcapWriter.Resolution.NANOS,
            PcapWriter.DEFAULT_SNAPLEN, linkType)) {
            long at = T0;
            for (Cooked packet : packets) {
                writer.write(packet.captured(), at += 1_000);
            }
            final byte[] snapped = cooked(linkType, packetType, ARPHRD_ETHER, 6, MAC_A, 0x0800, snappedL3);
            writer.write(new UnsafeBuffer(snapped), 0, header + 18, snapped.length, at + 1_000);
            expected.add(ethernet(snappedDestination, MAC_A, 0x0800, Arrays.copyOfRange(snapped, header, header + 18)));
        }
        ReplayChecks.assertDeliversEveryFrameIntactAndInOrder(file, expected, false);
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
    @CsvSource({"113", "276"})
    void shouldShrinkTheWireLengthByTheHeaderDifferenceWhenAPacketIsShorterThanItsCookedHeader(int linkType)
        throws IOException {
        final int shrink = linkType == SLL ? 2 : 6;
        final byte[] whole = cooked(linkType, HOST, ARPHRD_ETHER, 6, MAC_A, 0x0800, PcapFeedTest.frame(3, 100));
        final Path file = dir.resolve("short.pcap");
        try (PcapWriter writer = PcapWriter.create(file, ByteOrder.LITTLE_ENDIAN, PcapWriter.Resolution.MICROS,
            PcapWriter.DEFAULT_SNAPLEN, linkType)) {
            final UnsafeBuffer buffer = new UnsafeBuffer(whole);
            writer.write(buffer, 0, 10, 200, T0);
            writer.write(buffer, 0, 10, 10, T0 + 1);
            writer.write(buffer, 0, whole.length, whole.length, T0 + 2);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            final CaptureWindow window = new CaptureWindow(channel, PcapSettings.MIN_WINDOW_BYTES);
            window.refill();
            window.position = PcapFormat.FILE_HEADER_LENGTH;
            final ClassicPcapReader reader = new ClassicPcapReader(window, ByteOrder.LITTLE_ENDIAN, 1000,
                PcapWriter.DEFAULT_SNAPLEN, 0, linkType);
            final long[] wire = {200, 10, whole.length};
            final int[] captured = {0, 0, whole.length - shrink};
            for (int i = 0; i < wire.length; i++) {
                assertEquals(CaptureReader.PACKET, reader.next(), "packet " + i);
                assertEquals(captured[i], reader.capturedLength, "captured length of packet " + i);
                assertEquals(wire[i] - shrink, reader.originalLength, "wire length of packet " + i);
                reader.consume();
            }
            assertEquals(CaptureReader.END_OF_FILE, reader.next());
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

    /** {@code length} bytes of an IPv4 packet (version 4, IHL 5) to {@code a.b.c.d}, the other bytes patterned. */
    static byte[] ipv4To(int length, int a, int b, int c, int d) {
        final byte[] packet = PcapFeedTest.frame(7, length);
        packet[0] = 0x45;
        final byte[] destination = {(byte) a, (byte) b, (byte) c, (byte) d};
        System.arraycopy(destination, 0, packet, 16, Math.max(0, Math.min(4, length - 16)));
        return packet;
    }

    /** {@code length} bytes of an IPv6 packet to {@code destination} (16 bytes), the other bytes patterned. */
    static byte[] ipv6To(int length, byte[] destination) {
        final byte[] packet = PcapFeedTest.frame(8, length);
        packet[0] = 0x60;
        System.arraycopy(destination, 0, packet, 24, Math.max(0, Math.min(16, length - 24)));
        return packet;
    }

    static byte[] ipv6Address(int first, int second, int... last) {
        final byte[] address = new byte[16];
        address[0] = (byte) first;
        address[1] = (byte) second;
        for (int i = 0; i < last.length; i++) {
            address[16 - last.length + i] = (byte) last[i];
        }
        return address;
    }

    static byte[] mac(int... bytes) {
        final byte[] mac = new byte[6];
        for (int i = 0; i < 6; i++) {
            mac[i] = (byte) bytes[i];
        }
        return mac;
    }

    @ParameterizedTest
    @CsvSource({"113", "276"})
    void shouldMapTheGroupIntoTheDestinationMacWhenTheKernelSawAMulticastAndItsL3HeaderIsCaptured(int linkType) {
        final List<Cooked> packets = new ArrayList<>();
        // IPv4 (RFC 1112): 01:00:5e and the low 23 bits of the group; the top bit of the second byte is not mapped.
        final byte[] group4 = ipv4To(60, 239, 0x81, 2, 3);
        packets.add(onEthernet(linkType, MULTICAST, MAC_A, 0x0800, group4, mac(1, 0, 0x5e, 1, 2, 3)));
        final byte[] headerOnly4 = ipv4To(20, 224, 0, 0, 0xfb);
        packets.add(onEthernet(linkType, MULTICAST, MAC_A, 0x0800, headerOnly4, mac(1, 0, 0x5e, 0, 0, 0xfb)));
        // IPv6 (RFC 2464): 33:33 and the low 32 bits of the group.
        final byte[] group6 = ipv6To(72, ipv6Address(0xff, 0x02, 1, 0xff, 0, 0xab, 0xcd));
        packets.add(onEthernet(linkType, MULTICAST, MAC_B, 0x86dd, group6, mac(0x33, 0x33, 0xff, 0, 0xab, 0xcd)));
        final byte[] headerOnly6 = ipv6To(40, ipv6Address(0xff, 0x05, 1, 0, 3));
        packets.add(onEthernet(linkType, MULTICAST, MAC_B, 0x86dd, headerOnly6, mac(0x33, 0x33, 0, 1, 0, 3)));
        // The group is not in the captured bytes, or the L3 destination is no group: the group bit alone.
        final byte[] short4 = ipv4To(19, 239, 1, 2, 3);
        packets.add(onEthernet(linkType, MULTICAST, MAC_A, 0x0800, short4, GROUP_BIT));
        final byte[] short6 = ipv6To(39, ipv6Address(0xff, 0x02, 1));
        packets.add(onEthernet(linkType, MULTICAST, MAC_A, 0x86dd, short6, GROUP_BIT));
        final byte[] unicast4 = ipv4To(40, 10, 1, 2, 3);
        packets.add(onEthernet(linkType, MULTICAST, MAC_A, 0x0800, unicast4, GROUP_BIT));
        final byte[] reserved4 = ipv4To(40, 240, 0, 0, 1);
        packets.add(onEthernet(linkType, MULTICAST, MAC_A, 0x0800, reserved4, GROUP_BIT));
        final byte[] belowGroups4 = ipv4To(40, 223, 255, 255, 255);
        packets.add(onEthernet(linkType, MULTICAST, MAC_A, 0x0800, belowGroups4, GROUP_BIT));
        final byte[] linkLocal6 = ipv6To(48, ipv6Address(0xfe, 0x80, 1));
        packets.add(onEthernet(linkType, MULTICAST, MAC_A, 0x86dd, linkLocal6, GROUP_BIT));
        final byte[] arp = PcapFeedTest.frame(9, 28);
        packets.add(onEthernet(linkType, MULTICAST, MAC_A, 0x0806, arp, GROUP_BIT));
        // A VLAN tag in front: the IPv4 header is 4 bytes further on; its group is not mapped.
        final byte[] tagged = new byte[4 + 40];
        tagged[2] = 0x08;
        System.arraycopy(ipv4To(40, 239, 1, 2, 3), 0, tagged, 4, 40);
        packets.add(onEthernet(linkType, MULTICAST, MAC_A, 0x8100, tagged, GROUP_BIT));
        // The kernel's packet type decides: a broadcast stays all ones, a unicast zeros, whatever the L3 destination.
        final byte[] broadcast4 = ipv4To(40, 239, 1, 2, 3);
        packets.add(onEthernet(linkType, BROADCAST, MAC_A, 0x0800, broadcast4, ALL_ONES));
        final byte[] host4 = ipv4To(40, 239, 1, 2, 3);
        packets.add(onEthernet(linkType, HOST, MAC_A, 0x0800, host4, NO_MAC));
        // Snapped inside the IPv4 header of a 100-byte packet to a group: captured, the group is not.
        assertReplaysWithOneSnapped(linkType, "multicast.pcap", packets, MULTICAST, ipv4To(100, 239, 1, 2, 3),
            GROUP_BIT);
    }

    @ParameterizedTest
    @CsvSource({"113", "276"})
    void shouldMapAGroupOrBroadcastL3DestinationIntoTheDestinationMacWhenTheHostSentItOnEthernet(int linkType) {
        final List<Cooked> packets = new ArrayList<>();
        final byte[] group4 = ipv4To(60, 239, 0x81, 2, 3);
        packets.add(onEthernet(linkType, OUTGOING, MAC_A, 0x0800, group4, mac(1, 0, 0x5e, 1, 2, 3)));
        final byte[] broadcast4 = ipv4To(20, 255, 255, 255, 255);
        packets.add(onEthernet(linkType, OUTGOING, MAC_A, 0x0800, broadcast4, ALL_ONES));
        final byte[] group6 = ipv6To(72, ipv6Address(0xff, 0x02, 1, 0xff, 0, 0xab, 0xcd));
        packets.add(onEthernet(linkType, OUTGOING, MAC_B, 0x86dd, group6, mac(0x33, 0x33, 0xff, 0, 0xab, 0xcd)));
        // A unicast went to a neighbour's MAC, which the capture does not hold: zeros, as for any destination the
        // captured bytes do not show to be a group or the broadcast (not the group bit: the kernel sent no multicast).
        final byte[] unicast4 = ipv4To(40, 10, 1, 2, 3);
        packets.add(onEthernet(linkType, OUTGOING, MAC_A, 0x0800, unicast4, NO_MAC));
        // A subnet's broadcast address looks like a unicast one without the subnet's prefix length.
        final byte[] subnetBroadcast4 = ipv4To(40, 10, 1, 2, 255);
        packets.add(onEthernet(linkType, OUTGOING, MAC_A, 0x0800, subnetBroadcast4, NO_MAC));
        final byte[] short4 = ipv4To(19, 239, 1, 2, 3);
        packets.add(onEthernet(linkType, OUTGOING, MAC_A, 0x0800, short4, NO_MAC));
        final byte[] short6 = ipv6To(39, ipv6Address(0xff, 0x02, 1));
        packets.add(onEthernet(linkType, OUTGOING, MAC_A, 0x86dd, short6, NO_MAC));
        final byte[] linkLocal6 = ipv6To(48, ipv6Address(0xfe, 0x80, 1));
        packets.add(onEthernet(linkType, OUTGOING, MAC_A, 0x86dd, linkLocal6, NO_MAC));
        // IPv6 has no broadcast address: a destination of all ones is a group like any in ff00::/8.
        final byte[] ones6 = ipv6To(40, ipv6Address(0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
        packets.add(onEthernet(linkType, OUTGOING, MAC_A, 0x86dd, ones6, mac(0x33, 0x33, 0xff, 0xff, 0xff, 0xff)));
        final byte[] arp = PcapFeedTest.frame(9, 28);
        packets.add(onEthernet(linkType, OUTGOING, MAC_A, 0x0806, arp, NO_MAC));
        final byte[] tagged = new byte[4 + 40];
        tagged[2] = 0x08;
        System.arraycopy(ipv4To(40, 255, 255, 255, 255), 0, tagged, 4, 40);
        packets.add(onEthernet(linkType, OUTGOING, MAC_A, 0x8100, tagged, NO_MAC));
        // Snapped inside the IPv4 header of a broadcast: captured, its destination is not.
        assertReplaysWithOneSnapped(linkType, "outgoing.pcap", packets, OUTGOING, ipv4To(100, 255, 255, 255, 255),
            NO_MAC);
    }

    @ParameterizedTest
    @CsvSource({"113, 772", "113, 778", "113, 65534", "276, 772", "276, 778", "276, 65534"})
    void shouldLeaveTheDestinationMacZeroForAGroupOrBroadcastWhenTheDeviceIsNoEthernet(int linkType, int arphrd) {
        // ARPHRD 772 loopback, 778 GRE, 65534 none (tun): no Ethernet header, so no packet on them had an Ethernet
        // group or broadcast destination, whether sent (4) or received as a link-layer broadcast (1) or multicast (2).
        final List<Cooked> packets = new ArrayList<>();
        for (int packetType : new int[] {OUTGOING, BROADCAST, MULTICAST}) {
            final byte[] group4 = ipv4To(60, 239, 0x81, 2, 3);
            packets.add(new Cooked(cooked(linkType, packetType, arphrd, 6, MAC_A, 0x0800, group4),
                ethernet(NO_MAC, NO_MAC, 0x0800, group4)));
            final byte[] broadcast4 = ipv4To(20, 255, 255, 255, 255);
            packets.add(new Cooked(cooked(linkType, packetType, arphrd, 0, NO_MAC, 0x0800, broadcast4),
                ethernet(NO_MAC, NO_MAC, 0x0800, broadcast4)));
            final byte[] group6 = ipv6To(72, ipv6Address(0xff, 0x02, 1, 0xff, 0, 0xab, 0xcd));
            packets.add(new Cooked(cooked(linkType, packetType, arphrd, 0, NO_MAC, 0x86dd, group6),
                ethernet(NO_MAC, NO_MAC, 0x86dd, group6)));
            final byte[] unicast4 = ipv4To(40, 10, 1, 2, 3);
            packets.add(new Cooked(cooked(linkType, packetType, arphrd, 0, NO_MAC, 0x0800, unicast4),
                ethernet(NO_MAC, NO_MAC, 0x0800, unicast4)));
        }
        final Path file = writeClassic(dir.resolve("tunnel.pcap"), ByteOrder.BIG_ENDIAN, linkType, packets);
        ReplayChecks.assertDeliversEveryFrameIntactAndInOrder(file, frames(packets), false);
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
