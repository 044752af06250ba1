package dev.steer.ingress.pcap;

import java.nio.ByteOrder;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Linux cooked capture headers, as {@code tcpdump -i any} writes them, and their rewrite into Ethernet II headers in
 * place. Both headers are big-endian whatever the file's byte order.
 * <ul>
 * <li>LINUX_SLL (113), 16 bytes: packet type u16, ARPHRD type u16, address length u16, address 8 bytes,
 *     protocol u16.</li>
 * <li>LINUX_SLL2 (276), 20 bytes: protocol u16, reserved u16, interface index u32, ARPHRD type u16, packet type u8,
 *     address length u8, address 8 bytes.</li>
 * </ul>
 * The address is the sender's link-layer address; the protocol is an EtherType for the packets an Ethernet II frame
 * can carry (values below 0x0600 name other payloads: 802.3 without or with 802.2 LLC, CAN, Netlink families...).
 * The Ethernet header written: the protocol as EtherType; the address as source MAC when the ARPHRD type is Ethernet
 * and the address is 6 bytes, else zeros; as destination MAC, which the capture does not record, what the frame carried
 * as far as the device, the packet type and the captured L3 header tell:
 * <ul>
 * <li>on a device that is no Ethernet (ARPHRD type other than 1: loopback, tunnels, tun, IPoIB), zeros whatever the
 *     packet type: the packet had no Ethernet header, so no Ethernet broadcast or group address either;</li>
 * <li>on an Ethernet device (ARPHRD type 1), by packet type:
 *     <ul>
 *     <li>1 ({@code PACKET_BROADCAST}, the kernel received it as a link-layer broadcast): all ones;</li>
 *     <li>2 ({@code PACKET_MULTICAST}, received as a link-layer multicast): the L3 group's address, else the group bit
 *         alone (01:00:00:00:00:00), so the frame still reads as multicast;</li>
 *     <li>4 ({@code PACKET_OUTGOING}, this host sent it): the L3 group's address, all ones for an IPv4 packet to
 *         255.255.255.255 whose whole header is captured, else zeros (a unicast went to a neighbour's MAC, which the
 *         capture does not hold);</li>
 *     <li>any other: zeros.</li>
 *     </ul></li>
 * </ul>
 * The L3 group's address is the one Ethernet maps the group to when the captured bytes hold the whole IPv4 or IPv6
 * header right after the cooked header and its destination is a group: IPv4 224.0.0.0/4, 01:00:5e and the low 23 bits
 * of the group (RFC 1112); IPv6 ff00::/8, 33:33 and the low 32 bits (RFC 2464).
 *
 * <p>Stateless; allocation-free.
 */
final class LinuxCooked {
    static final int SLL_HEADER = 16;
    static final int SLL2_HEADER = 20;
    static final int ETHERNET_HEADER = 14;
    /** The smallest EtherType: a smaller value in an Ethernet II type field is an 802.3 length. */
    static final int MIN_ETHER_TYPE = 0x0600;
    static final int ARPHRD_ETHER = 1;
    /** {@code PACKET_BROADCAST} of {@code <linux/if_packet.h>}: received as a link-layer broadcast. */
    static final int PACKET_BROADCAST = 1;
    /** {@code PACKET_MULTICAST} of {@code <linux/if_packet.h>}: received as a link-layer multicast. */
    static final int PACKET_MULTICAST = 2;
    /** {@code PACKET_OUTGOING} of {@code <linux/if_packet.h>}: sent by this host. */
    static final int PACKET_OUTGOING = 4;
    private static final int MAC_LENGTH = 6;
    private static final int ETHER_TYPE_IPV4 = 0x0800;
    private static final int ETHER_TYPE_IPV6 = 0x86dd;
    private static final int IPV4_HEADER = 20;
    private static final int IPV4_DESTINATION = 16;
    private static final int IPV6_HEADER = 40;
    private static final int IPV6_DESTINATION = 24;
    /** The last 4 bytes of the IPv6 destination address (bytes 24 to 39 of the header). */
    private static final int IPV6_DESTINATION_LOW = 36;
    private static final int IPV4_BROADCAST = 0xffff_ffff;
    private static final long BROADCAST_MAC = 0xffff_ffff_ffffL;
    /** No MAC: all zeros, what a rewritten header carries where the capture does not tell. */
    private static final long NO_MAC = 0;
    /** The Ethernet group bit: the lowest bit of the first byte on the wire. */
    private static final long GROUP_BIT_MAC = 0x0100_0000_0000L;
    private static final long IPV4_GROUP_MAC = 0x0100_5e00_0000L;
    private static final long IPV6_GROUP_MAC = 0x3333_0000_0000L;

    private LinuxCooked() {
    }

    /** True for LINUX_SLL and LINUX_SLL2. */
    static boolean isCooked(int linkType) {
        return linkType == PcapFormat.LINKTYPE_LINUX_SLL || linkType == PcapFormat.LINKTYPE_LINUX_SLL2;
    }

    /** Bytes of the cooked header of {@code linkType} (LINUX_SLL or LINUX_SLL2). */
    static int headerLength(int linkType) {
        return linkType == PcapFormat.LINKTYPE_LINUX_SLL ? SLL_HEADER : SLL2_HEADER;
    }

    /** By how much a packet of {@code linkType} shrinks when its cooked header becomes an Ethernet header. */
    static int shrink(int linkType) {
        return headerLength(linkType) - ETHERNET_HEADER;
    }

