package dev.steer.engine.path;

import org.agrona.DirectBuffer;

import dev.steer.engine.frame.Frame;
import dev.steer.engine.frame.FramePool;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.program.PacketView;
import dev.steer.engine.program.SteeringProgram;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;

/**
 * The data path of one ingress, the analogue of a driver's NAPI poll with its XDP program: each
 * {@link #poll(Feed)} reads the map snapshot, takes at most {@code budget} packets from the feed, runs the
 * steering program on each where the feed holds it, copies those that go on (PASS, REDIRECT) into a frame
 * of the ingress' own pool, carries out the verdict (bulk queues for redirects, a local batch for PASS), and
 * at the end flushes every touched bulk queue and the local batch. A dropped packet costs no frame. Between
 * two polls nothing is queued, which makes the gap a quiescence point.
 *
 * <p>Every packet handed to {@link #onFrame} is counted as received and then delivered, queued or dropped
 * for one {@link DropReason}; in lossless mode a packet whose target ring (or the pool) is full is instead
 * refused with {@link FrameSink#BACK_PRESSURED} and not counted as received.
 *
 * <p>Thread contract: one thread (the ingress') calls {@link #poll} and, through the feed,
 * {@link #onFrame}. Allocation-free, lock-free; a program exception is caught and counted as ABORTED.
 */
public final class IngressPath implements FrameSink {
    /** Default NAPI budget: frames per poll. */
    public static final int DEFAULT_BUDGET = 64;
    /**
     * Polls in a row whose consumer wake-ups are deferred while the feed keeps delivering: a consumer is woken
     * at the latest by the fourth poll after its frames were flushed, and at once when a poll comes back empty
     * (the feed ran dry), ends, throws, or meets a full ring.
     */
    public static final int MAX_DEFERRED_WAKEUPS = 3;

    private final int feedId;
    private final int queueIndex;
    private final FramePool pool;
    private final SteeringProgram program;
    private final PathCounters counters;
    private final Redirector redirector;
    private final HandlerBatch local;
    private final PacketView view = new PacketView();
    private final int budget;
    private final boolean lossless;
    private final HandlerBatch.ErrorSink errors;
    private final int maxDataLength;
    private int deferredPolls;
    /** Why the last lossless refusal refused: written on the refusal path only. */
    private DropReason refusal = DropReason.RING_FULL;

    /**
     * @param feedId       id recorded in every frame
     * @param queueIndex   feed queue index recorded in every frame
     * @param pool         this ingress' pool; leased from this thread only
     * @param program      the steering program; {@link SteeringProgram#forIngress()} is taken here
     * @throws IllegalStateException when the program's {@code forIngress()} returns null
     * @param map          the map redirects go to
     * @param localHandler receives PASS frames in batches of {@code passBatch}, whose key is {@link FrameBatch#LOCAL}
     * @param passBatch    frames per local handler call
     * @param budget       packets per poll, at least 1
     * @param lossless     refuse packets whose target is full instead of dropping them
     * @param counters     this ingress' counters
     * @param errors       where local handler and program exceptions and the feed's own errors are reported
     */
    public IngressPath(int feedId, int queueIndex, FramePool pool, SteeringProgram program, CpuMap map,
                       FrameHandler localHandler, int passBatch, int budget, boolean lossless,
                       PathCounters counters, HandlerBatch.ErrorSink errors) {
        if (budget < 1) {
            throw new IllegalArgumentException("budget=" + budget + ": must be at least 1");
        }
        this.feedId = feedId;
        this.queueIndex = queueIndex;
        this.pool = pool;
        // A null instance is refused: every frame would otherwise be counted ABORTED one by one.
        this.program = SteeringProgram.checkedInstance(program, "steering program", "");
        this.counters = counters;
        this.errors = errors;
        this.redirector = new Redirector(map, counters, DropReason.PROGRAM_DROP, DropReason.PROGRAM_ABORTED, lossless);
        this.local = new HandlerBatch(passBatch, localHandler, counters, errors);
        this.budget = budget;
        this.lossless = lossless;
        this.maxDataLength = pool.maxDataLength();
        // Here, not in the first poll: the first frames of a run would wait for the loading.
        PathClasses.initialize();
    }

    /**
     * One NAPI-style poll: refresh the snapshot, take up to {@code budget} packets from the feed, flush.
     * An exception from the feed propagates after the flush, so the caller can restart the feed without
     * frames left in bulk queues.
     *
     * @return the feed's result: packets taken, 0 when idle, {@link Feed#END} when the feed has ended
     */
    public int poll(Feed feed) {
        redirector.refresh();
        counters.increment(PathCounters.Counter.POLLS);
        int taken = 0;
        try {
            taken = feed.poll(this, budget);
            return taken;
        } finally {
            // Also when the feed throws: nothing may stay queued past the end of a poll. Wake-ups wait while the
            // feed keeps delivering, for at most MAX_DEFERRED_WAKEUPS polls.
            flush(taken > 0 && deferredPolls < MAX_DEFERRED_WAKEUPS);
        }
    }

    /**
     * Closes {@code feed} with this path as its sink ({@link Feed#close(FrameSink)}), as the ingress stops: reads the
     * current snapshot first and flushes after, as a poll does, so that what the feed hands over at its close (lost
     * packets it reports, or packets it should not hand over there but does) is counted and none stays in a bulk
     * queue that no later poll would flush. The thread that owns this path, or any thread once that one has stopped.
     * Throws what the feed's close throws, after the flush.
     */
    public void close(Feed feed) {
        redirector.refresh();
        try {
            feed.close(this);
        } finally {
            flush(false);
        }
    }

