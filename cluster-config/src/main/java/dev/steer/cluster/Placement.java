package dev.steer.cluster;

/**
 * Value of a cluster map entry as the map owner keeps it: the ring size and where the consumer runs.
 * Every node turns it into its local {@link dev.steer.engine.map.EntryValue}: a local entry pinned to
 * {@code cpu} on the node named {@code node}, a forwarding entry on every other node.
 *
 * @param qsize ring size in frames, 1 to {@link dev.steer.engine.map.CpuMap#MAX_QSIZE}
 * @param node  address of the owning node ({@code pekko://system@host:port})
 * @param cpu   CPU of the consumer on that node
 */
public record Placement(int qsize, String node, int cpu) {
}
