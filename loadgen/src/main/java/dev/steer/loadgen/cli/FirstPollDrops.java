package dev.steer.loadgen.cli;

import java.util.ArrayList;
import java.util.List;

import dev.steer.engine.path.Feed;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters;
import dev.steer.engine.stats.PathStats;
import dev.steer.ingress.afpacket.AfPacketFeed;

/**
 * The engine's stats as {@code steer run}'s live intervals count them: without what the kernel dropped for an AF_PACKET
 * ring that filled between the open and the feed's first poll ({@link AfPacketFeed#overrunsBeforeFirstPoll()}). The
 * first poll reports those drops after the stats baseline, so they showed in the first interval as if dropped while
 * it ran; the summary keeps them, apart ({@code kernel_drops_before_first_poll}). Off the hot path: one copy of the
 * stats per sample, only for an ingress whose feed dropped before its first poll.
 */
final class FirstPollDrops {
    private FirstPollDrops() {
    }

    /**
     * {@code stats} less, on the ingress of each AF_PACKET feed ({@code ingress-i} reads {@code feeds.get(i)}), the
     * drops before its first poll, in {@code received} and in {@code feed_overrun}. The feeds are read after the stats:
     * a feed sets that count before its ingress counts the drops, so stats that show them find it set; from stats read
     * before the drops were counted nothing is taken out (at most their ingress' own {@code feed_overrun}, which is 0
     * until the first poll). Any thread.
     */
    static EngineStats leftOut(EngineStats stats, List<? extends Feed> feeds) {
        List<PathStats> ingresses = null;
        for (int i = 0; i < feeds.size(); i++) {
            final long beforeFirstPoll = feeds.get(i) instanceof AfPacketFeed feed ? feed.overrunsBeforeFirstPoll() : 0;
            if (beforeFirstPoll == 0) {
                continue;
            }
            final String name = "ingress-" + i;
            final List<PathStats> rows = ingresses == null ? stats.ingresses() : ingresses;
            for (int r = 0; r < rows.size(); r++) {
                final PathStats row = rows.get(r);
                if (!row.name().equals(name)) {
                    continue;
                }
                final long before = Math.min(beforeFirstPoll, row.dropped(DropReason.FEED_OVERRUN));
                if (before == 0) {
                    break;
                }
                final long[] counters = row.counters();
                counters[PathCounters.Counter.RECEIVED.ordinal()] -= before;
                final long[] drops = row.drops();
                drops[DropReason.FEED_OVERRUN.ordinal()] -= before;
                if (ingresses == null) {
                    ingresses = new ArrayList<>(rows);
                }
                ingresses.set(r, new PathStats(row.name(), row.kind(), row.key(), counters, drops, row.redirectErrors(),
                    row.enqueue()));
                break;
            }
        }
        return ingresses == null ? stats
            : EngineStats.of(ingresses, stats.consumers(), stats.pools(), stats.entries(), stats.mapVersion());
    }
}
