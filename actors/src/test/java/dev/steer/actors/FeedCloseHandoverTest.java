package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuSet;
import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameSink;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.EngineStats;

/**
 * A feed that hands its last buffered packets over in {@code close(FrameSink)}, which the Feed contract says it must
 * not do: a natural mistake for a feed that drains a buffer as it closes. Whatever it hands over must still be
 * delivered or dropped and counted, not left in a bulk queue that no poll flushes.
 */
class FeedCloseHandoverTest {
    private static Feed handingOverAtClose(int packets) {
        return handingOverAtClose(packets, false);
    }

    private static Feed handingOverAtClose(int packets, boolean failingPolls) {
        return new Feed() {
            private final UnsafeBuffer packet = new UnsafeBuffer(new byte[SequencedFeed.SIZE]);

            @Override
            public int poll(FrameSink sink, int budget) {
                if (failingPolls) {
                    throw new IllegalStateException("source gone");
                }
                return 0;
            }

            @Override
            public String name() {
                return "hands-over-at-close";
            }

            @Override
            public void close(FrameSink sink) {
                for (int i = 0; i < packets; i++) {
                    sink.onFrame(packet, 0, SequencedFeed.SIZE, System.nanoTime());
                }
            }
        };
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void shouldSettleTheAccountingWhenAFeedHandsOverPacketsAsItCloses() {
        final SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(2).entry(0, 64).pinning(false)
            .systemName("feed-close-handover").errorHandler((where, error) -> { })
            .program(view -> Verdict.redirect(0, Verdict.DROP)).feed(handingOverAtClose(5)).start();
        final EngineStats stats = engine.shutdown();
        assertEquals(5, stats.accounting().received(), stats.accounting().toString());
        assertEquals(0, stats.accounting().inFlight(), stats.accounting().toString());
        assertTrue(stats.poolsFull(), stats.pools().toString());
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void shouldSettleTheAccountingWhenAFeedPassesPacketsLocallyAsItCloses() {
        final SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(2).entry(0, 64).pinning(false)
            .systemName("feed-close-pass").errorHandler((where, error) -> { })
            .program(view -> Verdict.of(Verdict.PASS)).feed(handingOverAtClose(3)).start();
        final EngineStats stats = engine.shutdown();
        assertEquals(3, stats.accounting().received(), stats.accounting().toString());
        assertEquals(0, stats.accounting().inFlight(), stats.accounting().toString());
        assertTrue(stats.poolsFull(), stats.pools().toString());
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void shouldSettleTheAccountingWhenTheSupervisorClosesTheFeedOfAnIngressThatGaveUp() throws Exception {
        final SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(2).entry(0, 64).pinning(false)
            .systemName("feed-close-gave-up").errorHandler((where, error) -> { }).feedRestarts(1)
            .program(view -> Verdict.redirect(0, Verdict.DROP)).feed(handingOverAtClose(4, true)).start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!engine.feedsEnded() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(engine.feedsEnded(), "the ingress gave up");
        final EngineStats stats = engine.shutdown();
        assertEquals(4, stats.accounting().received(), stats.accounting().toString());
        assertEquals(4, stats.accounting().delivered(), stats.accounting().toString());
        assertEquals(0, stats.accounting().inFlight(), stats.accounting().toString());
        assertTrue(stats.poolsFull(), stats.pools().toString());
    }
}
