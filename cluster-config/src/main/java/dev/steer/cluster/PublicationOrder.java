package dev.steer.cluster;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The order in which the {@link MapOwner} publishes one change of the map, so that no frame in flight meets a node
 * without its entry (the cpumap promise that an update loses nothing in flight): first the nodes that get a new or
 * changed local entry, so the entry exists before anyone forwards to it; then every other member, whose forwarding
 * entries switch over and drain into the old entries; last, with everyone else, the nodes that give up a local
 * entry (the key was deleted or moved away), once no other node forwards to it any more. The owner waits for each of
 * the first two steps to confirm (bounded by its step timeout) before it starts the next one.
 *
 * <p>A node that both gets and gives up an entry in one change is in the first step: the placement comes first.
 * That needs two keys moving in opposite directions in one publication, which a single update never is (the
 * owner publishes one update at a time; see {@link MapOwner}). Off the hot path.
 */
final class PublicationOrder {
    private PublicationOrder() {
    }

    /**
     * The two steps the owner waits for, each limited to {@code members}: the nodes placed on, then the others less
     * the nodes that give up an entry (those get the publication in the final step, with every member).
     *
     * @param before  the map every member has had published to it
     * @param after   the map being published
     * @param members the members the owner publishes to (addresses)
     */
    static List<Set<String>> steps(Map<Integer, Placement> before, Map<Integer, Placement> after, Set<String> members) {
        final Set<String> placing = new HashSet<>();
        final Set<String> givingUp = new HashSet<>();
        for (Map.Entry<Integer, Placement> entry : after.entrySet()) {
            final Placement was = before.get(entry.getKey());
            final Placement now = entry.getValue();
            if (!now.equals(was)) {
                placing.add(now.node());
            }
        }
        for (Map.Entry<Integer, Placement> entry : before.entrySet()) {
            final Placement now = after.get(entry.getKey());
            if (now == null || !Objects.equals(now.node(), entry.getValue().node())) {
                givingUp.add(entry.getValue().node());
            }
        }
        placing.retainAll(members);
        final Set<String> others = new HashSet<>(members);
        others.removeAll(placing);
        others.removeAll(givingUp);
        return List.of(placing, others);
    }
}
