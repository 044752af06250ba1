package dev.steer.actors;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/**
 * What a data-path actor does when it finds no work. A consumer can park for real (it returns to its
 * mailbox and a producer's flush wakes it); an ingress cannot be woken by a feed, so for it {@link #PARK}
 * and {@link #BACKOFF} both mean spin, yield, then sleep in growing steps up to a millisecond.
 */
public enum IdleMode {
    /** Consumer: park at once when the ring is empty. Ingress: back off. The default. */
    PARK,
    /** Spin and yield a little before parking (consumer) or sleeping (ingress): lower wake-up latency. */
    BACKOFF,
    /** Yield the CPU in a loop; never park. Holds the CPU. */
    YIELD,
    /** Spin in a loop; never park. Holds the CPU at 100%: for dedicated, isolated cores only. */
    BUSY_SPIN;

    /** Rounds a consumer spins or yields in {@link #BACKOFF} before it parks. */
    static final int CONSUMER_BACKOFF_ROUNDS = 200;

    /** The idle strategy an ingress uses between empty polls. */
    public IdleStrategy ingressIdleStrategy() {
        return switch (this) {
            case PARK, BACKOFF -> new BackoffIdleStrategy(100, 10, 1_000, 1_000_000);
            case YIELD -> new YieldingIdleStrategy();
            case BUSY_SPIN -> new BusySpinIdleStrategy();
        };
    }

    /** Parses {@code park}, {@code backoff}, {@code yield}, {@code busy-spin}. */
    public static IdleMode parse(String value) {
        for (IdleMode mode : values()) {
            if (mode.label().equals(value)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("idle strategy '" + value + "': must be one of park, backoff, yield, busy-spin");
    }

    /** The name used in config files and on the command line. */
    public String label() {
        return name().toLowerCase().replace('_', '-');
    }
}
