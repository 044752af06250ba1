package dev.steer.ingress.afpacket;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Opens {@link AfPacketFeed}s: one inside its settings' network namespace, or the queues of one feed, which share the
 * interface through one fanout group and share one {@link InterfaceLink}, made with queue 0 and read by every queue's
 * polls. Every failure leaves nothing open or mapped.
 *
 * <p>Off the hot path: the calling thread, a few syscalls and the ring's memory per queue.
 */
final class AfPacketOpener {
    private AfPacketOpener() {
    }

    /** {@link AfPacketFeed#openQueues}: queue 0 first, the others joining its fanout group and sharing the link made with it. */
    static List<AfPacketFeed> openQueues(String name, AfPacketSettings settings, int queues) {
        if (queues < 1 || (queues > 1 && !settings.fanout())) {
            throw new IllegalArgumentException("queues=" + queues + " with fanoutGroup=" + settings.fanoutGroup()
                + ": must be 1, or more with a fanout group, which shares the interface among the queues");
        }
        final List<AfPacketFeed> feeds = new ArrayList<>(queues);
        try {
            AfPacketSettings member = settings;
            for (int i = 0; i < queues; i++) {
                final InterfaceLink link = i == 0 ? null : feeds.get(0).link();
                final AfPacketFeed feed = open(name + "#" + i, member, NetNamespace::enter, link);
                feeds.add(feed);
                if (i == 0 && settings.fanout()) {
                    member = settings.withFanout(feed.fanoutGroup(), settings.fanoutMode());
                }
            }
        } catch (RuntimeException ex) {
            feeds.forEach(AfPacketFeed::close);
            throw ex;
        }
        return List.copyOf(feeds);
    }

    /**
     * {@link AfPacketFeed#open(String, AfPacketSettings)} entering the namespace with {@code enter}; with
     * {@code sharedLink} non-null the feed shares that link (another queue's), else it has its own.
     */
    static AfPacketFeed open(String name, AfPacketSettings settings, Function<String, NetNamespace.Scope> enter,
                             InterfaceLink sharedLink) {
        settings.validate();
        return NetNamespace.inside(settings.netns(), enter, () -> openHere(name, settings, sharedLink),
            AfPacketFeed::close, PacketSocket.where(settings.iface(), settings.netns()));
    }

    /** Sets the feed up in the calling thread's namespace; on any failure closes the socket and unmaps the ring. */
    private static AfPacketFeed openHere(String name, AfPacketSettings settings, InterfaceLink sharedLink) {
        final RxRing rx = RxRing.open(settings);
        try {
            return new AfPacketFeed(name, settings, rx, sharedLink);
        } catch (RuntimeException | Error ex) {
            rx.close();
            throw ex;
        }
    }
}
