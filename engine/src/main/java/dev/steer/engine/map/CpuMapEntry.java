package dev.steer.engine.map;

import dev.steer.engine.program.SteeringProgram;
import dev.steer.engine.ring.ManyToOneRing;
import dev.steer.engine.stats.PathCounters;

/**
 * One cpumap entry: a target CPU, its bounded ring of frames and its consumer's counters (the kernel's
 * {@code bpf_cpu_map_entry}). An entry is immutable once published; a new value for the same key is a
 * new entry, never a resize.
 *
 * <p>Thread contract: the ring is offered to from any producer and drained by the entry's one consumer;
 * the counters are written by that consumer; {@link #wakeup(ConsumerWakeup)} is set by the consumer when
 * it starts. Everything else is final.
 */
public final class CpuMapEntry {
    private final int mapId;
    private final int key;
    private final long generation;
    private final EntryValue value;
    private final ManyToOneRing ring;
    private final PathCounters counters;
    private volatile ConsumerWakeup wakeup = ConsumerWakeup.NONE;

    CpuMapEntry(int mapId, int key, long generation, EntryValue value, int maxKeys) {
        this.mapId = mapId;
        this.key = key;
        this.generation = generation;
        this.value = value;
        this.ring = new ManyToOneRing(value.qsize());
        // Named by the key, not as a CPU: the consumer runs on cpu(), which a cluster map's key need not equal.
        this.counters = new PathCounters("key-" + key + "#" + generation, maxKeys);
    }

    /** Id of the map the entry belongs to (the tracepoints' {@code map_id}). */
    public int mapId() {
        return mapId;
    }

    /** The map key; on one node also the target CPU number, as in the kernel's cpumap (see {@link #cpu()}). */
    public int key() {
        return key;
    }

    /** The CPU the consumer is pinned to: the value's location, else the key; on the owning node for a remote entry. */
    public int cpu() {
        return value.cpu(key);
    }

    /** True when the consumer runs on another node and this entry's ring only feeds its forwarder. */
    public boolean isRemote() {
        return value.isRemote();
    }

    /** Unique, increasing number of this entry within its map: tells a replaced entry from its successor. */
    public long generation() {
        return generation;
    }

    /** The value the entry was created with. */
    public EntryValue value() {
        return value;
    }

    /**
     * The remote program's instance for one consumer thread ({@link SteeringProgram#forIngress()}), or null when
     * the entry has no remote program. Called before traffic, on any thread.
     *
     * @throws IllegalStateException when the remote program's {@code forIngress()} returns null
     */
    public SteeringProgram remoteInstance() {
        final SteeringProgram program = value.remoteProgram();
        return program == null ? null
            : SteeringProgram.checkedInstance(program, "remote program", " of entry " + key);
    }

    /** The entry's ring of frame handles. */
    public ManyToOneRing ring() {
        return ring;
    }

    /** The consumer's counters. */
    public PathCounters counters() {
        return counters;
    }

    /** Sets how producers wake this entry's consumer. */
    public void wakeup(ConsumerWakeup wakeup) {
        this.wakeup = wakeup == null ? ConsumerWakeup.NONE : wakeup;
    }

    /** Wakes the consumer; called by a producer after flushing into the ring. */
    public void wake() {
        wakeup.wake();
    }

    @Override
    public String toString() {
        return "CpuMapEntry{map=" + mapId + ", key=" + key + ", generation=" + generation + ", qsize=" + value.qsize()
            + ", remoteProgram=" + (value.remoteProgram() == null ? "none" : value.remoteProgram().name())
            + (value.location() == null ? "" : ", location=" + value.location()) + '}';
    }
}
