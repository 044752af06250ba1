package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    }
}
