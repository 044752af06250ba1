package dev.steer.cluster;

import java.lang.management.ThreadMXBean;

/**
 * What a fuzz case costs in time on the thread that runs it, and how much it may cost ({@link #boundNs()}): the
 * thread's CPU time where the JVM measures it, else the wall clock. {@code getCurrentThreadCpuTime()} is -1 when
 * thread CPU time is unsupported or disabled, so every difference would be 0 and the bound would never apply. The
 * calling thread only.
 */
final class CaseClock {
    /**
     * The wall clock's bound, when the thread's CPU time is not measured: this many times the CPU bound, as a loaded
     * machine may leave the thread descheduled for longer than the CPU bound in the middle of a case.
     */
    static final int WALL_CLOCK_FACTOR = 10;

    private final ThreadMXBean threads;
    private final boolean cpu;
    private final long boundNs;

    CaseClock(ThreadMXBean threads, long cpuBoundNs) {
        this.threads = threads;
        this.cpu = threads.isCurrentThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled();
        this.boundNs = cpu ? cpuBoundNs : cpuBoundNs * WALL_CLOCK_FACTOR;
    }

    /** A reading to subtract from a later one: the thread's CPU time, or the wall clock when that is not measured. */
    long now() {
        return cpu ? threads.getCurrentThreadCpuTime() : System.nanoTime();
    }

    /** More than any case may take, in the units of {@link #now()}. */
    long boundNs() {
        return boundNs;
    }

    /** What {@link #now()} measures, for a failure's message. */
    String measures() {
        return cpu ? "CPU" : "wall clock (this JVM gives no thread CPU time)";
    }
}
