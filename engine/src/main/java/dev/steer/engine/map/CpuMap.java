package dev.steer.engine.map;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cpumap: slots indexed by CPU number, each empty or holding a {@link CpuMapEntry} with its own
 * ring, with exactly the kernel cpumap's contract (see {@code shared/design.md}). Every operation returns
 * a {@link MapResult}; none throws for a refused operation.
 *
 * <p>Writers (update, delete, close) serialise on the map and publish a new immutable
 * {@link MapSnapshot} with one volatile store; a replaced or deleted entry goes to the
 * {@link EntryLifecycle} for quiescence and drain-then-stop. Readers ({@link #snapshot()},
 * {@link #lookup}, {@link #nextKey}) take no lock. Operations are off the hot path: an update allocates
 * the new entry's ring.
 */
public final class CpuMap {
    /** Largest ring size an entry may have (the kernel's sanity limit). */
    public static final int MAX_QSIZE = 16_384;
    /** Update flag: create or replace. */
    public static final long ANY = 0;
    /** Update flag: only if the key has no entry; a cpumap always refuses it with EEXIST. */
    public static final long NOEXIST = 1;
    /** Update flag: only if the key has an entry; a cpumap treats it like ANY. */
    public static final long EXIST = 2;
    /** Creation flag: the NUMA node hint; accepted, and a no-op on the JVM. */
    public static final long F_NUMA_NODE = 1L << 2;
    /** Every creation flag a map accepts. */
    public static final long CREATE_FLAGS = F_NUMA_NODE;
    /** The key value meaning "no key" for {@link #nextKey(int)}, like a NULL key pointer. */
    public static final int NO_KEY = -1;

    private static final AtomicInteger MAP_IDS = new AtomicInteger();

    private final int id;
    private final int maxEntries;
    private final long flags;
    private final CpuSet cpus;
    private final EntryLifecycle lifecycle;
    private long generations;
    private volatile MapSnapshot snapshot;
    private boolean closed;

    private CpuMap(int maxEntries, long flags, CpuSet cpus, EntryLifecycle lifecycle) {
        this.id = MAP_IDS.incrementAndGet();
        this.maxEntries = maxEntries;
        this.flags = flags;
        this.cpus = cpus;
        this.lifecycle = lifecycle;
        this.snapshot = new MapSnapshot(new CpuMapEntry[maxEntries], 0);
    }

    /**
     * Result of {@link #create}: the code and, when it is OK, the map.
     *
     * @param result the outcome
     * @param map    the new map, or null unless {@code result} is OK
     */
    public record Creation(MapResult result, CpuMap map) {
    }

    /**
     * Result of {@link #nextKey}: the code and, when it is OK, the next key.
     *
     * @param result OK or ENOENT
     * @param key    the next key when OK, else {@link #NO_KEY}
     */
    public record NextKey(MapResult result, int key) {
    }

    /**
     * Creates a map, checking in the kernel's order: EPERM without the map-admin capability; EINVAL for
     * {@code maxEntries} 0 or an unknown flag; E2BIG for more entries than CPU numbers (keys are treated as
     * unsigned, so a negative count is E2BIG).
     *
     * @param maxEntries   number of slots
     * @param flags        creation flags, a subset of {@link #CREATE_FLAGS}
     * @param cpus         the CPUs the engine may use
     * @param capabilities the caller's rights
     * @param lifecycle    starts and retires entries
     */
    public static Creation create(int maxEntries, long flags, CpuSet cpus, Capabilities capabilities,
                                  EntryLifecycle lifecycle) {
        if (capabilities == null || !capabilities.mapAdmin()) {
            return new Creation(MapResult.EPERM, null);
        }
        if (maxEntries == 0 || (flags & ~CREATE_FLAGS) != 0 || cpus == null || lifecycle == null) {
            return new Creation(MapResult.EINVAL, null);
        }
        if (Integer.compareUnsigned(maxEntries, cpus.limit()) > 0) {
            return new Creation(MapResult.E2BIG, null);
        }
        return new Creation(MapResult.OK, new CpuMap(maxEntries, flags, cpus, lifecycle));
    }

    /** Unique id of this map in the process (the tracepoints' {@code map_id}). */
    public int id() {
        return id;
    }

    /** Number of slots. */
    public int maxEntries() {
        return maxEntries;
    }

    /** The creation flags. */
    public long flags() {
        return flags;
    }

    /** The CPUs the map's keys may name. */
    public CpuSet cpus() {
        return cpus;
    }

    /** The published snapshot; lock-free, any thread. Producers read it once per poll. */
    public MapSnapshot snapshot() {
        return snapshot;
    }

    /**
     * Creates or replaces the entry of {@code key}, checking in the kernel's order: EINVAL for flags other
     * than ANY, NOEXIST, EXIST; E2BIG for a key at or above max entries; EEXIST for NOEXIST (always);
     * EOVERFLOW for a qsize above {@link #MAX_QSIZE}; ENODEV for a local entry whose CPU (the location's, else
     * the key) is not usable; a remote entry's CPU is not checked here. A qsize of 0
     * deletes. Otherwise a new entry is built (ENOMEM when its ring or consumer cannot be had), published,
     * and the entry it replaces is retired. A closed map refuses updates with EINVAL.
     */
    public synchronized MapResult update(int key, EntryValue value, long flags) {
        if (flags < 0 || flags > EXIST || value == null) {
            return MapResult.EINVAL;
        }
        if (Integer.compareUnsigned(key, maxEntries) >= 0) {
            return MapResult.E2BIG;
        }
        if (flags == NOEXIST) {
            return MapResult.EEXIST;
        }
        if (Integer.compareUnsigned(value.qsize(), MAX_QSIZE) > 0) {
            return MapResult.EOVERFLOW;
        }
        // The usable-CPU rule is this node's: a remote entry's CPU is checked by the node that runs it.
        if (!value.isRemote() && !cpus.isUsable(value.cpu(key))) {
            return MapResult.ENODEV;
        }
        if (closed) {
            return MapResult.EINVAL;
        }
        if (value.qsize() == 0) {
            replace(key, null);
            return MapResult.OK;
        }
        final CpuMapEntry entry;
        try {
            entry = new CpuMapEntry(id, key, ++generations, value, maxEntries);
        } catch (OutOfMemoryError ex) {
            return MapResult.ENOMEM;
        }
        final boolean started;
        try {
            started = lifecycle.start(entry);
        } catch (RuntimeException ex) {
            return MapResult.ENOMEM;
        }
        if (!started) {
            return MapResult.ENOMEM;
        }
        replace(key, entry);
        return MapResult.OK;
    }

    /** Empties the slot of {@code key}: EINVAL for a key at or above max entries, else OK even if it was empty. */
    public synchronized MapResult delete(int key) {
        if (Integer.compareUnsigned(key, maxEntries) >= 0) {
            return MapResult.EINVAL;
        }
        replace(key, null);
        return MapResult.OK;
    }

    /** The value of {@code key}'s entry, or null for an empty slot or a key at or above max entries. Lock-free. */
    public EntryValue lookup(int key) {
        final CpuMapEntry entry = snapshot.entry(key);
        return entry == null ? null : entry.value();
    }

    /**
     * The key after {@code key}: 0 for {@link #NO_KEY} or any key at or above max entries (unsigned); ENOENT
     * for the last key; else key + 1. Lock-free.
     */
    public NextKey nextKey(int key) {
        if (Integer.compareUnsigned(key, maxEntries) >= 0) {
            return new NextKey(MapResult.OK, 0);
        }
        if (key == maxEntries - 1) {
            return new NextKey(MapResult.ENOENT, NO_KEY);
        }
        return new NextKey(MapResult.OK, key + 1);
    }

    /**
     * Closes the map: empties every slot, retiring each entry through the lifecycle, and refuses further
     * updates. Returns the entries that were retired. Idempotent.
     */
    public synchronized List<CpuMapEntry> close() {
        final List<CpuMapEntry> retired = new ArrayList<>();
        if (closed) {
            return retired;
        }
        closed = true;
        final CpuMapEntry[] entries = snapshot.copyOfEntries();
        snapshot = new MapSnapshot(new CpuMapEntry[maxEntries], snapshot.version() + 1);
        for (CpuMapEntry entry : entries) {
            if (entry != null) {
                retired.add(entry);
                lifecycle.retire(entry);
            }
        }
        return retired;
    }

    /** True once {@link #close()} has run. */
    public synchronized boolean isClosed() {
        return closed;
    }

    private void replace(int key, CpuMapEntry entry) {
        final MapSnapshot current = snapshot;
        final CpuMapEntry old = current.entry(key);
        if (old == null && entry == null) {
            return;
        }
        final CpuMapEntry[] entries = current.copyOfEntries();
        entries[key] = entry;
        snapshot = new MapSnapshot(entries, current.version() + 1);
        if (old != null) {
            lifecycle.retire(old);
        }
    }

    @Override
    public String toString() {
        return "CpuMap{id=" + id + ", maxEntries=" + maxEntries + ", entries=" + snapshot.size() + '}';
    }
}
