package dev.steer.actors;

import java.util.ArrayList;
import java.util.List;

import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PoolStats;

/**
 * Test helper: reads an engine's stats from a thread of its own until stopped, and keeps the first violations of what
 * every live snapshot must satisfy (docs/output.md): in flight not negative, so received >= delivered + dropped; a pool
 * never returned more than it leased; no total went back from one snapshot to the next.
 */
final class LiveStatsSampler implements Runnable {
    private final SteerEngine engine;
    private final List<String> violations = new ArrayList<>();
    volatile boolean stop;
    volatile long samples;

    LiveStatsSampler(SteerEngine engine) {
        this.engine = engine;
    }

    @Override
    public void run() {
        Accounting previous = null;
        while (!stop) {
            try {
                final EngineStats stats = engine.stats();
                final Accounting a = stats.accounting();
                check(a.inFlight() >= 0, "in flight < 0: " + a);
                check(a.received() >= a.delivered() + a.droppedTotal(), "received < delivered + dropped: " + a);
                for (PoolStats pool : stats.pools()) {
                    check(pool.returns() <= pool.leases(), "returns > leases: " + pool);
                }
                if (previous != null) {
                    check(a.received() >= previous.received() && a.delivered() >= previous.delivered(),
                        "went back: " + previous + " -> " + a);
                    for (DropReason reason : DropReason.values()) {
                        check(a.dropped(reason) >= previous.dropped(reason),
                            reason.label() + " went back: " + previous + " -> " + a);
                    }
                }
                previous = a;
                samples++;
            } catch (RuntimeException ex) {
                check(false, "stats() threw " + ex);
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException ex) {
                return;
            }
        }
    }

    private void check(boolean holds, String violation) {
        if (!holds) {
            synchronized (violations) {
                if (violations.size() < 10) {
                    violations.add(violation);
                }
            }
        }
    }

    List<String> violations() {
        synchronized (violations) {
            return List.copyOf(violations);
        }
    }
}
