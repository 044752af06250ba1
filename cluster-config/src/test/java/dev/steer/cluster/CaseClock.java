package dev.steer.cluster;

import java.lang.management.ThreadMXBean;

/**
 * What a fuzz case costs in CPU time on the thread that runs it, and how much it may cost ({@link #boundNs()}).
 * {@code getCurrentThreadCpuTime()} is -1 when thread CPU time is unsupported or disabled; then no per-case time bound
 * applies ({@link #timeBounded()} false): the wall clock does not stand in, as a loaded machine may deschedule the
 * thread for any time, and a test does not assert timing. The allocation bound and the test class's {@code @Timeout}
 * still hold there. The calling thread only.
 */
final class CaseClock {
    private final ThreadMXBean threads;
    private final boolean cpu;
    private final long boundNs;

    CaseClock(ThreadMXBean threads, long cpuBoundNs) {
        this.threads = threads;
        this.cpu = threads.isCurrentThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled();
        this.boundNs = cpu ? cpuBoundNs : Long.MAX_VALUE;
    }

    /** Whether a case's time is bounded: only where the JVM measures the thread's CPU time. */
    boolean timeBounded() {
        return cpu;
    }

    /** A reading to subtract from a later one: the thread's CPU time, or 0 when that is not measured. */
    long now() {
        return cpu ? threads.getCurrentThreadCpuTime() : 0;
    }

    /** More than any case may take, in the units of {@link #now()}; {@link Long#MAX_VALUE} when not bounded. */
    long boundNs() {
        return boundNs;
    }

    /** What {@link #now()} measures, for a failure's message. */
    String measures() {
        return cpu ? "CPU" : "nothing (this JVM gives no thread CPU time, so no case's time is bounded)";
    }
}
