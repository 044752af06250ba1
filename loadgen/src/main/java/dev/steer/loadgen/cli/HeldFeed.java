package dev.steer.loadgen.cli;

import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameSink;

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
 * would never receive. Thread contract: the wrapped feed's; {@link #release()} from any thread. One volatile read per
 * poll, no allocation.
 */
final class HeldFeed implements Feed {
    private final Feed feed;
    private volatile boolean held = true;

    /** {@code feed}, held until {@link #release()}. */
    HeldFeed(Feed feed) {
        this.feed = feed;
    }

    /** Lets the frames through from the next poll on. Any thread; idempotent. */
    void release() {
        held = false;
    }

    @Override
    public int poll(FrameSink sink, int budget) {
        return held ? 0 : feed.poll(sink, budget);
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
