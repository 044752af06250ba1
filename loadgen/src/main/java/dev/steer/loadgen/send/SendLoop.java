package dev.steer.loadgen.send;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import dev.steer.loadgen.traffic.Pacer;
import dev.steer.loadgen.traffic.TrafficGenerator;
import dev.steer.loadgen.traffic.TrafficProfile;

/**
 * A sending thread: takes frames from a {@link FrameSource} and puts them into a {@link FrameOutput}, at
 * most a target rate and a burst at once (a {@link Pacer}'s), until a frame limit, a stop or a failure. A
 * back-pressured or refused frame is retried (the same frame, so nothing the source produced is skipped), with a
 * bounded back-off between tries ({@link #retryIdleStrategy()}: spin, yield, then park up to 1 ms), so that an output
 * refusing for long (an Aeron publication with no subscriber) does not keep a core busy; nothing is allocated per frame.
 * A refusal (nothing receives at the target) is counted apart from back-pressure (the output is full). A frame the
 * output rejects for itself ({@link FrameOutput#REJECTED}, or {@link FrameOutput#rejected()} after a flush: an AF_PACKET
 * frame above the MTU) is not tried again and counts as refused, not sent.
 *
 * <p>Pacing: a loop ahead of its pacer parks 50 µs, or yields when its burst lasts less than that at the rate (a park
 * would cap the rate at a burst per park). While its pacer is in the off part of an on/off pattern it parks instead,
 * until the next on ({@link Pacer#nanosUntilOn}), {@value #OFF_PARK_MAX_NS} ns at most at a time: it takes no CPU
 * while off, sees a stop within a step, and starts the on period at most a step late (in practice the wake-up of its
 * last park, about 80 µs).
 *
 * <p>Thread contract: {@link #start()} once; {@link #stop()}, {@link #await} and the counters from any
 * thread. The counters are written by the sending thread only and published with release stores (a plain
 * store on x86): at the end of every burst, and on every refused try while the output is back-pressured, so
 * that back-pressure shows even when no frame gets through.
 */
public final class SendLoop implements AutoCloseable {
    /** The pacer of a loop sending as fast as the output takes frames: none. */
    public static final Pacer UNPACED = null;
    /** Frames sent per flush when unpaced; a paced loop's are at most its pacer's burst. */
    private static final int UNPACED_BURST = 64;
    /**
     * How long a paced loop sleeps when it is ahead of its rate, if its pacer's burst lasts as long: a shorter burst
     * would cap the rate at a burst per sleep, so such a loop yields instead.
     */
    private static final long PACE_PARK_NS = 50_000;
    /**
     * Longest park while the pacer is off ({@link Pacer#nanosUntilOn}): how late, at most, a stop is seen during an off
     * period (up to 1 h), and how late the next on period starts at most: the last park is timed to end at its start,
     * so it starts a park's wake-up late (about 80 µs on the 2-core Linux VM of docs/traffic.md), not a whole step.
     */
    static final long OFF_PARK_MAX_NS = 1_000_000;
    /** Tries spun, then yielded, before the wait between two tries parks, growing up to {@link #RETRY_MAX_PARK_NS}. */
    static final int RETRY_SPINS = 100;
    static final int RETRY_YIELDS = 10;
    static final long RETRY_MIN_PARK_NS = 1_000;
    /**
     * Longest wait between two tries: how late, at most, a loop whose output was not connected for long sees a
     * subscriber that connects (Aeron's own samples back off the same way while their publication is not connected).
     */
    static final long RETRY_MAX_PARK_NS = 1_000_000;
    /** {@link #startedNs} and {@link #endedNs} before they are set. */
    private static final long UNSET = Long.MIN_VALUE;
    private static final VarHandle SENT;
    private static final VarHandle BACK_PRESSURED;
    private static final VarHandle REFUSED;
    private static final VarHandle BYTES;
    private static final VarHandle MADE;

