package dev.steer.engine.map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.program.SteeringProgram;
import dev.steer.engine.program.Verdict;

/**
 * The cpumap contract of {@code shared/design.md}, one test per rule of the seed's {@code cpu_map_alloc},
 * {@code cpu_map_update_elem}, {@code cpu_map_delete_elem}, {@code cpu_map_lookup_elem} and
 * {@code cpu_map_get_next_key}, including the order of checks where two rules apply at once.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CpuMapContractTest {
    private static final int MAX = 4;
    private static final long UNKNOWN_UPDATE_FLAG = CpuMap.EXIST + 1;

    private final RecordingLifecycle lifecycle = new RecordingLifecycle();

    // ---- creation ---------------------------------------------------------------------------------

    @Test
    void shouldRefuseCreationWithEinvalWhenMaxEntriesIsZero() {
        assertCreation(MapResult.EINVAL, 0, 0, CpuSet.all(MAX), Capabilities.admin());
    }

    @Test
    void shouldRefuseCreationWithEinvalWhenFlagsHoldAnUnknownBit() {
        for (long flag : new long[] {1, 2, 1L << 3, 1L << 40, Long.MIN_VALUE, CpuMap.F_NUMA_NODE | 1}) {
            assertCreation(MapResult.EINVAL, MAX, flag, CpuSet.all(MAX), Capabilities.admin());
        }
    }

    @Test
    void shouldAcceptNumaNodeFlagWhenCreating() {
        final CpuMap.Creation creation = CpuMap.create(MAX, CpuMap.F_NUMA_NODE, CpuSet.all(MAX), Capabilities.admin(),
            lifecycle);
        assertEquals(MapResult.OK, creation.result());
        assertNotNull(creation.map());
        assertEquals(CpuMap.F_NUMA_NODE, creation.map().flags());
        assertEquals(MAX, creation.map().maxEntries());
    }

    @Test
    void shouldRefuseCreationWithE2bigWhenMaxEntriesExceedsCpuLimit() {
        assertCreation(MapResult.E2BIG, MAX + 1, 0, CpuSet.all(MAX), Capabilities.admin());
        assertCreation(MapResult.E2BIG, Integer.MAX_VALUE, 0, CpuSet.all(MAX), Capabilities.admin());
        // The limit is the number of CPU numbers, not of usable CPUs: a gap in the set does not shrink it.
        assertCreation(MapResult.OK, MAX, 0, CpuSet.of(MAX, 0), Capabilities.admin());
    }

    @Test
    void shouldRefuseCreationWithE2bigWhenMaxEntriesIsNegativeAsUnsigned() {
        assertCreation(MapResult.E2BIG, -1, 0, CpuSet.all(MAX), Capabilities.admin());
        assertCreation(MapResult.E2BIG, Integer.MIN_VALUE, 0, CpuSet.all(MAX), Capabilities.admin());
    }

    @Test
    void shouldRefuseCreationWithEpermWhenCallerLacksAdminCapability() {
        assertCreation(MapResult.EPERM, MAX, 0, CpuSet.all(MAX), Capabilities.readOnly());
        assertCreation(MapResult.EPERM, MAX, 0, CpuSet.all(MAX), null);
    }

    @Test
    void shouldCheckEpermBeforeEinvalWhenCreationIsInvalidToo() {
        assertCreation(MapResult.EPERM, 0, 1L << 3, CpuSet.all(MAX), Capabilities.readOnly());
    }

    @Test
    void shouldCheckEinvalBeforeE2bigWhenFlagsAreUnknownAndMaxEntriesTooBig() {
        assertCreation(MapResult.EINVAL, MAX + 1, 1L << 3, CpuSet.all(MAX), Capabilities.admin());
    }

    // ---- update -----------------------------------------------------------------------------------

    @Test
    void shouldRefuseUpdateWithEinvalWhenFlagsAreAboveExist() {
        final CpuMap map = map(MAX);
        for (long flags : new long[] {UNKNOWN_UPDATE_FLAG, 4, 1L << 40, Long.MAX_VALUE}) {
            assertEquals(MapResult.EINVAL, map.update(0, EntryValue.of(8), flags), "flags=" + flags);
        }
        assertUntouched(map);
    }

    @Test
    void shouldRefuseUpdateWithEinvalWhenFlagsAreNegativeAsUnsigned() {
        final CpuMap map = map(MAX);
        assertEquals(MapResult.EINVAL, map.update(0, EntryValue.of(8), -1));
        assertEquals(MapResult.EINVAL, map.update(0, EntryValue.of(8), Long.MIN_VALUE));
        assertUntouched(map);
    }

    @Test
    void shouldRefuseUpdateWithE2bigWhenKeyIsAtOrAboveMaxEntries() {
        final CpuMap map = map(MAX);
        assertEquals(MapResult.E2BIG, map.update(MAX, EntryValue.of(8), CpuMap.ANY));
        assertEquals(MapResult.E2BIG, map.update(MAX + 100, EntryValue.of(8), CpuMap.ANY));
        assertUntouched(map);
    }

    @Test
    void shouldRefuseUpdateWithE2bigWhenKeyIsNegativeAsUnsigned() {
        final CpuMap map = map(MAX);
        assertEquals(MapResult.E2BIG, map.update(-1, EntryValue.of(8), CpuMap.ANY));
        assertEquals(MapResult.E2BIG, map.update(Integer.MIN_VALUE, EntryValue.of(8), CpuMap.ANY));
        assertUntouched(map);
    }

    @Test
    void shouldRefuseUpdateWithEexistWhenFlagIsNoexistEvenOnAnEmptySlot() {
        final CpuMap map = map(MAX);
        assertEquals(MapResult.EEXIST, map.update(0, EntryValue.of(8), CpuMap.NOEXIST));
        assertNull(map.lookup(0));
        assertEquals(MapResult.OK, map.update(1, EntryValue.of(8), CpuMap.ANY));
        final CpuMapEntry before = map.snapshot().entry(1);
        assertEquals(MapResult.EEXIST, map.update(1, EntryValue.of(16), CpuMap.NOEXIST));
        assertSame(before, map.snapshot().entry(1));
    }

    @Test
    void shouldRefuseUpdateWithEoverflowWhenQsizeIsAbove16384() {
        final CpuMap map = map(MAX);
        assertEquals(MapResult.EOVERFLOW, map.update(0, EntryValue.of(CpuMap.MAX_QSIZE + 1), CpuMap.ANY));
        assertEquals(MapResult.EOVERFLOW, map.update(0, EntryValue.of(Integer.MAX_VALUE), CpuMap.ANY));
        assertUntouched(map);
    }

    @Test
    void shouldAcceptQsizeWhenItIsExactly16384() {
        final CpuMap map = map(MAX);
        assertEquals(MapResult.OK, map.update(0, EntryValue.of(16_384), CpuMap.ANY));
        assertEquals(16_384, map.snapshot().entry(0).ring().capacity());
    }

    @Test
    void shouldRefuseUpdateWithEoverflowWhenQsizeIsNegativeAsUnsigned() {
        final CpuMap map = map(MAX);
        assertEquals(MapResult.EOVERFLOW, map.update(0, EntryValue.of(-1), CpuMap.ANY));
        assertEquals(MapResult.EOVERFLOW, map.update(0, EntryValue.of(Integer.MIN_VALUE), CpuMap.ANY));
        assertUntouched(map);
    }

    @Test
    void shouldRefuseUpdateWithEnodevWhenKeyIsNotAUsableCpu() {
        final CpuMap map = created(4, CpuSet.of(4, 0, 1, 3));
        assertEquals(MapResult.ENODEV, map.update(2, EntryValue.of(8), CpuMap.ANY));
        assertUntouched(map);
        assertEquals(MapResult.OK, map.update(3, EntryValue.of(8), CpuMap.ANY));
    }

    @Test
    void shouldDeleteAndRetireWhenUpdateHasQsizeZero() {
        final CpuMap map = map(MAX);
        assertEquals(MapResult.OK, map.update(2, EntryValue.of(8), CpuMap.ANY));
        final CpuMapEntry old = map.snapshot().entry(2);
        assertEquals(MapResult.OK, map.update(2, EntryValue.of(0), CpuMap.ANY));
        assertNull(map.lookup(2));
        assertNull(map.snapshot().entry(2));
        assertEquals(List.of(old), lifecycle.retired);
        assertEquals(1, lifecycle.started.size(), "a delete starts nothing");
    }

    @Test
    void shouldReturnOkWhenUpdateWithQsizeZeroHitsAnEmptySlot() {
        final CpuMap map = map(MAX);
        assertEquals(MapResult.OK, map.update(1, EntryValue.of(0), CpuMap.EXIST));
        assertUntouched(map);
    }

    @Test
    void shouldFailWithEnomemAndKeepTheOldEntryWhenLifecycleRefusesToStart() {
        final CpuMap map = map(MAX);
        assertEquals(MapResult.OK, map.update(1, EntryValue.of(8), CpuMap.ANY));
        final MapSnapshot before = map.snapshot();
        final CpuMapEntry old = before.entry(1);
        lifecycle.refuseStart = true;
        assertEquals(MapResult.ENOMEM, map.update(1, EntryValue.of(32), CpuMap.ANY));
        assertEquals(MapResult.ENOMEM, map.update(2, EntryValue.of(32), CpuMap.ANY));
        assertSame(before, map.snapshot(), "nothing published");
        assertSame(old, map.snapshot().entry(1));
        assertEquals(8, map.lookup(1).qsize());
        assertNull(map.lookup(2));
        assertTrue(lifecycle.retired.isEmpty(), "the old entry stays in service");
        assertEquals(2, lifecycle.refused);
    }

    @Test
    void shouldPublishANewEntryAndRetireTheOldOneWhenUpdateReplaces() {
        final CpuMap map = map(MAX);
        final EntryValue value = EntryValue.of(8);
        assertEquals(MapResult.OK, map.update(3, value, CpuMap.ANY));
        final CpuMapEntry first = map.snapshot().entry(3);
        assertEquals(MapResult.OK, map.update(3, value, CpuMap.EXIST));
        final CpuMapEntry second = map.snapshot().entry(3);

        assertNotSame(first, second, "the same value still makes a new entry");
        assertNotSame(first.ring(), second.ring());
        assertTrue(second.generation() > first.generation());
        assertEquals(List.of(first, second), lifecycle.started);
        assertEquals(List.of(first), lifecycle.retired);
        assertEquals(3, second.key());
        assertEquals(map.id(), second.mapId());
    }

    @Test
    void shouldBuildANewRingWithTheNewCapacityWhenUpdateChangesQsize() {
        final CpuMap map = map(MAX);
        assertEquals(MapResult.OK, map.update(0, EntryValue.of(8), CpuMap.ANY));
        final CpuMapEntry small = map.snapshot().entry(0);
        assertEquals(MapResult.OK, map.update(0, EntryValue.of(100), CpuMap.ANY));
        final CpuMapEntry large = map.snapshot().entry(0);

        assertNotSame(small.ring(), large.ring());
        assertEquals(8, small.ring().capacity(), "the old ring is never resized");
        assertEquals(100, large.ring().capacity());
        assertEquals(100, map.lookup(0).qsize());
        assertEquals(List.of(small), lifecycle.retired);
    }

    @Test
    void shouldTreatExistLikeAnyWhenTheSlotIsEmpty() {
        final CpuMap map = map(MAX);
        assertEquals(MapResult.OK, map.update(2, EntryValue.of(8), CpuMap.EXIST));
        assertEquals(8, map.lookup(2).qsize());
        assertEquals(1, lifecycle.started.size());
    }

    @Test
    void shouldRefuseUpdateWithEinvalWhenValueIsNull() {
        final CpuMap map = map(MAX);
        assertEquals(MapResult.EINVAL, map.update(0, null, CpuMap.ANY));
        assertUntouched(map);
    }

    @Test
    void shouldCheckFlagsBeforeKeyWhenBothAreBad() {
        assertEquals(MapResult.EINVAL, map(MAX).update(MAX + 1, EntryValue.of(8), UNKNOWN_UPDATE_FLAG));
    }

    @Test
    void shouldCheckKeyBeforeNoexistWhenKeyIsTooBig() {
        assertEquals(MapResult.E2BIG, map(MAX).update(MAX, EntryValue.of(8), CpuMap.NOEXIST));
    }

    @Test
    void shouldCheckNoexistBeforeQsizeWhenQsizeIsTooBig() {
        assertEquals(MapResult.EEXIST, map(MAX).update(0, EntryValue.of(CpuMap.MAX_QSIZE + 1), CpuMap.NOEXIST));
    }

    @Test
    void shouldCheckQsizeBeforeCpuWhenCpuIsUnusable() {
        final CpuMap map = created(4, CpuSet.of(4, 0, 1, 3));
        assertEquals(MapResult.EOVERFLOW, map.update(2, EntryValue.of(CpuMap.MAX_QSIZE + 1), CpuMap.ANY));
    }

    @Test
    void shouldCheckCpuBeforeDeletingWhenQsizeIsZero() {
        final CpuMap map = created(4, CpuSet.of(4, 0, 1, 3));
        assertEquals(MapResult.ENODEV, map.update(2, EntryValue.of(0), CpuMap.ANY));
    }

    // ---- delete -----------------------------------------------------------------------------------

    @Test
    void shouldRefuseDeleteWithEinvalWhenKeyIsAtOrAboveMaxEntries() {
        final CpuMap map = map(MAX);
        assertEquals(MapResult.EINVAL, map.delete(MAX));
        assertEquals(MapResult.EINVAL, map.delete(-1));
        assertEquals(MapResult.EINVAL, map.delete(Integer.MIN_VALUE));
        assertUntouched(map);
    }

    @Test
    void shouldReturnOkWhenDeletingAnEmptySlot() {
        final CpuMap map = map(MAX);
        assertEquals(MapResult.OK, map.delete(0));
        assertEquals(MapResult.OK, map.delete(MAX - 1));
        assertUntouched(map);
    }

    @Test
    void shouldEmptyTheSlotAndRetireTheEntryWhenDeleted() {
        final CpuMap map = map(MAX);
        map.update(0, EntryValue.of(8), CpuMap.ANY);
        map.update(1, EntryValue.of(8), CpuMap.ANY);
        final CpuMapEntry zero = map.snapshot().entry(0);
        final CpuMapEntry one = map.snapshot().entry(1);
        assertEquals(MapResult.OK, map.delete(0));
        assertNull(map.lookup(0));
        assertSame(one, map.snapshot().entry(1), "other slots untouched");
        assertEquals(List.of(zero), lifecycle.retired);
        assertEquals(MapResult.OK, map.delete(0));
        assertEquals(List.of(zero), lifecycle.retired, "a second delete retires nothing");
    }

    // ---- lookup -----------------------------------------------------------------------------------

    @Test
    void shouldReturnNullFromLookupWhenKeyIsAtOrAboveMaxEntries() {
        final CpuMap map = map(MAX);
        for (int key = 0; key < MAX; key++) {
            map.update(key, EntryValue.of(8), CpuMap.ANY);
        }
        assertNull(map.lookup(MAX));
        assertNull(map.lookup(-1));
        assertNull(map.lookup(Integer.MIN_VALUE));
    }

    @Test
    void shouldReturnNullFromLookupWhenTheSlotIsEmpty() {
        final CpuMap map = map(MAX);
        map.update(1, EntryValue.of(8), CpuMap.ANY);
        assertNull(map.lookup(0));
        assertNull(map.lookup(2));
    }

    @Test
    void shouldReturnQsizeAndRemoteProgramFromLookupWhenTheSlotHoldsAnEntry() {
        final CpuMap map = map(MAX);
        final SteeringProgram remote = packet -> Verdict.of(Verdict.PASS);
        map.update(1, new EntryValue(64, remote), CpuMap.ANY);
        map.update(2, EntryValue.of(32), CpuMap.ANY);
        assertEquals(64, map.lookup(1).qsize());
        assertSame(remote, map.lookup(1).remoteProgram());
        assertEquals(32, map.lookup(2).qsize());
        assertNull(map.lookup(2).remoteProgram());
    }

    // ---- next key ---------------------------------------------------------------------------------

    @Test
    void shouldReturnZeroFromNextKeyWhenKeyIsNoKey() {
        assertNextKey(map(MAX).nextKey(CpuMap.NO_KEY), MapResult.OK, 0);
        assertNextKey(map(1).nextKey(CpuMap.NO_KEY), MapResult.OK, 0);
    }

    @Test
    void shouldReturnZeroFromNextKeyWhenKeyIsAtOrAboveMaxEntries() {
        final CpuMap map = map(MAX);
        for (int key : new int[] {MAX, MAX + 7, Integer.MAX_VALUE, -2, Integer.MIN_VALUE}) {
            assertNextKey(map.nextKey(key), MapResult.OK, 0);
        }
    }

    @Test
    void shouldReturnEnoentFromNextKeyWhenKeyIsTheLast() {
        assertEquals(MapResult.ENOENT, map(MAX).nextKey(MAX - 1).result());
        assertEquals(MapResult.ENOENT, map(1).nextKey(0).result());
    }

    @Test
    void shouldReturnKeyPlusOneFromNextKeyWhenKeyIsInRangeWhetherOrNotItHasAnEntry() {
        final CpuMap map = map(MAX);
        map.update(1, EntryValue.of(8), CpuMap.ANY);
        for (int key = 0; key < MAX - 1; key++) {
            assertNextKey(map.nextKey(key), MapResult.OK, key + 1);
        }
    }

    @Test
    void shouldVisitEveryKeyOnceWhenIteratingFromNoKeyToEnoent() {
        final CpuMap map = map(MAX);
        final List<Integer> visited = new ArrayList<>();
        CpuMap.NextKey next = map.nextKey(CpuMap.NO_KEY);
        for (int step = 0; step <= MAX && next.result() == MapResult.OK; step++) {
            visited.add(next.key());
            next = map.nextKey(next.key());
        }
        assertEquals(List.of(0, 1, 2, 3), visited);
        assertEquals(MapResult.ENOENT, next.result());
    }

    // ---- close ------------------------------------------------------------------------------------

    @Test
    void shouldRetireEveryEntryAndEmptyEverySlotWhenClosed() {
        final CpuMap map = map(MAX);
        map.update(0, EntryValue.of(8), CpuMap.ANY);
        map.update(3, EntryValue.of(8), CpuMap.ANY);
        final CpuMapEntry zero = map.snapshot().entry(0);
        final CpuMapEntry three = map.snapshot().entry(3);
        assertEquals(List.of(zero, three), map.close());
        assertEquals(List.of(zero, three), lifecycle.retired);
        assertEquals(0, map.snapshot().size());
        assertTrue(map.isClosed());
    }

    @Test
    void shouldRefuseUpdatesWhenClosed() {
        final CpuMap map = map(MAX);
        map.close();
        assertEquals(MapResult.EINVAL, map.update(0, EntryValue.of(8), CpuMap.ANY));
        assertNull(map.lookup(0));
        assertTrue(lifecycle.started.isEmpty());
    }

    @Test
    void shouldRetireNothingMoreWhenClosedTwice() {
        final CpuMap map = map(MAX);
        map.update(1, EntryValue.of(8), CpuMap.ANY);
        map.close();
        final long version = map.snapshot().version();
        assertTrue(map.close().isEmpty());
        assertEquals(1, lifecycle.retired.size());
        assertEquals(version, map.snapshot().version());
    }

    // ---- snapshots --------------------------------------------------------------------------------

    @Test
    void shouldIncrementSnapshotVersionWhenEveryChangeIsPublished() {
        final CpuMap map = map(MAX);
        final long v0 = map.snapshot().version();
        map.update(0, EntryValue.of(8), CpuMap.ANY);
        assertEquals(v0 + 1, map.snapshot().version());
        map.update(0, EntryValue.of(16), CpuMap.ANY);
        assertEquals(v0 + 2, map.snapshot().version());
        map.delete(0);
        assertEquals(v0 + 3, map.snapshot().version());
        map.update(9, EntryValue.of(16), CpuMap.ANY);
        assertEquals(v0 + 3, map.snapshot().version(), "a refused update publishes nothing");
    }

    @Test
    void shouldLeaveAnOldSnapshotUnchangedWhenTheMapIsUpdated() {
        final CpuMap map = map(MAX);
        map.update(0, EntryValue.of(8), CpuMap.ANY);
        final MapSnapshot old = map.snapshot();
        final CpuMapEntry zero = old.entry(0);
        map.update(0, EntryValue.of(16), CpuMap.ANY);
        map.update(1, EntryValue.of(8), CpuMap.ANY);
        map.delete(0);

        assertSame(zero, old.entry(0));
        assertNull(old.entry(1));
        assertEquals(1, old.size());
        assertEquals(MAX, old.maxEntries());
        assertNotEquals(old.version(), map.snapshot().version());
        assertNull(map.snapshot().entry(0));
        assertNotNull(map.snapshot().entry(1));
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private CpuMap map(int maxEntries) {
        return created(maxEntries, CpuSet.all(MAX));
    }

    private CpuMap created(int maxEntries, CpuSet cpus) {
        final CpuMap.Creation creation = CpuMap.create(maxEntries, 0, cpus, Capabilities.admin(), lifecycle);
        assertEquals(MapResult.OK, creation.result());
        return creation.map();
    }

    private void assertCreation(MapResult expected, int maxEntries, long flags, CpuSet cpus, Capabilities caps) {
        final CpuMap.Creation creation = CpuMap.create(maxEntries, flags, cpus, caps, lifecycle);
        final String what = "maxEntries=" + maxEntries + " flags=" + Long.toHexString(flags) + " caps=" + caps;
        assertEquals(expected, creation.result(), what);
        if (expected.isOk()) {
            assertNotNull(creation.map(), what);
        } else {
            assertNull(creation.map(), what);
        }
    }

    /** A refused operation must neither publish, start nor retire anything. */
    private void assertUntouched(CpuMap map) {
        assertEquals(0, map.snapshot().size());
        assertEquals(0, map.snapshot().version());
        assertTrue(lifecycle.started.isEmpty(), "started " + lifecycle.started);
        assertTrue(lifecycle.retired.isEmpty(), "retired " + lifecycle.retired);
    }

    private static void assertNextKey(CpuMap.NextKey next, MapResult result, int key) {
        assertEquals(result, next.result());
        assertEquals(key, next.key());
    }
}
