package dev.steer.ingress.afpacket;

import static dev.steer.ingress.afpacket.Tpacket3Descriptor.*;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.function.Function;

import org.agrona.concurrent.UnsafeBuffer;

import dev.steer.engine.frame.FramePool;
import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameSink;
import dev.steer.engine.stats.DropReason;
import dev.steer.ingress.FirstPollOverruns;

/**
 * A {@link Feed} reading one interface (or one fanout share of it) through an AF_PACKET socket with a
 * TPACKET_V3 receive ring mapped into the JVM: the Linux analogue of a NIC RX queue, set up through the
 * FFM API without JNI. Each {@link #poll} walks the ring in place: a block belongs to the feed while its
 * status word has {@code TP_STATUS_USER}; its packets are handed to the sink straight from the mapped
 * memory, and the block goes back to the kernel with a release store of {@code TP_STATUS_KERNEL} only
 * once every packet in it was taken. A poll that runs out of budget inside a block resumes there.
 *
 * <p>What the sink gets is the frame as it was on the wire: the 802.1Q tag that the kernel takes out of a
 * received frame and reports in the packet's header is put back in front of the EtherType, as libpcap does.
 * Frames this host sends out of the interface are not input and are not handed over. Every value the kernel
 * writes into the ring is checked against the block before the feed reads through it; a block whose
 * descriptors contradict its bounds is given back, its packets counted {@link DropReason#FEED_TRUNCATED}.
 *
 * <p>Accounting: a packet the kernel cut short ({@code tp_snaplen < tp_len}, larger than a block) is
 * counted {@link DropReason#FEED_TRUNCATED}; packets the kernel dropped because the ring was full
 * ({@code PACKET_STATISTICS tp_drops}, which resets on read) are counted {@link DropReason#FEED_OVERRUN}
 * when read: on the first poll, before it takes anything ({@link #overrunsBeforeFirstPoll()}), on the first idle
 * poll after work and at least every {@link AfPacketSettings#statsInterval()} polls, never per packet, and a last
 * time when the ingress closes the feed ({@link #close(FrameSink)}; for a feed never polled that read is the first,
 * its drops all before the first poll), which also counts the packets still in the ring as
 * {@link DropReason#FEED_OVERRUN} ({@link #leftAtClose()}): they go with the ring, so that every packet the kernel
 * gave the socket ({@link PacketStatistics#packets()}) is taken or counted lost.
 *
 * <p>An interface that is deleted (or moved to another namespace) while the feed is open takes the socket's binding
 * with it: the kernel will never write to the ring again. The feed notices on its next statistics read
 * ({@code getsockname} reports no interface any more), hands over what the ring still holds, waits two block retire
 * timeouts for the last partly filled block, and then returns {@link Feed#END}; {@link #endReason()} says why. An
 * interface that only goes down is not an end: the kernel resumes delivery when it comes back up. Since a down link
 * looks like an idle one, the polling thread has its {@link #link()} read the interface's flags about once every
 * {@link InterfaceLink#CHECK_INTERVAL_NS} and count each change, as neither a drop nor a feed error; the queues of
 * {@link #openQueues} share one link, which whichever queue's poll finds a check due reads, through its own socket.
 *
 * <p>Thread contract: {@link #poll} from one thread at a time (the ingress'); {@link #close()} after the
 * last poll, from any thread; counters, {@link #statistics()} and {@link #link()} from any thread (plain reads of
 * single-writer fields, so possibly stale; the link's state and transitions are volatile, for a watcher on another
 * thread). {@code poll} never blocks, makes no syscall except the bounded statistics read (two calls) and, at most
 * once per {@link InterfaceLink#CHECK_INTERVAL_NS}, two ioctls for the link's flags (a clock comparison per poll),
 * allocates nothing and stamps every packet of a poll with one cached {@link System#nanoTime()} reading.
 */
