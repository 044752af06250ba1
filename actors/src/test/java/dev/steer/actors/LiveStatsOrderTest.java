package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuSet;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.EngineStats;

/**
 * A live stats snapshot is read while the data path runs. Counters only grow, so a snapshot that reads what
 * ended downstream (delivered, dropped) before what entered (received) can never show a negative in flight;
 * read the other way round, a frame received and delivered between the two reads is counted delivered but not
 * received. Samples stats as fast as it can while frames flow, for a bounded time, and checks every sample.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LiveStatsOrderTest {
    private static final long SAMPLING_NS = TimeUnit.SECONDS.toNanos(4);
    /** Enough samples to see a race: sampling goes on past {@link #SAMPLING_NS} until there are, up to this long. */
    private static final long MIN_SAMPLES = 101;
    private static final long MAX_SAMPLING_NS = TimeUnit.SECONDS.toNanos(40);

    @Test
    void shouldNeverShowNegativeInFlightWhenSampledWhileFramesFlow() {
        final SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(2).entry(0, 2048)
            .entry(1, 2048).pinning(false).systemName("live-stats-order").handler(FrameHandler.NO_OP)
            .program(SequencedFeed.byFlow(2)).feed(new SequencedFeed("f", 0, 64, Long.MAX_VALUE)).start();
        long samples = 0;
        long minInFlight = Long.MAX_VALUE;
        long received = 0;
        Accounting worst = null;
        try {
            // A count, not a rate: each sample is an ask, slow on a loaded machine.
            final long start = System.nanoTime();
            while ((System.nanoTime() - start < SAMPLING_NS || samples < MIN_SAMPLES)
                && System.nanoTime() - start < MAX_SAMPLING_NS) {
                final EngineStats stats = engine.stats();
                samples++;
                received = Math.max(received, stats.accounting().received());
                if (stats.accounting().inFlight() < minInFlight) {
                    minInFlight = stats.accounting().inFlight();
                    worst = stats.accounting();
                }
            }
        } finally {
            engine.shutdown();
        }
        assertTrue(samples >= MIN_SAMPLES, "sampled often enough to see a race: " + samples);
        // Not worst.received(): with no negative sample, the lowest in flight may be the first sample's, taken before
        // the feed's first poll.
        assertTrue(received > 0, "frames flowed: " + received + " received by the last sample");
        assertTrue(minInFlight >= 0, "in flight of every live sample >= 0, lowest of " + samples + ": " + worst);
    }
}
