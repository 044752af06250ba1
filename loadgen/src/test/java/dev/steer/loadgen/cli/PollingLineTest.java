package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.MapResult;
import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameSink;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters.Counter;
import dev.steer.engine.stats.PathStats;

/**
 * The {@code running: N ingresses polling} line asks the engine for its stats (an actor ask, 0.2-0.3 s under load):
 * not on every turn of the run's loop (every 10 ms), and not for the whole run when an ingress never polls.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PollingLineTest {
    /** 10 s of a run's loop turns, one every 10 ms. */
    private static final int TURNS = 1_000;

    @Test
    void shouldAskForTheStatsABoundedNumberOfTimesWhenAnIngressNeverPolls() {
        final List<String> said = new ArrayList<>();
        final PollingLine line = new PollingLine(2, said::add);
        final int[] asks = {0};
        final Supplier<EngineStats> stats = () -> {
            asks[0]++;
            return stats(1, 0);
        };
        for (int turn = 0; turn < TURNS; turn++) {
            line.look(stats);
        }
        assertTrue(asks[0] <= 20, "asked " + asks[0] + " times in " + TURNS + " turns");
    }

    @Test
    void shouldSayHowManyIngressesPollWithoutTheFullLinesWordsWhenOneHasNotPolledByTheLastAsk() {
        final List<String> said = new ArrayList<>();
        final long[] clock = {0};
        final PollingLine line = new PollingLine(2, () -> clock[0], said::add);
        final int[] asks = {0};
        for (int turn = 0; turn < TURNS; turn++, clock[0] += TimeUnit.MILLISECONDS.toNanos(10)) {
            line.look(() -> {
                asks[0]++;
                return stats(1, 1);
            });
        }
        assertEquals(PollingLine.MAX_ASKS, asks[0], "asks");
        assertEquals(List.of("running: 1 of 2 ingresses polled so far; not every ingress is polling yet"), said);
        // A later live sample, which the run takes anyway, still says the full line, once; the end says nothing more.
        line.sampled(stats(2, 0));
        line.sampled(stats(2, 0));
        line.end(stats(2, 0));
        assertEquals(List.of("running: 1 of 2 ingresses polled so far; not every ingress is polling yet",
            "running: 2 ingresses polling; the run's time has started"), said);
    }

    @Test
    void shouldSayTheLineAtTheFirstAskThatSeesEveryIngressPolling() {
        final List<String> said = new ArrayList<>();
        final long[] clock = {0};
        final PollingLine line = new PollingLine(2, () -> clock[0], said::add);
        final int[] asks = {0};
        // The second ingress polls from the second ask on.
        final Supplier<EngineStats> stats = () -> ++asks[0] < 2 ? stats(1, 1) : stats(2, 0);
        long saidAtNs = -1;
        for (int turn = 0; turn < TURNS; turn++, clock[0] += TimeUnit.MILLISECONDS.toNanos(10)) {
            line.look(stats);
            if (saidAtNs < 0 && line.said()) {
                saidAtNs = clock[0];
            }
        }
        assertEquals(2, asks[0], "no ask once said");
        assertEquals(PollingLine.LOOK_NS, saidAtNs, "said at the second ask, one look after the first");
        assertEquals(List.of("running: 2 ingresses polling; the run's time has started"), said);
    }

    @Test
    void shouldNotAskWhenALiveSampleShowsEveryIngressPolling() {
        final List<String> said = new ArrayList<>();
        final long[] clock = {0};
        final PollingLine line = new PollingLine(1, () -> clock[0], said::add);
        line.sampled(stats(1, 0));
        line.look(() -> {
            throw new AssertionError("asked after the sample showed every ingress polling");
        });
        line.end(stats(1, 0));
        assertEquals(List.of("running: 1 ingress polling; the run's time has started"), said);
    }

    @Test
    void shouldSayTheLineAtTheEndOfARunThatEndedBeforeItsFirstLook() {
        final List<String> all = new ArrayList<>();
        new PollingLine(2, all::add).end(stats(2, 0));
        assertEquals(List.of("running: 2 ingresses polling; the run's time has started"), all);
        final List<String> none = new ArrayList<>();
        new PollingLine(1, none::add).end(stats(0, 1));
        assertEquals(List.of("running: 0 of 1 ingress polled so far; not every ingress is polling yet"), none);
    }

    /**
     * An external sender waits for the full line's words (docs/output.md: the moment it should begin); the partial line
     * must not match them, whether a script looks at the line's end or anywhere in it.
     */
    @Test
    void shouldNotEndThePartialLineWithTheWordsASenderWaitsFor() {
        final List<String> said = new ArrayList<>();
        new PollingLine(2, said::add).end(stats(1, 1));
        assertEquals(1, said.size(), () -> "one line: " + said);
        final String partial = said.get(0);
        assertTrue(partial.endsWith("not every ingress is polling yet"), partial);
        assertFalse(partial.contains("the run's time has started"), partial);
        assertFalse(partial.contains("polling;"), partial);
    }

    /**
     * An ingress polls its held feed from its start, and a held feed's poll is no poll of the real feed: the stats'
     * POLLS are above 0 long before the release. The full line, which an external sender starts from, means every
     * feed has been polled since its release, whether or not the run has senders of its own.
     */
    @Test
    void shouldSayTheLineOnlyOnceEveryHeldFeedWasPolledSinceItsReleaseWhenItsIngressPolledItWhileHeld() {
        final HeldFeed first = new HeldFeed(idleFeed("udp:127.0.0.1:9100"));
        final HeldFeed late = new HeldFeed(idleFeed("udp:127.0.0.1:9101"));
        first.poll(null, 64);
        late.poll(null, 64);
        first.release();
        late.release();
        first.poll(null, 64);
        final List<String> said = new ArrayList<>();
        final long[] clock = {0};
        final PollingLine line = new PollingLine(2, List.of(first, late), () -> clock[0], said::add);
        // Both ingresses have polled (while held): the stats say so, the feeds do not.
        line.sampled(stats(2, 0));
        line.look(() -> stats(2, 0));
        clock[0] += PollingLine.LOOK_NS;
        line.look(() -> stats(2, 0));
        assertEquals(List.of(), said, "not said before the second feed's first poll since its release");
        late.poll(null, 64);
        line.look(() -> {
            throw new AssertionError("asked the engine: the feeds say when they have been polled");
        });
        assertEquals(List.of("running: 2 ingresses polling; the run's time has started"), said);
        line.end(stats(2, 0));
        assertEquals(1, said.size(), () -> "said once: " + said);
    }

    @Test
    void shouldSayHowManyHeldFeedsWerePolledSinceTheirReleaseWhenOneIsNotByTheLastLook() {
        final HeldFeed polled = new HeldFeed(idleFeed("udp:127.0.0.1:9100"));
        final HeldFeed late = new HeldFeed(idleFeed("udp:127.0.0.1:9101"));
        late.poll(null, 64);
        polled.release();
        late.release();
        polled.poll(null, 64);
        final List<String> said = new ArrayList<>();
        final long[] clock = {0};
        final PollingLine line = new PollingLine(2, List.of(polled, late), () -> clock[0], said::add);
        for (int turn = 0; turn < TURNS; turn++, clock[0] += TimeUnit.MILLISECONDS.toNanos(10)) {
            line.look(() -> stats(2, 0));
            line.sampled(stats(2, 0));
        }
        assertEquals(List.of("running: 1 of 2 ingresses polled so far; not every ingress is polling yet"), said);
        // Polled later: a live sample the run takes anyway says the full line, once; the end says nothing more.
        late.poll(null, 64);
        line.sampled(stats(2, 0));
        line.end(stats(2, 0));
        assertEquals(List.of("running: 1 of 2 ingresses polled so far; not every ingress is polling yet",
            "running: 2 ingresses polling; the run's time has started"), said);
    }

    /** A feed that never has a frame; it touches no sink. */
    private static Feed idleFeed(String name) {
        return new Feed() {
            @Override
            public int poll(FrameSink sink, int budget) {
                return 0;
            }

            @Override
            public String name() {
                return name;
            }
        };
    }

    /** Stats whose first {@code polled} ingress rows have polled and whose next {@code idle} rows have not. */
    static EngineStats stats(int polled, int idle) {
        final List<PathStats> rows = new ArrayList<>();
        for (int i = 0; i < polled + idle; i++) {
            final long[] counters = new long[Counter.values().length];
            counters[Counter.POLLS.ordinal()] = i < polled ? 1 : 0;
            rows.add(new PathStats("ingress-" + i, PathStats.Kind.INGRESS, -1, counters,
                new long[DropReason.values().length], new long[MapResult.values().length], new long[0]));
        }
        return EngineStats.of(rows, List.of(), List.of(), 0, 0);
    }
}
