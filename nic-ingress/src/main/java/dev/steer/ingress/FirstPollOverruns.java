package dev.steer.ingress;

import dev.steer.engine.path.Feed;

/**
 * A feed whose input fills while nobody polls it (a kernel socket's receive buffer, an AF_PACKET ring) and which keeps
 * apart what was lost for want of room between its open and its first poll. A feed can be opened well before an
 * engine first polls it ({@code steer run} opens its feeds before it starts the engine), and what a sender already
 * running overfills then says nothing about whether the feed keeps up once polled. Those losses are counted
 * {@code feed_overrun} like the rest; this count says how many of them came first, so that a report can show them
 * apart and live figures can leave them out. The engine does not read it: it is for whoever reports on the feed.
 */
public interface FirstPollOverruns extends Feed {
    /**
     * Packets counted {@code feed_overrun} that the feed's first poll found already lost (dropped by the kernel since
     * the open); for a feed closed without a poll, those its close found. 0 until then, fixed after.
     *
     * <p>Any thread; a field read. The feed stores the count, then {@link java.lang.invoke.VarHandle#releaseFence()},
     * then reports those drops to the sink, whose counters a stats snapshot reads with acquire: a thread that saw the
     * drops counted {@code feed_overrun} in the engine's stats and reads this count after them sees it set.
     */
    long overrunsBeforeFirstPoll();
}
