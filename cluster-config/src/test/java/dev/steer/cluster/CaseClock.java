package dev.steer.cluster;

import java.lang.management.ThreadMXBean;

/**
 * What a fuzz case costs in time on the thread that runs it, and how much it may cost ({@link #boundNs()}).
 * The calling thread only.
 */
final class CaseClock {
    private final ThreadMXBean threads;
    private final long boundNs;

    CaseClock(ThreadMXBean threads, long cpuBoundNs) {
        this.threads = threads;
        this.boundNs = cpuBoundNs;
    }

    /** A reading to subtract from a later one: the thread's CPU time. */
    long now() {
        return threads.getCurrentThreadCpuTime();
    }

    /** More than any case may take, in the units of {@link #now()}. */
    long boundNs() {
        return boundNs;
    }

    /** What {@link #now()} measures, for a failure's message. */
    String measures() {
        return "CPU";
    }
}
