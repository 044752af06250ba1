package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuSet;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;

/**
 * Lossless mode with several ingresses on one ring: each checks for room before it takes a packet, but another may
 * take that room before it flushes. Nothing may be dropped for it: the flush waits for the consumer.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LosslessSharedRingTest {
    private static final long FRAMES = 200_000;

    @Test
    void shouldDropNothingWhenTwoLosslessIngressesShareASmallRingBehindASlowConsumer() throws Exception {
        final SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(1).entry(0, 32)
            .program(view -> Verdict.redirect(0, Verdict.DROP)).lossless(true).pinning(false)
            .feed(new SequencedFeed("a", 0, 4, FRAMES)).feed(new SequencedFeed("b", 4, 4, FRAMES))
            .handler(batch -> {
                final long until = System.nanoTime() + 2_000;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait(); // a slow handler: the ring stays near full
                }
            })
            .systemName("lossless-shared").errorHandler((where, error) -> { }).start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
        while (!engine.feedsEnded() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        final EngineStats stats = engine.shutdown();
        assertEquals(0, stats.accounting().dropped(DropReason.RING_FULL), stats.accounting().toString());
        assertEquals(2 * FRAMES, stats.accounting().received());
        assertEquals(2 * FRAMES, stats.accounting().delivered());
        assertEquals(0, stats.accounting().inFlight());
    }
}
