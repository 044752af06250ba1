package dev.steer.actors;

import java.util.function.BiConsumer;

import dev.steer.engine.frame.FramePool;
import dev.steer.engine.stats.PoolStats;

/**
 * What the supervisor says about a frame pool at shutdown, once every data-path thread has stopped and the pool's
 * counts are final: frames still out (the pool stays open), and frames that came back more often than they were
 * leased. The latter is a broken {@link dev.steer.engine.path.FrameHandler} contract (a handler, a program or a feed
 * released a frame that the engine returns itself, or released one twice), which nothing on the data path reports:
 * the release is a hot-path call without a result anyone reads.
 *
 * <p>Thread contract: the supervisor's, at shutdown. Off the hot path; allocates the messages.
 */
final class PoolAudit {
    private PoolAudit() {
    }

    /** Closes {@code pool} and reports to {@code report} (where, message) each thing wrong with it, once. */
    static void closeAtShutdown(FramePool pool, BiConsumer<String, String> report) {
        final boolean closed = pool.close();
        final PoolStats stats = PoolStats.of(pool);
        if (!closed) {
            report.accept(pool.name(), "pool still has frames out at shutdown; it stays open: " + stats);
        }
        final String misuse = misuse(stats, pool.checked());
        if (misuse != null) {
            report.accept(pool.name(), misuse);
        }
    }

    /** What {@code stats} say about releases that broke the contract, or null when every frame came back once. */
    static String misuse(PoolStats stats, boolean checked) {
        if (stats.excessReturns() == 0 && stats.doubleReturns() == 0) {
            return null;
        }
        final StringBuilder said = new StringBuilder("a handler, program or feed released a frame it did not own, or"
            + " released one twice: the engine returns every frame it hands out itself (FrameHandler's contract); ");
        if (stats.excessReturns() > 0) {
            said.append(stats.excessReturns()).append(" more return").append(stats.excessReturns() == 1 ? "" : "s")
                .append(" than leases (returns ").append(stats.returns()).append(", leases ").append(stats.leases())
                .append("), which this unchecked pool took: a frame returned twice may have been leased to two packets at"
                    + " once, and the pool's counts no longer balance (poolsFull() is false for good)");
        }
        if (stats.doubleReturns() > 0) {
            if (stats.excessReturns() > 0) {
                said.append("; ");
            }
            said.append(stats.doubleReturns()).append(" release").append(stats.doubleReturns() == 1 ? "" : "s")
                .append(" refused as double or foreign")
                .append(checked ? " by this checked pool, which stayed whole, though the first release may have put"
                    + " the frame back while it was still in use" : "");
        }
        return said.append(checked ? "" : "; with -ea (or FramePool.Context.checked(true)) a second release is refused")
            .append(": ").append(stats).toString();
    }
}
