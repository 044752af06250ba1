package dev.steer.engine.path;

/**
 * A {@link Feed} whose input fills while nobody polls it (a kernel socket's receive buffer, an AF_PACKET ring) and
 * which keeps apart what was lost for want of room between its open and its first poll: the feed is opened before the
 * engine starts, so an external sender may overfill it then, which says nothing about whether the feed keeps up once
 * polled. Those losses are counted {@code feed_overrun} like the rest; this count says how many of them came first, so
 * that a report can show them apart and live figures can leave them out.
 */
public interface FirstPollOverruns {
    /**
     * Packets counted {@code feed_overrun} that the feed's first poll found already lost (dropped by the kernel since
     * the open); for a feed closed without a poll, those its close found. 0 until then, fixed after. Set before the
     * drops reach the sink, with release semantics: a thread that saw them in the ingress' counters sees them here
     * too. Any thread; a field read.
     */
    long overrunsBeforeFirstPoll();
}