    static {
        try {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            SENT = lookup.findVarHandle(SendLoop.class, "sent", long.class);
            BACK_PRESSURED = lookup.findVarHandle(SendLoop.class, "backPressured", long.class);
            REFUSED = lookup.findVarHandle(SendLoop.class, "refused", long.class);
            BYTES = lookup.findVarHandle(SendLoop.class, "bytes", long.class);
            MADE = lookup.findVarHandle(SendLoop.class, "made", long.class);
        } catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final FrameSource source;
    private final FrameOutput output;
    private final Pacer pacer;
    private final long limit;
    private final int maxFrame;
    /** Waits between two tries of a frame the output did not take; the sending thread's. */
    private final IdleStrategy retryIdle;
    private final Thread thread;
    private volatile boolean running = true;
    /** Written by the sending thread only, through {@link #SENT}. */
    private long sent;
    /** Written by the sending thread only, through {@link #BACK_PRESSURED}. */
    private long backPressured;
    /** Written by the sending thread only, through {@link #REFUSED}. */
    private long refused;
    /** Written by the sending thread only, through {@link #BYTES}; then (after it ended) by close. */
    private long bytes;
    /** Written by the sending thread only, through {@link #MADE}. */
    private long made;
    /** Bytes of the frames the output answered SENT: the sending thread's, read by close after it ended. */
    private long takenBytes;
    /** The output's {@link FrameOutput#rejected()} as last read; the sending thread's, then (after it ended) close's. */
    private long rejected;
    /** The output's {@link FrameOutput#discarded()} as last read; as {@link #rejected}. */
    private long discarded;
    private volatile long startedNs = UNSET;
    private volatile long endedNs = UNSET;
    private volatile Throwable failure;
    private volatile String failureReason;
    private boolean closed;

    /**
     * @param name          thread name
     * @param source        frames
     * @param output        where they go
     * @param pacer         the rate and the most frames sent at once, owned by the loop from now on; {@link #UNPACED}
     *                      for as fast as the output takes frames
     * @param limit         frames to send before stopping, {@code Long.MAX_VALUE} for no limit
     * @param maxFrame      largest frame the source writes
     */
    public SendLoop(String name, FrameSource source, FrameOutput output, Pacer pacer, long limit, int maxFrame) {
        this(name, source, output, pacer, limit, maxFrame, retryIdleStrategy());
    }

    /**
     * As the other constructor, with {@code retryIdle} to wait between two tries of a frame the output did not take (a
     * test's, counting its cycles; a benchmark's publisher that must never park: {@link #spinThenYield()}); owned by the
     * loop's thread from now on.
     */
    public SendLoop(String name, FrameSource source, FrameOutput output, Pacer pacer, long limit, int maxFrame,
        IdleStrategy retryIdle) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit=" + limit + ": must not be negative");
        }
        this.source = source;
        this.output = output;
        this.pacer = pacer;
        this.limit = limit;
        this.maxFrame = maxFrame;
        this.retryIdle = retryIdle;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    /**
     * A sender of {@code traffic}: its frames, paced by its {@link TrafficProfile#newPacer() pacer} (its rate and
     * burst, as a synthetic feed of it), {@code limit} frames ({@code Long.MAX_VALUE}: no limit). Not started.
     */
    public static SendLoop forTraffic(String name, TrafficProfile traffic, FrameOutput output, long limit) {
        final GeneratorSource source = new GeneratorSource(new TrafficGenerator(traffic));
        return new SendLoop(name, source, output, traffic.newPacer(), limit, source.maxFrameLength());
    }

    /**
     * The wait between two tries of a frame the output did not take: {@value #RETRY_SPINS} spins, {@value #RETRY_YIELDS}
     * yields, then parks growing from {@value #RETRY_MIN_PARK_NS} ns to {@value #RETRY_MAX_PARK_NS} ns. A new one each
     * call: an idle strategy has one thread.
     */
    public static IdleStrategy retryIdleStrategy() {
        return new BackoffIdleStrategy(RETRY_SPINS, RETRY_YIELDS, RETRY_MIN_PARK_NS, RETRY_MAX_PARK_NS);
    }

    /**
     * A wait between two tries that spins {@value #RETRY_SPINS} times and then yields, never parking: the retry of the
     * publishers whose back-pressure is the measurement (Aeron's own throughput samples spin on a refused offer), as
     * {@code steer bench}'s Aeron rows have been measured.
     */
    public static IdleStrategy spinThenYield() {
        return new BackoffIdleStrategy(RETRY_SPINS, Long.MAX_VALUE, RETRY_MIN_PARK_NS, RETRY_MAX_PARK_NS);
    }

