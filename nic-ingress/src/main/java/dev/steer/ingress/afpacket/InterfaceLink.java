package dev.steer.ingress.afpacket;

import java.lang.foreign.MemorySegment;

/**
 * The link under an {@link AfPacketFeed}'s interface as the feed's polling thread reads it: whether it is up and running
 * (a carrier), and how often that changed. A down link looks like an idle one (the kernel just stops filling the ring),
 * so the polling thread reads the flags of the interface the socket is bound to (by its index: {@code SIOCGIFNAME},
 * then {@code SIOCGIFFLAGS}, on the feed's socket, so in its namespace)
 * about once every {@link #CHECK_INTERVAL_NS} and counts each change: {@link #downs()} (with the reason,
 * {@link #lastDown()}), {@link #ups()}. The state at open is the baseline ({@link AfPacketFeed#linkWarning()} says it):
 * only changes from it are transitions. A down link loses no packet the feed had, so it is counted apart, as neither a
 * drop nor a feed error. The queues of {@link AfPacketFeed#openQueues} share the link of queue 0, whose polls read
 * it: the state is the interface's, so a change is counted once and every queue shows it at once (read on each
 * queue's own stride, a short down could be counted by one queue and not another). While queue 0 is not polled (or
 * once it is closed) the other queues' link is not read.
 *
 * <p>Thread contract: made while the feed that reads it opens; {@link #onPoll} and {@link #check} on that feed's
 * polling thread only, before that feed closes; the accessors from any thread (one writer, the polling thread; the state and the transitions
 * are volatile, for a watcher on another thread). Costs a clock comparison per poll and, at most once per
 * {@link #CHECK_INTERVAL_NS}, two ioctls into a {@code struct ifreq} preallocated at open; no allocation.
 */
public final class InterfaceLink {
    /**
     * How often the polling thread reads the interface's flags to notice the link going down or coming back up: a change
     * is counted within about this long, at the cost of two ioctls per interval per queue.
     */
    public static final long CHECK_INTERVAL_NS = 1_000_000_000L;

    private final PacketSocket socket;
    /** The polling thread's struct ifreq for the link's flags, named once. */
    private final MemorySegment request;
    private long nextCheckNs;
    private long checks;
    // The link as the polling thread last read it, and its transitions: single writer, volatile for a watcher.
    private volatile boolean up;
    private volatile long downs;
    private volatile long ups;
    private volatile String lastDown;

    /** Reads the link's state at open, the baseline, with the socket's memory and errno state. */
    InterfaceLink(PacketSocket socket) {
        this.socket = socket;
        this.request = socket.interfaceRequest(socket.arena());
        final int flags = socket.interfaceFlags(request, socket.state());
        this.up = flags < 0 || PacketSocket.carries(flags);
        this.nextCheckNs = System.nanoTime() + CHECK_INTERVAL_NS;
    }

    /**
     * Called by the feed once per poll with the poll's clock reading: a {@link #check} when {@link #CHECK_INTERVAL_NS}
     * has passed since the last one, else one comparison. Polling thread.
     */
    void onPoll(long now) {
        if (now - nextCheckNs >= 0) {
            check(now);
        }
    }

    /**
     * Reads the interface's flags and counts a change of the link: up and running to not ({@link #downs()}, the reason
     * in {@link #lastDown()}), or back ({@link #ups()}). Flags that cannot be read (the interface deleted, which the
     * feed's statistics read finds and ends the feed for) change nothing; a renamed interface is followed. Polling
     * thread; two ioctls into preallocated memory, and the reason's line on a down transition only.
     */
    void check(long now) {
        nextCheckNs = now + CHECK_INTERVAL_NS;
        checks++;
        final int flags = socket.interfaceFlags(request, socket.state());
        if (flags < 0) {
            return;
        }
        final boolean carries = PacketSocket.carries(flags);
        if (carries == up) {
            return;
        }
        // The state first, then the count: a watcher that sees the count sees the state (and the reason) it came with.
        up = carries;
        if (carries) {
            ups++;
        } else {
            lastDown = socket.describeLink(flags);
            downs++;
        }
    }

    /**
     * Whether the interface was up and running (carrier) when last read: at open, then by the polling thread about once
     * every {@link #CHECK_INTERVAL_NS}. Any thread; a volatile read.
     */
    public boolean up() {
        return up;
    }

    /**
     * Times the polling thread found the link gone down (not up, or no carrier) since it last found it up: each
     * transition once, within about {@link #CHECK_INTERVAL_NS}; a link down at open is no transition (see
     * {@link AfPacketFeed#linkWarning()}). No packet is counted lost for it. Any thread; a volatile read.
     */
    public long downs() {
        return downs;
    }

    /** Times the polling thread found the link back up and running after it was down (at open or later). Any thread. */
    public long ups() {
        return ups;
    }

    /**
     * The line of the latest down transition, as {@link AfPacketFeed#linkWarning()} words it (down, or no carrier;
     * naming the interface, its namespace and what to do); null while there was none. Set before {@link #downs()}
     * counts it, so a thread that sees the count sees its line. Any thread.
     */
    public String lastDown() {
        return lastDown;
    }

    /**
     * Reads of the link's flags by the polling thread (about one per {@link #CHECK_INTERVAL_NS}). Any thread; a plain
     * read of a single-writer field, so possibly stale.
     */
    public long checks() {
        return checks;
    }
}
