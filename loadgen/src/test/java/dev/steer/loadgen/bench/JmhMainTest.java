package dev.steer.loadgen.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
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
}
