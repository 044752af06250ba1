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
        final Path file = dir.resolve("steer.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("dev.steer.CpumapKthread");
            recording.start();
            for (int i = 0; i < drains; i++) {
                assertEquals(4, rig.consumer().doWork());
            }
            recording.stop();
            recording.dump(file);
        }
        final List<RecordedEvent> events = kthreadEvents(file);
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
