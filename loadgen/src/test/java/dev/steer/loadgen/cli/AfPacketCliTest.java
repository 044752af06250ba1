package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.ingress.afpacket.NetNamespace;

/**
 * {@code steer run --feed afpacket} on one end of a veth pair in a network namespace the test creates, and
 * {@code steer loadgen --to afpacket} into the other end. Needs root: it creates a namespace and AF_PACKET
 * sockets need CAP_NET_RAW.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AfPacketCliTest {
    @Test
    void shouldSteerEveryFrameTheLoadgenSendsIntoTheOtherEndOfAVethPair() throws Exception {
        final String unavailable = NetNamespace.unavailableReason();
        Assumptions.assumeTrue(unavailable == null, () -> "skipped: " + unavailable);
        try (NetNamespace ns = NetNamespace.createUnique("steer-cli")) {
            ns.addVethPair("va", "vb", 1500);
            final CliRunner.Running run = CliRunner.start("run",
                "--feed", "afpacket", "--interface", "vb", "--netns", ns.name(), "--duration", "4s", "--json", "--no-pin");
            // The feed's socket is open once the run starts its engine; frames sent before would not be seen.
            assertTrue(run.awaitErr("starting the engine", 20), "the run opened its feed");
            final CliRunner loadgen = CliRunner.run("loadgen", "--to", "afpacket", "--netns", ns.name(), "--interface", "va",
                "--count", "2000", "--rate", "20000", "--duration", "10s");
            assertEquals(SteerCli.EXIT_OK, loadgen.exit(), loadgen.toString());
            final CliRunner result = run.result().get(30, TimeUnit.SECONDS);
            assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
            final JsonNode accounting = new ObjectMapper().readTree(result.out().strip()).get("accounting");
            assertEquals(2000, accounting.get("received").asLong(), accounting.toString());
            assertEquals(0, accounting.get("lost").asLong());
            assertEquals(0, accounting.get("in_flight").asLong());
            assertTrue(accounting.get("delivered").asLong() > 0, accounting.toString());
        }
    }

    @Test
    void shouldFailTheRunNamingTheInterfaceWhenItIsDeletedUnderTheFeed() throws Exception {
        final String unavailable = NetNamespace.unavailableReason();
        Assumptions.assumeTrue(unavailable == null, () -> "skipped: " + unavailable);
        try (NetNamespace ns = NetNamespace.createUnique("steer-del")) {
            ns.addVethPair("va", "vb", 1500);
            final CliRunner.Running run = CliRunner.start("run",
                "--feed", "afpacket", "--interface", "vb", "--netns", ns.name(), "--duration", "30s", "--no-pin");
            assertTrue(run.awaitErr("starting the engine", 20), "the run opened its feed");
            final Process del = new ProcessBuilder("ip", "-n", ns.name(), "link", "del", "vb").inheritIO().start();
            assertEquals(0, del.waitFor(), "ip link del");
            final CliRunner result = run.result().get(25, TimeUnit.SECONDS);
            assertEquals(SteerCli.EXIT_FAILED, result.exit(), "an input gone is a failed run: " + result);
            assertTrue(result.err().contains("steer run: the feed afpacket:vb") && result.err().contains("ended: "),
                result.toString());
        }
    }
}
