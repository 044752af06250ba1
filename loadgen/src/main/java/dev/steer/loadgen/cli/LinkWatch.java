package dev.steer.loadgen.cli;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import dev.steer.engine.path.Feed;
import dev.steer.ingress.afpacket.AfPacketFeed;
import dev.steer.ingress.afpacket.InterfaceLink;

/**
 * Tells the user of {@code steer run} when the link under an AF_PACKET feed goes down during the run, and when it comes
 * back up. A feed's polling thread notices the changes and counts them ({@link InterfaceLink#downs()},
 * {@link InterfaceLink#ups()}; the queues of a fanout group share one link, read by whichever queue's poll is due); the run's thread looks at
 * the counts whenever it wakes and says each change of an interface once, not once per queue.
 * A link down at the start is already in the start's warning ({@code FeedConfig.Opened#warnings()}), so its coming up
 * is said, not its being down.
 *
 * <p>Thread contract: the run's thread only. Off the data path: a few volatile reads per AF_PACKET feed a look; the
 * lines are made on a change.
 */
final class LinkWatch {
    private final List<AfPacketFeed> feeds = new ArrayList<>();
    /** Each feed's interface label, made once: a look compares them and makes no string. */
    private final String[] labels;
    private final long[] downsSeen;
    private final long[] upsSeen;
    /** Interfaces said to be down (at the start or since) and not yet said to be up again. */
    private final Set<String> down = new HashSet<>();

    /** Watches the AF_PACKET feeds among {@code all}; the others have no link to watch. */
    LinkWatch(List<Feed> all) {
        for (Feed feed : all) {
            if (feed instanceof AfPacketFeed afpacket) {
                feeds.add(afpacket);
            }
        }
        labels = new String[feeds.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = feeds.get(i).interfaceLabel();
            if (!feeds.get(i).link().up()) {
                down.add(labels[i]);
            }
        }
        downsSeen = new long[feeds.size()];
        upsSeen = new long[feeds.size()];
    }

    /**
     * Says what changed since the last look: a link gone down to {@code warning} (the feed's own line: down or no
     * carrier, and what to do), a link back up to {@code note}, once all the queues on its interface have found it up.
     */
    void look(Consumer<String> warning, Consumer<String> note) {
        for (int i = 0; i < feeds.size(); i++) {
            final InterfaceLink state = feeds.get(i).link();
            final String link = labels[i];
            final long downs = state.downs();
            if (downs != downsSeen[i]) {
                downsSeen[i] = downs;
                if (down.add(link)) {
                    warning.accept("the link went down during the run: " + state.lastDown());
                }
            }
            final long ups = state.ups();
            if (ups != upsSeen[i]) {
                upsSeen[i] = ups;
                if (allUp(link) && down.remove(link)) {
                    note.accept(link + ": the link is up again: the feed receives");
                }
            }
        }
    }

    private boolean allUp(String link) {
        for (int i = 0; i < labels.length; i++) {
            if (!feeds.get(i).link().up() && labels[i].equals(link)) {
                return false;
            }
        }
        return true;
    }
}