public final class AfPacketFeed implements FirstPollOverruns {
    private static final VarHandle CLOSED;
    /** Destination and source MAC and EtherType: what a frame adds to the MTU, besides its VLAN tags. */
    private static final int ETHERNET_HEADER = 14;
    /**
     * The VLAN tags a frame at the MTU may carry besides: the outer one, which the kernel takes out and the feed puts
     * back, and an inner one (802.1ad QinQ), which stays in the frame.
     */
    private static final int VLAN_TAGS = 2 * VLAN_TAG_LENGTH;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(AfPacketFeed.class, "closed", boolean.class);
        } catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final String name;
    private final AfPacketSettings settings;
    private final RxRing rx;
    private final PacketSocket socket;
    private final UnsafeBuffer ring;
    private final PacketStatistics statistics;
    /** The interface's link: this feed's own, or the one the queues of {@link #openQueues} share. */
    private final InterfaceLink link;
    /** The polling thread's struct ifreq for the link's flags, allocated once with the socket. */
    private final MemorySegment linkRequest;
    private final long endDelayNs;
    private final int blockSize;
    private final int blockCount;
    private final int statsInterval;
    private final int maxPacketsPerBlock;
    private final int fanoutGroup;

    // Ring position, owned by the polling thread.
    private int block;
    private int blockBase;
    private int remaining;
    private int packet;
    private int pollsSinceStats;
    private boolean takenSinceStats;
    /** False until the first poll, which reads the kernel's drops before it takes anything. */
    private boolean polled;
    /** When the statistics read first found the interface gone, 0 while it is there. */
    private long interfaceGoneNs;
    private volatile String endReason;

    // Counters: single writer (the polling thread), read from anywhere.
    private long packets;
    private long bytes;
    private long truncated;
    private long outgoing;
    private long damagedBlocks;
    private long overruns;
    private long overrunsBeforeFirstPoll;
    private long queueFreezesBeforeFirstPoll;
    private long leftAtClose;
    private long blocksReleased;
    private long backPressured;
    private volatile boolean closed;

    /**
     * With {@code sharedLink} null the feed has a link of its own; else it shares that one (another queue's), whose
     * checks its polls take part in. Made by {@link AfPacketOpener}, which owns {@code rx} until this returns.
     */
    AfPacketFeed(String name, AfPacketSettings settings, RxRing rx, InterfaceLink sharedLink) {
        this.name = name;
        this.fanoutGroup = rx.fanoutGroup();
        this.settings = settings;
        this.rx = rx;
        this.socket = rx.socket();
        this.ring = new UnsafeBuffer(rx.memory().address(), (int) rx.memory().byteSize());
        this.statistics = new PacketStatistics(socket);
        // The kernel retires a partly filled block after retireTimeoutMs: twice that, and the ring holds all it ever will.
        this.endDelayNs = 2_000_000L * settings.retireTimeoutMs();
        this.blockSize = settings.blockSize();
        this.blockCount = settings.blockCount();
        this.statsInterval = settings.statsInterval();
        this.maxPacketsPerBlock = (blockSize - BLOCK_HEADER) / PKT_HEADER_AND_ADDRESS;
        this.linkRequest = socket.interfaceRequest(socket.arena());
        this.link = sharedLink == null ? new InterfaceLink(socket, linkRequest) : sharedLink;
    }

    /** Opens a feed named {@code afpacket:IFACE}; see {@link #open(String, AfPacketSettings)}. */
    public static AfPacketFeed open(AfPacketSettings settings) {
        return open("afpacket:" + settings.iface(), settings);
    }

    /**
     * Opens {@code queues} feeds named {@code NAME#0}, {@code NAME#1}, ... on one interface, the queues of one feed
     * sharing it through one fanout group: with {@link AfPacketSettings#UNIQUE_FANOUT_GROUP} the first queue starts
     * a group whose id the kernel picks unused and the others join that id, so that no other feed, program or
     * process on the interface shares the group by accident; with a group id, every queue joins that group. The queues
     * have one {@link #link()}, the interface's, which any queue's polls read when a check is due (one queue at a time,
     * through its own socket), so it moves while any queue is polled: a change of the link is counted once, and is every
     * queue's at once. Off the hot path.
     *
     * @return the feeds, queue 0 first; on any failure the feeds opened so far are closed again
     * @throws IllegalArgumentException for invalid settings, or several queues without a fanout group
     * @throws AfPacketException        as {@link #open(String, AfPacketSettings)}
     */
    public static List<AfPacketFeed> openQueues(String name, AfPacketSettings settings, int queues) {
        return AfPacketOpener.openQueues(name, settings, queues);
    }

    /**
     * Validates the settings, then, inside the settings' network namespace (the calling thread switches
     * there and back): opens the socket, selects TPACKET_V3, sets up and maps the receive ring, binds to the
     * interface for every protocol and joins the fanout group if one is set (or, for
     * {@link AfPacketSettings#UNIQUE_FANOUT_GROUP}, starts one with an id the kernel picks; see
     * {@link #fanoutGroup()}). Off the hot path; costs a few syscalls and the ring's memory
     * ({@link AfPacketSettings#ringBytes()}, locked in by MAP_POPULATE).
     *
     * @throws IllegalArgumentException for invalid settings, naming each
     * @throws AfPacketException        one line: no CAP_NET_RAW, no such interface or namespace, ring
     *                                  settings the kernel refused (with their values), fanout refused; on every
     *                                  failure nothing stays open or mapped
     * @throws IllegalStateException    when the thread could not switch back out of the namespace: the feed made is
     *                                  closed again, the switch's failure is the cause
     */
    public static AfPacketFeed open(String name, AfPacketSettings settings) {
        return open(name, settings, NetNamespace::enter);
    }

    /**
     * {@link #open(String, AfPacketSettings)} entering the namespace with {@code enter}: {@link NetNamespace#enter}, or
     * in tests one that makes the thread's way back fail, to show that the feed made is closed again then.
     */
    static AfPacketFeed open(String name, AfPacketSettings settings, Function<String, NetNamespace.Scope> enter) {
        return AfPacketOpener.open(name, settings, enter, null);
    }

    @Override
    public int poll(FrameSink sink, int budget) {
        if (closed || endReason != null) {
            return END;
        }
        final long now = System.nanoTime();
        if (!polled) {
            readBeforeFirstPoll(sink);
        }
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
                final int count = ring.getInt(base + BLOCK_NUM_PKTS);
                final int first = ring.getInt(base + BLOCK_FIRST_PKT);
                if (count <= 0) {
                    // The kernel does not retire empty blocks; if it ever did, give it back and bound the scan.
                    releaseBlock();
                    if (++emptyBlocks == blockCount) {
                        break;
                    }
                    continue;
                }
                remaining = count;
                if (first < BLOCK_HEADER || first > blockSize - PKT_HEADER_AND_ADDRESS || count > maxPacketsPerBlock) {
                    abandonBlock(sink);
                    taken++;
                    continue;
                }
                packet = base + first;
            }
            final int at = packet;
            int snapLength = ring.getInt(at + PKT_SNAPLEN);
            int wireLength = ring.getInt(at + PKT_LEN);
            int mac = ring.getShort(at + PKT_MAC) & 0xffff;
            final int status = ring.getInt(at + PKT_STATUS);
            final boolean tagged = (status & TP_STATUS_VLAN_VALID) != 0;
            if (mac < PKT_HEADER_AND_ADDRESS + (tagged ? VLAN_TAG_LENGTH : 0) || snapLength < (tagged ? MAC_ADDRESSES : 0)
                || snapLength > blockBase + blockSize - at - mac) {
                // Descriptors that contradict the block's own bounds: nothing in it can be trusted.
                abandonBlock(sink);
                taken++;
                continue;
            }
            if (tagged) {
                restoreVlanTag(ring, at, mac, snapLength, wireLength, status);
                mac -= VLAN_TAG_LENGTH;
                snapLength += VLAN_TAG_LENGTH;
                wireLength += VLAN_TAG_LENGTH;
            }
            if (ring.getByte(at + PKT_SLL_PKTTYPE) == PACKET_OUTGOING) {
                outgoing++; // sent by this host, not received: no input packet (PACKET_IGNORE_OUTGOING keeps them out)
            } else if (snapLength < wireLength) {
                sink.onDropped(DropReason.FEED_TRUNCATED, 1);
                truncated++;
            } else {
                if (sink.onFrame(ring, at + mac, snapLength, now) == FrameSink.BACK_PRESSURED) {
                    // Not taken: the position stays on this packet and the block stays ours (a restored tag stays).
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
                final int next = ring.getInt(at + PKT_NEXT_OFFSET);
                if (next < PKT_HEADER_AND_ADDRESS || next > blockBase + blockSize - PKT_HEADER_AND_ADDRESS - at) {
                    abandonBlock(sink);
                } else {
                    packet = at + next;
                }
            }
        }
        if (taken > 0) {
            takenSinceStats = true;
        }
        if (++pollsSinceStats >= statsInterval || (taken == 0 && takenSinceStats)) {
            readKernelDrops(sink);
            if (interfaceGoneNs == 0 && statistics.interfaceGone()) {
                interfaceGoneNs = now;
            }
        }
        if (interfaceGoneNs == 0) {
            link.onPoll(socket, linkRequest, now);
        }
        if (taken == 0 && interfaceGoneNs != 0 && now - interfaceGoneNs >= endDelayNs) {
            readKernelDrops(sink);
            endReason = interfaceLabel() + ": the interface (ifindex "
                + socket.ifIndex() + ") was deleted or moved to another namespace while the feed was open; the feed"
                + " has ended";
            return END;
        }
        return taken;
    }

    /**
     * Gives a block back whose descriptors contradict its own bounds (a first packet or a next offset outside it, a
     * packet running past its end, more packets than it can hold): no kernel writes those, and reading through them
     * would hand over bytes of other packets or of other blocks. The packets of the block not yet taken are counted
     * {@link DropReason#FEED_TRUNCATED}, as many as the block claims and at most as many as it can hold.
     */
    private void abandonBlock(FrameSink sink) {
        final int lost = Math.min(remaining, maxPacketsPerBlock);
        sink.onDropped(DropReason.FEED_TRUNCATED, lost);
        truncated += lost;
        damagedBlocks++;
        remaining = 0;
        releaseBlock();
    }

    private void releaseBlock() {
        ring.putIntRelease(blockBase + BLOCK_STATUS, TP_STATUS_KERNEL);
        blocksReleased++;
        if (++block == blockCount) {
            block = 0;
        }
    }

    /**
     * The first read: what the kernel dropped since the open came before anyone polled (a full ring while the engine
     * started), and is kept apart as {@link #overrunsBeforeFirstPoll()} with its freezes.
     */
    private void readBeforeFirstPoll(FrameSink sink) {
        polled = true;
        final int drops = readStatistics();
        // Set before the sink counts the drops, and fenced: a reader whose engine stats show them finds them here too.
        overrunsBeforeFirstPoll = overruns + Math.max(0, drops);
        queueFreezesBeforeFirstPoll = statistics.queueFreezes();
        VarHandle.releaseFence();
        countDrops(sink, drops);
    }

    /** Reads and resets the kernel's counters and reports its drops; one getsockopt into preallocated memory. */
    private void readKernelDrops(FrameSink sink) {
        countDrops(sink, readStatistics());
    }

    /** Reads and resets the kernel's counters, restarting the count of polls to the next read; returns the drops. */
    private int readStatistics() {
        pollsSinceStats = 0;
        takenSinceStats = false;
        return statistics.readDrops();
    }

    private void countDrops(FrameSink sink, int drops) {
        if (drops > 0) {
            overruns += drops;
            sink.onDropped(DropReason.FEED_OVERRUN, drops);
        }
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * One line when the interface can carry nothing now, naming it, its namespace and why: down ({@code IFF_UP} not
     * set: {@code AF_PACKET IF (netns NS): the interface is down: nothing arrives until it is brought up (`ip -n NS link
     * set IF up`)}), or up without a carrier ({@code IFF_RUNNING} not set); null when it is up and running, or after the
     * close. The feed stays open either way and receives once the link is up; {@code steer run} prints this as a
     * warning when it opens the feed. It reads the flags now; the polling thread's own reads count the link's changes
     * ({@link #link()}). Any thread, not concurrently with {@link #close()}; off the hot path: two ioctls
     * ({@code SIOCGIFNAME} by the bound interface's index, then {@code SIOCGIFFLAGS}, on the feed's socket, so in its
     * namespace) and a confined arena.
     */
    public String linkWarning() {
        return closed ? null : socket.linkWarning();
    }

    /**
     * The MTU of the feed's interface as it is now, or -1 when it cannot be read (the interface gone, the feed closed).
     * Any thread, not concurrently with {@link #close()}; off the hot path: two ioctls on the feed's socket.
     */
    public int mtu() {
        return closed ? -1 : socket.mtu();
    }

    /**
     * One line when the interface's MTU lets in frames larger than a pool frame of {@code poolFrameSize} bytes with
     * {@code headroom} holds, else null (also when the MTU cannot be read): every such frame is counted
     * {@link DropReason#OVERSIZE} by the ingress. The largest frame the MTU lets in is MTU + 14 (Ethernet header) + 8
     * (two VLAN tags): a double-tagged (QinQ) frame whose outer tag the NIC or a bridge took out, so that it passed
     * the MTU with its inner tag alone, and that the feed puts back (it puts back that one; any other stays in the
     * frame). The line names it, the room, and the {@code steer.engine.pool.frame-size} (a multiple of 64) that holds
     * it, or, when none up to {@link FramePool.Context#MAX_FRAME_SIZE} does, the largest one and the MTU whose frames
     * it holds. Frames larger than the MTU still arrive where the kernel merges segments (GRO) or a veth passes a
     * sender's unsegmented TCP frames; the line cannot foresee those. Off the hot path, as {@link #mtu()}.
     */
    public String mtuWarning(int poolFrameSize, int headroom) {
        final int mtu = mtu();
        final int largest = mtu + ETHERNET_HEADER + VLAN_TAGS;
        final int room = poolFrameSize - headroom;
        if (mtu < 0 || largest <= room) {
            return null;
        }
        final int multiple = FramePool.Context.FRAME_SIZE_MULTIPLE;
        final long needed = ((long) largest + headroom + multiple - 1) / multiple * multiple;
        final String said = interfaceLabel() + ": the interface's MTU " + mtu + " lets in frames of up to " + largest
            + " bytes (" + (mtu + ETHERNET_HEADER) + " and two VLAN tags), but a pool frame holds " + poolFrameSize
            + " - headroom " + headroom + " = " + room + " bytes: larger frames are dropped as oversize; ";
        if (needed <= FramePool.Context.MAX_FRAME_SIZE) {
            return said + "set steer.engine.pool.frame-size = " + needed + " to take them all";
        }
        // No pool frame is that large: the MTU has to come down to what the largest one holds.
        final int fits = FramePool.Context.MAX_FRAME_SIZE - headroom - ETHERNET_HEADER - VLAN_TAGS;
        final String netns = settings.netns();
        return said + "steer.engine.pool.frame-size is at most " + FramePool.Context.MAX_FRAME_SIZE + ", so to take"
            + " them all set it to " + FramePool.Context.MAX_FRAME_SIZE + " and the MTU to at most " + fits + " (`ip"
            + (netns.isEmpty() ? "" : " -n " + netns) + " link set " + settings.iface() + " mtu " + fits + "`)";
    }

    /**
     * The link under the interface as the polling threads read it: its state and its transitions while polling. The
     * queues of {@link #openQueues} share one, read by whichever queue's poll finds a check due: each queue has the same
     * state and counts, so what one shows, every queue shows, and it moves while any of them is polled. Any thread;
     * see {@link InterfaceLink} for what each accessor guarantees.
     */
    public InterfaceLink link() {
        return link;
    }

    /**
     * Reads the link's flags now through this feed's socket, due or not ({@link InterfaceLink#check}); false when
     * another queue was checking. For tests, on the polling thread or between polls; not after the close.
     */
    boolean checkLink(long now) {
        return link.check(socket, linkRequest, now);
    }

    /**
     * How the feed's lines name its interface: {@code AF_PACKET IF (netns NS)}, or {@code AF_PACKET IF} in the caller's
     * namespace; the same for every queue on the interface.
     */
    public String interfaceLabel() {
        return PacketSocket.where(settings.iface(), settings.netns());
    }

    /** The settings the feed was opened with. */
    public AfPacketSettings settings() {
        return settings;
    }

    /**
     * The fanout group this feed is a member of: the id it joined, or the one the kernel chose when the settings asked
     * for {@link AfPacketSettings#UNIQUE_FANOUT_GROUP}; {@link AfPacketSettings#NO_FANOUT} when it is in none. Other
     * queues of the same feed join this id ({@link #openQueues}).
     */
    public int fanoutGroup() {
        return fanoutGroup;
    }

    /** Packets handed to the sink and taken by it. */
    public long packets() {
        return packets;
    }

    /** Bytes of the packets taken. */
    public long bytes() {
        return bytes;
    }

    /**
     * Packets counted {@link DropReason#FEED_TRUNCATED}: cut short by the kernel, or not yet taken from a block
     * whose descriptors were damaged.
     */
    public long truncated() {
        return truncated;
    }

    /**
     * Frames this host sent out of the interface that reached the ring anyway (kernels before 4.20, which lack
     * {@code PACKET_IGNORE_OUTGOING}; a fanout member on kernels before 6.2, or in a group another program started
     * without {@code PACKET_FANOUT_FLAG_IGNORE_OUTGOING}): skipped, as they are no input packets, and not counted by the
     * engine.
     */
    public long outgoing() {
        return outgoing;
    }

    /** Blocks given back early because their descriptors contradicted their bounds (see {@link #truncated()}). */
    public long damagedBlocks() {
        return damagedBlocks;
    }

    /** The mapped ring, for tests that play the kernel's part. */
    UnsafeBuffer ring() {
        return ring;
    }

    /** Packets the kernel dropped for a full ring, counted {@link DropReason#FEED_OVERRUN} as read so far. */
    public long overruns() {
        return overruns;
    }

    /**
     * The part of {@link #overruns()} the first poll found: packets the kernel dropped for a full ring between the
     * open and the first poll, when nobody was polling yet (a ring of {@code blockCount} blocks, each retired by the
     * timer after {@code retireTimeoutMs}, fills within {@code blockCount * retireTimeoutMs} at any rate). Not a sign
     * that the feed fell behind while polled. A feed closed before it was ever polled has the close's read as its
     * first: all its {@link #overruns()} are here. Any thread (a plain read of a single-writer field, published
     * before the drops reach the sink as {@link FirstPollOverruns#overrunsBeforeFirstPoll()} says).
     */
    @Override
    public long overrunsBeforeFirstPoll() {
        return overrunsBeforeFirstPoll;
    }

    /**
     * The part of {@link PacketStatistics#queueFreezes()} the first poll (or the close of a feed never polled) found,
     * read with {@link #overrunsBeforeFirstPoll()}: the freezes before its drops. Any thread (a plain read of a
     * single-writer field).
     */
    public long queueFreezesBeforeFirstPoll() {
        return queueFreezesBeforeFirstPoll;
    }

    /** Packets still in the ring, not taken, when the feed closed: counted {@link DropReason#FEED_OVERRUN} by the close. */
    public long leftAtClose() {
        return leftAtClose;
    }

    /** Blocks given back to the kernel. */
    public long blocksReleased() {
        return blocksReleased;
    }

    /** Times the sink refused a packet (lossless back-pressure); the packet was offered again next poll. */
    public long backPressured() {
        return backPressured;
    }

    /**
     * Why {@link #poll} returns {@link Feed#END} although the feed was not closed (its interface was deleted), one
     * line; null while the feed runs or after a plain close. Any thread.
     */
    @Override
    public String endReason() {
        return endReason;
    }

    /**
     * What the kernel counted for the socket as read so far: the packets it gave the socket, and the reads. Any thread;
     * see {@link PacketStatistics} for what each accessor guarantees.
     */
    public PacketStatistics statistics() {
        return statistics;
    }

    /**
     * Reads the kernel's counters a last time and reports the drops to {@code sink}, and the packets still in the ring
     * (not taken: a lossless sink's refused one, the rest of a block, a block not yet retired) as
     * {@link DropReason#FEED_OVERRUN}, since they go with the ring; then closes. The packets in the ring are the ones
     * the kernel gave the socket ({@code tp_packets} less its drops) that the feed did not take, so no walk of the ring
     * is needed; those that arrive between this read and the close are lost as if sent after it. For a feed never
     * polled this read is the first, and its drops and freezes are those before the first poll
     * ({@link #overrunsBeforeFirstPoll()}). Not on the hot path: one {@code getsockopt}.
     */
    @Override
    public void close(FrameSink sink) {
        if (!closed) {
            if (polled) {
                readKernelDrops(sink);
            } else {
                // Never polled (the engine stopped before the ingress' first poll): nobody polled while these dropped.
                readBeforeFirstPoll(sink);
            }
            final long left = statistics.packets() - overruns - packets - outgoing - truncated;
            if (left > 0) {
                leftAtClose += left;
                sink.onDropped(DropReason.FEED_OVERRUN, (int) Math.min(Integer.MAX_VALUE, left));
            }
        }
        close();
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
        rx.close();
    }

    @Override
    public String toString() {
        return "AfPacketFeed{" + name + ", packets=" + packets + ", truncated=" + truncated + ", overruns="
            + overruns + ", blocksReleased=" + blocksReleased + '}';
    }
}
