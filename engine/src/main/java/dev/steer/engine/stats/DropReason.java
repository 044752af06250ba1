package dev.steer.engine.stats;

/**
 * Why a frame was dropped. Every frame that is received is, in the end, delivered to a handler or
 * dropped for exactly one of these reasons; the accounting invariant sums them.
 */
public enum DropReason {
    /** The ingress pool had no free frame to receive into. */
    POOL_EXHAUSTED("pool_exhausted"),
    /** The input was larger than a frame's data room (EOVERFLOW at receive). */
    OVERSIZE("oversize"),
    /**
     * The feed's own receive queue overflowed before the ingress read the packet: an AF_PACKET ring that
     * the kernel found full (its {@code tp_drops}), a UDP socket's full buffer. Counted when the feed learns of it.
     * Also the packets a feed still held when its ingress closed it (left in a ring, a socket's buffer or an Aeron
     * subscription's images, or refused by a lossless sink), which go with it.
     */
    FEED_OVERRUN("feed_overrun"),
    /** The feed received the packet damaged or cut short (a capture record shorter than its wire length, say). */
    FEED_TRUNCATED("feed_truncated"),
    /** The steering program returned DROP. */
    PROGRAM_DROP("program_drop"),
    /** The steering program returned ABORTED or an unknown verdict, or threw. */
    PROGRAM_ABORTED("program_aborted"),
    /**
     * A redirect named a key with no entry and its fallback was DROP. (An ABORTED fallback counts as
     * {@link #PROGRAM_ABORTED} or {@link #REMOTE_ABORTED}, as the kernel's {@code XDP_ABORTED} does.)
     */
    NO_ENTRY("no_entry"),
    /** A redirect was refused with an error code (see the redirect errors by code). */
    REDIRECT_ERROR("redirect_error"),
    /** The target entry's ring was full when a bulk queue was flushed. */
    RING_FULL("ring_full"),
    /** The entry's remote program returned DROP. */
    REMOTE_DROP("remote_drop"),
    /** The entry's remote program returned ABORTED or an unknown verdict, or threw. */
    REMOTE_ABORTED("remote_aborted"),
    /**
     * A remote program redirected a frame that remote programs had already redirected
     * {@link dev.steer.engine.frame.Frame#MAX_REMOTE_REDIRECTS} times: entries whose programs send frames to each
     * other in a cycle.
     */
    REDIRECT_LOOP("redirect_loop"),
    /** The frame handler threw while handling the batch the frame was in. */
    HANDLER_ERROR("handler_error"),
    /** The entry's consumer failed past every restart and respawn; the supervisor returned what its ring held. */
    CONSUMER_FAILED("consumer_failed"),
    /** The target entry lives on a node that cannot be reached. */
    UNREACHABLE("unreachable");

    private static final DropReason[] VALUES = values();

    private final String label;

    DropReason(String label) {
        this.label = label;
    }

    /** Short snake-case name used in statistics output and JSON. */
    public String label() {
        return label;
    }

    /** All reasons, without the defensive copy of {@link #values()}. */
    static DropReason[] all() {
        return VALUES;
    }
}
