package dev.steer.engine.map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Random sequences of map operations, good and bad, against a model written from the tables of
 * docs/cpumap-contract.md: every result code, every lookup and next key, the published snapshot, and the
 * lifecycle (each entry that starts is retired exactly once, when replaced, deleted or at close). Keys, qsizes
 * and flags are drawn around every boundary, negatives (large unsigned values) included.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CpuMapModelTest {
    private static final int MAX = 6;
    /** CPUs 0-7 exist; 2 and 5 are not usable. */
    private static final CpuSet CPUS = CpuSet.of(8, 0, 1, 3, 4, 6, 7);
    private static final int[] KEYS = {0, 1, 2, 3, 4, 5, 6, 7, 100, -1, -2, Integer.MAX_VALUE, Integer.MIN_VALUE};
    private static final int[] QSIZES = {0, 1, 2, 64, 2048, 16_383, 16_384, 16_385, -1, Integer.MIN_VALUE};
    private static final long[] FLAGS = {CpuMap.ANY, CpuMap.NOEXIST, CpuMap.EXIST, 3, 4, -1, Long.MIN_VALUE};

    @Test
    void shouldFollowTheContractModelThroughRandomSequencesOfGoodAndBadOperations() {
        for (int seed = 0; seed < 200; seed++) {
            runSequence(new SplittableRandom(seed), seed);
        }
    }

    private static void runSequence(SplittableRandom random, int seed) {
        final RecordingLifecycle lifecycle = new RecordingLifecycle();
        final CpuMap map = CpuMap.create(MAX, 0, CPUS, Capabilities.admin(), lifecycle).map();
        final int[] model = new int[MAX]; // qsize per key, 0 = empty
        final CpuMapEntry[] entries = new CpuMapEntry[MAX];
        long version = map.snapshot().version();
        for (int step = 0; step < 300; step++) {
            final String where = "seed " + seed + " step " + step;
            final int key = KEYS[random.nextInt(KEYS.length)];
            final boolean inRange = Integer.compareUnsigned(key, MAX) < 0;
            switch (random.nextInt(4)) {
                case 0, 1 -> {
                    final int qsize = QSIZES[random.nextInt(QSIZES.length)];
                    final long flags = FLAGS[random.nextInt(FLAGS.length)];
                    lifecycle.refuseStart = random.nextInt(10) == 0;
                    final MapResult expected;
                    if (flags != CpuMap.ANY && flags != CpuMap.NOEXIST && flags != CpuMap.EXIST) {
                        expected = MapResult.EINVAL;
                    } else if (!inRange) {
                        expected = MapResult.E2BIG;
                    } else if (flags == CpuMap.NOEXIST) {
                        expected = MapResult.EEXIST;
                    } else if (Integer.compareUnsigned(qsize, CpuMap.MAX_QSIZE) > 0) {
                        expected = MapResult.EOVERFLOW;
                    } else if (!CPUS.isUsable(key)) {
                        expected = MapResult.ENODEV;
                    } else if (qsize == 0) {
                        expected = MapResult.OK;
                    } else if (lifecycle.refuseStart) {
                        expected = MapResult.ENOMEM;
                    } else {
                        expected = MapResult.OK;
                    }
                    final int startedBefore = lifecycle.started.size();
                    assertEquals(expected, map.update(key, EntryValue.of(qsize), flags),
                        where + ": update(" + key + ", " + qsize + ", " + flags + ")");
                    if (expected == MapResult.OK) {
                        if (entries[key] != null) {
                            assertSame(entries[key], last(lifecycle), where + ": the replaced entry is retired");
                        }
                        model[key] = qsize;
                        entries[key] = qsize == 0 ? null : lifecycle.started.get(lifecycle.started.size() - 1);
                        assertEquals(qsize == 0 ? startedBefore : startedBefore + 1, lifecycle.started.size(), where);
                    } else {
                        assertEquals(startedBefore, lifecycle.started.size(), where + ": nothing started on " + expected);
                    }
                }
                case 2 -> {
                    final MapResult expected = inRange ? MapResult.OK : MapResult.EINVAL;
                    final CpuMapEntry before = inRange ? entries[key] : null;
                    assertEquals(expected, map.delete(key), where + ": delete(" + key + ")");
                    if (before != null) {
                        assertSame(before, last(lifecycle), where + ": the deleted entry is retired");
                    }
                    if (inRange) {
                        model[key] = 0;
                        entries[key] = null;
                    }
                }
                default -> {
                    final CpuMap.NextKey next = map.nextKey(key);
                    if (key == CpuMap.NO_KEY || !inRange) {
                        assertEquals(new CpuMap.NextKey(MapResult.OK, 0), next, where + ": nextKey(" + key + ")");
                    } else if (key == MAX - 1) {
                        assertEquals(MapResult.ENOENT, next.result(), where + ": nextKey(" + key + ")");
                    } else {
                        assertEquals(new CpuMap.NextKey(MapResult.OK, key + 1), next, where + ": nextKey(" + key + ")");
                    }
                }
            }
            final MapSnapshot snapshot = map.snapshot();
            assertTrue(snapshot.version() >= version, where + ": versions never go back");
            version = snapshot.version();
            int size = 0;
            for (int k = 0; k < MAX; k++) {
                final EntryValue value = map.lookup(k);
                if (model[k] == 0) {
                    assertNull(value, where + ": lookup(" + k + ")");
                    assertNull(snapshot.entry(k), where + ": snapshot entry " + k);
                } else {
                    size++;
                    assertEquals(model[k], value.qsize(), where + ": lookup(" + k + ")");
                    assertSame(entries[k], snapshot.entry(k), where + ": snapshot entry " + k);
                    assertEquals(model[k], snapshot.entry(k).ring().capacity(), where + ": ring of " + k);
                }
            }
            assertEquals(size, snapshot.size(), where);
            for (int k : new int[] {MAX, 100, -1, Integer.MIN_VALUE}) {
                assertNull(map.lookup(k), where + ": lookup(" + k + ") out of range");
            }
        }
        map.close();
        // A closed map refuses what it would otherwise take, after the checks of its arguments.
        assertEquals(MapResult.EINVAL, map.update(0, EntryValue.of(64), CpuMap.ANY), "seed " + seed + ": closed");
        assertEquals(MapResult.E2BIG, map.update(MAX, EntryValue.of(64), CpuMap.ANY), "seed " + seed + ": closed");
        assertEquals(MapResult.OK, map.delete(0), "seed " + seed + ": closed");
        assertEquals(0, map.snapshot().size(), "seed " + seed + ": closed");
        // Every entry ever started has left the map exactly once: replaced, deleted, or at close.
        final Set<CpuMapEntry> retired = new HashSet<>(lifecycle.retired);
        assertEquals(lifecycle.retired.size(), retired.size(), "seed " + seed + ": none retired twice");
        assertEquals(new HashSet<>(lifecycle.started), retired, "seed " + seed + ": every started entry retired");
    }

    private static CpuMapEntry last(RecordingLifecycle lifecycle) {
        return lifecycle.retired.get(lifecycle.retired.size() - 1);
    }
}
