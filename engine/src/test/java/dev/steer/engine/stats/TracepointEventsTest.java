package dev.steer.engine.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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
import dev.steer.engine.program.Verdict;

/** The JFR events carry the fields of the kernel's xdp_cpumap_enqueue and xdp_cpumap_kthread tracepoints. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TracepointEventsTest {
    @Test
    void shouldRecordEnqueueAndConsumerEventsWithTracepointFieldsWhenJfrEnablesThem(@TempDir Path dir) throws Exception {
        final FramePool pool = new FramePool(new FramePool.Context().frameCount(64));
        final CpuMap map = CpuMap.create(2, 0, CpuSet.all(2), Capabilities.admin(), EntryLifecycle.NONE).map();
        map.update(1, EntryValue.of(4), CpuMap.ANY);
        final Redirector producer = new Redirector(map, new PathCounters("ingress-0", 2), DropReason.PROGRAM_DROP,
            DropReason.PROGRAM_ABORTED);
        final ConsumerPath consumer = new ConsumerPath(map.snapshot().entry(1), map, FrameHandler.NO_OP, 8,
            HandlerBatch.ErrorSink.IGNORE);
        final Path file = dir.resolve("steer.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("dev.steer.CpumapEnqueue");
            recording.enable("dev.steer.CpumapKthread");
            recording.start();
            producer.refresh();
            for (int i = 0; i < 6; i++) {
                producer.steer(pool.lease().length(60), Verdict.redirect(1, Verdict.DROP));
            }
            producer.flush(); // 6 frames into a ring of 4: 2 dropped
            consumer.idle();
            assertEquals(4, consumer.doWork());
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
