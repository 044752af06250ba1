package dev.steer.ingress.afpacket;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.agrona.concurrent.UnsafeBuffer;

import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameSink;
import dev.steer.engine.stats.DropReason;

/**
 * A {@link Feed} reading one interface (or one fanout share of it) through an AF_PACKET socket with a
 * TPACKET_V3 receive ring mapped into the JVM: the Linux analogue of a NIC RX queue, set up through the
 * FFM API without JNI. Each {@link #poll} walks the ring in place: a block belongs to the feed while its
 * status word has {@code TP_STATUS_USER}; its packets are handed to the sink straight from the mapped
 * memory, and the block goes back to the kernel with a release store of {@code TP_STATUS_KERNEL} only
 * once every packet in it was taken. A poll that runs out of budget inside a block resumes there.
 *
 * <p>Accounting: a packet the kernel cut short ({@code tp_snaplen < tp_len}, larger than a block) is
 * counted {@link DropReason#FEED_TRUNCATED}; packets the kernel dropped because the ring was full
 * ({@code PACKET_STATISTICS tp_drops}, which resets on read) are counted {@link DropReason#FEED_OVERRUN}
 * when read: on the first idle poll after work and at least every {@link AfPacketSettings#statsInterval()}
 * polls, never per packet. Drops the kernel records after the last such read are not reported.
 *
 * <p>Thread contract: {@link #poll} from one thread at a time (the ingress'); {@link #close()} after the
 * last poll, from any thread; counters from any thread (plain reads of single-writer fields, so possibly
 * stale). {@code poll} never blocks, makes no syscall except the bounded statistics read, allocates nothing
 * and stamps every packet of a poll with one cached {@link System#nanoTime()} reading.
 */
