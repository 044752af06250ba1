package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.path.ConsumerPath;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.program.SteeringProgram;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters.Counter;
import dev.steer.engine.stats.PathStats;

/**
 * The tracepoint events of a whole engine run, recorded in-process while it runs and drains: added up, they are the
 * engine's own counters. Key 0 has a small ring (ring_full possible at the ingresses and at key 1's redirects) and a
 * handler that refuses some batches; key 1 runs a remote program that passes, drops, aborts and redirects to key 0.
 * Two ingresses, dropping or lossless (their flushes then wait for room another ingress took).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TracepointEventsEngineTest {
    private static final long FRAMES = 50_000;

    @ParameterizedTest(name = "lossless={0}")
    @ValueSource(booleans = {false, true})
    void shouldAddUpToTheEngineCountersWhenARunIsRecordedToItsEnd(boolean lossless, @TempDir Path dir)
            throws Exception {
        final SteeringProgram remote = view -> switch (SequencedFeed.flowOf(view) % 8) {
            case 1 -> Verdict.of(Verdict.PASS);
            case 3 -> Verdict.of(Verdict.DROP);
            case 5 -> Verdict.redirect(0, Verdict.DROP);
            default -> Verdict.of(Verdict.ABORTED);
        };
        final AtomicLong calls = new AtomicLong();
        final FrameHandler refusesSome = frames -> {
            if (calls.incrementAndGet() % 7 == 0) {
                throw new IllegalStateException("refused");
            }
        };
        final Path file = dir.resolve("run.jfr");
        final EngineStats stats;
        try (Recording recording = new Recording()) {
            recording.enable("dev.steer.CpumapEnqueue");
            recording.enable("dev.steer.CpumapKthread");
            recording.start();
            final SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(2).entry(0, 64)
                .entry(1, new EntryValue(1024, remote)).pinning(false).systemName("tracepoint-events-engine")
                .handler(refusesSome).errorHandler((where, error) -> { })
                .lossless(lossless).program(SequencedFeed.byFlow(2)).feed(new SequencedFeed("f", 0, 64, FRAMES))
                .feed(new SequencedFeed("g", 0, 64, FRAMES)).start();
            stats = EngineRuns.runToEnd(engine, Duration.ofSeconds(30));
            recording.stop();
            recording.dump(file);
        }
        assertTrue(stats.accounting().isSettled(), stats.accounting().toString());
        final List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        final List<PathStats> rows = new ArrayList<>(stats.ingresses());
        rows.addAll(stats.consumers());
        for (int cpu = 0; cpu < 2; cpu++) {
            final int to = cpu;
            final List<RecordedEvent> enqueues = events.stream()
                .filter(e -> e.getEventType().getName().equals("dev.steer.CpumapEnqueue") && e.getInt("toCpu") == to)
                .toList();
            assertEquals(rows.stream().mapToLong(r -> r.enqueueProcessed(to)).sum(), sum(enqueues, "processed"),
                "enqueue processed to cpu " + cpu);
            assertEquals(rows.stream().mapToLong(r -> r.enqueueDrops(to)).sum(), sum(enqueues, "drops"),
                "enqueue drops to cpu " + cpu);
            assertEquals(rows.stream().mapToLong(r -> r.enqueueBulks(to)).sum(), enqueues.size(),
                "one event per flush to cpu " + cpu);
            final List<RecordedEvent> drains = events.stream()
                .filter(e -> e.getEventType().getName().equals("dev.steer.CpumapKthread") && e.getInt("cpu") == to)
                .toList();
            final PathStats consumer = stats.consumers().stream().filter(r -> r.key() == to).findFirst().orElseThrow();
            assertEquals(consumer.get(Counter.RECEIVED), sum(drains, "processed"), "kthread processed of " + cpu);
            assertEquals(consumer.dropped(DropReason.HANDLER_ERROR), sum(drains, "drops"), "kthread drops of " + cpu);
            assertEquals(consumer.get(Counter.REDIRECTED), sum(drains, "redirect"), "kthread redirect of " + cpu);
            assertTrue(sum(drains, "sched") <= consumer.get(Counter.SCHED), "kthread sched of " + cpu);
            if (cpu == 1) {
                assertEquals(consumer.get(Counter.DELIVERED) + consumer.dropped(DropReason.HANDLER_ERROR),
                    sum(drains, "pass"), "kthread pass: every frame handed to the handler");
                assertEquals(consumer.get(Counter.RECEIVED), sum(drains, "pass") + sum(drains, "drop")
                    + sum(drains, "redirect"), "pass + drop + redirect = processed");
            } else {
                assertEquals(0, sum(drains, "pass") + sum(drains, "drop") + sum(drains, "redirect"));
            }
        }
        assertEquals(2 * FRAMES, stats.accounting().received(), "every frame of both feeds was received");
    }

    @Test
    void shouldCommitOneKthreadEventPerHandlerBatchWhenADrainTakesSeveralBatches(@TempDir Path dir) throws Exception {
        // The handler holds both consumers in their first drain until the feed has ended, so that the rings hold more
        // than a batch (200 frames a key, a first drain takes at most 64): the drains after the release take up to 8
        // batches each. Key 1's remote program passes, drops and redirects to key 0; the handler refuses every third call.
        final SteeringProgram remote = view -> switch (SequencedFeed.flowOf(view) % 6) {
            case 1, 3 -> Verdict.of(Verdict.PASS);
            case 5 -> Verdict.redirect(0, Verdict.DROP);
            default -> Verdict.of(Verdict.DROP);
        };
        final HeldHandler held = new HeldHandler();
        final AtomicLong calls = new AtomicLong();
        final FrameHandler heldThenRefusesSome = frames -> {
            held.onFrames(frames);
            if (calls.incrementAndGet() % 3 == 0) {
                throw new IllegalStateException("refused");
            }
        };
        final int frames = 400;
        final Path file = dir.resolve("held.jfr");
        final EngineStats stats;
        try (Recording recording = new Recording()) {
            recording.enable("dev.steer.CpumapKthread");
            recording.start();
            final SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(2).entry(0, 1024)
                .entry(1, new EntryValue(1024, remote)).pinning(false).systemName("tracepoint-events-held")
                .handler(heldThenRefusesSome).errorHandler((where, error) -> { })
                .program(SequencedFeed.byFlow(2)).feed(new SequencedFeed("f", 0, 64, frames)).start();
            try {
                assertTrue(held.awaitHolding(), "a consumer's handler holds its first batch");
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!engine.feedsEnded() && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
            } finally {
                held.release();
            }
            stats = EngineRuns.runToEnd(engine, Duration.ofSeconds(20));
            recording.stop();
            recording.dump(file);
        }
        assertTrue(stats.accounting().isSettled(), stats.accounting().toString());
        assertEquals(frames, stats.accounting().received(), stats.accounting().toString());
        final List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        for (int cpu = 0; cpu < 2; cpu++) {
            final int to = cpu;
            final List<RecordedEvent> batches = events.stream()
                .filter(e -> e.getEventType().getName().equals("dev.steer.CpumapKthread") && e.getInt("cpu") == to)
                .toList();
            for (RecordedEvent batch : batches) {
                assertTrue(batch.getInt("processed") <= ConsumerPath.DEFAULT_BATCH,
                    "a kthread event of cpu " + cpu + " is one handler batch: " + batch);
                assertTrue(batch.getInt("drops") <= batch.getInt("processed"), "drops within the batch: " + batch);
            }
            final PathStats consumer = stats.consumers().stream().filter(r -> r.key() == to).findFirst().orElseThrow();
            assertTrue(batches.size() > consumer.get(Counter.POLLS),
                "some drain of cpu " + cpu + " took more than one batch: " + batches.size() + " events, "
                    + consumer.get(Counter.POLLS) + " drains");
            assertEquals(consumer.get(Counter.RECEIVED), sum(batches, "processed"), "kthread processed of " + cpu);
            assertEquals(consumer.dropped(DropReason.HANDLER_ERROR), sum(batches, "drops"), "kthread drops of " + cpu);
            assertEquals(consumer.get(Counter.REDIRECTED), sum(batches, "redirect"), "kthread redirect of " + cpu);
            assertTrue(sum(batches, "sched") <= consumer.get(Counter.SCHED), "kthread sched of " + cpu);
            assertTrue(sum(batches, "sched") <= consumer.get(Counter.POLLS), "sched once per drain at most, cpu " + cpu);
            if (cpu == 1) {
                assertEquals(consumer.get(Counter.DELIVERED) + consumer.dropped(DropReason.HANDLER_ERROR),
                    sum(batches, "pass"), "kthread pass: every frame handed to the handler");
                for (RecordedEvent batch : batches) {
                    assertEquals(batch.getInt("processed"),
                        batch.getInt("pass") + batch.getInt("drop") + batch.getInt("redirect"),
                        "pass + drop + redirect = processed in each batch: " + batch);
                }
            } else {
                assertEquals(0, sum(batches, "pass") + sum(batches, "drop") + sum(batches, "redirect"));
            }
        }
    }

    private static long sum(List<RecordedEvent> events, String field) {
        return events.stream().mapToLong(e -> e.getInt(field)).sum();
    }
}
