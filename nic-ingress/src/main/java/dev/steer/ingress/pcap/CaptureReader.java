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
    /** True when the {@link #DROP} is for a packet on a link type other than Ethernet. */
    boolean foreignLink;
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
