package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Proxy;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A fuzz case's time bound is CPU time on its own thread, never the wall clock (a loaded machine may deschedule the
 * thread for any time): {@code getCurrentThreadCpuTime()} is -1 when thread CPU time is unsupported or disabled, and
 * then no per-case time bound applies (the allocation bound and the fuzz test's {@code @Timeout} still do).
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CaseClockTest {
    @Test
    void shouldNotBoundTheCaseTimeWhenThreadCpuTimeIsUnsupported() {
        assertUnbounded(threads(false, false));
    }

    @Test
    void shouldNotBoundTheCaseTimeWhenThreadCpuTimeIsDisabled() {
        assertUnbounded(threads(true, false));
    }

    @Test
    void shouldMeasureThreadCpuTimeOnThisJvm() {
        // WireFuzzTest's bound is meant as CPU time; HotSpot on Linux measures it, enabled by default.
        final CaseClock clock = new CaseClock(ManagementFactory.getThreadMXBean(), 1);
        assertEquals("CPU", clock.measures());
        assertEquals(1, clock.boundNs());
        assertTrue(clock.timeBounded());
    }

    private static void assertUnbounded(ThreadMXBean threads) {
        final CaseClock clock = new CaseClock(threads, 1);
        // No wall clock stands in: a reading reads nothing, and no difference of readings can pass the bound.
        assertEquals(0, clock.now());
        assertEquals(0, clock.now());
        assertEquals(Long.MAX_VALUE, clock.boundNs(), clock.measures());
        assertFalse(clock.timeBounded());
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
