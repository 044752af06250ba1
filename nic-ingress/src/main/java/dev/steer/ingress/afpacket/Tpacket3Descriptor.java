package dev.steer.ingress.afpacket;

import java.nio.ByteOrder;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * The layout of a TPACKET_V3 receive ring as the kernel writes it, as offsets from a block's or a packet's start
 * ({@code struct tpacket_block_desc}; {@code struct tpacket3_hdr} and the {@code struct sockaddr_ll} behind it), and
 * the one rewrite {@link AfPacketFeed} makes in it: putting a received frame's VLAN tag back. Constants and a static
 * method, as Agrona's {@code RecordDescriptor}; no state, so any thread, and the constants cost nothing (javac inlines
 * them).
 */
final class Tpacket3Descriptor {
    static final int TP_STATUS_KERNEL = 0;
    static final int TP_STATUS_USER = 1;
    // struct tpacket_block_desc: version, offset_to_priv, then tpacket_hdr_v1.
    static final int BLOCK_STATUS = 8;
    static final int BLOCK_NUM_PKTS = 12;
    static final int BLOCK_FIRST_PKT = 16;
    /** End of struct tpacket_block_desc: where a block's first packet may start. */
    static final int BLOCK_HEADER = 48;
    // struct tpacket3_hdr, then the struct sockaddr_ll the kernel writes behind it.
    static final int PKT_NEXT_OFFSET = 0;
    static final int PKT_SNAPLEN = 12;
    static final int PKT_LEN = 16;
    static final int PKT_STATUS = 20;
    static final int PKT_MAC = 24;
    private static final int PKT_VLAN_TCI = 32;
    private static final int PKT_VLAN_TPID = 36;
    private static final int PKT_HEADER = 48;
    static final int PKT_SLL_PKTTYPE = PKT_HEADER + 10;
    /** tpacket3_hdr and sockaddr_ll: no packet's MAC header starts before this, nor does a next packet follow closer. */
    static final int PKT_HEADER_AND_ADDRESS = PKT_HEADER + 20;
    static final int TP_STATUS_VLAN_VALID = 1 << 4;
    private static final int TP_STATUS_VLAN_TPID_VALID = 1 << 6;
    /** {@code sll_pkttype} of a frame this host sent out of the interface. */
    static final int PACKET_OUTGOING = 4;
    /** struct vlan_hdr: the TPID and TCI the kernel takes out of a received frame and reports in the header. */
    static final int VLAN_TAG_LENGTH = 4;
    private static final int ETH_P_8021Q = 0x8100;
    /** Destination and source MAC: the bytes in front of the EtherType, or of the tag put back. */
    static final int MAC_ADDRESSES = 12;

    private Tpacket3Descriptor() {
    }

    /**
     * Puts back the 802.1Q tag that the kernel took out of a received frame and reported in the packet's header
     * ({@code tp_vlan_tci}, {@code tp_vlan_tpid}), as libpcap does: the MAC addresses move 4 bytes towards the
     * header (into the room {@code PACKET_RESERVE} keeps there) and the tag goes behind them. The header is rewritten
     * to describe the tagged frame, so that a packet offered again after back-pressure is not tagged twice. The packet
     * at {@code at} in {@code ring} must belong to the caller (its block is the polling thread's), its header checked
     * against the block; no allocation.
     */
    static void restoreVlanTag(UnsafeBuffer ring, int at, int mac, int snapLength, int wireLength, int status) {
        final int from = at + mac;
        final int to = from - VLAN_TAG_LENGTH;
        final long addresses = ring.getLong(from);
        final int rest = ring.getInt(from + 8);
        ring.putLong(to, addresses);
        ring.putInt(to + 8, rest);
        final int tpid = (status & TP_STATUS_VLAN_TPID_VALID) != 0 ? ring.getShort(at + PKT_VLAN_TPID) & 0xffff : 0;
        ring.putShort(to + MAC_ADDRESSES, (short) (tpid == 0 ? ETH_P_8021Q : tpid), ByteOrder.BIG_ENDIAN);
        ring.putShort(to + MAC_ADDRESSES + 2, (short) ring.getInt(at + PKT_VLAN_TCI), ByteOrder.BIG_ENDIAN);
        ring.putShort(at + PKT_MAC, (short) (mac - VLAN_TAG_LENGTH));
        ring.putInt(at + PKT_SNAPLEN, snapLength + VLAN_TAG_LENGTH);
        ring.putInt(at + PKT_LEN, wireLength + VLAN_TAG_LENGTH);
        ring.putInt(at + PKT_STATUS, status & ~(TP_STATUS_VLAN_VALID | TP_STATUS_VLAN_TPID_VALID));
    }
}
