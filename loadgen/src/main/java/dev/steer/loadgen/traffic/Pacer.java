package dev.steer.loadgen.traffic;

/**
 * A non-blocking rate limiter for a target number of frames per second: {@link #acquire} says how many
 * frames may go now, given the current time, which the caller reads once (a cached {@link System#nanoTime()}),
 * so tests drive it with any clock.
 *
 * <p>Frames due by time t are {@code floor((t - t0) * rate / 1e9)}, counted exactly in integers (no drift),
 * plus a starting allowance of {@code burst}. Credit never exceeds {@code burst}: after a stall the pacer
 * releases at most {@code burst} frames at once and then resumes the rate from there, instead of catching
 * up without bound. The time base moves forward by whole seconds so that no product overflows.
 *
 * <p>An optional on/off pattern ({@code traffic.on-off}): from the first call, periods of {@code on} then {@code off}
 * nanoseconds. During off nothing goes; the rate counts only the on time, as if the clock stopped during off, so the on
 * periods send {@code on x rate} frames each (in whole frames; the first also the starting burst) and an on period
 * starts with what the last one left, not with a burst earned during off. With {@link #UNLIMITED} instead of a rate, on sends up to {@code burst} frames per call, as fast
 * as the caller goes. The phase costs one division per call, none per frame. {@link #nanosUntilOn} says how long off
 * still lasts, so that a caller can sleep through it.
 *
 * <p>Thread contract: one thread. Allocation-free, O(1) per call.
 */
public final class Pacer {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** The rate of a pacer with an on/off pattern that sends as fast as it goes during on. */
    public static final long UNLIMITED = 0;

    private final long rate;
    private final int burst;
    private final long onNs;
    private final long periodNs;
    private boolean patternStarted;
    private long patternStartNs;
    private boolean started;
    private long baseNs;
    private long issued;

    /**
     * @param rate  frames per second, 1..{@value TrafficProfile#MAX_RATE}
     * @param burst most frames released at once, 1..{@value TrafficProfile#MAX_BURST}
     */
    public Pacer(long rate, int burst) {
        this(rate, burst, 0, 0, false);
    }

    /**
     * A pacer that sends only during the on part of an on/off pattern.
     *
     * @param rate  frames per second during on, 1..{@value TrafficProfile#MAX_RATE}, or {@link #UNLIMITED}
     * @param burst most frames released at once, 1..{@value TrafficProfile#MAX_BURST}
     * @param onNs  length of on, positive
     * @param offNs length of off, positive; {@code onNs + offNs} must not overflow
     */
    public Pacer(long rate, int burst, long onNs, long offNs) {
        this(rate, burst, onNs, offNs, true);
    }

    private Pacer(long rate, int burst, long onNs, long offNs, boolean pattern) {
        if (pattern && (onNs <= 0 || offNs <= 0 || onNs > Long.MAX_VALUE - offNs)) {
            throw new IllegalArgumentException("on-off=" + onNs + "ns/" + offNs + "ns: on and off must both be positive");
        }
        if ((rate < 1 && !(pattern && rate == UNLIMITED)) || rate > TrafficProfile.MAX_RATE) {
            throw new IllegalArgumentException("rate=" + rate + ": must be 1.." + TrafficProfile.MAX_RATE + " frames/s");
        }
        if (burst < 1 || burst > TrafficProfile.MAX_BURST) {
            throw new IllegalArgumentException("burst=" + burst + ": must be 1.." + TrafficProfile.MAX_BURST);
        }
        this.rate = rate;
        this.burst = burst;
        this.onNs = pattern ? onNs : 0;
        this.periodNs = pattern ? onNs + offNs : 0;
    }

    /**
     * Takes permission for up to {@code max} frames at time {@code nowNs}.
     *
     * @return frames that may go now, 0..min(max, burst); 0 means wait
     */
    public int acquire(long nowNs, int max) {
        if (periodNs != 0) {
            if (!patternStarted) {
                patternStarted = true;
                patternStartNs = nowNs;
            }
            final long since = nowNs - patternStartNs;
            if (since < 0) {
                return 0;
            }
            final long periods = since / periodNs;
            final long phase = since - periods * periodNs;
            if (phase >= onNs) {
                return 0; // off
            }
            if (rate == UNLIMITED) {
                return max <= 0 ? 0 : Math.min(max, burst);
            }
            nowNs = periods * onNs + phase; // on time only: no product overflows, periods * onNs <= since
        }
        if (!started) {
            started = true;
            baseNs = nowNs;
            issued = -burst; // start with a full allowance
        }
        long elapsed = nowNs - baseNs;
        if (elapsed < 0) {
            return 0; // a clock that went back: grant nothing rather than guess
        }
        if (elapsed >= NANOS_PER_SECOND) {
            final long seconds = elapsed / NANOS_PER_SECOND;
            baseNs += seconds * NANOS_PER_SECOND;
            elapsed -= seconds * NANOS_PER_SECOND;
            // Clamp before subtracting so a very long stall cannot overflow: the credit is capped below anyway.
            issued = Math.max(issued - Math.min(seconds, 1L + burst) * rate, -2L * burst - 2L * rate);
        }
        final long due = elapsed * rate / NANOS_PER_SECOND;
        long available = due - issued;
        if (available > burst) {
            issued = due - burst;
            available = burst;
        }
        if (available <= 0 || max <= 0) {
            return 0;
        }
        final int granted = (int) Math.min(available, max);
        issued += granted;
        return granted;
    }

    /**
     * How long, from {@code nowNs}, until the next on period begins: 0 while on, before the first {@link #acquire} (which
     * starts the pattern, on), and without a pattern; during off, the rest of the off. Lets a caller that got nothing
     * sleep through off rather than poll. Changes nothing: call it any number of times, with the clock of
     * {@link #acquire}. Allocation-free, one division.
     */
    public long nanosUntilOn(long nowNs) {
        if (periodNs == 0 || !patternStarted) {
            return 0;
        }
        final long since = nowNs - patternStartNs;
        if (since < 0) {
            return -since; // a clock that went back: on when it reaches the start again, as acquire sees it
        }
        final long phase = since % periodNs;
        return phase < onNs ? 0 : periodNs - phase;
    }

    /** Gives back {@code unused} frames of the last {@link #acquire} that were not sent (the sink refused them). */
    public void release(int unused) {
        if (unused > 0 && rate != UNLIMITED) {
            issued -= unused;
        }
    }

    /** Target frames per second (during on, with a pattern), or {@link #UNLIMITED}. */
    public long rate() {
        return rate;
    }

    /** Most frames released at once. */
    public int burst() {
        return burst;
    }
}
