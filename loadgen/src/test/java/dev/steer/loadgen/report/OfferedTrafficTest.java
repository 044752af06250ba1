package dev.steer.loadgen.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class OfferedTrafficTest {
    /**
     * 600 frames made in 30 ms at 20,000/s, 320 of them refused by the output (AF_PACKET above the MTU): the rate was
     * kept, whatever the output did with the frames; the traffic line counts the 280 sent.
     */
    @Test
    void shouldMeasureTheRateByTheFramesMadeNotOnlyThoseTheOutputSent() {
        final OfferedTraffic traffic = new OfferedTraffic(280, 600, 280 * 60, "sender", 20_000, 0.03);
        assertFalse(traffic.rateMissed(), "600 frames in 30 ms is the 20,000/s asked");
        assertNull(traffic.warning("the sending thread"));
        assertEquals(20_000, traffic.offeredPps(), 1e-6);
        assertTrue(traffic.line().startsWith("traffic: 280 frames, 16,800 bytes"), traffic.line());
    }

    /** An on/off pattern's average below 1 packet/s is a rate asked, said with its fraction, not 0 nor max. */
    @Test
    void shouldCompareWithAndNameAnAverageBelowOnePacketPerSecondWhenOneWasAsked() {
        final OfferedTraffic none = new OfferedTraffic(0, 0, 0, "sender", 0.25, 20);
        assertTrue(none.rateMissed(), "nothing made in 20 s at 0.25/s");
        final String warning = none.warning("the sending thread");
        assertTrue(warning.startsWith("warning: rate not reached: 0.25 pkt/s asked, 0 pkt/s"), warning);
        assertFalse(new OfferedTraffic(5, 5, 300, "sender", 0.25, 20).rateMissed(), "5 frames in 20 s at 0.25/s");
    }

    @Test
    void shouldWarnWhenFewerThanNinetyPercentOfTheFramesAskedForWereMade() {
        final OfferedTraffic traffic = new OfferedTraffic(500, 500, 500 * 60, "sender", 20_000, 0.03);
        assertTrue(traffic.rateMissed(), "500 of the 600 frames asked for in 30 ms: 83 %");
        assertTrue(traffic.warning("the sending thread").startsWith("warning: rate not reached: 20,000 pkt/s asked"),
            traffic.warning("the sending thread"));
    }
}
