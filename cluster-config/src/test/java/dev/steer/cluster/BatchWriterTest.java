package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Batch arrays: sized to the batch when new, reused once acknowledged, none made in steady state. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class BatchWriterTest {
    private static final int MAX_IN_FLIGHT = 4;
    private static final int BATCH_FRAMES = 16;
    private static final int FRAME_SIZE = 2048;
    private static final int FULL = BATCH_FRAMES * (FRAME_SIZE + 12);

    @Test
    void shouldSizeANewArrayToTheBatchRoundedUpToAnEighthOfItsOctaveButNoMoreThanAFullBatch() {
        assertEquals(128, BatchWriter.arrayBytes(72, FULL), "64-byte steps at least");
        assertEquals(1024, BatchWriter.arrayBytes(1024, FULL));
        assertEquals(18_432, BatchWriter.arrayBytes(16_392, FULL), "256 frames of 60 bytes: 2,048-byte steps");
        assertEquals(FULL, BatchWriter.arrayBytes(FULL - 1, FULL), "not past a full batch");
        assertEquals(FULL + 5, BatchWriter.arrayBytes(FULL + 5, FULL), "a batch of larger frames gets its own size");
    }

    @Test
    void shouldReuseTheSmallestSpareThatHoldsTheBatchWhenArraysComeBack() {
        final BatchWriter writer = new BatchWriter(MAX_IN_FLIGHT, BATCH_FRAMES, FRAME_SIZE);
        final byte[] small = writer.start(72);
        final byte[] large = writer.start(4000);
        assertEquals(128, small.length);
        assertEquals(4096, large.length);
        writer.recycle(large);
        writer.recycle(small);
        assertSame(small, writer.start(100), "the smallest that holds it");
        assertSame(large, writer.start(100), "the other one, when the small one is out");
        writer.recycle(small);
        final byte[] larger = writer.start(5000);
        assertEquals(5120, larger.length, "none holds it: a new one");
        writer.recycle(larger);
        writer.recycle(large);
        assertSame(large, writer.start(4000));
        assertSame(larger, writer.start(10), "the small spare was dropped for the larger array");
    }

    @Test
    void shouldMakeNoArrayInSteadyStateWhenBatchesOfAnySizeAreAcknowledged() {
        final BatchWriter writer = new BatchWriter(MAX_IN_FLIGHT, BATCH_FRAMES, FRAME_SIZE);
        final Random random = new Random(42);
        final Set<byte[]> made = Collections.newSetFromMap(new IdentityHashMap<>());
        final ArrayDeque<byte[]> inFlight = new ArrayDeque<>();
        int madeAfterWarmUp = 0;
        for (int batch = 0; batch < 20_000; batch++) {
            if (inFlight.size() == MAX_IN_FLIGHT) {
                writer.recycle(inFlight.poll());
            }
            final byte[] data = writer.start(8 + random.nextInt(FULL - 8));
            if (made.add(data) && batch >= 10_000) {
                madeAfterWarmUp++;
            }
            inFlight.add(data);
        }
        assertEquals(0, madeAfterWarmUp, "arrays made after warm-up; " + made.size() + " in all");
        // During warm-up each of the few arrays in use is replaced by a larger one a few times.
        assertTrue(made.size() <= 8 * MAX_IN_FLIGHT, "arrays made: " + made.size());
    }
}
