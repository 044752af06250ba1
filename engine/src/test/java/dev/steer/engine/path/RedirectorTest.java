package dev.steer.engine.path;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.frame.Frame;
import dev.steer.engine.frame.FramePool;
import dev.steer.engine.map.Capabilities;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryLifecycle;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;

/**
 * The producer side's flush list: wake-ups happen once per touched entry at the end of a poll, as in the kernel;
 * what an out-of-range action becomes; and that an inconsistent frame is refused.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RedirectorTest {
    private final FramePool pool = new FramePool(new FramePool.Context().frameCount(64));

    /** A map of {@code maxEntries} keys with entries (ring size 64) at keys 0 to {@code entries - 1}. */
    private static CpuMap map(int maxEntries, int entries) {
        final CpuMap map = CpuMap.create(maxEntries, 0, CpuSet.all(maxEntries), Capabilities.admin(), EntryLifecycle.NONE)
            .map();
        for (int key = 0; key < entries; key++) {
            map.update(key, EntryValue.of(64), CpuMap.ANY);
        }
        return map;
    }

    /** An ingress' redirector over {@code map}, counting into {@code counters}, with the map's snapshot read. */
    private static Redirector redirector(CpuMap map, PathCounters counters) {
        final Redirector redirector = new Redirector(map, counters, DropReason.PROGRAM_DROP, DropReason.PROGRAM_ABORTED);
        redirector.refresh();
        return redirector;
    }

    @Test
    void shouldWakeEachTouchedEntryOnceWhenThePollEndsAndNotBefore() {
        final CpuMap map = map(3, 3);
        final int[] wakes = new int[3];
        for (int key = 0; key < 3; key++) {
            final int k = key;
            map.snapshot().entry(key).wakeup(() -> wakes[k]++);
        }
        final PathCounters counters = new PathCounters("producer", 3);
        final Redirector redirector = redirector(map, counters);
        for (int i = 0; i < 20; i++) {
            redirector.steer(pool.lease().length(60), Verdict.redirect(0, Verdict.DROP));
        }
        redirector.steer(pool.lease().length(60), Verdict.redirect(2, Verdict.DROP));
        assertEquals(16, map.snapshot().entry(0).ring().size(), "two full bulks flushed during the poll");
        assertEquals(0, wakes[0], "no wake-up before the end of the poll");
        redirector.flush();
        assertEquals(20, map.snapshot().entry(0).ring().size());
        assertEquals(1, map.snapshot().entry(2).ring().size());
        assertEquals(1, wakes[0], "one wake-up per touched entry");
        assertEquals(0, wakes[1], "an entry the poll did not touch is not woken");
        assertEquals(1, wakes[2]);
        redirector.flush();
        assertEquals(1, wakes[0], "an empty flush list wakes no one");
        assertEquals(21, counters.get(PathCounters.Counter.REDIRECTED));
    }

    /**
     * The kernel treats an invalid XDP action as aborted. An action or fallback beyond the encoding's 8 bits must not
     * wrap onto a known one (258 onto PASS, 257 onto DROP, 260 onto REDIRECT).
     */
    @Test
    void shouldCountAnOutOfRangeActionAsAbortedWhenItsLowBitsNameAKnownOne() {
        final CpuMap map = map(2, 1);
        final PathCounters counters = new PathCounters("producer", 2);
        final Redirector redirector = redirector(map, counters);
        final int[] outOfRange = {258, 257, 260, 256, 0x1_0002, Integer.MAX_VALUE, -1, -254, Integer.MIN_VALUE + 2};
        int steered = 0;
        for (int action : outOfRange) {
            assertEquals(Redirector.CONSUMED, redirector.steer(pool.lease().length(60), Verdict.of(action)),
                "of(" + action + ")");
            steered++;
            assertEquals(Redirector.CONSUMED, redirector.steer(pool.lease().length(60), Verdict.redirect(1, action)),
                "fallback " + action + " when key 1 has no entry");
            steered++;
            assertEquals(steered, counters.dropped(DropReason.PROGRAM_ABORTED), "action " + action);
        }
        assertEquals(0, counters.dropped(DropReason.PROGRAM_DROP), "counted as aborted, not as a drop");
        assertEquals(0, counters.dropped(DropReason.NO_ENTRY), "counted as aborted, not as a missing entry");
        assertEquals(0, counters.get(PathCounters.Counter.REDIRECTED), "nothing reached entry 0");
        redirector.flush();
        assertEquals(0, map.snapshot().entry(0).ring().size(), "nothing queued: " + Arrays.toString(outOfRange));
        assertEquals(64, pool.available(), "every frame back in its pool");
    }

    @Test
    void shouldRefuseWithEoverflowWhenAFrameSetsANegativeHeadroomThatOverflowsTheMetadataCheck() {
        final CpuMap map = map(1, 1);
        final PathCounters counters = new PathCounters("producer", 1);
        final Redirector redirector = redirector(map, counters);
        final Frame frame = pool.lease().headroom(Integer.MIN_VALUE).metaLength(1).length(0);
        assertEquals(Redirector.CONSUMED, redirector.steer(frame, Verdict.redirect(0, Verdict.PASS)));
        redirector.flush();
        assertEquals(0, map.snapshot().entry(0).ring().size(), "a frame whose data starts before its slot is not queued");
        assertEquals(1, counters.redirectErrors(MapResult.EOVERFLOW));
        assertEquals(1, counters.dropped(DropReason.REDIRECT_ERROR));
        assertEquals(0, counters.get(PathCounters.Counter.REDIRECTED));
        assertEquals(64, pool.available(), "the frame is back in its pool");
    }
}
