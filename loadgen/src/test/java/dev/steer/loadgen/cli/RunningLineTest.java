package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code steer run} says when the engine is actually polling: an AF_PACKET feed's socket is open seconds before (its
 * ring fills and overruns meanwhile), so "starting the engine" is not the moment to send from. The runs last a second,
 * not less: under load the ingresses' first polls and the engine's stats answers take a few hundred ms each; a run
 * that ends first still says the line, from its last sample.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RunningLineTest {
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void shouldSayOnceThatEveryIngressIsPollingAfterTheEngineHasStarted(int queues) {
        final CliRunner result = CliRunner.run("run", "--feed", "synthetic", "--queues", String.valueOf(queues),
            "--duration", "1s", "--interval", "100ms", "--rate", "1000", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final String err = result.err();
        final String line = "steer run: running: " + queues + (queues == 1 ? " ingress" : " ingresses") + " polling";
        final int starting = err.indexOf("steer run: starting the engine");
        final int running = err.indexOf(line);
        assertTrue(starting >= 0 && running > starting, "'" + line + "' after the engine's start: " + result);
        assertEquals(running, err.lastIndexOf(line), "said once: " + result);
    }

    @Test
    void shouldSayTheLineOnceWhenTheRunEndsBeforeItsFirstLook() {
        final CliRunner result = CliRunner.run("run", "--feed", "synthetic", "--duration", "1ms", "--rate", "1000",
            "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final String err = result.err();
        final int running = err.indexOf("steer run: running: ");
        assertTrue(running > err.indexOf("steer run: starting the engine"), "said after the engine's start: " + result);
        assertEquals(running, err.lastIndexOf("steer run: running: "), "said once: " + result);
    }

    /**
     * Without senders of its own the run says the line from its feeds' first polls since their release too (the
     * engine's POLLS also count the polls of a held feed): an external sender starts from it.
     */
    @Test
    void shouldSayEveryIngressPollingWhenTheRunHasNoSendersOfItsOwn() {
        final CliRunner result = CliRunner.run("run", "--feed", "udp", "--listen", "127.0.0.1:0", "--queues", "2",
            "--duration", "1s", "--interval", "500ms", "--no-traffic", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final String err = result.err();
        final String line = "steer run: running: 2 ingresses polling; the run's time has started";
        final int running = err.indexOf(line);
        assertTrue(running > err.indexOf("steer run: starting the engine"), "said after the engine's start: " + result);
        assertEquals(running, err.lastIndexOf(line), "said once: " + result);
    }

    /**
     * The run's own senders start once every feed was polled since its release: with a receive buffer of a few
     * datagrams and a fast sender, the kernel would otherwise drop their first datagrams before the feed's first poll,
     * where they count as drops before the first poll, the engine's start-up's and no interval's.
     */
    @Test
    void shouldSayEveryIngressPollingBeforeTheSendersStartWhenTheRunSendsIntoUdp(@TempDir Path dir) throws Exception {
        final Path config = Files.writeString(dir.resolve("small-buffer.conf"),
            "steer.feed.udp { receive-buffer = 1024 }\n");
        final CliRunner result = CliRunner.run("run", "--config", config.toString(), "--feed", "udp", "--listen",
            "127.0.0.1:0", "--queues", "2", "--duration", "1s", "--interval", "500ms", "--rate", "200000", "--json",
            "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final String err = result.err();
        final int running = err.indexOf("steer run: running: 2 ingresses polling; the run's time has started");
        final int sending = err.indexOf("steer run: sending synthetic traffic into udp");
        assertTrue(running >= 0 && sending > running, "every ingress polled before the senders started: " + result);
        final JsonNode feeds = new ObjectMapper().readTree(result.out().strip()).get("feed_counts");
        assertEquals(2, feeds.size(), feeds.toString());
        for (JsonNode feed : feeds) {
            assertEquals(0, feed.get("kernel_drops_before_first_poll").asLong(),
                "nothing was sent before the feed's first poll: " + feed);
        }
    }
}