    /** Starts the sending thread. */
    public SendLoop start() {
        thread.start();
        return this;
    }

    private void run() {
        startedNs = System.nanoTime();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[maxFrame]);
        // The pacer bounds the burst: after a stall (back-pressure, a descheduled thread) the loop catches up by at
        // most one burst, then goes on at the rate, rather than sending everything it is behind at once.
        final int burstLimit = pacer == null ? UNPACED_BURST : pacer.burst();
        final boolean parkWhenAhead = pacer != null
            && (long) burstLimit * 1_000_000_000L >= PACE_PARK_NS * pacer.rate();
        long count = 0;
        long pressured = 0;
        long refusals = 0;
        long sentBytes = 0;
        try {
            while (running && count < limit) {
                int burst = (int) Math.min(burstLimit, limit - count);
                if (pacer != null) {
                    final long now = System.nanoTime();
                    burst = pacer.acquire(now, burst);
                    if (burst == 0) {
                        final long untilOn = pacer.nanosUntilOn(now);
                        if (untilOn > 0) {
                            // Off: silent until the next on, not yielding (that would keep a core busy for the whole
                            // off, up to an hour, taking it from the engine an on/off run measures). Bounded steps, so
                            // that the loop checks for a stop at least every OFF_PARK_MAX_NS.
                            LockSupport.parkNanos(Math.min(untilOn, OFF_PARK_MAX_NS));
                        } else if (parkWhenAhead) {
                            LockSupport.parkNanos(PACE_PARK_NS);
                        } else {
                            Thread.yield();
                        }
                        continue;
                    }
                }
                for (int i = 0; i < burst; i++) {
                    final int length = source.next(buffer, 0);
                    int result;
                    boolean retried = false;
                    while ((result = output.send(buffer, 0, length)) != FrameOutput.SENT) {
                        if (result == FrameOutput.REJECTED) {
                            break; // not sendable at all: counted through output.rejected(), the next frame goes on
                        }
                        if (result == FrameOutput.FAILED) {
                            fail(count);
                            return;
                        }
                        // Published on every refused try: when nothing gets through, no burst ends to publish it.
                        // With the frames rejected so far, as at the end of a burst: refused() never goes back.
                        if (result == FrameOutput.REFUSED) {
                            REFUSED.setRelease(this, ++refusals + rejected);
                        } else {
                            BACK_PRESSURED.setRelease(this, ++pressured);
                        }
                        if (!running) {
                            return;
                        }
                        // Bounded back-off: an output refusing for long (no subscriber yet) costs a try per park, not
                        // a core; a back-pressure of a few tries is still only spun through.
                        retryIdle.idle();
                        retried = true;
                    }
                    if (retried) {
                        retryIdle.reset(); // the next refusal starts again from spinning
                    }
                    if (result == FrameOutput.SENT) {
                        sentBytes += length; // one add per frame, in a local; published once per burst
                    }
                    count++;
                }
                if (output.flush() == FrameOutput.FAILED) {
                    fail(count);
                    return;
                }
                rejected = output.rejected();
                REFUSED.setRelease(this, refusals + rejected);
                SENT.setRelease(this, count - rejected);
                BYTES.setRelease(this, sentBytes - output.droppedBytes());
                MADE.setRelease(this, count);
            }
        } catch (Throwable error) {
            failure = error;
        } finally {
            rejected = output.rejected();
            discarded = output.discarded();
            SENT.setRelease(this, count - rejected - discarded);
            BACK_PRESSURED.setRelease(this, pressured);
            REFUSED.setRelease(this, refusals + rejected);
            takenBytes = sentBytes;
            BYTES.setRelease(this, sentBytes - output.droppedBytes());
            MADE.setRelease(this, count);
            endedNs = System.nanoTime();
            running = false;
        }
    }

    /** Off the hot path: the loop ends on an output failure, named with the output's own reason. */
    private void fail(long count) {
        final String error = output.lastError();
        failureReason = "output " + output.describe() + " failed after " + (count - output.rejected()
            - output.discarded()) + " frames" + (error.isEmpty() ? "" : ": " + error);
    }

    /** Asks the thread to stop after its current frame. */
    public void stop() {
        running = false;
    }

    /** Waits for the thread to end, at most {@code timeoutMs}; true when it has. */
    public boolean await(long timeoutMs) throws InterruptedException {
        thread.join(timeoutMs);
        return !thread.isAlive();
    }

    /** Waits for the thread to end, at most {@code timeout}; true when it has. */
    public boolean await(Duration timeout) throws InterruptedException {
        return thread.join(timeout);
    }

    /**
     * Frames sent, without those the output rejected or discarded: updated at the end of every burst while running (at
     * most 64 frames at the maximum rate, at most the pacer's burst when paced), exact once the thread has ended.
     */
    public long sent() {
        return (long) SENT.getAcquire(this);
    }

    /**
     * Bytes of the frames in {@link #sent()}: their lengths as written, Ethernet header to payload, without the 4-byte
     * FCS a wire size counts. Frames the output took and then dropped (refused when their batch went out, discarded by
     * a failure or a close whose drain timed out: {@link FrameOutput#droppedBytes()}) are taken off, as from
     * {@link #sent()}. Updated at the end of every burst, as {@link #sent()}; exact once {@link #close()} has returned.
     * Any thread.
     */
    public long bytes() {
        return (long) BYTES.getAcquire(this);
    }

    /**
     * Frames this loop made at its pacer's rate and offered to its output, whatever became of them: sent, rejected by
     * the output for themselves, or dropped by it after taking them (a frame tried again after a refusal is one
     * frame). What a rate asked is measured against: a frame the output refused was offered at the rate all the same.
     * Updated at the end of every burst, as {@link #sent()}; exact once the thread has ended. Any thread.
     */
    public long made() {
        return (long) MADE.getAcquire(this);
    }

    /** Send attempts refused because the output was full or not connected; current to the last refused try. */
    public long backPressured() {
        return (long) BACK_PRESSURED.getAcquire(this);
    }

    /**
     * Send attempts refused because nothing receives at the target ({@link FrameOutput#REFUSED}: a UDP port with
     * no listener; current to the last refused try), and frames the output rejected for themselves
     * ({@link FrameOutput#rejected()}: AF_PACKET frames above the MTU, not sent and not tried again; current to the
     * end of the last burst). Not counted in {@link #backPressured()} nor in {@link #sent()}.
     */
    public long refused() {
        return (long) REFUSED.getAcquire(this);
    }

    /**
     * How long the sending thread has been sending: from its start to its end, or to now while it runs; 0 before it
     * starts. This, not the time a caller waited, is the time to divide {@link #sent()} by. Any thread.
     */
    public long elapsedNanos() {
        final long started = startedNs;
        if (started == UNSET) {
            return 0;
        }
        final long ended = endedNs;
        return (ended == UNSET ? System.nanoTime() : ended) - started;
    }

    /** What the loop sends into ({@link FrameOutput#describe()}). Any thread. */
    public String target() {
        return output.describe();
    }

    /** True while the thread runs. */
    public boolean isRunning() {
        return thread.isAlive();
    }

    /** Why the loop stopped early, or null: an exception's message or an output failure. */
    public String failure() {
        final Throwable error = failure;
        return error != null ? error.toString() : failureReason;
    }

    /**
     * Stops, waits up to 5 s for the thread and up to 5 s for the output to drain, closes the output. Frames the output
     * rejects while draining are moved from {@link #sent()} to {@link #refused()}, those it discards (while draining,
     * or at the close when the drain did not end in time) taken off {@link #sent()}. Idempotent.
     */
    @Override
    public void close() throws InterruptedException {
        stop();
        final boolean ended = await(5_000);
        if (!closed) {
            closed = true;
            output.drain(5_000_000_000L);
            // Closed before the counts are read: frames a drain that timed out left staged are dropped by the close,
            // and counted by the output as discarded; read before, they stayed in sent() without having left.
            output.close();
            if (ended) {
                // The sending thread is gone (join: its writes are visible): this thread is the counters' writer now.
                final long lateRejected = output.rejected() - rejected;
                final long lateDiscarded = output.discarded() - discarded;
                if (lateRejected > 0 || lateDiscarded > 0) {
                    rejected += lateRejected;
                    discarded += lateDiscarded;
                    SENT.setRelease(this, sent - lateRejected - lateDiscarded);
                    REFUSED.setRelease(this, refused + lateRejected);
                }
                BYTES.setRelease(this, takenBytes - output.droppedBytes());
            }
        }
    }
}
