package dev.steer.ingress;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The calling thread's allocation count, for tests that bound what a path allocates (per frame, per message).
 * HotSpot supports the count and enables it by default, but any code in the JVM may switch it off. Where the JVM does not count a thread's allocation (unsupported, switched off with
 * {@code setThreadAllocatedMemoryEnabled(false)}, or a virtual thread) every reading is -1 and every difference 0, so
 * a bound would pass without checking anything; a reading here fails the test instead, naming why. Shared with other
 * modules' tests through this module's test jar.
 */
public final class AllocatedBytes {
    /** Null when this JVM's thread bean has no allocation count at all. */
    private static final com.sun.management.ThreadMXBean THREADS = counting(ManagementFactory.getThreadMXBean());

    private AllocatedBytes() {
    }

    /**
     * Bytes the calling thread has allocated so far. Any thread may call it; a reading that returns allocates nothing,
     * so it may sit inside the measured window.
     *
     * @throws AssertionError naming the reason when the JVM does not count this thread's allocation
     */
    public static long ofCurrentThread() {
        final long bytes = THREADS != null && THREADS.isThreadAllocatedMemorySupported()
            ? THREADS.getCurrentThreadAllocatedBytes() : -1;
        if (bytes < 0) {
            throw new AssertionError("the JVM does not count this thread's allocation (" + whyNotCounted()
                + "): an allocation bound cannot be checked");
        }
        return bytes;
    }

    private static com.sun.management.ThreadMXBean counting(ThreadMXBean threads) {
        return threads instanceof com.sun.management.ThreadMXBean counting ? counting : null;
    }

    private static String whyNotCounted() {
        if (THREADS == null) {
            return "its ThreadMXBean is " + ManagementFactory.getThreadMXBean().getClass().getName()
                + ", not a com.sun.management.ThreadMXBean";
        }
        if (!THREADS.isThreadAllocatedMemorySupported()) {
            return "isThreadAllocatedMemorySupported() is false";
        }
        if (!THREADS.isThreadAllocatedMemoryEnabled()) {
            return "isThreadAllocatedMemoryEnabled() is false: something called setThreadAllocatedMemoryEnabled(false)";
        }
        if (Thread.currentThread().isVirtual()) {
            return "the reading thread is virtual";
        }
        return "getCurrentThreadAllocatedBytes() read -1";
    }
}
