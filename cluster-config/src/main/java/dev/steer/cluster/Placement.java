package dev.steer.cluster;

/**
 * Value of a cluster map entry as the map owner keeps it: the ring size, where the consumer runs, and the
 * remote program it runs first. Every node turns it into its local {@link dev.steer.engine.map.EntryValue}: a
 * local entry pinned to {@code cpu}, with the program, on the node named {@code node}; a forwarding entry
 * without a program on every other node (the program runs where the consumer does).
 *
 * @param qsize   ring size in frames, 1 to {@link dev.steer.engine.map.CpuMap#MAX_QSIZE}
 * @param node    address of the owning node ({@code pekko://system@host:port})
 * @param cpu     CPU of the consumer on that node
 * @param program the entry's remote program, or null for none
 */
public record Placement(int qsize, String node, int cpu, RemoteProgramSpec program) {
    /** A placement without a remote program. */
    public Placement(int qsize, String node, int cpu) {
        this(qsize, node, cpu, null);
    }

    /**
     * What a node other than {@code self} runs for this placement: the same placement without the program when
     * the consumer is elsewhere, so that a change of the program alone does not replace forwarding entries.
     */
    Placement seenFrom(String self) {
        return program == null || node.equals(self) ? this : new Placement(qsize, node, cpu, null);
    }
}
