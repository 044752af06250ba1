package dev.steer.loadgen.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** How durations read in the output: the unit is chosen after rounding, never "1000.00" of a smaller one. */
class UnitsTest {
    @Test
    void shouldMoveToTheNextUnitWhenTwoDecimalsWouldRoundToAThousand() {
        assertEquals("999 ns", Units.nanos(999));
        assertEquals("1.00 us", Units.nanos(1_000));
        assertEquals("999.99 us", Units.nanos(999_994));
        assertEquals("1.00 ms", Units.nanos(999_995));
        assertEquals("1.00 ms", Units.nanos(999_999));
        assertEquals("999.99 ms", Units.nanos(999_994_999));
        assertEquals("1.00 s", Units.nanos(999_999_999));
    }

    @Test
    void shouldGiveABitRateInDecimalUnitsWithThreeFiguresWhenItIsFormatted() {
        assertEquals("0 b/s", Units.bits(0));
        assertEquals("950 b/s", Units.bits(950));
        assertEquals("1.00 kb/s", Units.bits(999.5));
        assertEquals("36.4 Gb/s", Units.bits(3_000_000L * 1518 * 8.0));
        assertEquals("243 Mb/s", Units.bits(20_000 * 1514 * 8.0 + 0.3e6));
        assertEquals("1.00 Gb/s", Units.bits(999_999_999));
    }
}
