package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The traffic options as a user gives them to {@code steer run} and {@code steer loadgen}, run in this JVM. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TrafficOptionCliTest {
    /** The command with options that get it past its own checks to the traffic options (loadgen needs a target). */
    private static CliRunner refused(String command, String... traffic) {
        final String[] head = "run".equals(command)
            ? new String[] {"run", "--feed", "synthetic", "--duration", "200ms"}
            : new String[] {"loadgen", "--to", "udp", "--target", "127.0.0.1:9", "--count", "1"};
        final String[] args = new String[head.length + traffic.length];
        System.arraycopy(head, 0, args, 0, head.length);
        System.arraycopy(traffic, 0, args, head.length, traffic.length);
        return CliRunner.run(args);
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "loadgen"})
    void shouldRefuseAMixNamingTheProtocolWhenItGivesAProtocolTwice(String command) {
        // A protocol given twice used to be taken without a word, the last weight winning (as --cpus 0,0 is refused).
        final CliRunner result = refused(command, "--mix", "udp=1,tcp=2,udp=3");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertEquals("steer " + command + ": --mix udp=1,tcp=2,udp=3: udp is given twice: must be udp=W, tcp=W or"
            + " icmp=W (integer weights), each protocol once", result.err().strip(), result.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "run; udp=1,", "loadgen; udp=1,", "run; udp=1,,tcp=2", "loadgen; udp=1,,tcp=2", "run; ,udp=1"})
    void shouldRefuseAMixNamingTheEmptyEntryWhenAnEntryIsEmpty(String command, String mix) {
        // A trailing comma was taken without a word (as --sizes 64, and --cpus 0, are refused).
        final CliRunner result = refused(command, "--mix", mix);
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertEquals("steer " + command + ": --mix " + mix + ": an empty entry; must be udp=W, tcp=W or icmp=W"
            + " (integer weights)", result.err().strip(), result.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "loadgen"})
    void shouldRefuseAMixEntryNamingItWhenItHasATrailingEqualsSign(String command) {
        final CliRunner result = refused(command, "--mix", "udp=1=");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertEquals("steer " + command + ": --mix udp=1=: 'udp=1=' must be udp=W, tcp=W or icmp=W (integer weights)",
            result.err().strip(), result.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "loadgen"})
    void shouldSayWhatSizesAreAllowedOnceWhenTheSizesOptionIsEmpty(String command) {
        final CliRunner result = refused(command, "--sizes", "");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertEquals("steer " + command + ": --sizes '': must be a frame size in bytes (64), imix, or a list of SIZE or"
            + " SIZE:WEIGHT such as 64:7,594:4,1518:1", result.err().strip(), result.toString());
    }

    @Test
    void shouldNotCallAPositiveSizeWeightNotPositiveWhenItIsAboveTheLargestWeight() {
        final CliRunner result = refused("run", "--sizes", "1500:1000001");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().contains("traffic.frame-size weight 1000001 of size 1500: must be 0..1000000"),
            result.toString());
        assertFalse(result.err().contains("at least one must be positive"), "1000001 is positive: " + result);
    }

    @Test
    void shouldStillAskForAPositiveSizeWeightWhenEveryWeightIsZero() {
        final CliRunner result = refused("run", "--sizes", "1500:0");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().contains("traffic.frame-size weights [0]: at least one must be positive"), result.toString());
    }

    @Test
    void shouldSayFlowsArePerQueueAndTheRateIsTheTotalWhenTheFeedHasSeveralQueues() {
        // The summary said "100 flows, ..., rate 2000 pps x2 queues": read as 2 x 2,000/s and 100 distinct flows, where
        // the rate is the total over the queues and each queue makes its own 100 flows (docs/traffic.md).
        final CliRunner result = CliRunner.run("run", "--feed", "synthetic", "--queues", "2", "--flows", "100",
            "--rate", "2000", "--duration", "300ms", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertTrue(result.out().contains("synthetic traffic: 100 flows per queue, sizes [64:1], rate 2000 pps in total,"
            + " x2 queues, cpus "), result.toString());
    }

    @Test
    void shouldKeepTheTrafficWordsOfOneQueueWhenTheFeedHasOneQueue() {
        final CliRunner result = CliRunner.run("run", "--feed", "synthetic", "--flows", "100", "--rate", "2000",
            "--duration", "300ms", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertTrue(result.out().contains("synthetic traffic: 100 flows, sizes [64:1], rate 2000 pps, cpus "),
            result.toString());
    }

    @Test
    void shouldSayInTheRunHelpThatFlowsArePerFeedQueue() {
        final String help = CliRunner.run("run", "--help").out().replaceAll("\\s+", " ");
        final int flows = help.indexOf("--flows=N ");
        final String text = help.substring(flows, help.indexOf("--sizes=SIZES ", flows));
        assertTrue(text.contains("per feed queue"), "--rate says total, --flows must say per queue: " + text);
    }
}
