package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code steer run --feed udp --listen HOST:0}: each queue binds a port of its own, and the run names the ports it
 * bound, not {@code 0}, in the feed names, the summary's feed and at start, so an external sender knows where to send.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdpEphemeralPortTest {
    private static final Pattern FEED_NAME = Pattern.compile("udp:127\\.0\\.0\\.1:([0-9]+)");

    @Test
    void shouldNameEveryQueueByThePortItBoundWhenListeningOnPortZero() throws Exception {
        final CliRunner result = CliRunner.run("run", "--feed", "udp", "--listen", "127.0.0.1:0", "--queues", "2",
            "--duration", "1s", "--rate", "2000", "--json", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final JsonNode root = new ObjectMapper().readTree(result.out().strip());
        final List<Integer> ports = new ArrayList<>();
        for (JsonNode feed : root.get("feed_counts")) {
            final Matcher name = FEED_NAME.matcher(feed.get("feed").asText());
            assertTrue(name.matches(), "a feed named by its address: " + feed);
            ports.add(Integer.parseInt(name.group(1)));
        }
        assertEquals(2, ports.size(), root.get("feed_counts").toString());
        assertNotEquals(0, ports.get(0), "the bound port, not the 0 asked for: " + ports);
        assertNotEquals(0, ports.get(1), "the bound port, not the 0 asked for: " + ports);
        assertNotEquals(ports.get(0), ports.get(1), "one port per queue: " + ports);
        final String feed = root.get("run").get("feed").asText();
        assertTrue(feed.startsWith("udp 127.0.0.1:" + ports.get(0) + "," + ports.get(1) + ", ")
            && feed.contains(" x2 queues"), feed);
        assertFalse(feed.contains(":0"), feed);
        assertTrue(result.err().contains("listening on 127.0.0.1:" + ports.get(0) + ", 127.0.0.1:" + ports.get(1)),
            "said at start, for a sender to use: " + result.err());
    }
}
