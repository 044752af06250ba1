package dev.steer.cluster;

import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;

import dev.steer.engine.map.MapResult;

/**
 * The updates and deletes an {@link OwnedMap} refuses {@code EBUSY}: counts each in the owner's counter and warns of
 * them at most once per {@link MapOwner#BUSY_LOG_PERIOD}, the others logged at debug and counted in the next warning.
 * Whether to refuse, {@link OwnedMap} decides. The owner's actor thread only (the counter may be read anywhere).
 */
final class BusyRefusals {
    private final AtomicLong refused;
    private final Logger log;
    private final WarningLimit warnings = new WarningLimit(MapOwner.BUSY_LOG_PERIOD);

    /** @param refused counts the updates and deletes refused {@code EBUSY} */
    BusyRefusals(AtomicLong refused, Logger log) {
        this.refused = refused;
        this.log = log;
    }

    /** Counts and logs the refusal of {@code what} (e.g. "update of key 3"); returns {@code EBUSY}. */
    MapResult refuse(String what) {
        refused.incrementAndGet();
        // A starting node places its entries again every 100 ms while refused: one warning per period.
        if (warnings.warnNow(System.nanoTime())) {
            log.warn("map {} refused EBUSY: {} changes wait for their rollout ({} more refused before it since the"
                + " last warning)", what, MapOwner.MAX_QUEUED, warnings.heldBefore());
        } else {
            log.debug("map {} refused EBUSY: {} changes wait for their rollout", what, MapOwner.MAX_QUEUED);
        }
        return MapResult.EBUSY;
    }

    /** Updates and deletes refused so far. */
    long count() {
        return refused.get();
    }
}
