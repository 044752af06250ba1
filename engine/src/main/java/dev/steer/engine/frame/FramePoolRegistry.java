package dev.steer.engine.frame;

/**
 * The ids of the frame pools open in this process. A pool takes the lowest free id when it is built and gives
 * it back when it closes with every frame returned; the id is the high bits of each of its frame handles, so
 * that a handle names one frame of one pool as long as any frame of that pool is out.
 *
 * <p>Cold: construction, close and leak checks take the class lock. The handle lookups of the hot path
 * ({@link FramePool#frame(int)}, {@link FramePool#releaseAll}) read {@link #POOLS} without it, through
 * {@code FramePool}'s own static final reference: a handle reaches another thread through a ring, which
 * publishes the pool's slot written before the frame was leased.
 */
final class FramePoolRegistry {
    /** Open pools by id, null where an id is free. Written under the class lock only. */
    static final FramePool[] POOLS = new FramePool[FramePool.MAX_POOLS];

    private FramePoolRegistry() {
    }

    /**
     * Takes the lowest free id for {@code pool}.
     *
     * @throws IllegalStateException when {@value FramePool#MAX_POOLS} pools are open
     */
    static synchronized int register(FramePool pool) {
        for (int i = 0; i < POOLS.length; i++) {
            if (POOLS[i] == null) {
                POOLS[i] = pool;
                return i;
            }
        }
        throw new IllegalStateException("more than " + FramePool.MAX_POOLS + " frame pools are open; close unused ones");
    }

    /**
     * Frees the id of {@code pool} when every frame is back; a pool with frames still out keeps it, so that no
     * handle can ever name the frame of a different pool.
     *
     * @return true when the pool is closed (now or before)
     */
    static synchronized boolean close(FramePool pool) {
        final int id = pool.poolId();
        if (POOLS[id] != pool) {
            return true;
        }
        if (pool.available() != pool.capacity()) {
            return false;
        }
        POOLS[id] = null;
        return true;
    }

    /** Pools registered and not yet closed. */
    static synchronized int open() {
        int open = 0;
        for (FramePool pool : POOLS) {
            if (pool != null) {
                open++;
            }
        }
        return open;
    }
}
