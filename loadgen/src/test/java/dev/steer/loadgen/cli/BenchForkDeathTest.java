package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * A row whose forked JVM dies without an error, through JMH itself: the fork is given a JVM option that does not exist,
 * so it exits 1 at start-up, having written why to its stderr. Nothing is benchmarked (about a second per run).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BenchForkDeathTest {
    static {
        // JMH takes a lock in the temp directory for a whole run; this run starts no benchmark, so it need not wait
        // for (or fail on) a lock held by another JMH on this machine. Read once, when JMH's Runner class loads.
        System.setProperty("jmh.ignoreLock", "true");
    }

    /** JMH runs the row for real, but each fork starts with an option the JVM refuses. */
    private static final BenchCommand.Trial DYING_FORK = options -> JmhTrial.run(
        new OptionsBuilder().parent(options).jvmArgsPrepend("-XX:+SteerNoSuchVmOption").build());

    private static final List<BenchCommand.Row> RAW_RING = List.of(BenchCommand.ROWS.stream()
        .filter(row -> row.id().equals("raw_ring")).findFirst().orElseThrow());

    @Test
    void shouldShowTheLastLinesTheForkWroteWhenItsJvmDiesWithoutAnError() {
        final CliRunner run = BenchCommandTest.bench(RAW_RING, DYING_FORK, "--quick", "--iterations", "1");
        assertEquals(SteerCli.EXIT_FAILED, run.exit(), run.toString());
        assertTrue(run.out().contains("failed: IllegalStateException: Forked VM failed with exit code 1"), run.toString());
        assertTrue(run.out().contains("Unrecognized VM option 'SteerNoSuchVmOption'"), "the table: " + run);
        assertTrue(run.err().contains("Unrecognized VM option 'SteerNoSuchVmOption'"), "stderr: " + run);
    }

    @Test
    void shouldWriteTheLastLinesTheForkWroteInTheJsonErrorWhenItsJvmDiesWithoutAnError() throws Exception {
        final CliRunner run = BenchCommandTest.bench(RAW_RING, DYING_FORK, "--quick", "--iterations", "1", "--json");
        assertEquals(SteerCli.EXIT_FAILED, run.exit(), run.toString());
        final JsonNode row = new ObjectMapper().readTree(run.out()).get("rows").get(0);
        final String failed = row.get("failed").asText();
        assertTrue(failed.startsWith("IllegalStateException: Forked VM failed with exit code 1"), failed);
        assertTrue(failed.contains("Unrecognized VM option 'SteerNoSuchVmOption'"), failed);
        assertTrue(failed.length() <= 4096 + 200, "bounded: " + failed.length());
    }
}
