package dev.steer.ingress.pcap;

import java.io.IOException;

import dev.steer.engine.stats.DropReason;

/**
 * Parses one capture format from a {@link CaptureWindow}: finds the next packet without consuming it, so that
 * a packet the sink refuses is found again by the next poll. The result of {@link #next()} is a code; the
 * packet's or the damage's details are in fields, overwritten by each call, so parsing allocates nothing
 * (a damage detail string is built once, when the feed ends).
 *
 * <p>Thread contract: the poll thread only.
 */
abstract class CaptureReader {
    /** Nothing ready: a short read, or the skip limit of one call reached. Try again on the next poll. */
    static final int WAIT = 0;
    /** A packet to hand over: {@link #dataOffset}, {@link #capturedLength}, {@link #originalLength}, time. */
    static final int PACKET = 1;
    /** A packet that cannot be handed over: count one drop for {@link #dropReason}. */
    static final int DROP = 2;
    /** The file ended cleanly after the last packet. */
    static final int END_OF_FILE = 3;
    /** The file is damaged here: {@link #damageOffset}, {@link #damageReason}, {@link #damageDetail}. */
    static final int DAMAGED = 4;

    final CaptureWindow window;

    /** Window offset of the packet's first byte. */
    int dataOffset;
    /** Bytes captured, to hand over. */
    int capturedLength;
    /** Bytes on the wire. */
    long originalLength;
    /**
     * Bytes of frame check sequence at the end of the packet on the wire (0: none), as the capture describes
     * its interface: left out of {@link #frameLength()}, since frames are handed over without FCS, as a NIC
     * hands them to the kernel.
     */
    int fcsLength;
    /** Capture time in nanoseconds since the epoch; meaningful when {@link #timed}. */
    long timestampNs;
    /** False for a packet whose format carries no timestamp (a pcapng simple packet block). */
    boolean timed;
    /** Why a {@link #DROP} packet is dropped. */
    DropReason dropReason;
    /**
     * True when the {@link #DROP} is for a packet that cannot be handed over as an Ethernet frame: on a link type other
     * than Ethernet or Linux cooked capture, or a Linux cooked packet whose protocol is no EtherType.
     */
    boolean foreignLink;
    /**
     * One bit per 16-bit link type: set for the link types of the {@link #foreignLink} drops. Poll thread; read by
     * others after the feed publishes its {@code foreignLink} count.
     */
    final long[] foreignLinkTypes = new long[(PcapFormat.LINKTYPE_MASK + 1) / Long.SIZE];
    /**
     * For a {@link #PACKET}: the Linux cooked link type (LINUX_SLL, LINUX_SLL2) whose header was rewritten into the
     * Ethernet header the packet now starts with, else 0.
     */
    int cookedLinkType;
    /**
     * True when the packet is captured longer than the snaplen its file or interface states: no damage (libpcap reads
     * such records too), counted apart.
     */
    boolean aboveSnaplen;

    long damageOffset;
    PcapDamage.Reason damageReason;
    String damageDetail;
    /** True when the damage cut a packet short: that packet counts one {@code feed_truncated} drop. */
    boolean damageCutPacket;

    CaptureReader(CaptureWindow window) {
        this.window = window;
    }

    /**
     * Bytes of the packet to hand over: what was captured of it, without its FCS. 0 when the capture holds
     * nothing but (part of) the FCS.
     */
    int frameLength() {
        return (int) Math.max(0, Math.min(capturedLength, originalLength - fcsLength));
    }

    /** Finds the next packet at or after the position, consuming only what is not a packet. Never throws for content. */
    abstract int next() throws IOException;

    /** Moves past the packet (or drop) that {@link #next()} found. */
    abstract void consume();

    /** Back to the first packet of the file for another pass. */
    abstract void rewind();

    /**
     * Classifies the packet just found ({@link #dataOffset}, {@link #capturedLength}, {@link #originalLength} set) by
     * the link type it was captured on: Ethernet is a {@link #PACKET}; a Linux cooked one becomes one through
     * {@link #fromCooked}; any other is a {@link #DROP} counted as foreign. Allocation-free.
     */
    final int onLink(int linkType) {
        cookedLinkType = 0;
        if (linkType == PcapFormat.LINKTYPE_ETHERNET) {
            foreignLink = false;
            return PACKET;
        }
        if (LinuxCooked.isCooked(linkType)) {
            return fromCooked(linkType);
        }
        return foreign(linkType);
    }

    /**
     * Rewrites the packet's Linux cooked header into an Ethernet header in place in the window and moves the packet's
     * start and both lengths by the difference, so the frame is the Ethernet header and the bytes after the cooked
     * header. A packet found again (refused by the sink, or not due yet) is not rewritten twice; its cooked header is
     * put back when it is consumed ({@link CaptureWindow#restoreRewritten}), so a looped capture the window holds
     * whole is not read again. A packet captured shorter than its cooked header is left with no captured bytes, its
     * original length shrunk as any other's: the feed counts it as truncated. One whose protocol is no EtherType
     * cannot be an Ethernet II frame: a {@link #DROP} counted as foreign, under the cooked link type.
     */
    private int fromCooked(int linkType) {
        foreignLink = false;
        final int header = LinuxCooked.headerLength(linkType);
        final int shrink = LinuxCooked.shrink(linkType);
        if (capturedLength < header) {
            capturedLength = 0;
            originalLength = Math.max(0, originalLength - shrink);
            return PACKET;
        }
        final long packetOffset = window.fileOffset(dataOffset);
        if (!window.rewritten(packetOffset)) {
            if (!LinuxCooked.isEthernetII(window.view, dataOffset, linkType)) {
                return foreign(linkType);
            }
            window.keepBeforeRewrite(dataOffset, header);
            LinuxCooked.toEthernet(window.view, dataOffset, capturedLength, linkType);
        }
        dataOffset += shrink;
        capturedLength -= shrink;
        originalLength -= shrink;
        cookedLinkType = linkType;
        return PACKET;
    }

    /** A packet that cannot be handed over as an Ethernet frame: one {@code FOREIGN_LINK_DROP}, its link type noted. */
    private int foreign(int linkType) {
        foreignLink = true;
        foreignLinkTypes[linkType >>> 6] |= 1L << linkType;
        dropReason = PcapFeed.FOREIGN_LINK_DROP;
        return DROP;
    }

    /** Records damage that cut no packet short and returns {@link #DAMAGED}. */
    final int damaged(long offset, PcapDamage.Reason reason, String detail) {
        return damaged(offset, reason, detail, false);
    }

    /** Records damage and returns {@link #DAMAGED}; off the per-packet path (builds the detail string). */
    final int damaged(long offset, PcapDamage.Reason reason, String detail, boolean cutPacket) {
        damageOffset = offset;
        damageReason = reason;
        damageDetail = detail;
        damageCutPacket = cutPacket;
        return DAMAGED;
    }
}
