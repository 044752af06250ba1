package dev.steer.loadgen.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

import dev.steer.engine.path.Feed;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters;
import dev.steer.engine.stats.PathStats;
import dev.steer.ingress.FirstPollOverruns;

/**
 * The engine's stats as {@code steer run}'s live intervals count them: without what the kernel dropped for a UDP
 * socket's receive buffer or an AF_PACKET ring that filled between the open and the feed's first poll
 * ({@link FirstPollOverruns#overrunsBeforeFirstPoll()}). The first poll reports those drops after the stats baseline,
 * so they would show in the first interval as if dropped while it ran; the summary keeps them, apart
 * ({@code kernel_drops_before_first_poll}).
 *
 * <p>Why each adjusted counter is held at its previous value at least: the first poll counts its drops through the
 * sink, {@code received} before {@code feed_overrun}, while a snapshot reads the drops first and {@code received}
 * last, so a sample can see them received and not yet dropped. {@code received} less the feed's count is right once
 * the drops are in it, and below the previous sample while they are not (the ingress received nothing before its
 * first poll: at most 0 then); {@code feed_overrun} less what of the count it holds never falls, held all the same.
 * An interval therefore never goes negative, and once the drops are counted every adjusted figure is exact: the
 * intervals add up to the run's totals less the drops before the first poll.
 *
 * <p>Thread contract: {@link #leftOut} from one thread, the sampler's. Off the hot path: one copy of the stats per
 * sample, only for an ingress whose feed dropped before its first poll.
 */
final class FirstPollDrops {
    private final List<LongSupplier> beforeFirstPoll;
    /** {@code ingress-i}, element i: the engine's name of the ingress that reads feed i. */
    private final String[] names;
    private final long[] received;
    private final long[] overrun;

    /** @param beforeFirstPoll element i for {@code ingress-i}: its feed's drops before its first poll */
    FirstPollDrops(List<LongSupplier> beforeFirstPoll) {
        this.beforeFirstPoll = List.copyOf(beforeFirstPoll);
        this.names = new String[beforeFirstPoll.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = "ingress-" + i;
        }
        this.received = new long[beforeFirstPoll.size()];
        this.overrun = new long[beforeFirstPoll.size()];
    }

    /**
     * For the ingresses of {@code feeds} ({@code ingress-i} reads {@code feeds.get(i)}): each feed that is a
     * {@link FirstPollOverruns} gives its count, any other 0.
     */
    static FirstPollDrops of(List<? extends Feed> feeds) {
        final List<LongSupplier> counts = new ArrayList<>(feeds.size());
        for (Feed feed : feeds) {
            counts.add(feed instanceof FirstPollOverruns first ? first::overrunsBeforeFirstPoll : () -> 0);
        }
        return new FirstPollDrops(counts);
    }

    /**
     * {@code stats} less, on the ingress of each such feed, the drops before its first poll, in {@code received}
     * and in {@code feed_overrun}, each no lower than in the previous call. The feeds are read after the stats, so
     * stats that show the drops find the count set ({@link FirstPollOverruns#overrunsBeforeFirstPoll()} says how a feed
     * publishes it). The sampler's thread.
     */
    EngineStats leftOut(EngineStats stats) {
        List<PathStats> ingresses = null;
        for (int i = 0; i < beforeFirstPoll.size(); i++) {
            final long before = beforeFirstPoll.get(i).getAsLong();
            final List<PathStats> rows = ingresses == null ? stats.ingresses() : ingresses;
            for (int r = 0; r < rows.size(); r++) {
                final PathStats row = rows.get(r);
                if (!row.name().equals(names[i])) {
                    continue;
                }
                final long rawReceived = row.get(PathCounters.Counter.RECEIVED);
                final long rawOverrun = row.dropped(DropReason.FEED_OVERRUN);
                received[i] = Math.max(received[i], rawReceived - before);
                overrun[i] = Math.max(overrun[i], rawOverrun - Math.min(before, rawOverrun));
                if (received[i] == rawReceived && overrun[i] == rawOverrun) {
                    break;
                }
                final long[] counters = row.counters();
                counters[PathCounters.Counter.RECEIVED.ordinal()] = received[i];
                final long[] drops = row.drops();
                drops[DropReason.FEED_OVERRUN.ordinal()] = overrun[i];
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
