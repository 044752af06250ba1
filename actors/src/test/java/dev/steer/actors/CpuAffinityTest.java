package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuList;

/** Pinning takes every CPU a CPU list takes: one limit, and an affinity mask sized for it. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CpuAffinityTest {
    /** Pins a thread of its own, so that a pin that succeeds leaves the test's thread as it was. */
    private static CpuAffinity.Result pinOnOwnThread(int cpu) throws InterruptedException {
        final AtomicReference<CpuAffinity.Result> result = new AtomicReference<>();
        final Thread thread = Thread.ofPlatform().start(() -> result.set(CpuAffinity.pinCurrentThread(cpu)));
        thread.join();
        return result.get();
    }

    @Test
    void shouldSizeTheAffinityMaskForEveryCpuACpuListAcceptsWhenComparedWithCpuList() {
        assertEquals(CpuList.MAX_CPU + 1, CpuAffinity.MAX_CPUS);
        assertEquals(CpuList.MAX_CPU, CpuList.parse("0-" + CpuList.MAX_CPU)[CpuList.MAX_CPU], "the list's largest CPU");
    }

    @Test
    void shouldAskTheKernelRatherThanRefuseWhenTheCpuIsAboveTheOldMaskButInAList() throws InterruptedException {
        Assumptions.assumeTrue(CpuAffinity.isAvailable(), "pinning needs Linux");
        for (int cpu : new int[] {1024, 2048, CpuList.MAX_CPU}) {
            final CpuAffinity.Result result = pinOnOwnThread(cpu);
            if (!result.pinned()) {
                // A machine without that CPU: the kernel says so (EINVAL), not a limit of this class.
                assertFalse(result.reason().contains("outside"), cpu + ": " + result.reason());
                assertTrue(result.reason().contains("sched_setaffinity(" + cpu + ")"), cpu + ": " + result.reason());
            }
        }
    }

    @Test
    void shouldRefuseNamingTheRangeWhenTheCpuIsAboveAnyCpuList() throws InterruptedException {
        final CpuAffinity.Result result = pinOnOwnThread(CpuList.MAX_CPU + 1);
        assertFalse(result.pinned());
        Assumptions.assumeTrue(CpuAffinity.isAvailable(), "pinning needs Linux");
        assertEquals("cpu " + (CpuList.MAX_CPU + 1) + " is outside 0.." + CpuList.MAX_CPU, result.reason());
    }
}
