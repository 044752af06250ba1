package dev.steer.engine.path;

import org.agrona.DirectBuffer;

import dev.steer.engine.stats.DropReason;

/**
 * Where a {@link Feed} hands each received packet: the ingress, which copies it into a pool frame and
 * steers it. Result codes follow Aeron's style: 0 and above is success, negatives say why not.
 *
 * <p>Thread contract: called only from within {@link Feed#poll} or {@link Feed#close(FrameSink)}, on the thread that
 * polls or closes the feed (the ingress thread; the supervisor's for an ingress that gave up). The ingress' counters
 * have that one writer, so a feed whose source reports on a thread of its own (an Aeron client's conductor) queues
 * the report and hands it over on its next poll, as {@code AeronFeed} does.
 */
public interface FrameSink {
    /** The packet was taken: it is queued, delivered, or dropped and counted. */
    int ACCEPTED = 0;
    /**
     * The packet was not taken because its target ring (or the pool) is full and the sink runs lossless: the feed
     * must leave it where it is (e.g. abort a controlled Aeron poll), stop this poll, and offer it again before the
     * packets that followed it from the same source; packets of the feed's other sources (other publishers of an Aeron
     * subscription) may come first ({@link Feed#poll} has the whole contract). Nothing was counted as received;
     * {@link #refusalReason()} says why.
     */
    int BACK_PRESSURED = -1;

    /**
     * Takes one packet of {@code length} bytes from {@code buffer} at {@code offset}.
     *
     * @param timestampNs receive time in nanoseconds ({@link System#nanoTime()} clock unless the feed says otherwise)
     * @return {@link #ACCEPTED} or {@link #BACK_PRESSURED}
     */
    int onFrame(DirectBuffer buffer, int offset, int length, long timestampNs);

    /**
     * Why the last {@link #BACK_PRESSURED} answer refused its packet: {@link DropReason#RING_FULL} (its target ring had
     * no room) or {@link DropReason#POOL_EXHAUSTED} (no free frame), the reason a sink in drop mode would have counted.
     * For a feed that cannot keep a refused packet (a plain Aeron poll has consumed it) and counts it dropped instead:
     * {@code onDropped(sink.refusalReason(), 1)}, right after the refusal. Same thread as {@link #onFrame}; a field
     * read. The default, for a sink that refuses only for a full ring, is {@link DropReason#RING_FULL}.
     */
    default DropReason refusalReason() {
        return DropReason.RING_FULL;
    }

    /**
     * Counts {@code count} packets that reached the feed but that it cannot hand over (its receive queue
     * overflowed, the packet arrived truncated, ...): they are counted as received and dropped for
     * {@code reason}, so the accounting invariant covers the feed's own losses. A count of 0 or less counts nothing.
     *
     * @throws IllegalArgumentException when {@code reason} is null; nothing is counted, and the ingress takes it as
     *                                  a failure of the feed's poll ({@code feed_errors})
     */
    void onDropped(DropReason reason, int count);

    /**
     * Reports a failure of the feed that did not stop it and that no exception out of {@link Feed#poll} carries: an
     * error its source reported asynchronously (an Aeron client's error handler). The ingress counts it in
     * {@code feed_errors} and hands it to the engine's error handler, as it does a feed that throws, but the feed is
     * not restarted. Off the hot path: called once per such failure, from within a poll (see the thread contract),
     * never from the source's own thread.
     */
    void onFeedError(Throwable error);

    /**
     * Reports {@code count} failures as {@link #onFeedError} does, with one error standing for all of them: failures
     * the feed could not keep one by one (an Aeron client's errors beyond what its queue holds). The ingress counts
     * {@code count} in {@code feed_errors} and hands {@code summary} to the engine's error handler once. A count of 0
     * or less counts and reports nothing. Same thread contract and cost as {@link #onFeedError}.
     *
     * <p>The default calls {@link #onFeedError} {@code count} times with {@code summary}, so that a sink that counts
     * one per call still counts every failure; the ingress overrides it to report once.
     */
    default void onFeedErrors(Throwable summary, long count) {
        for (long i = 0; i < count; i++) {
            onFeedError(summary);
        }
    }
}