    /** Flushes every touched bulk queue and the local batch, and wakes every consumer owed a wake-up. */
    public void flush() {
        flush(false);
    }

    private void flush(boolean deferWakeups) {
        deferredPolls = deferWakeups ? deferredPolls + 1 : 0;
        redirector.flush(deferWakeups);
        local.deliver();
    }

    /**
     * Wakes the consumers whose wake-up the last polls deferred; the ingress calls it before it leaves its poll
     * loop (a control message, a stop), so that no consumer waits on an ingress that is not polling.
     */
    public void wakeConsumers() {
        redirector.wakeOwed();
        deferredPolls = 0;
    }

    @Override
    public int onFrame(DirectBuffer buffer, int offset, int length, long timestampNs) {
        if (length < 0 || length > maxDataLength) {
            counters.increment(PathCounters.Counter.RECEIVED);
            counters.drop(DropReason.OVERSIZE, 1);
            return ACCEPTED;
        }
        if (offset < 0 || offset > buffer.capacity() - length) {
            // A feed that names bytes outside its own buffer has handed over a damaged packet: counted, not copied.
            counters.increment(PathCounters.Counter.RECEIVED);
            counters.drop(DropReason.FEED_TRUNCATED, 1);
            return ACCEPTED;
        }
        // The program reads the packet where the feed holds it (hot in cache), as XDP runs in the RX ring: a
        // dropped packet costs no frame and no copy, and the copy is not read back while its stores are in flight.
        final long verdict = GuardedProgram.run(program,
            view.wrap(buffer, offset, length, feedId, queueIndex, timestampNs), counters, errors);
        final int action = Verdict.action(verdict);
        if (action != Verdict.REDIRECT && action != Verdict.PASS) {
            counters.increment(PathCounters.Counter.RECEIVED);
            redirector.discard(verdict);
            return ACCEPTED;
        }
        if (backPressures(verdict)) {
            return BACK_PRESSURED;
        }
        final Frame frame = pool.lease(length, feedId, queueIndex, timestampNs);
        if (frame == null) {
            if (lossless) {
                counters.increment(PathCounters.Counter.BACK_PRESSURED);
                refusal = DropReason.POOL_EXHAUSTED;
                return BACK_PRESSURED;
            }
            counters.increment(PathCounters.Counter.RECEIVED);
            counters.drop(DropReason.POOL_EXHAUSTED, 1);
            return ACCEPTED;
        }
        frame.copyData(buffer, offset);
        return carryOut(frame, verdict);
    }

    /** {@link DropReason#RING_FULL} or {@link DropReason#POOL_EXHAUSTED}, as the last refusal found. */
    @Override
    public DropReason refusalReason() {
        return refusal;
    }

    /** Counts the feed's failure in {@code feed_errors} and reports it to the engine's error sink. */
    @Override
    public void onFeedError(Throwable error) {
        counters.increment(PathCounters.Counter.FEED_ERRORS);
        HandlerBatch.report(errors, counters, error);
    }

    /** Counts {@code count} failures in {@code feed_errors} and reports {@code summary} once to the engine's error sink. */
    @Override
    public void onFeedErrors(Throwable summary, long count) {
        if (count > 0) {
            counters.add(PathCounters.Counter.FEED_ERRORS, count);
            HandlerBatch.report(errors, counters, summary);
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when {@code reason} is null (nothing is counted: received without a reason,
     *                                  the packets would stay in flight for ever)
     */
    @Override
    public void onDropped(DropReason reason, int count) {
        if (reason == null) {
            throw new IllegalArgumentException("onDropped(reason=null, count=" + count + "): a feed's losses need a"
                + " DropReason (FEED_OVERRUN, FEED_TRUNCATED, ...)");
        }
        if (count > 0) {
            counters.add(PathCounters.Counter.RECEIVED, count);
            counters.drop(reason, count);
        }
    }

    /**
     * Steers a frame already leased from this ingress' pool and filled by a zero-copy feed: counts it,
     * runs the program and carries out the verdict. Same result codes as {@link #onFrame}; on
     * {@link FrameSink#BACK_PRESSURED} the frame has been released.
     */
    public int steer(Frame frame) {
        final long verdict = GuardedProgram.run(program, view, frame, counters, errors);
        if (backPressures(verdict)) {
            frame.release();
            return BACK_PRESSURED;
        }
        return carryOut(frame, verdict);
    }

    /** Lossless only: true (and counted) when {@code verdict} redirects to a ring without room for one more frame. */
    private boolean backPressures(long verdict) {
        if (lossless && Verdict.action(verdict) == Verdict.REDIRECT && !redirector.hasRoom(Verdict.key(verdict))) {
            counters.increment(PathCounters.Counter.BACK_PRESSURED);
            refusal = DropReason.RING_FULL;
            return true;
        }
        return false;
    }

    /** Counts the frame received and carries out its verdict: queued, dropped, or added to the local batch. */
    private int carryOut(Frame frame, long verdict) {
        counters.increment(PathCounters.Counter.RECEIVED);
        if (redirector.steer(frame, verdict) == Redirector.PASS) {
            local.add(frame);
        }
        return ACCEPTED;
    }

    /** Leases a frame from this ingress' pool for a zero-copy feed; null when the pool is empty. */
    public Frame lease() {
        return pool.lease();
    }

    /** This ingress' counters. */
    public PathCounters counters() {
        return counters;
    }

    /** This ingress' pool. */
    public FramePool pool() {
        return pool;
    }

    /** Packets per poll. */
    public int budget() {
        return budget;
    }
}