    /**
     * True when the protocol of the cooked header at {@code offset} is an EtherType: it can be an Ethernet II frame.
     */
    static boolean isEthernetII(UnsafeBuffer view, int offset, int linkType) {
        return protocol(view, offset, linkType) >= MIN_ETHER_TYPE;
    }

    /** The protocol field of the cooked header at {@code offset}: last in LINUX_SLL's header, first in LINUX_SLL2's. */
    private static int protocol(UnsafeBuffer view, int offset, int linkType) {
        final int at = linkType == PcapFormat.LINKTYPE_LINUX_SLL ? offset + SLL_HEADER - 2 : offset;
        return view.getShort(at, ByteOrder.BIG_ENDIAN) & 0xffff;
    }

    /**
     * Rewrites the cooked header at {@code offset} (whole in {@code view}) into the Ethernet header that ends where it
     * ends, so the frame starts at {@code offset + shrink(linkType)}; every field is read before any byte is written.
     * {@code capturedLength}, the bytes of the packet captured from {@code offset} on (its cooked header included),
     * bounds what is read of the L3 header of a multicast or an outgoing packet. The caller has checked with
     * {@link #isEthernetII} that the protocol is an EtherType; this method does not check it again.
     */
    static void toEthernet(UnsafeBuffer view, int offset, int capturedLength, int linkType) {
        final int protocol = protocol(view, offset, linkType);
        final int arphrd;
        final int packetType;
        final int addressLength;
        final int address;
        if (linkType == PcapFormat.LINKTYPE_LINUX_SLL) {
            packetType = view.getShort(offset, ByteOrder.BIG_ENDIAN) & 0xffff;
            arphrd = view.getShort(offset + 2, ByteOrder.BIG_ENDIAN) & 0xffff;
            addressLength = view.getShort(offset + 4, ByteOrder.BIG_ENDIAN) & 0xffff;
            address = offset + 6;
        } else {
            arphrd = view.getShort(offset + 8, ByteOrder.BIG_ENDIAN) & 0xffff;
            packetType = view.getByte(offset + 10) & 0xff;
            addressLength = view.getByte(offset + 11) & 0xff;
            address = offset + 12;
        }
        // The 8-byte address field lies within the header: its first 6 bytes, as the top of a long.
        final long source = arphrd == ARPHRD_ETHER && addressLength == MAC_LENGTH
            ? view.getLong(address, ByteOrder.BIG_ENDIAN) >>> 16 : 0;
        final int l3 = offset + headerLength(linkType);
        final int l3Length = capturedLength - headerLength(linkType);
        final long destination;
        if (arphrd != ARPHRD_ETHER) {
            // Loopback, tunnels, tun, IPoIB: the packet had no Ethernet header, so no Ethernet destination either.
            destination = NO_MAC;
        } else if (packetType == PACKET_BROADCAST) {
            destination = BROADCAST_MAC;
        } else if (packetType == PACKET_MULTICAST) {
            final long group = groupMac(view, l3, l3Length, protocol);
            destination = group != NO_MAC ? group : GROUP_BIT_MAC;
        } else if (packetType == PACKET_OUTGOING) {
            final long group = groupMac(view, l3, l3Length, protocol);
            destination = group != NO_MAC ? group
                : isIpv4Broadcast(view, l3, l3Length, protocol) ? BROADCAST_MAC : NO_MAC;
        } else {
            destination = NO_MAC;
        }
        final int ethernet = offset + shrink(linkType);
        view.putInt(ethernet, (int) (destination >>> 16), ByteOrder.BIG_ENDIAN);
        view.putShort(ethernet + 4, (short) destination, ByteOrder.BIG_ENDIAN);
        view.putInt(ethernet + MAC_LENGTH, (int) (source >>> 16), ByteOrder.BIG_ENDIAN);
        view.putShort(ethernet + MAC_LENGTH + 4, (short) source, ByteOrder.BIG_ENDIAN);
        view.putShort(ethernet + 2 * MAC_LENGTH, (short) protocol, ByteOrder.BIG_ENDIAN);
    }

    /**
     * The Ethernet address of the group an IPv4 or IPv6 packet starting at {@code l3}, of which {@code l3Length} bytes
     * are captured, is sent to: {@link #NO_MAC} unless its whole header is captured and its destination is a group. As
     * the 48 low bits of a long, first byte on top; a group's address is never all zeros.
     */
    private static long groupMac(UnsafeBuffer view, int l3, int l3Length, int protocol) {
        if (protocol == ETHER_TYPE_IPV4 && l3Length >= IPV4_HEADER) {
            final int group = view.getInt(l3 + IPV4_DESTINATION, ByteOrder.BIG_ENDIAN);
            if (group >>> 28 == 0xe) {
                return IPV4_GROUP_MAC | group & 0x7f_ffff;
            }
        } else if (protocol == ETHER_TYPE_IPV6 && l3Length >= IPV6_HEADER
            && view.getByte(l3 + IPV6_DESTINATION) == (byte) 0xff) {
            return IPV6_GROUP_MAC | view.getInt(l3 + IPV6_DESTINATION_LOW, ByteOrder.BIG_ENDIAN) & 0xffff_ffffL;
        }
        return NO_MAC;
    }

    /** True for an IPv4 packet, its whole header captured, to the limited broadcast address 255.255.255.255. */
    private static boolean isIpv4Broadcast(UnsafeBuffer view, int l3, int l3Length, int protocol) {
        return protocol == ETHER_TYPE_IPV4 && l3Length >= IPV4_HEADER
            && view.getInt(l3 + IPV4_DESTINATION, ByteOrder.BIG_ENDIAN) == IPV4_BROADCAST;
    }
}
