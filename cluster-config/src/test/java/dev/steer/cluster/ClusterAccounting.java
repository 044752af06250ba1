package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters;
import dev.steer.engine.stats.PathStats;

/** Test support: a node's stats read by path, and the accounting rule every node keeps on its own (docs/cluster.md). */
final class ClusterAccounting {
    private ClusterAccounting() {
    }

    /** Nothing in flight on node {@code name}, every frame it received delivered, forwarded or dropped, pools full. */
    static void assertEachNodeExact(String name, EngineStats stats) {
        final Accounting acc = stats.accounting();
        assertEquals(0, acc.inFlight(), "nothing in flight on " + name + ": " + acc);
        assertEquals(acc.received(), acc.delivered() + acc.forwarded() + acc.droppedTotal(), name + ": " + acc);
        assertTrue(stats.poolsFull(), name + "'s pools are full again");
    }

    /** The ingress that takes the frames other nodes forward to this one. */
    static PathStats receiver(EngineStats stats) {
        return stats.ingresses().stream().filter(p -> p.name().equals("receiver")).findFirst().orElseThrow();
    }

    static long receiverDrops(EngineStats stats, DropReason reason) {
        return receiver(stats).drops()[reason.ordinal()];
    }

    static long receiverReceived(EngineStats stats) {
        return receiver(stats).counters()[PathCounters.Counter.RECEIVED.ordinal()];
    }

    /** The consumer of {@code key} on this node. */
    static PathStats consumer(EngineStats stats, int key) {
        return stats.consumers().stream().filter(c -> c.key() == key).findFirst().orElseThrow();
    }
}
