package dev.steer.cluster;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What this node's {@link MapAgent} did with the map publications it received since the node started: every one is
 * counted once, as applied, as not newer than the node's copy, or as refused because it did not come from the map
 * owner this node's cluster view names ({@link OwnerCheck}). Written by the agent only, read from any thread.
 */
public final class PublicationStats {
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong notNewer = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile String lastRefusedSender;

    void countApplied() {
        applied.lazySet(applied.get() + 1);
    }

    void countNotNewer() {
        notNewer.lazySet(notNewer.get() + 1);
    }

    void countRefused(String sender) {
        lastRefusedSender = sender;
        refused.lazySet(refused.get() + 1);
    }

    /** Publications applied: the node's map is theirs (also a republication of the same map by a new owner). */
    public long applied() {
        return applied.get();
    }

    /**
     * Publications of the owner at or below the version this node has, of the same owner incarnation: the
     * periodic republication of a map the node has (every 2 s), or a change overtaken by a later one.
     */
    public long notNewer() {
        return notNewer.get();
    }

    /**
     * Publications from a member that this node's view does not name as the map owner (a stale or misbehaving
     * member, or an owner this node does not see as one yet: the owner's republication reaches it again once its
     * view agrees), not applied and not answered, whatever their version.
     */
    public long refused() {
        return refused.get();
    }

    /** The address of the member whose publication was refused last, null when none was. */
    public String lastRefusedSender() {
        return lastRefusedSender;
    }

    @Override
    public String toString() {
        return "PublicationStats[applied=" + applied() + ", notNewer=" + notNewer() + ", refused=" + refused()
            + ", lastRefusedSender=" + lastRefusedSender + "]";
    }
}
