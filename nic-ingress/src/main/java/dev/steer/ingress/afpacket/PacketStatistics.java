package dev.steer.ingress.afpacket;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * What the kernel counts for an {@link AfPacketFeed}'s socket, as the feed's polling thread reads it: the packets it
 * gave the socket and dropped for a full ring ({@code PACKET_STATISTICS}, which resets on read), and whether the socket
 * is still bound to its interface ({@code getsockname}). The feed decides when to read (never per packet) and counts the
 * drops; this class makes the calls, into memory preallocated at open, and counts what it read.
 *
 * <p>Thread contract: the reads on the feed's polling thread only (or the thread that closes the feed, after the last
 * poll), before the socket closes; the accessors from any thread (plain reads of single-writer fields, so possibly
 * stale). A read is one syscall and allocates nothing.
 */
public final class PacketStatistics {
    // struct tpacket_stats_v3: tp_packets, tp_drops, tp_freeze_q_cnt.
    private static final int STATS_SIZE = 12;

    private final PacketSocket socket;
    private final MemorySegment stats;
    private final MemorySegment statsLength;
    private final MemorySegment boundAddress;
    private final MemorySegment boundAddressLength;
    private long packets;
    private long queueFreezes;
    private long reads;
    private long failures;

    /** Preallocates the calls' memory in the socket's arena. */
    PacketStatistics(PacketSocket socket) {
        this.socket = socket;
        this.stats = socket.arena().allocate(STATS_SIZE, 4);
        this.statsLength = socket.arena().allocate(ValueLayout.JAVA_INT);
        this.boundAddress = socket.arena().allocate(PacketSocket.SOCKADDR_LL_SIZE + 12, 4);
        this.boundAddressLength = socket.arena().allocate(ValueLayout.JAVA_INT);
    }

    /**
     * Reads and resets the kernel's counters: adds {@code tp_packets} to {@link #packets()} and
     * {@code tp_freeze_q_cnt} to {@link #queueFreezes()}, and returns
     * {@code tp_drops}, the packets dropped for a full ring since the last read; 0 when the call failed (counted in
     * {@link #failures()}). One getsockopt into preallocated memory.
     */
    int readDrops() {
        statsLength.set(ValueLayout.JAVA_INT, 0, STATS_SIZE);
        if (Libc.getsockopt(socket.state(), socket.fd(), Libc.SOL_PACKET, Libc.PACKET_STATISTICS, stats, statsLength) != 0) {
            failures++;
            return 0;
        }
        reads++;
        packets += stats.get(ValueLayout.JAVA_INT, 0) & 0xffffffffL;
        queueFreezes += stats.get(ValueLayout.JAVA_INT, 8) & 0xffffffffL;
        return stats.get(ValueLayout.JAVA_INT, 4);
    }

    /**
     * True when the socket is bound to no interface any more: the kernel unbinds it ({@code sll_ifindex} -1) when the
     * interface is unregistered. One getsockname into preallocated memory; a failed call counts in {@link #failures()}.
     */
    boolean interfaceGone() {
        boundAddressLength.set(ValueLayout.JAVA_INT, 0, (int) boundAddress.byteSize());
        if (Libc.getsockname(socket.state(), socket.fd(), boundAddress, boundAddressLength) != 0) {
            failures++;
            return false;
        }
        return boundAddress.get(ValueLayout.JAVA_INT, PacketSocket.SLL_IFINDEX) != socket.ifIndex();
    }

    /**
     * Packets the kernel gave the socket as read so far ({@code PACKET_STATISTICS tp_packets}, which for TPACKET_V3
     * includes its drops): each was taken, skipped as outgoing, or counted lost ({@link AfPacketFeed#truncated()},
     * {@link AfPacketFeed#overruns()}, {@link AfPacketFeed#leftAtClose()}).
     */
    public long packets() {
        return packets;
    }

    /**
     * Times the kernel found the ring full as read so far ({@code PACKET_STATISTICS tp_freeze_q_cnt}): the next block
     * was still the feed's, so the kernel froze the ring and drops what arrives until the feed gives that block back.
     * Every drop for a full ring ({@link AfPacketFeed#overruns()}) follows a freeze; a freeze may drop nothing (the
     * block timer retired the last free block and the feed gave one back before the next packet), so this says how often
     * the feed fell a whole ring behind, and is no drop count.
     */
    public long queueFreezes() {
        return queueFreezes;
    }

    /** Reads of the kernel's drop counter. */
    public long reads() {
        return reads;
    }

    /** Failed reads of the kernel's drop counter or of the socket's binding (should stay 0). */
    public long failures() {
        return failures;
    }
}
