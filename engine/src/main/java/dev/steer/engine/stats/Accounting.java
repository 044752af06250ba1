package dev.steer.engine.stats;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The accounting invariant: {@code received = delivered + forwarded + dropped (by reason) + inFlight}. Built
 * from path snapshots: received counts only at ingresses (a cluster node's frame receiver is one), delivered,
 * forwarded and drops at every path. {@code forwarded} is 0 on a node outside a cluster; in a cluster it counts
 * the frames another node acknowledged, which that node counts as received (see docs/cluster.md).
 *
 * <p>Live (read while frames move), the terms are not one moment: each only grows from one reading to the next, and
 * since the paths' ends are read before their receipts, {@code inFlight} is never negative (on x86-64) but may be high
 * by the frames that were received and ended while the read ran, more than can be in flight at once. Exact, with
 * {@code inFlight} 0, in the final stats.
 *
 * @param received  frames that entered the engine
 * @param delivered frames handed to a handler
 * @param dropped   frames dropped, by reason
 * @param inFlight  frames still in bulk queues, rings, handler batches or unacknowledged cross-node batches:
 *                  received - delivered - forwarded - dropped; while running, an upper bound of what
 *                  was in flight as the read ended
 * @param forwarded frames handed to another node and acknowledged by it
 */
public record Accounting(long received, long delivered, Map<DropReason, Long> dropped, long inFlight,
                         long forwarded) {
    /** An accounting of a node that forwarded nothing. */
    public Accounting(long received, long delivered, Map<DropReason, Long> dropped, long inFlight) {
        this(received, delivered, dropped, inFlight, 0);
    }

    /** Sums the invariant over every path of an engine. */
    public static Accounting of(List<PathStats> paths) {
        long received = 0;
        long delivered = 0;
        long forwarded = 0;
        final EnumMap<DropReason, Long> dropped = new EnumMap<>(DropReason.class);
        for (DropReason reason : DropReason.values()) {
            dropped.put(reason, 0L);
        }
        for (PathStats path : paths) {
            if (path.kind() == PathStats.Kind.INGRESS) {
                received += path.get(PathCounters.Counter.RECEIVED);
            }
            delivered += path.get(PathCounters.Counter.DELIVERED);
            forwarded += path.get(PathCounters.Counter.FORWARDED);
            for (DropReason reason : DropReason.values()) {
                dropped.merge(reason, path.dropped(reason), Long::sum);
            }
        }
        final long droppedTotal = dropped.values().stream().mapToLong(Long::longValue).sum();
        return new Accounting(received, delivered, Collections.unmodifiableMap(dropped),
            received - delivered - forwarded - droppedTotal, forwarded);
    }

    /** Frames dropped for any reason. */
    public long droppedTotal() {
        return dropped.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Frames dropped for {@code reason}. */
    public long dropped(DropReason reason) {
        return dropped.getOrDefault(reason, 0L);
    }

    /** True when nothing is in flight: every received frame was delivered or dropped. */
    public boolean isSettled() {
        return inFlight == 0;
    }

    @Override
    public String toString() {
        final StringBuilder out = new StringBuilder("received=").append(received).append(" delivered=")
            .append(delivered).append(forwarded == 0 ? "" : " forwarded=" + forwarded).append(" dropped=").append(droppedTotal());
        dropped.forEach((reason, n) -> {
            if (n != 0) {
                out.append(' ').append(reason.label()).append('=').append(n);
            }
        });
        return out.append(" in_flight=").append(inFlight).toString();
    }
}
