package dev.steer.engine.map;

/**
 * The wait one poll of a lossless producer may spend in its bulk queues' flushes, shared by all of them: the first
 * flush of the poll that meets a full ring starts it ({@link BulkQueue#LOSSLESS_FLUSH_WAIT_NS} from then), later
 * ones wait only for what is left, and once it has passed every further flush of the poll that meets a full ring
 * drops at once. Without it each queue waited its own 100 ms, so one poll with N blocked queues held the ingress
 * N times as long. The owner calls {@link #reset()} once per poll, after its end-of-poll flush.
 *
 * <p>Thread contract: owned by the producer thread that owns the bulk queues. Allocation-free; reads the clock
 * only when a flush has to wait.
 */
public final class FlushDeadline {
    private static final int IDLE = 0;
    private static final int RUNNING = 1;
    private static final int PASSED = 2;

    private int state = IDLE;
    private long deadline;
    private long expiries;

    /** Gives the next poll a full wait again. One field store; no clock read. */
    public void reset() {
        state = IDLE;
    }

    /** Whether this poll's wait has passed: a flush that meets a full ring then drops at once. */
    boolean passed() {
        return state == PASSED;
    }

    /** The {@code System.nanoTime()} at which this poll's wait ends; the first call of a poll starts it. */
    long deadline() {
        if (state == IDLE) {
            deadline = System.nanoTime() + BulkQueue.LOSSLESS_FLUSH_WAIT_NS;
            state = RUNNING;
        }
        return deadline;
    }

    /** A wait ended at the deadline with frames that still did not fit: the rest of the poll waits no more. */
    void pass() {
        state = PASSED;
        expiries++;
    }

    /**
     * Waits that ran until their poll's deadline, since this deadline was made: at most one a poll. What shows, without
     * a clock, that a poll's flushes shared one wait. The owner's thread only (or after it has stopped).
     */
    public long expiries() {
        return expiries;
    }
}
