package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code steer loadgen --to aeron} on an IPC channel through its own embedded media driver can reach no other
 * process: it is refused before sending, instead of "sending" for the whole duration with every attempt
 * back-pressured and exit 0.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LoadgenIpcTest {
    @Test
    void shouldRefuseAnIpcChannelWhenTheDriverIsEmbedded() {
        final CliRunner result = CliRunner.run("loadgen", "--to", "aeron", "--count", "1000", "--duration", "2s");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().contains("aeron:ipc") && result.err().contains("--aeron-dir")
            && result.err().contains("aeron:udp"), result.toString());
    }

    @Test
    void shouldRefuseASpyChannelNamingTheChannelToSendOnWhenItIsGiven() {
        // A spy reads a publication; a publisher on it would be one on the channel after the prefix, which is what the
        // user means to name. Taken as given, it "sent" nothing for the whole duration and exited 0.
        final CliRunner result = CliRunner.run("loadgen", "--to", "aeron", "--channel",
            "aeron-spy:aeron:udp?endpoint=127.0.0.1:40123", "--count", "1000", "--duration", "2s");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().contains("--to aeron --channel aeron-spy:aeron:udp?endpoint=127.0.0.1:40123: a spy"
            + " channel is for a subscriber (the engine's feed); send on aeron:udp?endpoint=127.0.0.1:40123"),
            result.toString());
    }
}
