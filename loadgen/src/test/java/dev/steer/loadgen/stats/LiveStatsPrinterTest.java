package dev.steer.loadgen.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.actors.SteerEngine;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryLocation;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.path.TemplateFeed;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters.Counter;
import dev.steer.engine.stats.PathStats;
import dev.steer.engine.stats.PoolStats;
import dev.steer.loadgen.traffic.PacketTemplates;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LiveStatsPrinterTest {
    private static final long SECOND = 1_000_000_000L;

    /** Exact counters for one interval of 2 s: every rate below is half the count. */
    static EngineStats known() {
        final Row ingress = new Row("ingress-0", PathStats.Kind.INGRESS, -1, 4);
        ingress.counters()[Counter.RECEIVED.ordinal()] = 4_000_000;
        ingress.counters()[Counter.REDIRECTED.ordinal()] = 3_997_000;
        ingress.counters()[Counter.PROGRAM_EXCEPTIONS.ordinal()] = 2;
        ingress.drops()[DropReason.PROGRAM_ABORTED.ordinal()] = 2; // as the engine counts a program exception
        ingress.drops()[DropReason.PROGRAM_DROP.ordinal()] = 2_000;
        ingress.drops()[DropReason.RING_FULL.ordinal()] = 1_000;
        ingress.redirectErrors()[MapResult.EOVERFLOW.ordinal()] = 6;
        ingress.enqueue()[0] = 2_000_000; // key 0 processed
        ingress.enqueue()[1] = 1_000; // key 0 drops
        ingress.enqueue()[2] = 250_000; // key 0 bulks: 8.00 average
        ingress.enqueue()[3] = 1_998_000; // key 1 processed
        ingress.enqueue()[5] = 499_500; // key 1 bulks: 4.00 average
        final Row cpu0 = new Row("key-0", PathStats.Kind.CONSUMER, 0, 4);
        cpu0.counters()[Counter.RECEIVED.ordinal()] = 1_999_000;
        cpu0.counters()[Counter.DELIVERED.ordinal()] = 1_998_000;
        cpu0.counters()[Counter.SCHED.ordinal()] = 40;
        cpu0.counters()[Counter.REMOTE_PASS.ordinal()] = 1_998_000;
        cpu0.counters()[Counter.REMOTE_DROP.ordinal()] = 1_000;
        cpu0.drops()[DropReason.REMOTE_DROP.ordinal()] = 1_000;
        final Row cpu1 = new Row("key-1", PathStats.Kind.CONSUMER, 1, 4);
        cpu1.counters()[Counter.RECEIVED.ordinal()] = 1_998_000;
        cpu1.counters()[Counter.DELIVERED.ordinal()] = 1_998_000;
        final Row idle = new Row("key-3", PathStats.Kind.CONSUMER, 3, 4);
        return EngineStats.of(List.of(ingress.stats()), List.of(cpu0.stats(), cpu1.stats(), idle.stats()),
            List.of(new PoolStats("pool-0", 16_384, 16_000, 4_000_000, 3_999_616, 0, 0)), 3, 5);
    }

    static EngineStats zero() {
        return EngineStats.of(List.of(PathStats.empty("ingress-0", PathStats.Kind.INGRESS, -1, 4)),
            List.of(PathStats.empty("key-0", PathStats.Kind.CONSUMER, 0, 4),
                PathStats.empty("key-1", PathStats.Kind.CONSUMER, 1, 4),
                PathStats.empty("key-3", PathStats.Kind.CONSUMER, 3, 4)),
            List.of(new PoolStats("pool-0", 16_384, 16_384, 0, 0, 0, 0)), 3, 5);
    }

    @Test
    void shouldPrintEveryRowWithExactRatesWhenTheIntervalIsKnown() {
        final Interval interval = new Interval(SECOND, 3 * SECOND, zero(), known(), LatencySnapshot.EMPTY);
        final String text = new LiveStatsPrinter().format(interval);
        final List<String> lines = text.lines().toList();
        assertLine(lines, "Summary 2.0 s", "2,000,000 rx/s", "1,998,500 redir/s", "2,001 err,drop/s");
        assertLine(lines, "  receive total", "2,000,000 pkt/s", "1,501 drop/s", "1 error/s");
        assertLine(lines, "    ingress-0", "2,000,000 pkt/s", "1,501 drop/s", "1 error/s");
        assertLine(lines, "      program_drop", "1,000 drop/s");
        assertLine(lines, "      program_aborted", "1 drop/s");
        assertLine(lines, "      ring_full", "500 drop/s");
        assertLine(lines, "  redirect_err total", "3 error/s");
        assertLine(lines, "    EOVERFLOW", "3 error/s");
        assertLine(lines, "      ingress-0", "3 error/s");
        assertLine(lines, "  enqueue to key 0", "1,000,000 pkt/s", "500 drop/s", "8.00 bulk-avg");
        assertLine(lines, "    ingress-0->0", "1,000,000 pkt/s", "500 drop/s", "8.00 bulk-avg");
        assertLine(lines, "  enqueue to key 1", "999,000 pkt/s", "0 drop/s", "4.00 bulk-avg");
        assertLine(lines, "  kthread total", "1,998,500 pkt/s", "500 drop/s", "20 sched/s");
        assertLine(lines, "    key 0 cpu 0", "999,500 pkt/s", "500 drop/s", "20 sched/s");
        assertLine(lines, "      remote_drop", "500 drop/s");
        assertLine(lines, "    key 1 cpu 1", "999,000 pkt/s", "0 drop/s", "0 sched/s");
        assertLine(lines, "    xdp_stats", "999,000 pass/s", "500 drop/s", "0 redir/s");
        assertLine(lines, "      key 0 cpu 0", "999,000 pass/s", "500 drop/s", "0 redir/s");
        assertLine(lines, "  pool", "384 in-use", "16,384 frames", "0 exhaust/s");
        assertLine(lines, "    pool-0", "384 in-use", "16,384 frames");
        assertFalse(text.contains("key 3"), "an idle consumer and an idle target are folded:\n" + text);
        assertFalse(text.contains("E2BIG"), "a code without errors is folded:\n" + text);
        for (String line : lines) {
            assertTrue(line.length() <= LiveStatsPrinter.WIDTH, "fits " + LiveStatsPrinter.WIDTH + ": " + line);
        }
    }

    @Test
    void shouldNameEveryEntryRowByKeyAndCpuWhenPrinted() {
        final Interval interval = new Interval(SECOND, 3 * SECOND, zero(), known(), LatencySnapshot.EMPTY);
        final String text = new LiveStatsPrinter().format(interval);
        final List<String> lines = text.lines().toList();
        // On one node an entry's consumer runs on the CPU that is its key.
        assertLine(lines, "    key 0 cpu 0 ", "999,500 pkt/s", "500 drop/s", "20 sched/s");
        assertLine(lines, "    key 1 cpu 1 ", "999,000 pkt/s");
        assertLine(lines, "      key 0 cpu 0 ", "999,000 pass/s");
        assertLine(lines, "  enqueue to key 0 ", "1,000,000 pkt/s");
        assertLine(lines, "  enqueue to key 1 ", "999,000 pkt/s");
        assertFalse(text.contains("cpu-"), "no row named by a key alone as if it were a CPU:\n" + text);
        assertFalse(text.contains("enqueue to cpu"), "the enqueue sections are per key:\n" + text);

        // A cluster node: key 0 served on another node's CPU 0, key 1 on this node's CPU 0, key 3 unknown.
        final String cluster = new LiveStatsPrinter(EntryPlaces.of(Map.of(0, EntryLocation.remote("node-1", 0),
            1, EntryLocation.local(0)))).format(new Interval(SECOND, 3 * SECOND, zero(), known(), LatencySnapshot.EMPTY));
        assertLine(cluster.lines().toList(), "    key 0 node-1 cpu 0 ", "999,500 pkt/s");
        assertLine(cluster.lines().toList(), "    key 1 cpu 0 ", "999,000 pkt/s");
    }

    @Test
    void shouldFoldDetailRowsButKeepSectionTotalsWhenNothingHappened() {
        final Interval interval = new Interval(0, SECOND, zero(), zero(), LatencySnapshot.EMPTY);
        final List<String> lines = new LiveStatsPrinter().format(interval).lines().toList();
        assertLine(lines, "  receive ", "0 pkt/s");
        assertLine(lines, "  redirect_err ", "0 error/s");
        assertLine(lines, "  kthread ", "0 pkt/s");
        assertLine(lines, "  pool", "0 in-use");
        assertEquals(6, lines.size(), "summary, four section totals and a blank line: " + lines);
    }

    @Test
    void shouldPrintEveryPathOfARealRunWhenSampledLive() {
        final EngineRun run = EngineRun.run("printer", FrameHandler.NO_OP);
        final Interval total = run.sampler().total();
        final String text = new LiveStatsPrinter().format(total);
        final List<String> lines = text.lines().toList();
        final long received = total.accounting().received();
        assertLine(lines, received == 0 ? "  receive " : "  receive total",
            Units.rate(total.rate(received)) + " pkt/s");
        for (PathStats consumer : total.consumers()) {
            final long n = consumer.get(Counter.RECEIVED);
            if (n != 0) {
                assertLine(lines, "    key " + consumer.key() + " cpu " + consumer.key() + " ",
                    Units.rate(total.rate(n)) + " pkt/s");
                assertLine(lines, "  enqueue to key " + consumer.key() + " ");
            }
        }
        assertTrue(run.printed().contains("kthread"), "the live output was printed every interval");
    }

    @Test
    void shouldCountEachFrameOnceInErrDropWhenTheProgramThrows() {
        final long frames = 10_000;
        final SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(2).entry(0, 2048)
            .pinning(false).systemName("throwing").errorHandler((where, error) -> { })
            .program(packet -> {
                throw new IllegalStateException("a program that fails on every frame");
            })
            .feed(new TemplateFeed("t", PacketTemplates.udp4(64, 60), frames)).start();
        final EngineStats end;
        try {
            // Bounded well inside the class's timeout, whose interrupt would also cut the shutdown below short.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!engine.feedsEnded() && System.nanoTime() < deadline) {
                LockSupport.parkNanos(1_000_000);
            }
            assertTrue(engine.feedsEnded(), "the feed ended: " + engine.stats().accounting());
        } finally {
            end = engine.shutdown();
        }
        final EngineStats start = EngineStats.of(List.of(), List.of(), List.of(), 0, 0);
        final Interval interval = new Interval(0, SECOND, start, end, LatencySnapshot.EMPTY);
        // Every frame threw: the engine counts it as a program exception and as a program_aborted drop.
        assertEquals(frames, interval.ingresses().get(0).get(Counter.PROGRAM_EXCEPTIONS));
        assertEquals(frames, interval.accounting().dropped(DropReason.PROGRAM_ABORTED));
        assertEquals(frames, interval.accounting().droppedTotal());
        final List<String> lines = new LiveStatsPrinter().format(interval).lines().toList();
        assertLine(lines, "Summary 1.0 s", Units.rate(frames) + " rx/s", Units.rate(frames) + " err,drop/s");
        assertLine(lines, "  receive total", Units.rate(frames) + " drop/s", Units.rate(frames) + " error/s");
    }

    @Test
    void shouldDrawABarWhenThePhaseLengthIsKnown() {
        assertEquals("warm-up    [########............]  40%    2.0 s / 5.0 s      1,234,567 frames",
            LiveStatsPrinter.progress("warm-up", Duration.ofSeconds(2), Duration.ofSeconds(5), 1_234_567));
        assertEquals("starting     0.5 s              0 frames",
            LiveStatsPrinter.progress("starting", Duration.ofMillis(500), Duration.ZERO, 0));
    }

    private static void assertLine(List<String> lines, String start, String... values) {
        for (String line : lines) {
            if (line.startsWith(start)) {
                for (String value : values) {
                    assertTrue(line.contains(" " + value), "'" + value + "' in: " + line);
                }
                return;
            }
        }
        throw new AssertionError("no line starting with '" + start + "' in:\n" + String.join("\n", lines));
    }

    /** A path row filled in place, then frozen: a PathStats keeps copies of its arrays. */
    private record Row(String name, PathStats.Kind kind, int key, long[] counters, long[] drops, long[] redirectErrors,
                       long[] enqueue) {
        Row(String name, PathStats.Kind kind, int key, int maxKeys) {
            this(name, kind, key, new long[Counter.values().length], new long[DropReason.values().length],
                new long[MapResult.values().length], new long[3 * maxKeys]);
        }

        PathStats stats() {
            return new PathStats(name, kind, key, counters, drops, redirectErrors, enqueue);
        }
    }
}
