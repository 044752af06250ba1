package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Traffic sizes accepted by {@code --sizes} (up to 9022 bytes) that do not fit the pool's frames (2048 - 256
 * headroom by default) are all dropped as {@code oversize}: the run says so before it starts.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OversizeWarningTest {
    @Test
    void shouldWarnBeforeTheRunWhenTrafficSizesDoNotFitThePoolFrames() {
        final CliRunner result = CliRunner.run("run", "--feed", "synthetic", "--sizes", "64,9022", "--rate", "1k",
            "--duration", "300ms", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertTrue(result.err().contains("warning: synthetic traffic sizes up to 9022") && result.err().contains("oversize")
            && result.err().contains("steer.engine.pool.frame-size"), result.toString());
    }

    @Test
    void shouldCallTheTrafficSyntheticNotAReplayWhenTheRunMakesIt() {
        // Traffic made in this process is no replay: the warning speaks of the engine taking it.
        final CliRunner result = CliRunner.run("run", "--feed", "synthetic", "--sizes", "64,9022", "--rate", "1k",
            "--duration", "300ms", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertTrue(result.err().contains("warning: synthetic traffic sizes up to 9022 bytes on the wire"),
            result.toString());
        assertTrue(result.err().contains("will be dropped as oversize; raise steer.engine.pool.frame-size for the"
            + " engine to take them"), result.toString());
        assertFalse(result.err().contains("replay"), result.toString());
    }

    @Test
    void shouldNotWarnWhenEveryTrafficSizeFitsThePoolFrames() {
        final CliRunner result = CliRunner.run("run", "--feed", "synthetic", "--sizes", "imix", "--rate", "1k",
            "--duration", "300ms", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertFalse(result.err().contains("do not fit a pool frame"), result.toString());
    }
}
