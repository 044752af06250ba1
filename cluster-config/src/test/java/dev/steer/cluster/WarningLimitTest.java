package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class WarningLimitTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void shouldLetOneWarningAPeriodThroughAndCountTheOthersWhenARetryLoopRepeatsIt() {
        final WarningLimit limit = new WarningLimit(Duration.ofSeconds(10));
        final long start = 123 * SECOND;
        assertTrue(limit.warnNow(start), "the first");
        assertEquals(0, limit.heldBefore());
        int warned = 0;
        for (long t = start + SECOND / 10; t < start + 10 * SECOND; t += SECOND / 10) { // every 100 ms for 10 s
            warned += limit.warnNow(t) ? 1 : 0;
        }
        assertEquals(0, warned, "held back within the period");
        assertTrue(limit.warnNow(start + 10 * SECOND), "the first a period after the last warning");
        assertEquals(99, limit.heldBefore(), "with the number held back since the last");
        assertFalse(limit.warnNow(start + 11 * SECOND));
        assertTrue(limit.warnNow(start + 25 * SECOND));
        assertEquals(1, limit.heldBefore());
    }

    @Test
    void shouldWarnAgainWhenTheClockWrapsPastLongMaxValue() {
        final WarningLimit limit = new WarningLimit(Duration.ofSeconds(1));
        assertTrue(limit.warnNow(Long.MAX_VALUE - SECOND / 2));
        assertFalse(limit.warnNow(Long.MIN_VALUE + SECOND / 4), "still within the period across the wrap");
        assertTrue(limit.warnNow(Long.MIN_VALUE + SECOND));
    }

    @Test
    void shouldRefuseAPeriodThatIsNotAboveZeroWhenMade() {
        assertThrows(IllegalArgumentException.class, () -> new WarningLimit(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new WarningLimit(Duration.ofSeconds(-1)));
    }
}
