package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.steer.cluster.config.DeploymentLoader;
import dev.steer.loadgen.report.OfferedTraffic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A run stopped as Ctrl-C or SIGTERM stop it ({@link RunJob#requestStop()}), here before its first look: the stop was
 * asked for, and the traffic had no time to show whether it could keep the rate, so no rate-not-reached warning and
 * {@code rate_reached} null (not judged).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EarlyStopRateTest {
    /** The JSON of a 50k/s run of {@code feed} stopped before it starts; {@code err} gets stderr. */
    private static JsonNode stoppedBeforeItsFirstLook(String feed, StringWriter err) throws Exception {
        final RunPlan plan = RunPlan.from(ConfigFactory.parseString("""
            run.duration = 60s
            traffic.rate = 50k
            steer {
              engine.pinning = false
              feed { type = %s, udp.bind = "127.0.0.1:0" }
            }
            """.formatted(feed)), null, DeploymentLoader.COMMAND_LINE, Path.of(""));
        final StringWriter out = new StringWriter();
        final RunJob job = new RunJob(plan, null, true, null, new PrintWriter(out, true), new PrintWriter(err, true));
        job.requestStop();
        assertEquals(SteerCli.EXIT_OK, job.run(), err.toString());
        assertTrue(err.toString().contains("stopping early: the process was asked to stop"), err.toString());
        return new ObjectMapper().readTree(out.toString().strip());
    }

    /** The senders start and are stopped at the run's first look: their own time is a few statements, never 0.1 s. */
    @Test
    void shouldNotJudgeTheRateWhenTheSendersAreStoppedInTheirFirstMilliseconds() throws Exception {
        final StringWriter err = new StringWriter();
        final JsonNode root = stoppedBeforeItsFirstLook("udp", err);
        final JsonNode traffic = root.get("traffic");
        assertEquals("sender", traffic.get("counted_at").asText(), traffic.toString());
        assertTrue(traffic.get("rate_reached").isNull(), "not judged: " + traffic);
        assertFalse(err.toString().contains("rate not reached"), err + "\n" + root);
    }

    /**
     * A synthetic feed's making time is the run's, from the sampler's baseline to the first look, which a loaded 2-core
     * machine may stretch past {@link OfferedTraffic#MIN_SECONDS_TO_SAY} (the first use of the run's classes): under
     * it, the early stop is not judged; from it on, the run had the time to say, and the JSON and stderr say the same.
     */
    @Test
    void shouldNotJudgeTheRateWhenASyntheticFeedIsStoppedInItsFirstMilliseconds() throws Exception {
        final StringWriter err = new StringWriter();
        final JsonNode root = stoppedBeforeItsFirstLook("synthetic", err);
        final JsonNode traffic = root.get("traffic");
        assertEquals("feed", traffic.get("counted_at").asText(), traffic.toString());
        final double making = traffic.get("making_s").asDouble(-1);
        assertEquals(root.get("run").get("duration_s").asDouble(), making, 0, "the run's time: " + root);
        final boolean warned = err.toString().contains("rate not reached");
        if (making < OfferedTraffic.MIN_SECONDS_TO_SAY) {
            assertTrue(traffic.get("rate_reached").isNull(), "not judged: " + traffic);
            assertFalse(warned, err + "\n" + root);
        } else {
            final boolean reached = traffic.get("offered_frames").asLong() * 100.0
                >= traffic.get("rate_asked_pps").asDouble() * making * OfferedTraffic.REACHED_PERCENT;
            assertEquals(reached, traffic.get("rate_reached").asBoolean(!reached), "judged by the rule: " + traffic);
            assertEquals(!reached, warned, "warned exactly when missed: " + err + "\n" + root);
        }
    }
}