public final class AfPacketFeed implements Feed {
    private static final int TP_STATUS_KERNEL = 0;
    private static final int TP_STATUS_USER = 1;
    // struct tpacket_block_desc: version, offset_to_priv, then tpacket_hdr_v1.
    private static final int BLOCK_STATUS = 8;
    private static final int BLOCK_NUM_PKTS = 12;
    private static final int BLOCK_FIRST_PKT = 16;
    // struct tpacket3_hdr.
    private static final int PKT_NEXT_OFFSET = 0;
    private static final int PKT_SNAPLEN = 12;
    private static final int PKT_LEN = 16;
    private static final int PKT_MAC = 24;
    // struct tpacket_req3: seven unsigned ints.
    private static final int REQ3_SIZE = 28;
    // struct tpacket_stats_v3: tp_packets, tp_drops, tp_freeze_q_cnt.
    private static final int STATS_SIZE = 12;

    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(AfPacketFeed.class, "closed", boolean.class);
        } catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final String name;
    private final AfPacketSettings settings;
    private final PacketSocket socket;
    private final MemorySegment ringMemory;
    private final UnsafeBuffer ring;
    private final MemorySegment stats;
    private final MemorySegment statsLength;
    private final int blockSize;
    private final int blockCount;
    private final int statsInterval;

    // Ring position, owned by the polling thread.
    private int block;
    private int blockBase;
    private int remaining;
    private int packet;
    private int pollsSinceStats;
    private boolean takenSinceStats;

    // Counters: single writer (the polling thread), read from anywhere.
    private long packets;
    private long bytes;
    private long truncated;
    private long overruns;
    private long blocksReleased;
    private long backPressured;
    private long statsReads;
    private long statsFailures;
    private volatile boolean closed;

    private AfPacketFeed(String name, AfPacketSettings settings, PacketSocket socket, MemorySegment ringMemory) {
        this.name = name;
        this.settings = settings;
        this.socket = socket;
        this.ringMemory = ringMemory;
        this.ring = new UnsafeBuffer(ringMemory.address(), (int) ringMemory.byteSize());
        this.stats = socket.arena().allocate(STATS_SIZE, 4);
        this.statsLength = socket.arena().allocate(ValueLayout.JAVA_INT);
        this.blockSize = settings.blockSize();
        this.blockCount = settings.blockCount();
        this.statsInterval = settings.statsInterval();
    }

    /** Opens a feed named {@code afpacket:IFACE}; see {@link #open(String, AfPacketSettings)}. */
    public static AfPacketFeed open(AfPacketSettings settings) {
        return open("afpacket:" + settings.iface(), settings);
    }

    /**
     * Validates the settings, then, inside the settings' network namespace (the calling thread switches
     * there and back): opens the socket, selects TPACKET_V3, sets up and maps the receive ring, binds to the
     * interface for every protocol and joins the fanout group if one is set. Off the hot path; costs a few
     * syscalls and the ring's memory ({@link AfPacketSettings#ringBytes()}, locked in by MAP_POPULATE).
     *
     * @throws IllegalArgumentException for invalid settings, naming each
     * @throws AfPacketException        one line: no CAP_NET_RAW, no such interface or namespace, ring
     *                                  settings the kernel refused (with their values), fanout refused
     */
    public static AfPacketFeed open(String name, AfPacketSettings settings) {
        settings.validate();
        try (NetNamespace.Scope ignored = NetNamespace.enter(settings.netns())) {
            final PacketSocket socket = new PacketSocket(settings.iface(), settings.netns(), Libc.SOCK_NONBLOCK);
            socket.resolveInterface();
            socket.setInt(Libc.PACKET_VERSION, Libc.TPACKET_V3, "setsockopt(PACKET_VERSION, TPACKET_V3)");
            final MemorySegment request = socket.arena().allocate(REQ3_SIZE, 4);
            final int frames = settings.blockSize() / settings.frameSize() * settings.blockCount();
            request.set(ValueLayout.JAVA_INT, 0, settings.blockSize());
            request.set(ValueLayout.JAVA_INT, 4, settings.blockCount());
            request.set(ValueLayout.JAVA_INT, 8, settings.frameSize());
            request.set(ValueLayout.JAVA_INT, 12, frames);
            request.set(ValueLayout.JAVA_INT, 16, settings.retireTimeoutMs());
            socket.set(Libc.PACKET_RX_RING, request, "setsockopt(PACKET_RX_RING) with blockSize="
                + settings.blockSize() + " blockCount=" + settings.blockCount() + " frameSize=" + settings.frameSize()
                + " (frames=" + frames + ") retireTimeoutMs=" + settings.retireTimeoutMs()
                + " (ring " + settings.ringBytes() + " bytes)");
            final MemorySegment mapped = Libc.mmap(socket.state(), settings.ringBytes(),
                Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED | Libc.MAP_POPULATE, socket.fd());
            if (mapped.address() == -1L || mapped.address() == 0L) {
                final int errno = Libc.errno(socket.state());
                throw socket.failure("mmap of the " + settings.ringBytes() + "-byte ring failed with "
                    + Libc.describe(errno), errno);
            }
            final MemorySegment ringMemory = mapped.reinterpret(settings.ringBytes());
            try {
                socket.bind(Libc.ETH_P_ALL);
                if (settings.fanout()) {
                    socket.setInt(Libc.PACKET_FANOUT, settings.fanoutGroup() | settings.fanoutMode().kernelValue() << 16,
                        "setsockopt(PACKET_FANOUT) joining group " + settings.fanoutGroup() + " mode "
                        + settings.fanoutMode() + " (every member must use the same mode and interface, and the"
                        + " interface must be up)");
                }
            } catch (AfPacketException ex) {
                // The socket and its native memory are gone already; unmap with a state of our own.
                try (Arena arena = Arena.ofConfined()) {
                    Libc.munmap(Libc.newErrnoState(arena), ringMemory, settings.ringBytes());
                }
                throw ex;
            }
            return new AfPacketFeed(name, settings, socket, ringMemory);
        }
    }

    @Override
    public int poll(FrameSink sink, int budget) {
        if (closed) {
            return END;
        }
        final long now = System.nanoTime();
        final UnsafeBuffer ring = this.ring;
        int taken = 0;
        int emptyBlocks = 0;
        while (taken < budget) {
            if (remaining == 0) {
                final int base = block * blockSize;
                if ((ring.getIntAcquire(base + BLOCK_STATUS) & TP_STATUS_USER) == 0) {
                    break;
                }
                blockBase = base;
                remaining = ring.getInt(base + BLOCK_NUM_PKTS);
                packet = base + ring.getInt(base + BLOCK_FIRST_PKT);
                if (remaining <= 0) {
                    // The kernel does not retire empty blocks; if it ever did, give it back and bound the scan.
                    remaining = 0;
                    releaseBlock();
                    if (++emptyBlocks == blockCount) {
                        break;
                    }
                    continue;
                }
            }
            final int at = packet;
            final int snapLength = ring.getInt(at + PKT_SNAPLEN);
            final int wireLength = ring.getInt(at + PKT_LEN);
            if (snapLength < wireLength) {
                sink.onDropped(DropReason.FEED_TRUNCATED, 1);
                truncated++;
            } else {
                final int mac = ring.getShort(at + PKT_MAC) & 0xffff;
                if (sink.onFrame(ring, at + mac, snapLength, now) == FrameSink.BACK_PRESSURED) {
                    // Not taken: the position stays on this packet and the block stays ours.
                    backPressured++;
                    break;
                }
                packets++;
                bytes += snapLength;
            }
            taken++;
            if (--remaining == 0) {
                releaseBlock();
            } else {
                packet = at + ring.getInt(at + PKT_NEXT_OFFSET);
            }
        }
        if (taken > 0) {
            takenSinceStats = true;
        }
        if (++pollsSinceStats >= statsInterval || (taken == 0 && takenSinceStats)) {
            readKernelDrops(sink);
        }
        return taken;
    }

    private void releaseBlock() {
        ring.putIntRelease(blockBase + BLOCK_STATUS, TP_STATUS_KERNEL);
        blocksReleased++;
        if (++block == blockCount) {
            block = 0;
        }
    }

    /** Reads and resets the kernel's counters; one getsockopt into preallocated memory. */
    private void readKernelDrops(FrameSink sink) {
        pollsSinceStats = 0;
        takenSinceStats = false;
        statsLength.set(ValueLayout.JAVA_INT, 0, STATS_SIZE);
        if (Libc.getsockopt(socket.state(), socket.fd(), Libc.SOL_PACKET, Libc.PACKET_STATISTICS, stats, statsLength) != 0) {
            statsFailures++;
            return;
        }
        statsReads++;
        final int drops = stats.get(ValueLayout.JAVA_INT, 4);
        if (drops > 0) {
            overruns += drops;
            sink.onDropped(DropReason.FEED_OVERRUN, drops);
        }
    }

    @Override
    public String name() {
        return name;
    }

    /** The settings the feed was opened with. */
    public AfPacketSettings settings() {
        return settings;
    }

    /** Packets handed to the sink and taken by it. */
    public long packets() {
        return packets;
    }

    /** Bytes of the packets taken. */
    public long bytes() {
        return bytes;
    }

    /** Packets the kernel cut short, counted {@link DropReason#FEED_TRUNCATED}. */
    public long truncated() {
        return truncated;
    }

    /** Packets the kernel dropped for a full ring, counted {@link DropReason#FEED_OVERRUN} as read so far. */
    public long overruns() {
        return overruns;
    }

    /** Blocks given back to the kernel. */
    public long blocksReleased() {
        return blocksReleased;
    }

    /** Times the sink refused a packet (lossless back-pressure); the packet was offered again next poll. */
    public long backPressured() {
        return backPressured;
    }

    /** Reads of the kernel's drop counter. */
    public long statsReads() {
        return statsReads;
    }

    /** Failed reads of the kernel's drop counter (should stay 0). */
    public long statsFailures() {
        return statsFailures;
    }

    /**
     * Unmaps the ring and closes the socket; idempotent, later polls return {@link Feed#END}. Must not run
     * while a poll is in progress (the engine closes a feed after its last poll).
     */
    @Override
    public void close() {
        if (!CLOSED.compareAndSet(this, false, true)) {
            return;
        }
        Libc.munmap(socket.state(), ringMemory, ringMemory.byteSize());
        socket.close();
    }

    @Override
    public String toString() {
        return "AfPacketFeed{" + name + ", packets=" + packets + ", truncated=" + truncated + ", overruns="
            + overruns + ", blocksReleased=" + blocksReleased + '}';
    }
}
