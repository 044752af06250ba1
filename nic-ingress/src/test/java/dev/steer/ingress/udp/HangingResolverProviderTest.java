package dev.steer.ingress.udp;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The test resolver's hanging lookup: deaf to interrupts, as a native lookup is, without burning a core meanwhile. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HangingResolverProviderTest {
    @Test
    void shouldKeepWaitingWithoutSpinningWhenTheHangingLookupIsInterrupted() {
        // UdpOutput cancels a lookup that runs over its limit, which interrupts the lookup's thread. The hanging lookup
        // parked again at once while the interrupt stayed set, and a park returns at once while it is set: the thread
        // spun on a core for the rest of its 30 s (on a 2-core machine half of it) under the tests that followed.
        // Spinning and a set interrupt go together, so the test looks at the interrupt, not at a clock. Called
        // directly, not through InetAddress, whose lookup of the same name in another test would hold this one.
        final Thread lookup = Thread.ofPlatform().daemon().name("hanging-lookup")
            .start(() -> HangingResolverProvider.hang(HangingResolverProvider.HANGING_HOST));
        lookup.interrupt();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (lookup.isInterrupted() && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(1_000_000);
        }
        assertFalse(lookup.isInterrupted(), "the lookup takes the interrupt and waits on, parked: " + lookup.getState());
    }
}
