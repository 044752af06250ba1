package dev.steer.ingress.afpacket;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The link under an {@link AfPacketFeed}'s interface as the feed's polling threads read it: whether it is up and
 * running (a carrier), and how often that changed. A down link looks like an idle one (the kernel just stops filling the
 * ring), so a polling thread reads the flags of the interface its socket is bound to (by its index: {@code SIOCGIFNAME},
 * then {@code SIOCGIFFLAGS}, on that feed's socket, so in its namespace) about once every {@link #CHECK_INTERVAL_NS}
 * and counts each change: {@link #downs()} (with the reason, {@link #lastDown()}), {@link #ups()}. The state at open is
 * the baseline ({@link AfPacketFeed#linkWarning()} says it): only changes from it are transitions. A down link loses no
 * packet the feed had, so it is counted apart, as neither a drop nor a feed error.
 *
 * <p>The queues of {@link AfPacketFeed#openQueues} share one link, the interface's: whichever queue's poll finds a
 * check due claims it with one CAS and reads the flags through its own socket, so the link moves while any queue is
 * polled (queue 0 may be stopped, restarting, slow or closed), each change is counted once and every queue shows it at
 * once, and the flags are read about once per interval for all the queues together, not once per queue. A queue that
 * finds the claim held skips the check; no thread waits for another.
 *
 * <p>Thread contract: made while the first feed that reads it opens; {@link #onPoll} and {@link #check} on the polling
 * thread of a feed sharing the link, with that feed's socket and {@code struct ifreq}, before that feed closes; one
 * check at a time (the claim), so the state and counts have one writer at a time, each check seeing the one before it.
 * The accessors from any thread (volatile, for a watcher on another thread). Costs a volatile read and a clock
 * comparison per poll and, at most about once per {@link #CHECK_INTERVAL_NS}, a CAS and two ioctls into the polling
 * feed's {@code struct ifreq}, preallocated at open; no allocation.
 */
public final class InterfaceLink {
    /**
     * How often the polling threads read the interface's flags to notice the link going down or coming back up: a change
     * is counted within about this long, at the cost of two ioctls per interval for all the queues sharing the link.
     */
    public static final long CHECK_INTERVAL_NS = 1_000_000_000L;

    private static final VarHandle CHECKING;

    static {
        try {
            CHECKING = MethodHandles.lookup().findVarHandle(InterfaceLink.class, "checking", boolean.class);
        } catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** When the next check is due; written by the check holding the claim, read by every queue's polls. */
    private volatile long nextCheckNs;
    /** The claim: true while one queue's polling thread checks; taken by CAS, given back by a release store. */
    @SuppressWarnings("unused")
    private volatile boolean checking;
    private volatile long checks;
    // The link as last read, and its transitions: written under the claim only, volatile for a watcher.
    private volatile boolean up;
    private volatile long downs;
    private volatile long ups;
    private volatile String lastDown;

    /**
     * Reads the link's state at open, the baseline, through {@code socket} (the first feed's, on the opening thread)
     * into {@code request} ({@link PacketSocket#interfaceRequest}).
     */
    InterfaceLink(PacketSocket socket, MemorySegment request) {
        final int flags = socket.interfaceFlags(request, socket.state());
        this.up = flags < 0 || PacketSocket.carries(flags);
        this.nextCheckNs = System.nanoTime() + CHECK_INTERVAL_NS;
    }

    /**
     * Called by a feed sharing the link once per poll with the poll's clock reading, its socket and its
     * {@code struct ifreq}: a {@link #check} when {@link #CHECK_INTERVAL_NS} has passed since the last one (by any
     * queue) and no other queue is checking, else one comparison. The polling thread of that feed.
     */
    void onPoll(PacketSocket socket, MemorySegment request, long now) {
        if (now - nextCheckNs >= 0) {
            check(socket, request, now, true);
        }
    }

    /**
     * Reads the interface's flags through {@code socket} into {@code request} now, whether due or not, unless another
     * queue is checking; see {@link #check(PacketSocket, MemorySegment, long, boolean)}. The polling thread of a feed
     * sharing the link (or a test's, between polls).
     *
     * @return whether the flags were read
     */
    boolean check(PacketSocket socket, MemorySegment request, long now) {
        return check(socket, request, now, false);
    }

    /**
     * Takes the claim, or returns false when another queue holds it; when {@code onlyWhenDue}, returns false as well if
     * another queue's check came in between and the next is not due yet. Then reads the interface's flags and counts a
     * change of the link: up and running to not ({@link #downs()}, the reason in {@link #lastDown()}), or back
     * ({@link #ups()}). Flags that cannot be read (the interface deleted, which the feed's statistics read finds and
     * ends the feed for) change nothing; a renamed interface is followed. A CAS, two ioctls into preallocated memory,
     * and the reason's line on a down transition only.
     */
    private boolean check(PacketSocket socket, MemorySegment request, long now, boolean onlyWhenDue) {
        if (!CHECKING.compareAndSet(this, false, true)) {
            return false;
        }
        try {
            if (onlyWhenDue && now - nextCheckNs < 0) {
                return false;
            }
            nextCheckNs = now + CHECK_INTERVAL_NS;
            checks++;
            final int flags = socket.interfaceFlags(request, socket.state());
            if (flags < 0) {
                return true;
            }
            final boolean carries = PacketSocket.carries(flags);
            if (carries != up) {
                // The state first, then the count: a watcher that sees the count sees the state (and the reason) it
                // came with.
                up = carries;
                if (carries) {
                    ups++;
                } else {
                    lastDown = socket.describeLink(flags);
                    downs++;
                }
            }
            return true;
        } finally {
            CHECKING.setRelease(this, false);
        }
    }

    /**
     * Whether the interface was up and running (carrier) when last read: at open, then by the polling threads about once
     * every {@link #CHECK_INTERVAL_NS}. Any thread; a volatile read.
     */
    public boolean up() {
        return up;
    }

    /**
     * Times a polling thread found the link gone down (not up, or no carrier) since it last found it up: each
     * transition once, within about {@link #CHECK_INTERVAL_NS}; a link down at open is no transition (see
     * {@link AfPacketFeed#linkWarning()}). No packet is counted lost for it. Any thread; a volatile read.
     */
    public long downs() {
        return downs;
    }

    /** Times a polling thread found the link back up and running after it was down (at open or later). Any thread. */
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
     * Reads of the link's flags by the polling threads, all queues sharing the link together (about one per
     * {@link #CHECK_INTERVAL_NS}). Any thread; a volatile read.
     */
    public long checks() {
        return checks;
    }
}
