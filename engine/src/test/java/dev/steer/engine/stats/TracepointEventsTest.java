package dev.steer.engine.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.steer.engine.frame.Frame;
import dev.steer.engine.frame.FramePool;
import dev.steer.engine.map.Capabilities;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryLifecycle;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.path.ConsumerPath;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.path.HandlerBatch;
import dev.steer.engine.path.Redirector;
import dev.steer.engine.program.SteeringProgram;
import dev.steer.engine.program.Verdict;

/** The JFR events carry the fields of the kernel's xdp_cpumap_enqueue and xdp_cpumap_kthread tracepoints. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TracepointEventsTest {
    @Test
    void shouldRecordEnqueueAndConsumerEventsWithTracepointFieldsWhenJfrEnablesThem(@TempDir Path dir) throws Exception {
        final Rig rig = Rig.create(map -> map.update(1, EntryValue.of(4), CpuMap.ANY), FrameHandler.NO_OP);
        final CpuMap map = rig.map();
        final Path file = dir.resolve("steer.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("dev.steer.CpumapEnqueue");
            recording.enable("dev.steer.CpumapKthread");
            recording.start();
            rig.redirect(1, 6); // 6 frames into a ring of 4: 2 dropped
            rig.consumer().idle();
            assertEquals(4, rig.consumer().doWork());
            recording.stop();
            recording.dump(file);
        }
        final List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        final RecordedEvent enqueue = events.stream()
            .filter(e -> e.getEventType().getName().equals("dev.steer.CpumapEnqueue")).findFirst().orElseThrow();
        assertEquals(map.id(), enqueue.getInt("mapId"));
        assertEquals(6, enqueue.getInt("processed"));
        assertEquals(2, enqueue.getInt("drops"));
        assertEquals(1, enqueue.getInt("toCpu"));
        final RecordedEvent batch = events.stream()
            .filter(e -> e.getEventType().getName().equals("dev.steer.CpumapKthread")).findFirst().orElseThrow();
        assertEquals(map.id(), batch.getInt("mapId"));
        assertEquals(1, batch.getInt("cpu"));
        assertEquals(4, batch.getInt("processed"));
        assertEquals(0, batch.getInt("drops"));
        assertEquals(1, batch.getInt("sched"), "the consumer had gone idle before this batch");
        assertEquals(0, batch.getInt("pass") + batch.getInt("drop") + batch.getInt("redirect"));
        assertTrue(Files.size(file) > 0);
    }

    /** One drain of 4 frames by entry 1's remote program, and the fields the kernel would report for it. */
    private record Drain(String rule, SteeringProgram remote, FrameHandler handler, int drops, int pass, int drop,
                         int redirect) {
        @Override
        public String toString() {
            return rule;
        }
    }

    static List<Drain> drains() {
        final FrameHandler refusing = frames -> {
            throw new IllegalStateException("refused");
        };
        return List.of(
            new Drain("a remote DROP is drop, not drops (frames refused after the program)",
                packet -> Verdict.of(Verdict.DROP), FrameHandler.NO_OP, 0, 0, 4, 0),
            new Drain("a missing key with a PASS fallback is pass, not redirect (the helper returns the fallback)",
                packet -> Verdict.redirect(7, Verdict.PASS), FrameHandler.NO_OP, 0, 4, 0, 0),
            new Drain("a missing key with a DROP fallback is drop, not redirect or drops",
                packet -> Verdict.redirect(7, Verdict.DROP), FrameHandler.NO_OP, 0, 0, 4, 0),
            new Drain("a redirect into a bulk queue is redirect; its ring_full (key 0 has 2 slots) is CpumapEnqueue's",
                packet -> Verdict.redirect(0, Verdict.DROP), FrameHandler.NO_OP, 0, 0, 0, 4),
            new Drain("passed frames the handler refused are pass and drops (the stack refusing them)",
                packet -> Verdict.of(Verdict.PASS), refusing, 4, 4, 0, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drains")
    void shouldCountOutcomesAsXdpCpumapKthreadDoesNotRemoteVerdicts(Drain drain, @TempDir Path dir)
            throws Exception {
        assertKthread(recordRemoteDrain(dir, drain.remote(), drain.handler()), 4, drain.drops(), drain.pass(),
            drain.drop(), drain.redirect());
    }

    @Test
    void shouldCountARedirectCutAsALoopAsDropNotRedirect(@TempDir Path dir) throws Exception {
        // Entry 1 sends its frames back to itself: 8 drains redirect them, the 9th cuts the cycle.
        final List<RecordedEvent> drains = recordRemoteDrains(dir, packet -> Verdict.redirect(1, Verdict.DROP),
            FrameHandler.NO_OP, Frame.MAX_REMOTE_REDIRECTS + 1);
        for (int i = 0; i < Frame.MAX_REMOTE_REDIRECTS; i++) {
            assertKthread(drains.get(i), 4, 0, 0, 0, 4);
        }
        assertKthread(drains.getLast(), 4, 0, 0, 4, 0);
    }

    @Test
    void shouldReportSchedZeroWhenTheConsumerIdledBeforeAnUntracedDrain(@TempDir Path dir) throws Exception {
        final Rig rig = Rig.create(map -> map.update(1, EntryValue.of(8), CpuMap.ANY), FrameHandler.NO_OP);
        rig.consumer().idle();
        rig.redirect(1, 2);
        assertEquals(2, rig.consumer().doWork()); // untraced: the idle belonged to this drain
        final Path file = dir.resolve("steer.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("dev.steer.CpumapKthread");
            recording.start();
            rig.redirect(1, 2);
            assertEquals(2, rig.consumer().doWork());
            recording.stop();
            recording.dump(file);
        }
        assertEquals(0, kthreadEvent(file).getInt("sched"), "no idle since the previous drain");
    }

    @Test
    void shouldCommitOneEventPerHandlerBatchWhenADrainTakesSeveralAsXdpCpumapKthreadDoes(@TempDir Path dir)
            throws Exception {
        // 20 frames in one drain are three batches of 8, 8 and 4; the handler refuses its second call, the second batch.
        final Rig rig = Rig.create(map -> map.update(1, EntryValue.of(32), CpuMap.ANY), refusingCall(2));
        rig.redirect(1, 20);
        rig.consumer().idle();
        final List<RecordedEvent> batches = recordDrains(dir, rig, 1, 20);
        assertEquals(3, batches.size(), "one event per handler batch of 8");
        assertKthread(batches.get(0), 8, 0, 0, 0, 0);
        assertKthread(batches.get(1), 8, 8, 0, 0, 0);
        assertKthread(batches.get(2), 4, 0, 0, 0, 0);
        assertSchedOnFirstBatchOnly(batches);
    }

    @Test
    void shouldGiveEachRemoteBatchTheOutcomesOfItsOwnFramesWhenAHandlerCallSpansTwoOfThem(@TempDir Path dir)
            throws Exception {
        // Frame i: PASS, DROP, redirect to key 0, redirect to a missing key with PASS fallback, by i % 4. A batch of 8
        // passes 4, so the handler's first call (8 passed frames, refused) holds the passes of the first two batches.
        final int[] seen = new int[1];
        final SteeringProgram remote = packet -> switch (seen[0]++ % 4) {
            case 0 -> Verdict.of(Verdict.PASS);
            case 1 -> Verdict.of(Verdict.DROP);
            case 2 -> Verdict.redirect(0, Verdict.DROP);
            default -> Verdict.redirect(7, Verdict.PASS);
        };
        final Rig rig = Rig.create(map -> {
            map.update(0, EntryValue.of(2), CpuMap.ANY);
            map.update(1, new EntryValue(32, remote), CpuMap.ANY);
        }, refusingCall(1));
        rig.redirect(1, 20);
        rig.consumer().idle();
        final List<RecordedEvent> batches = recordDrains(dir, rig, 1, 20);
        assertEquals(3, batches.size(), "one event per batch taken from the ring");
        assertKthread(batches.get(0), 8, 4, 4, 2, 2);
        assertKthread(batches.get(1), 8, 4, 4, 2, 2);
        assertKthread(batches.get(2), 4, 0, 2, 1, 1);
        assertSchedOnFirstBatchOnly(batches);
        final PathCounters counters = rig.consumer().counters();
        assertEquals(1, counters.get(PathCounters.Counter.POLLS), "all of it was one drain");
        assertEquals(counters.get(PathCounters.Counter.RECEIVED), sum(batches, "processed"));
        assertEquals(counters.dropped(DropReason.HANDLER_ERROR), sum(batches, "drops"));
        assertEquals(counters.get(PathCounters.Counter.REDIRECTED), sum(batches, "redirect"));
        assertEquals(counters.get(PathCounters.Counter.DELIVERED) + counters.dropped(DropReason.HANDLER_ERROR),
            sum(batches, "pass"));
    }

    /**
     * Drains {@code rig}'s consumer {@code drains} times, each taking {@code frames}, while CpumapKthread is recorded:
     * its events in order.
     */
    private static List<RecordedEvent> recordDrains(Path dir, Rig rig, int drains, int frames) throws Exception {
        final Path file = dir.resolve("steer.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("dev.steer.CpumapKthread");
            recording.start();
            for (int i = 0; i < drains; i++) {
                assertEquals(frames, rig.consumer().doWork());
            }
            recording.stop();
            recording.dump(file);
        }
        return kthreadEvents(file);
    }

    /** A handler that throws on its {@code call}-th call (from 1) and takes every other. */
    private static FrameHandler refusingCall(int call) {
        final int[] calls = new int[1];
        return frames -> {
            if (++calls[0] == call) {
                throw new IllegalStateException("refused");
            }
        };
    }

    private static void assertSchedOnFirstBatchOnly(List<RecordedEvent> batches) {
        assertEquals(1, batches.getFirst().getInt("sched"), "the consumer had gone idle before the drain");
        for (int i = 1; i < batches.size(); i++) {
            assertEquals(0, batches.get(i).getInt("sched"), "sched of batch " + i + " of the same drain");
        }
    }

    private static long sum(List<RecordedEvent> events, String field) {
        return events.stream().mapToLong(e -> e.getInt(field)).sum();
    }

    /**
     * Entry 1 runs {@code remote}, entry 0 (2 slots) has none; 4 frames are redirected to key 1 and its consumer
     * drains them once while CpumapKthread is recorded.
     */
    private static RecordedEvent recordRemoteDrain(Path dir, SteeringProgram remote, FrameHandler handler)
            throws Exception {
        return recordRemoteDrains(dir, remote, handler, 1).getFirst();
    }

    /** As {@link #recordRemoteDrain}, with {@code drains} drains of 4 frames each: their events in order. */
    private static List<RecordedEvent> recordRemoteDrains(Path dir, SteeringProgram remote, FrameHandler handler,
                                                          int drains) throws Exception {
        final Rig rig = Rig.create(map -> {
            map.update(0, EntryValue.of(2), CpuMap.ANY);
            map.update(1, new EntryValue(8, remote), CpuMap.ANY);
        }, handler);
        rig.redirect(1, 4);
        final List<RecordedEvent> events = recordDrains(dir, rig, drains, 4);
        assertEquals(drains, events.size(), "one event per drain");
        return events;
    }

    /** A map of 2 keys with the entries {@code entries} makes, an ingress' redirector, and key 1's consumer. */
    private record Rig(FramePool pool, CpuMap map, Redirector producer, ConsumerPath consumer) {
        static Rig create(Consumer<CpuMap> entries, FrameHandler handler) {
            final FramePool pool = new FramePool(new FramePool.Context().frameCount(64));
            final CpuMap map = CpuMap.create(2, 0, CpuSet.all(2), Capabilities.admin(), EntryLifecycle.NONE).map();
            entries.accept(map);
            final Redirector producer = new Redirector(map, new PathCounters("ingress-0", 2),
                DropReason.PROGRAM_DROP, DropReason.PROGRAM_ABORTED);
            final ConsumerPath consumer = new ConsumerPath(map.snapshot().entry(1), map, handler, 8,
                HandlerBatch.ErrorSink.IGNORE);
            return new Rig(pool, map, producer, consumer);
        }

        /** Redirects {@code frames} leased frames to {@code key} and flushes them. */
        void redirect(int key, int frames) {
            producer.refresh();
            for (int i = 0; i < frames; i++) {
                producer.steer(pool.lease().length(60), Verdict.redirect(key, Verdict.DROP));
            }
            producer.flush();
        }
    }

    private static RecordedEvent kthreadEvent(Path file) throws Exception {
        final List<RecordedEvent> events = kthreadEvents(file);
        assertEquals(1, events.size(), "one drain, one event");
        return events.getFirst();
    }

    /** The file's CpumapKthread events in the order they were committed (one thread). */
    private static List<RecordedEvent> kthreadEvents(Path file) throws Exception {
        return RecordingFile.readAllEvents(file).stream()
            .filter(e -> e.getEventType().getName().equals("dev.steer.CpumapKthread"))
            .sorted(Comparator.comparing(RecordedEvent::getStartTime)).toList();
    }

    private static void assertKthread(RecordedEvent batch, int processed, int drops, int pass, int drop,
                                      int redirect) {
        assertEquals(processed, batch.getInt("processed"), "processed");
        assertEquals(drops, batch.getInt("drops"), "drops");
        assertEquals(pass, batch.getInt("pass"), "pass");
        assertEquals(drop, batch.getInt("drop"), "drop");
        assertEquals(redirect, batch.getInt("redirect"), "redirect");
    }

    @Test
    void shouldStayOffWhenARecordingUsesTheJdkDefaultOrProfileSettings() throws Exception {
        // A service that records continuously with the JDK's settings must not get millions of events a second.
        for (String settings : List.of("default", "profile")) {
            try (Recording recording = new Recording(Configuration.getConfiguration(settings))) {
                recording.start();
                assertFalse(CpumapEnqueueEvent.ENABLED.isEnabled(), settings);
                assertFalse(CpumapKthreadEvent.ENABLED.isEnabled(), settings);
                recording.stop();
            }
        }
    }

    @Test
    void shouldBeDisabledWhenNoRecordingAsksForThem() {
        assertFalse(CpumapEnqueueEvent.ENABLED.isEnabled());
        assertFalse(CpumapKthreadEvent.ENABLED.isEnabled());
    }
}
