package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Proxy;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A fuzz case's time bound applies whatever the JVM supports: {@code getCurrentThreadCpuTime()} is -1 when thread CPU
 * time is unsupported or disabled, so every difference of two readings was 0 and no case could pass the bound.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CaseClockTest {
    @Test
    void shouldMeasureTimeWhenThreadCpuTimeIsUnsupported() {
        assertMeasures(threads(false, false));
    }

    @Test
    void shouldMeasureTimeWhenThreadCpuTimeIsDisabled() {
        assertMeasures(threads(true, false));
    }

    @Test
    void shouldMeasureThreadCpuTimeOnThisJvm() {
        // WireFuzzTest's bound is meant as CPU time; HotSpot on Linux measures it, enabled by default.
        final CaseClock clock = new CaseClock(ManagementFactory.getThreadMXBean(), 1);
        assertEquals("CPU", clock.measures());
        assertEquals(1, clock.boundNs());
    }

    private static void assertMeasures(ThreadMXBean threads) {
        final CaseClock clock = new CaseClock(threads, TimeUnit.SECONDS.toNanos(1));
        final long before = clock.now();
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        final long after = clock.now();
        assertTrue(after - before > 0, "a 20 ms wait measured " + (after - before) + " ns of " + clock.measures());
    }

    /** This JVM's thread bean, but saying that thread CPU time is as given, and -1 for it, as then documented. */
    private static ThreadMXBean threads(boolean supported, boolean enabled) {
        final ThreadMXBean real = ManagementFactory.getThreadMXBean();
        return (ThreadMXBean) Proxy.newProxyInstance(ThreadMXBean.class.getClassLoader(),
            new Class<?>[] {ThreadMXBean.class}, (proxy, method, args) -> switch (method.getName()) {
                case "isCurrentThreadCpuTimeSupported", "isThreadCpuTimeSupported" -> supported;
                case "isThreadCpuTimeEnabled" -> enabled;
                case "getCurrentThreadCpuTime", "getCurrentThreadUserTime" -> -1L;
                default -> method.invoke(real, args);
            });
    }
}
