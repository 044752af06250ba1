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

    /** True when every frame is back: nothing leased and nothing missing. Meaningful once the engine has stopped. */
    public boolean isFull() {
        return available == capacity && leases == returns;
    }
}
