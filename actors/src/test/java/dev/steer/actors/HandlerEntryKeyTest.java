package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.frame.Frame;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.path.FrameBatch;
import dev.steer.engine.program.SteeringProgram;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.EngineStats;

/**
 * One handler serves both entries' consumers and the ingress' local handler at once; each batch names the entry
 * whose consumer called ({@link FrameBatch#key()}), or {@link FrameBatch#LOCAL}, so per-entry counts need neither a
 * thread-local nor a guess.
 */
class HandlerEntryKeyTest {
    private static final int FRAMES = 30_000;

    /** Flow 3n to key 0, 3n+1 to key 1, 3n+2 passed to the ingress' local handler. */
    private static final SteeringProgram BY_FLOW = view -> {
        final int flow = SequencedFeed.flowOf(view) % 3;
        return flow == 2 ? Verdict.of(Verdict.PASS) : Verdict.redirect(flow, Verdict.DROP);
    };

    @Test
    @Timeout(value = 25, unit = TimeUnit.SECONDS)
    void shouldHandEachEntrysFramesUnderItsOwnKeyWhenOneHandlerServesTwoEntries() throws Exception {
        // Index 0 and 1: keys 0 and 1; index 2: LOCAL.
        final AtomicLongArray frames = new AtomicLongArray(3);
        final AtomicLong misplaced = new AtomicLong();
        final AtomicLong wrongCpu = new AtomicLong();
        final EngineStats stats = EngineRuns.runToEnd(SteerEngine.builder().cpus(CpuSet.all(2)).entry(0, 1024)
            .entry(1, 1024).pinning(false).program(BY_FLOW)
            .handler(batch -> record(batch, frames, misplaced, wrongCpu))
            .localHandler(batch -> record(batch, frames, misplaced, wrongCpu))
            .feed(new SequencedFeed("keys", 0, 6, FRAMES)).systemName("handler-entry-key")
            .start(), Duration.ofSeconds(15));
        assertEquals(FRAMES, stats.accounting().received());
        assertEquals(0, misplaced.get(), "every frame under the key its flow was steered to");
        assertEquals(0, wrongCpu.get(), "an entry's CPU is its key on one node, LOCAL at the ingress");
        assertTrue(frames.get(0) > 0 && frames.get(1) > 0 && frames.get(2) > 0, frames.toString());
        assertEquals(stats.accounting().delivered(), frames.get(0) + frames.get(1) + frames.get(2));
        assertEquals(FRAMES / 3, frames.get(2), "the local handler drops nothing");
    }

    private static void record(FrameBatch batch, AtomicLongArray frames, AtomicLong misplaced, AtomicLong wrongCpu) {
        final int key = batch.key();
        final int expectedFlow = key == FrameBatch.LOCAL ? 2 : key;
        for (int i = 0; i < batch.size(); i++) {
            final Frame frame = batch.frame(i);
            if (frame.buffer().getInt(frame.dataOffset() + SequencedFeed.FLOW_OFFSET) % 3 != expectedFlow) {
                misplaced.incrementAndGet();
            }
        }
        if (batch.cpu() != key) {
            wrongCpu.incrementAndGet();
        }
        frames.addAndGet(key == FrameBatch.LOCAL ? 2 : key, batch.size());
    }
}
