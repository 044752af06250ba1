package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What is kept of JMH's report of a forked JVM that exited with a non-zero code (its text as JMH 1.37 prints it). */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ForkOutputTest {
    private static ForkOutput failedFork(List<String> stdout, List<String> stderr) {
        final ForkOutput output = new ForkOutput();
        output.println("# Fork: 1 of 1");
        output.println("<forked VM failed with exit code 134>");
        output.println("<stdout last='20 lines'>");
        stdout.forEach(output::println);
        output.println("</stdout>");
        output.println("<stderr last='20 lines'>");
        stderr.forEach(output::println);
        output.println("</stderr>");
        output.println("");
        output.println("Benchmark had encountered error, and fail on error was requested");
        return output;
    }

    @Test
    void shouldKeepStdoutThenStderrEachLineNamingItsStreamWhenAForkFails() {
        final ForkOutput output = failedFork(List.of("# A fatal error has been detected", ""),
            List.of("Error: Could not create the Java Virtual Machine.  "));
        assertEquals(List.of("stdout: # A fatal error has been detected",
            "stderr: Error: Could not create the Java Virtual Machine."), output.lines());
    }

    @Test
    void shouldKeepNothingWhenNoForkFailed() {
        final ForkOutput output = new ForkOutput();
        output.println("# Fork: 1 of 1");
        output.println("<stdout> is not a block");
        assertEquals(List.of(), output.lines());
    }

    @Test
    void shouldKeepOnlyTheLastTwentyLinesWhenTheForkWroteMore() {
        final List<String> stderr = java.util.stream.IntStream.range(0, 20).mapToObj(i -> "e" + i).toList();
        final List<String> lines = failedFork(List.of("o1", "o2"), stderr).lines();
        assertEquals(ForkOutput.MAX_LINES, lines.size());
        assertEquals("stderr: e0", lines.get(0));
        assertEquals("stderr: e19", lines.get(19));
    }

    @Test
    void shouldKeepAtMostFourKilobytesWhenTheLastLinesAreLong() {
        final String longLine = "x".repeat(3000);
        final List<String> lines = failedFork(List.of(), List.of("first", longLine, longLine)).lines();
        assertEquals(List.of("stderr: " + longLine), lines);
        final List<String> huge = failedFork(List.of(), List.of("y".repeat(10_000))).lines();
        assertEquals(1, huge.size());
        assertEquals(ForkOutput.MAX_CHARS, huge.get(0).length());
        assertTrue(huge.get(0).startsWith("stderr: yyy") && huge.get(0).endsWith("..."), huge.get(0));
    }
}
