package dev.steer.loadgen.cli;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameSink;
import dev.steer.ingress.FirstPollOverruns;

/**
 * A feed that {@code steer run} holds until its measured time begins, as {@link
 * dev.steer.loadgen.traffic.SyntheticFeed#hold()} holds the synthetic one: polls find nothing until {@link #release()},
 * so that no frame is received before the stats baseline, where it would be in the run's totals and in no live
 * interval (a pcap feed replayed much of its capture while the engine started). What arrives in the meantime waits
 * where the feed's input keeps it: the rest of a capture in its file, datagrams in the socket's receive buffer,
 * frames in the AF_PACKET ring, messages in the Aeron image (whose publisher is back-pressured); what the kernel drops
 * there for want of room a UDP or AF_PACKET feed counts at its first poll, as drops before the first poll: kept apart
 * in the summary and out of the live intervals ({@link FirstPollDrops}).
 *
 * <p>Held only at the start: at the end the run waits for what its own senders sent to arrive, which a held feed
 * would never receive. The run starts its senders once the first poll after the release has returned
 * ({@link #polledSinceRelease()}): that poll is the wrapped feed's first, the one that sets the kernel's drops apart,
 * and the senders' traffic must not be among them.
 *
 * <p>Thread contract: the wrapped feed's; {@link #release()} and {@link #polledSinceRelease()} from any thread. One
 * volatile read per poll and one volatile write in the feed's lifetime (at the end of its first poll after the
 * release), no allocation.
 */
final class HeldFeed implements Feed {
    private static final int HELD = 0;
    private static final int RELEASED = 1;
    private static final int POLLED = 2;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(HeldFeed.class, "state", int.class);
        } catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final Feed feed;
    private volatile int state = HELD;

    /** {@code feed}, held until {@link #release()}. */
    HeldFeed(Feed feed) {
        this.feed = feed;
    }

    /** Lets the frames through from the next poll on. Any thread; idempotent (a later call changes nothing). */
    void release() {
        STATE.compareAndSet(this, HELD, RELEASED);
    }

    /**
     * Whether a poll of the wrapped feed has returned or thrown since {@link #release()}: the feed's first poll, which
     * read what the kernel dropped before it, is over. Any thread; one volatile read.
     */
    boolean polledSinceRelease() {
        return state == POLLED;
    }

    /**
     * Whether the wrapped feed keeps what the kernel dropped before its first poll apart ({@link FirstPollOverruns}:
     * UDP, AF_PACKET); an Aeron feed's publishers are back-pressured instead. Any thread.
     */
    boolean dropsBeforeFirstPoll() {
        return feed instanceof FirstPollOverruns;
    }

    @Override
    public int poll(FrameSink sink, int budget) {
        final int now = state;
        if (now == HELD) {
            return 0;
        }
        try {
            return feed.poll(sink, budget);
        } finally {
            if (now == RELEASED) {
                // Once in the feed's lifetime: the polling thread is the only writer after the release. Also when the
                // poll threw: it is over, and the ingress counts the failure (and may be restarted).
                state = POLLED;
            }
        }
    }

    @Override
    public String name() {
        return feed.name();
    }

    @Override
    public String endReason() {
        return feed.endReason();
    }

    @Override
    public void close() {
        feed.close();
    }

    @Override
    public void close(FrameSink sink) {
        feed.close(sink);
    }
}
