package dev.steer.engine.map;

/**
 * Immutable view of a {@link CpuMap}'s entries at one moment, published with one volatile store and read
 * by producers without locks: what RCU readers see in the kernel. Replacing or deleting an entry publishes
 * a new snapshot; a producer keeps using the one it read until its next quiescence point.
 */
public final class MapSnapshot {
    private final CpuMapEntry[] entries;
    private final long version;

    MapSnapshot(CpuMapEntry[] entries, long version) {
        this.entries = entries;
        this.version = version;
    }

    /** The entry of {@code key}, or null when the slot is empty or the key is out of range. Any thread. */
    public CpuMapEntry entry(int key) {
        return key >= 0 && key < entries.length ? entries[key] : null;
    }

    /** Number of slots: the map's max entries. */
    public int maxEntries() {
        return entries.length;
    }

    /** Number of occupied slots. */
    public int size() {
        int n = 0;
        for (CpuMapEntry entry : entries) {
            if (entry != null) {
                n++;
            }
        }
        return n;
    }

    /** Increases with every published change. */
    public long version() {
        return version;
    }

    CpuMapEntry[] copyOfEntries() {
        return entries.clone();
    }
}
