package dev.steer.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;

/**
 * The node's {@link NodeLink}s, one per other node that a map entry was ever placed on, made on first use.
 * Thread-safe: forwarders on any thread ask for their node's link.
 */
final class NodeLinks {
    private record Link(ActorRef<NodeLink.Command> ref, LinkStats stats) {
    }

    private final ClusterSettings settings;
    private final ConcurrentHashMap<String, Link> links = new ConcurrentHashMap<>();
    private final AtomicInteger names = new AtomicInteger();

    NodeLinks(ClusterSettings settings) {
        this.settings = settings;
    }

    /** The link to {@code node}, started in {@code system} when there is none yet. */
    ActorRef<NodeLink.Command> link(ActorSystem<?> system, String node) {
        return links.computeIfAbsent(node, address -> {
            final LinkStats stats = new LinkStats(address, settings.nodeName(address));
            return new Link(system.systemActorOf(NodeLink.create(address, settings, stats),
                "steer-link-" + names.incrementAndGet(), Props.empty()), stats);
        }).ref();
    }

    /**
     * A snapshot of every link's statistics, sorted by node name (then address), so that what a run prints keeps one
     * order: the map's own order is its hash order.
     */
    List<LinkStats> stats() {
        final List<LinkStats> all = new ArrayList<>();
        for (Link link : links.values()) {
            all.add(link.stats());
        }
        all.sort(Comparator.comparing(LinkStats::node).thenComparing(LinkStats::address));
        return all;
    }
}
