package dev.steer.engine.map;

/**
 * Where an entry's consumer runs: on a CPU of this node, or on a CPU of another node of a cluster. The
 * engine knows nothing of clusters; a remote location only names the node (an address string the cluster
 * layer understands) and the CPU there, and asks the engine's lifecycle for a consumer that forwards the
 * entry's frames to that node.
 *
 * @param node the owning node's address, or null for this node
 * @param cpu  the CPU the consumer is pinned to (on {@code node}), at least 0
 */
public record EntryLocation(String node, int cpu) {
    /** Validates the CPU number; an empty node name is taken as this node. */
    public EntryLocation {
        if (cpu < 0) {
            throw new IllegalArgumentException("location cpu=" + cpu + ": must be 0 or more");
        }
        if (node != null && node.isEmpty()) {
            node = null;
        }
    }

    /** A consumer on this node, pinned to {@code cpu} (which need not equal the entry's key). */
    public static EntryLocation local(int cpu) {
        return new EntryLocation(null, cpu);
    }

    /** A consumer on {@code node}'s CPU {@code cpu}. */
    public static EntryLocation remote(String node, int cpu) {
        if (node == null || node.isEmpty()) {
            throw new IllegalArgumentException("remote location node='" + node + "': must name a node");
        }
        return new EntryLocation(node, cpu);
    }

    /** True when the consumer runs on another node. */
    public boolean isRemote() {
        return node != null;
    }
}
