package dev.steer.loadgen.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.runner.options.CommandLineOptions;

import dev.steer.loadgen.JvmOptions;

/** The options {@code steer jmh} gives JMH for a command line; nothing is run or forked here. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JmhMainTest {
    @Test
    void shouldKeepTheUsersJvmArgsAppendAfterTheProjectFlagsWhenBothAreGiven() throws Exception {
        final CommandLineOptions cli = new CommandLineOptions("HandoffBenchmark", "-jvmArgsAppend",
            "-Xmx1g -Dsteer.jmh.test=1");
        final List<String> expected = new ArrayList<>(JvmOptions.forkFlags());
        expected.addAll(List.of("-Xmx1g", "-Dsteer.jmh.test=1"));
        assertEquals(expected, List.copyOf(JmhMain.options(cli).getJvmArgsAppend().get()));
    }

    @Test
    void shouldAppendTheProjectFlagsWhenTheUserGivesNoJvmArgsAppend() throws Exception {
        final CommandLineOptions cli = new CommandLineOptions("HandoffBenchmark", "-f", "2");
        assertEquals(JvmOptions.forkFlags(), List.copyOf(JmhMain.options(cli).getJvmArgsAppend().get()));
        assertEquals(2, JmhMain.options(cli).getForkCount().get(), "the user's other options hold");
    }

    /**
     * JMH's help lists four "list, and exit" options; each must list and exit. {@code -lp}, {@code -lprof} and
     * {@code -lrf} used to fall through to a run of every benchmark the pattern matches (all of them without a
     * pattern: minutes of forks on a shared machine). The pattern here matches no benchmark, so the old code
     * ended in "no benchmark matches" (exit 2) instead of running anything.
     */
    @ParameterizedTest
    @ValueSource(strings = {"-l", "-lp", "-lprof", "-lrf"})
    void shouldListAndExitWithoutRunningWhenGivenAListOption(String option) {
        final StringWriter err = new StringWriter();
        final int status = JmhMain.run(new String[] {option, "NoSuchBenchmarkMatchesThis"}, new PrintWriter(err, true));
        assertEquals("", err.toString(), option + ": nothing on stderr");
        assertEquals(JmhMain.EXIT_OK, status, option + ": listed and exited");
    }
}
