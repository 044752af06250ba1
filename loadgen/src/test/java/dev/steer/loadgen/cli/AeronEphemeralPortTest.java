package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code steer run --channel aeron:udp?endpoint=HOST:0}: the media driver binds each queue's subscription to a port of
 * its own; the run's own traffic must go to those ports, not to port 0, and the run names them at start, so that an
 * external publisher knows where to send.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AeronEphemeralPortTest {
    private static final Pattern LISTENING =
        Pattern.compile("listening on 127\\.0\\.0\\.1:([0-9]+) stream 1001, 127\\.0\\.0\\.1:([0-9]+) stream 1002");

    @Test
    void shouldSendItsTrafficToAndNameThePortsTheDriverBoundWhenTheAeronEndpointHasPortZero() throws Exception {
        final CliRunner result = CliRunner.run("run", "--channel", "aeron:udp?endpoint=127.0.0.1:0", "--queues", "2",
            "--duration", "2s", "--rate", "2000", "--json", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final JsonNode json = new ObjectMapper().readTree(result.out().strip());
        // Each queue's own: the total alone holds with one queue's sender publishing where no subscription of its
        // stream listens (never connected, it sends nothing and the run still ends well).
        final JsonNode ingresses = json.get("ingresses");
        assertEquals(2, ingresses.size(), ingresses.toString());
        for (JsonNode ingress : ingresses) {
            assertTrue(ingress.get("counters").get("received").asLong() > 0,
                "the run's traffic reached " + ingress.get("name") + ": " + json.get("accounting"));
        }
        final Matcher listening = LISTENING.matcher(result.err());
        assertTrue(listening.find(), "said at start, for a publisher to use: " + result.err());
        assertNotEquals(listening.group(1), listening.group(2), "one port per queue: " + listening.group());
        // The summary (and the JSON's run.feed, the report's title) name the ports bound, as a UDP feed's does.
        final String feed = json.get("run").get("feed").asText();
        assertTrue(feed.startsWith("aeron aeron:udp?endpoint=127.0.0.1:" + listening.group(1) + "," + listening.group(2)
            + " stream 1001, ") && feed.contains(" x2 queues"), feed);
        assertFalse(feed.contains(":0"), feed);
    }

    @Test
    void shouldNameThePortTheDriverBoundInTheTextSummaryWhenOneQueueListensOnPortZero() throws Exception {
        final CliRunner result = CliRunner.run("run", "--channel", "aeron:udp?endpoint=127.0.0.1:0|term-length=1m",
            "--duration", "1s", "--rate", "1000", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final Matcher listening = Pattern.compile("listening on 127\\.0\\.0\\.1:([0-9]+) stream 1001")
            .matcher(result.err());
        assertTrue(listening.find(), result.err());
        final Matcher summary = Pattern.compile("Run summary: program [^,]+, feed aeron (\\S+) stream 1001, ")
            .matcher(result.out());
        assertTrue(summary.find(), result.out());
        final String channel = summary.group(1);
        // The channel a publisher reaches the feed on, its other parameters kept (in Aeron's order).
        assertTrue(channel.startsWith("aeron:udp?") && channel.contains("endpoint=127.0.0.1:" + listening.group(1))
            && channel.contains("term-length=1m") && !channel.contains(":0"), channel);
    }

    @Test
    void shouldRefuseAMulticastEndpointOnPortZeroBeforeTheRunStartsNamingTheKey() {
        final CliRunner result = CliRunner.run("run", "--channel", "aeron:udp?endpoint=239.1.2.3:0", "--duration", "1s",
            "--no-pin");
        assertNotEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        // As every option's error: its origin and the key it sets (--channel: steer.feed.aeron.channel).
        assertTrue(result.err().contains("command line: steer.feed.aeron.channel: aeron channel='aeron:udp?endpoint="
            + "239.1.2.3:0': endpoint 239.1.2.3:0 is a multicast group on port 0")
            && result.err().contains("port 1..65535"), result.err());
        assertFalse(result.err().contains("opening"), "refused before any feed opens: " + result.err());
    }
}
