package dev.steer.engine.path;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.frame.FramePool;
import dev.steer.engine.map.Capabilities;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryLifecycle;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;

/** The producer side's flush list: wake-ups happen once per touched entry at the end of a poll, as in the kernel. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RedirectorTest {
    @Test
    void shouldWakeEachTouchedEntryOnceWhenThePollEndsAndNotBefore() {
        final FramePool pool = new FramePool(new FramePool.Context().frameCount(64));
        final CpuMap map = CpuMap.create(3, 0, CpuSet.all(3), Capabilities.admin(), EntryLifecycle.NONE).map();
        map.update(0, EntryValue.of(64), CpuMap.ANY);
        map.update(1, EntryValue.of(64), CpuMap.ANY);
        map.update(2, EntryValue.of(64), CpuMap.ANY);
        final int[] wakes = new int[3];
        for (int key = 0; key < 3; key++) {
            final int k = key;
            map.snapshot().entry(key).wakeup(() -> wakes[k]++);
        }
        final PathCounters counters = new PathCounters("producer", 3);
        final Redirector redirector = new Redirector(map, counters, DropReason.PROGRAM_DROP, DropReason.PROGRAM_ABORTED);
        redirector.refresh();
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
}
