package dev.steer.engine.stats;

import dev.steer.engine.frame.FramePool;

/**
 * Immutable copy of a frame pool's counters, read one by one. Exact once the pool's threads have stopped (the final
 * stats); while they run, each counter only grows from one copy to the next, {@code leases - returns} is not negative
 * but may be high by the leases made during the copy (returns are read first), and {@code available} is a snapshot
 * that may be off either way by the frames that moved while it was read: so {@code leases - returns} and
 * {@code capacity - available}, the frames out of the pool counted two ways, can differ.
 *
 * @param id            the pool's name
 * @param capacity      frames in the pool
 * @param available     frames free at the time of the copy (approximate while running, see above)
 * @param leases        frames leased since the start
 * @param returns       frames returned since the start
 * @param exhausted     leases refused because the pool was empty
 * @param doubleReturns returns refused as double or foreign
 */
public record PoolStats(String id, int capacity, int available, long leases, long returns, long exhausted,
                        long doubleReturns) {
    /** Copies the counters of {@code pool}; any thread. */
    public static PoolStats of(FramePool pool) {
        final long returns = pool.returns();
        return new PoolStats(pool.name(), pool.capacity(), pool.available(), pool.leases(), returns, pool.exhausted(),
            pool.doubleReturns());
    }

    /**
     * True when every frame is back: nothing leased and nothing missing ({@code available == capacity} and
     * {@code leases == returns}). Meaningful once the engine has stopped. False while frames
     * are out, and for good when more came back than were leased
     * ({@link #excessReturns()}), although {@code available} is then the capacity. A checked pool refuses a second
     * release instead (counted in {@link #doubleReturns()}) and can still be full.
     */
    public boolean isFull() {
        return available == capacity && leases == returns;
    }

    /**
     * Returns beyond the leases: frames released more often than they were leased, which only an unchecked pool takes
     * (a handler, program or feed released a frame the engine returns itself, or released one twice); 0 when the pool
     * was used as its contract says. A snapshot taken while frames move is not fooled: returns are read before leases.
     */
    public long excessReturns() {
        return Math.max(0, returns - leases);
    }
}
