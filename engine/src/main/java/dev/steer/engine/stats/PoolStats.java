package dev.steer.engine.stats;

import dev.steer.engine.frame.FramePool;

/**
 * Immutable copy of a frame pool's counters.
 *
 * @param id            the pool's name
 * @param capacity      frames in the pool
 * @param available     frames free at the time of the copy
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

    /** True when every frame is back: nothing leased and nothing missing. */
    public boolean isFull() {
        return available == capacity && leases == returns;
    }
}
