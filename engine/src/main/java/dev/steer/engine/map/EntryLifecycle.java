package dev.steer.engine.map;

/**
 * What a {@link CpuMap} asks of the owner of its entries: start the consumer of a new entry, and take
 * care of an entry that has left the map. The engine's actor runtime implements it with the quiescence
 * barrier and drain-then-stop that replace the kernel's RCU grace period and refcounts.
 *
 * <p>Thread contract: both methods are called on the thread that performs the map operation, while the
 * map holds its update lock; they must not call back into the map.
 */
public interface EntryLifecycle {
    /** A lifecycle that starts nothing and leaves retired entries to the caller; for tests and benchmarks. */
    EntryLifecycle NONE = new EntryLifecycle() {
        @Override
        public boolean start(CpuMapEntry entry) {
            return true;
        }

        @Override
        public void retire(CpuMapEntry entry) {
        }
    };

    /**
     * Gets resources for a new entry (its consumer), before the entry is published.
     *
     * @return false when they cannot be had; the update then fails with ENOMEM and the entry is discarded
     */
    boolean start(CpuMapEntry entry);

    /**
     * The entry has been replaced or deleted and is no longer in the published snapshot. Producers may
     * still hold it until they pass a quiescence point; the owner must wait for that, let the consumer
     * drain the ring, then stop it and release the entry.
     */
    void retire(CpuMapEntry entry);
}
