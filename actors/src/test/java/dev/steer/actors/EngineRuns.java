package dev.steer.actors;

import java.time.Duration;

import dev.steer.engine.stats.EngineStats;

/** Runs an engine whose feeds end until they have, bounded, then shuts it down: its final stats. */
final class EngineRuns {
    private EngineRuns() {
    }

    /** Waits up to {@code limit} for every feed to end, then (also on a failure) shuts the engine down. */
    static EngineStats runToEnd(SteerEngine engine, Duration limit) throws InterruptedException {
        final long deadline = System.nanoTime() + limit.toNanos();
        final EngineStats stats;
        try {
            while (!engine.feedsEnded() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } finally {
            stats = engine.shutdown();
        }
        return stats;
    }
}
