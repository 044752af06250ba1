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
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A run stopped as Ctrl-C or SIGTERM stop it ({@link RunJob#requestStop()}), here before its first look: the stop was
 * asked for, and the traffic had no time to show whether it could keep the rate, so no rate-not-reached warning.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EarlyStopRateTest {
    @ParameterizedTest
    @ValueSource(strings = {"udp", "synthetic"})
    void shouldNotWarnThatTheRateWasNotReachedWhenTheRunIsStoppedInItsFirstMilliseconds(String feed) throws Exception {
        final RunPlan plan = RunPlan.from(ConfigFactory.parseString("""
            run.duration = 60s
            traffic.rate = 50k
            steer {
              engine.pinning = false
              feed { type = %s, udp.bind = "127.0.0.1:0" }
            }
            """.formatted(feed)), null, DeploymentLoader.COMMAND_LINE, Path.of(""));
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final RunJob job = new RunJob(plan, true, null, new PrintWriter(out, true), new PrintWriter(err, true));
        job.requestStop();
        assertEquals(SteerCli.EXIT_OK, job.run(), err.toString());
        assertTrue(err.toString().contains("stopping early: the process was asked to stop"), err.toString());
        assertFalse(err.toString().contains("rate not reached"), err + "\n" + out);
        final JsonNode traffic = new ObjectMapper().readTree(out.toString().strip()).get("traffic");
        assertFalse(traffic.get("rate_reached").isBoolean() && !traffic.get("rate_reached").asBoolean(),
            "not said to be missed: " + traffic);
    }
}
