package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An option of one feed type given while the run uses another ({@code --pcap FILE} without {@code --feed pcap})
 * is refused before the run, instead of being ignored while the default feed runs.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FeedOptionTest {
    @TempDir
    Path dir;

    @Test
    void shouldRefuseThePcapOptionWhenTheFeedIsNotPcap() throws IOException {
        final Path capture = Files.write(dir.resolve("c.pcap"), new byte[] {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2,
            (byte) 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 0, 0, 1, 0, 0, 0});
        final CliRunner result = CliRunner.run("run", "--pcap", capture.toString(), "--duration", "1s");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().contains("--pcap") && result.err().contains("--feed pcap")
            && result.err().contains("aeron"), result.toString());
    }

    @Test
    void shouldRefuseTheListenOptionWhenTheConfigFileChoosesAnotherFeed() throws IOException {
        final Path file = Files.writeString(dir.resolve("s.conf"), "steer { feed { type = synthetic } }\n");
        final CliRunner result = CliRunner.run("run", "--config", file.toString(), "--listen", "127.0.0.1:0",
            "--duration", "1s");
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().contains("--listen") && result.err().contains("--feed udp")
            && result.err().contains("synthetic"), result.toString());
    }

    @Test
    void shouldFailTheRunNotTheOptionsWhenTheUdpPortIsTaken() throws IOException {
        try (java.net.DatagramSocket taken = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            final CliRunner result = CliRunner.run("run", "--feed", "udp", "--listen", "127.0.0.1:" + taken.getLocalPort(),
                "--duration", "1s", "--no-pin");
            assertEquals(SteerCli.EXIT_FAILED, result.exit(), "a feed that did not open: " + result);
            assertTrue(result.err().contains("command line: steer.feed.udp.bind: '127.0.0.1:" + taken.getLocalPort()
                + "': cannot bind ("), result.toString());
        }
    }

    @Test
    void shouldNameFileLineAndKeyWhenTheUdpFeedCannotBindTheFilesAddress() throws IOException {
        // It was "bindAddress='192.0.2.1', port=9000: cannot bind" (exit 3): which file, which line?
        org.junit.jupiter.api.Assumptions.assumeTrue(!"1".equals(Files.readString(
            Path.of("/proc/sys/net/ipv4/ip_nonlocal_bind")).strip()), "this host binds addresses it does not have");
        // 192.0.2.1 (TEST-NET-1, RFC 5737) is no address of this host.
        final Path file = Files.writeString(dir.resolve("udp.conf"), "steer.feed {\n  type = udp\n"
            + "  udp.bind = \"192.0.2.1:9000\"\n}\n");
        final CliRunner result = CliRunner.run("run", "--config", file.toString(), "--duration", "1s", "--no-pin");
        assertEquals(SteerCli.EXIT_FAILED, result.exit(), "a feed that did not open: " + result);
        assertTrue(result.err().contains(file + ":3: steer.feed.udp.bind: '192.0.2.1:9000': cannot bind ("),
            result.toString());
    }
}
