package dev.steer.engine.map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.PathCounters;
import dev.steer.engine.stats.PathStats;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class EntryLocationTest {
    private static CpuMap map() {
        return CpuMap.create(4, 0, CpuSet.of(4, 0, 1), Capabilities.admin(), EntryLifecycle.NONE).map();
    }

    @Test
    void shouldPinTheConsumerToTheLocationCpuWhenItDiffersFromTheKey() {
        final CpuMap map = map();
        assertEquals(MapResult.OK, map.update(3, new EntryValue(16, null, EntryLocation.local(1)), CpuMap.ANY));
        assertEquals(1, map.snapshot().entry(3).cpu());
        assertFalse(map.snapshot().entry(3).isRemote());
    }

    @Test
    void shouldApplyTheUsableCpuRuleToTheLocalCpuOnlyWhenTheEntryIsLocal() {
        final CpuMap map = map();
        assertEquals(MapResult.ENODEV, map.update(0, new EntryValue(16, null, EntryLocation.local(2)), CpuMap.ANY));
        assertEquals(MapResult.ENODEV, map.update(3, EntryValue.of(16), CpuMap.ANY), "key 3 is not a usable CPU");
        assertEquals(MapResult.OK, map.update(3, EntryValue.remote(16, "pekko://steer@10.0.0.2:25520", 7), CpuMap.ANY),
            "a remote CPU is checked by the node that runs it");
        assertTrue(map.snapshot().entry(3).isRemote());
        assertEquals(7, map.snapshot().entry(3).cpu());
    }

    @Test
    void shouldKeepTheOtherContractChecksWhenTheEntryIsRemote() {
        final CpuMap map = map();
        assertEquals(MapResult.E2BIG, map.update(4, EntryValue.remote(16, "n", 0), CpuMap.ANY));
        assertEquals(MapResult.EOVERFLOW, map.update(1, EntryValue.remote(CpuMap.MAX_QSIZE + 1, "n", 0), CpuMap.ANY));
        assertEquals(MapResult.EEXIST, map.update(1, EntryValue.remote(16, "n", 0), CpuMap.NOEXIST));
    }

    @Test
    void shouldRefuseALocationWhenItsCpuIsNegativeOrItsNodeIsMissing() {
        assertThrows(IllegalArgumentException.class, () -> EntryLocation.local(-1));
        assertThrows(IllegalArgumentException.class, () -> EntryLocation.remote("", 0));
        assertFalse(new EntryLocation("", 0).isRemote(), "an empty node name is this node");
    }

    @Test
    void shouldCountForwardedFramesAsEndedWhenSummingTheAccounting() {
        final PathCounters ingress = new PathCounters("ingress-0", 4);
        ingress.add(PathCounters.Counter.RECEIVED, 10);
        final PathCounters forwarder = new PathCounters("key-1#1", 4);
        forwarder.add(PathCounters.Counter.FORWARDED, 6);
        forwarder.add(PathCounters.Counter.REMOTE_RING_FULL, 2);
        forwarder.drop(dev.steer.engine.stats.DropReason.UNREACHABLE, 3);
        final Accounting accounting = Accounting.of(List.of(ingress.snapshot(PathStats.Kind.INGRESS, -1),
            forwarder.snapshot(PathStats.Kind.CONSUMER, 1)));
        assertEquals(6, accounting.forwarded());
        assertEquals(3, accounting.droppedTotal(), "remote ring_full is the other node's drop, not this one's");
        assertEquals(1, accounting.inFlight());
    }
}
