package dev.steer.engine.map;

/**
 * Wakes an entry's consumer after a producer has flushed frames into its ring: the analogue of
 * {@code wake_up_process} on the cpumap kthread. Implementations must be cheap when the consumer is
 * awake (a volatile read), allocation-free, and callable from any thread.
 */
@FunctionalInterface
public interface ConsumerWakeup {
    /** A wake-up that does nothing, for consumers that poll. */
    ConsumerWakeup NONE = () -> { };

    /** Makes sure the consumer will look at its ring again soon. */
    void wake();
}
