package dev.steer.loadgen.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class OfferedTrafficTest {
    /**
     * 60,000 frames made in 3 s at 20,000/s, 32,000 of them refused by the output (AF_PACKET above the MTU): the rate
     * was kept, whatever the output did with the frames; the traffic line counts the 28,000 sent.
     */
    @Test
    void shouldMeasureTheRateByTheFramesMadeNotOnlyThoseTheOutputSent() {
        final OfferedTraffic traffic = new OfferedTraffic(28_000, 60_000, 28_000 * 60, "sender", 20_000, 3);
        assertTrue(traffic.rateJudged());
        assertFalse(traffic.rateMissed(), "60,000 frames in 3 s is the 20,000/s asked");
        assertNull(traffic.warning("the sending thread"));
        assertEquals(20_000, traffic.offeredPps(), 1e-6);
        assertTrue(traffic.line().startsWith("traffic: 28,000 frames, 1,680,000 bytes"), traffic.line());
    }

    /** An on/off pattern's average below 1 packet/s is a rate asked, said with its fraction, not 0 nor max. */
    @Test
    void shouldCompareWithAndNameAnAverageBelowOnePacketPerSecondWhenOneWasAsked() {
        final OfferedTraffic none = new OfferedTraffic(0, 0, 0, "sender", 0.25, 20);
        assertTrue(none.rateJudged());
        assertTrue(none.rateMissed(), "nothing made in 20 s at 0.25/s");
        final String warning = none.warning("the sending thread");
        assertTrue(warning.startsWith("warning: rate not reached: 0.25 pkt/s asked, 0 pkt/s"), warning);
        assertFalse(new OfferedTraffic(5, 5, 300, "sender", 0.25, 20).rateMissed(), "5 frames in 20 s at 0.25/s");
    }

    @Test
    void shouldWarnWhenFewerThanNinetyPercentOfTheFramesAskedForWereMade() {
        final OfferedTraffic traffic = new OfferedTraffic(50_000, 50_000, 50_000 * 60, "sender", 20_000, 3);
        assertTrue(traffic.rateMissed(), "50,000 of the 60,000 frames asked for in 3 s: 83 %");
        assertTrue(traffic.warning("the sending thread").startsWith("warning: rate not reached: 20,000 pkt/s asked"),
            traffic.warning("the sending thread"));
    }

    /**
     * Nothing made in the 10 ms a run stopped by Ctrl-C had: too short to say whether the makers reach the rate, so no
     * warning and rate_reached null; from {@link OfferedTraffic#MIN_SECONDS_TO_SAY} on, it is said.
     */
    @Test
    void shouldNotJudgeTheRateWhenTheMakersHadLessThanTheShortestTimeToSay() {
        final OfferedTraffic early = new OfferedTraffic(0, 0, 0, "sender", 50_000, 0.01);
        assertFalse(early.rateJudged());
        assertFalse(early.rateMissed());
        assertNull(early.warning("the sending thread"));
        final ObjectNode json = new ObjectMapper().createObjectNode();
        early.toJson(json);
        assertTrue(json.get("rate_reached").isNull(), json.toString());
        assertEquals(50_000, json.get("rate_asked_pps").asLong(), json.toString());
        assertTrue(new OfferedTraffic(0, 0, 0, "sender", 50_000, OfferedTraffic.MIN_SECONDS_TO_SAY).rateMissed());
    }

    /**
     * Senders that made 2,000 frames in their own 0.1 s of a 0.3 s run (the rest the run's set-up of them and its
     * stop): they kept 20,000/s, judged over their time, not the run's.
     */
    @Test
    void shouldJudgeTheRateOverTheMakersTimeNotTheRunsWhenTheyDiffer() {
        final OfferedTraffic senders = new OfferedTraffic(2_000, 2_000, 2_000 * 60, "sender", 20_000, 0.3, 0.1);
        assertFalse(senders.rateMissed());
        assertEquals(2_000 / 0.3, senders.offeredPps(), 1e-6, "offered_pps stays over the run's time");
        final OfferedTraffic slow = new OfferedTraffic(1_000, 1_000, 1_000 * 60, "sender", 20_000, 0.3, 0.1);
        assertTrue(slow.warning("the senders").contains("20,000 pkt/s asked, 10,000 pkt/s offered (50.0 %)"),
            slow.warning("the senders"));
    }

    /**
     * The senders' 2,000 frames in their own 0.1 s of a 0.3 s run: {@code offered_pps} (over the run) is a third of the
     * 20,000/s asked, yet the rate was reached; the JSON carries the frames offered and the making time, from which
     * {@code rate_reached} follows by the rule of docs/output.md: {@code offered_frames * 100 >= rate_asked_pps *
     * making_s * 90}.
     */
    @Test
    void shouldGiveTheFramesOfferedAndTheMakingTimeInTheJsonWhenTheRateIsJudgedOverTheMakersTime() {
        final ObjectNode reached = new ObjectMapper().createObjectNode();
        new OfferedTraffic(2_000, 2_000, 2_000 * 60, "sender", 20_000, 0.3, 0.1).toJson(reached);
        assertEquals(2_000, reached.get("offered_frames").asLong(-1), reached.toString());
        assertEquals(0.1, reached.get("making_s").asDouble(-1), 0, reached.toString());
        assertTrue(reached.get("offered_pps").asDouble() < 0.9 * 20_000, reached.toString());
        assertTrue(reached.get("rate_reached").asBoolean(false), reached.toString());
        assertEquals(reachedByTheRule(reached), reached.get("rate_reached").asBoolean(), reached.toString());

        final ObjectNode missed = new ObjectMapper().createObjectNode();
        new OfferedTraffic(1_000, 1_700, 1_000 * 60, "sender", 20_000, 0.3, 0.1).toJson(missed);
        assertEquals(1_700, missed.get("offered_frames").asLong(-1), "made, those refused included: " + missed);
        assertFalse(missed.get("rate_reached").asBoolean(true), missed.toString());
        assertEquals(reachedByTheRule(missed), missed.get("rate_reached").asBoolean(), missed.toString());

        final ObjectNode notMade = new ObjectMapper().createObjectNode();
        new OfferedTraffic(500, 500, OfferedTraffic.NOT_COUNTED, null, 0, 0.3).toJson(notMade);
        assertTrue(notMade.get("making_s").isNull(), "nothing of this process made it: " + notMade);
        assertEquals(500, notMade.get("offered_frames").asLong(-1), notMade.toString());
    }

    /** docs/output.md's rule for {@code rate_reached}, from the JSON's own keys. */
    static boolean reachedByTheRule(com.fasterxml.jackson.databind.JsonNode traffic) {
        return traffic.get("offered_frames").asLong() * 100.0
            >= traffic.get("rate_asked_pps").asDouble() * traffic.get("making_s").asDouble() * 90;
    }

    /**
     * {@code --rate 1M --on-off 1ms/2ms} asks 333,333.3 packets/s on average: the warning says that rate with its
     * thousands, as it says a whole one, not three significant digits of it ("333000").
     */
    @Test
    void shouldNameALargeAverageRateWithItsThousandsWhenItIsNotWhole() {
        final OfferedTraffic traffic = new OfferedTraffic(0, 0, 0, "sender", 1_000_000 / 3.0, 3);
        final String warning = traffic.warning("the sending thread");
        assertTrue(warning.startsWith("warning: rate not reached: 333,333.3 pkt/s asked, 0 pkt/s offered"), warning);
    }
}
