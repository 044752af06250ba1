package dev.steer.ingress.pcap;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.steer.actors.SteerEngine;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.stats.EngineStats;

/** A capture replayed through a real engine until the feed ends, for the pcap and pcapng engine tests. */
final class EngineReplay {
    private EngineReplay() {
    }

    /**
     * Starts an engine on two unpinned CPUs with a pool of 1024 frames, whose handlers add what they take to
     * {@code handled}, waits up to 30 s for {@code feed} to end (failing if it does not), and returns the stats of
     * its shutdown. Lossless: a frame the engine cannot take yet is offered again, so every drop is exact.
     */
    static EngineStats replayToEnd(PcapFeed feed, boolean lossless, String systemName, AtomicLong handled)
        throws InterruptedException {
        final SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(2)).pinning(false).feed(feed)
            .poolFrames(1024).lossless(lossless).systemName(systemName)
            .handler(batch -> handled.addAndGet(batch.size()))
            .localHandler(batch -> handled.addAndGet(batch.size()))
            .errorHandler((where, error) -> { })
            .start();
        final EngineStats stats;
        try {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!engine.feedsEnded() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(engine.feedsEnded(), "the feed ended");
        } finally {
            stats = engine.shutdown();
        }
        return stats;
    }
}
