package dev.steer.loadgen.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.stats.PathCounters.Counter;
import dev.steer.ingress.AllocatedBytes;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LatencyHandlerTest {
    private static final int WARM_UP_BATCHES = 2_000;

    @Test
    void shouldRecordEveryDeliveredFrameWithoutAllocatingWhenSharedByConsumers() {
        // Read on this thread before and after the run: it fails, naming why, where the JVM does not count allocation
        // per thread. On a consumer thread the same failure is a handler exception: its frames drop, and the delivery
        // checks below would fail without the reason.
        AllocatedBytes.ofCurrentThread();
        final AtomicLong batchesMeasured = new AtomicLong();
        final AtomicLong bytesAfterWarmUp = new AtomicLong();
        final AtomicLong framesHandedOn = new AtomicLong();
        final ThreadLocal<long[]> batchesOnThisThread = ThreadLocal.withInitial(() -> new long[1]);
        final LatencyRecorder measured = new LatencyRecorder();
        final LatencyHandler handler = new LatencyHandler(measured, batch -> framesHandedOn.addAndGet(batch.size()));
        // The engine calls this on each consumer thread; it measures what the latency handler allocates there.
        final FrameHandler measuring = batch -> {
            final long[] batches = batchesOnThisThread.get();
            final long before = AllocatedBytes.ofCurrentThread();
            handler.onFrames(batch);
            final long after = AllocatedBytes.ofCurrentThread();
            if (++batches[0] > WARM_UP_BATCHES) {
                bytesAfterWarmUp.addAndGet(after - before);
                batchesMeasured.incrementAndGet();
            }
        };
        // Lossless: the count of batches measured must not depend on how many frames a loaded machine drops.
        final EngineRun run = EngineRun.run("latency", measuring, true);
        AllocatedBytes.ofCurrentThread();

        final long delivered = run.finalStats().accounting().delivered();
        assertEquals(EngineRun.FRAMES, run.finalStats().accounting().received(), "every frame received");
        assertEquals(EngineRun.FRAMES, run.finalStats().accounting().delivered(), "lossless: every frame delivered");
        assertTrue(delivered > 0, "frames delivered");
        assertEquals(delivered, framesHandedOn.get(), "every frame handed on to the wrapped handler");
        assertEquals(delivered, measured.cumulative().getTotalCount(), "one latency per delivered frame");
        assertEquals(0, measured.clamped(), "every stamp in range");
        assertTrue(batchesMeasured.get() > 1_000, "enough batches measured: " + batchesMeasured.get());
        // Below 1 KiB in all: a JIT recompilation can charge a few bytes once, while one allocation per frame
        // would be at least 16 bytes x 8 frames x 1,000 batches.
        assertTrue(bytesAfterWarmUp.get() < 1024, bytesAfterWarmUp.get() + " bytes allocated by the latency handler over "
            + batchesMeasured.get() + " batches");
    }

    @Test
    void shouldPutEveryValueInOneIntervalAndInTheTotalWhenReadInBetween() {
        final LatencyRecorder recorder = new LatencyRecorder();
        recorder.record(1_000);
        recorder.record(2_000);
        final Histogram total1 = recorder.cumulative();
        recorder.record(3_000);
        final Histogram first = recorder.interval();
        recorder.record(4_000);
        final Histogram second = recorder.interval();
        assertEquals(2, total1.getTotalCount());
        assertEquals(3, first.getTotalCount(), "values read by cumulative() stay in the interval");
        assertEquals(1, second.getTotalCount());
        assertEquals(4, recorder.cumulative().getTotalCount());
        assertEquals(0, recorder.interval().getTotalCount());
    }

    @Test
    void shouldClampAndCountWhenValuesAreOutOfRange() {
        final LatencyRecorder recorder = new LatencyRecorder(1_000_000, 3);
        recorder.record(-5);
        recorder.record(5_000_000);
        recorder.record(500);
        assertEquals(2, recorder.clamped());
        final Histogram h = recorder.cumulative();
        assertEquals(3, h.getTotalCount());
        assertEquals(0, h.getMinValue());
        assertTrue(h.valuesAreEquivalent(1_000_000, h.getMaxValue()), "max clamped to the range: " + h.getMaxValue());
    }
}
