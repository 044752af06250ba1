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
 * and the address is 6 bytes, else zeros; as destination MAC, which the capture does not record, all ones for a packet
 * the kernel received as a link-layer broadcast (packet type 1, so that is what its frame carried), else zeros.
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
    private static final int MAC_LENGTH = 6;

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

    /** True when the protocol of the cooked header at {@code offset} is an EtherType: it can be an Ethernet II frame. */
    static boolean isEthernetII(UnsafeBuffer view, int offset, int linkType) {
        final int at = linkType == PcapFormat.LINKTYPE_LINUX_SLL ? offset + 14 : offset;
        return (view.getShort(at, ByteOrder.BIG_ENDIAN) & 0xffff) >= MIN_ETHER_TYPE;
    }

    /**
     * Rewrites the cooked header at {@code offset} (whole in {@code view}) into the Ethernet header that ends where it
     * ends, so the frame starts at {@code offset + shrink(linkType)}; every field is read before any byte is written.
     *
     * @return false, writing nothing, when the protocol is no EtherType
     */
    static boolean toEthernet(UnsafeBuffer view, int offset, int linkType) {
        final int protocol;
        final int arphrd;
        final int packetType;
        final int addressLength;
        final int address;
        if (linkType == PcapFormat.LINKTYPE_LINUX_SLL) {
            packetType = view.getShort(offset, ByteOrder.BIG_ENDIAN) & 0xffff;
            arphrd = view.getShort(offset + 2, ByteOrder.BIG_ENDIAN) & 0xffff;
            addressLength = view.getShort(offset + 4, ByteOrder.BIG_ENDIAN) & 0xffff;
            address = offset + 6;
            protocol = view.getShort(offset + 14, ByteOrder.BIG_ENDIAN) & 0xffff;
        } else {
            protocol = view.getShort(offset, ByteOrder.BIG_ENDIAN) & 0xffff;
            arphrd = view.getShort(offset + 8, ByteOrder.BIG_ENDIAN) & 0xffff;
            packetType = view.getByte(offset + 10) & 0xff;
            addressLength = view.getByte(offset + 11) & 0xff;
            address = offset + 12;
        }
        if (protocol < MIN_ETHER_TYPE) {
            return false;
        }
        // The 8-byte address field lies within the header: its first 6 bytes, as the top of a long.
        final long source = arphrd == ARPHRD_ETHER && addressLength == MAC_LENGTH
            ? view.getLong(address, ByteOrder.BIG_ENDIAN) >>> 16 : 0;
        final int destination = packetType == PACKET_BROADCAST ? -1 : 0;
        final int ethernet = offset + shrink(linkType);
        view.putInt(ethernet, destination);
        view.putShort(ethernet + 4, (short) destination);
        view.putInt(ethernet + MAC_LENGTH, (int) (source >>> 16), ByteOrder.BIG_ENDIAN);
        view.putShort(ethernet + MAC_LENGTH + 4, (short) source, ByteOrder.BIG_ENDIAN);
        view.putShort(ethernet + 2 * MAC_LENGTH, (short) protocol, ByteOrder.BIG_ENDIAN);
        return true;
    }
}
