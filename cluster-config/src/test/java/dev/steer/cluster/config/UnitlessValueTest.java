package dev.steer.cluster.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.steer.engine.map.CpuSet;

/**
 * Durations need a unit: HOCON reads a bare number as milliseconds, so {@code interval = 5} meant to be 5 s ran at
 * 5 ms (or was refused as out of range, which named the wrong number). Sizes take a bare number as bytes, and a size
 * that is no size names the allowed range.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UnitlessValueTest {
    private final DeploymentLoader loader = new DeploymentLoader(CpuSet.of(4, 0, 1, 3));

    @TempDir
    Path dir;

    private List<String> problems(String name, String text) throws IOException {
        final Path file = Files.writeString(dir.resolve(name), text);
        return assertThrows(DeploymentException.class, () -> loader.load(file)).problems().stream()
            .map(p -> p.substring(file.toString().length())).toList();
    }

    @Test
    void shouldRefuseADurationWhenItHasNoUnit() throws IOException {
        assertEquals(List.of(":1: steer.stats.interval: 5 has no unit (HOCON would read it as 5 ms): write one, such as"
            + " 5s or 5ms: must be 100ms..3600s"), problems("interval.conf", "steer.stats.interval = 5\n"));
        assertEquals(List.of(":1: steer.stats.interval: \"500\" has no unit (HOCON would read it as 500 ms): write one,"
            + " such as 500s or 500ms: must be 100ms..3600s"), problems("quoted.conf", "steer.stats.interval = \"500\"\n"));
        assertEquals(List.of(":1: steer.stats.interval: 2.5 has no unit (HOCON would read it as 2.5 ms): write one,"
            + " such as 2.5s or 2.5ms: must be 100ms..3600s"), problems("fraction.conf", "steer.stats.interval = 2.5\n"));
    }

    @Test
    void shouldRefuseEveryFeedDurationWhenItHasNoUnit() throws IOException {
        Files.write(dir.resolve("capture.pcap"), new byte[0]);
        assertEquals(List.of(":3: steer.feed.pcap.max-gap: 100 has no unit (HOCON would read it as 100 ms): write one,"
            + " such as 100s or 100ms: must be 1ms..86400s"),
            problems("gap.conf", "steer.feed {\n  type = pcap\n  pcap { file = capture.pcap, max-gap = 100 }\n}\n"));
        assertEquals(List.of(":3: steer.feed.afpacket.retire-timeout: 10 has no unit (HOCON would read it as 10 ms):"
            + " write one, such as 10s or 10ms: must be 1ms..10s"),
            problems("retire.conf", "steer.feed {\n  type = afpacket\n  afpacket { interface = eth0, retire-timeout = 10 }\n}\n"));
    }

    @Test
    void shouldNameTheRangeWhenASizeIsNegative() throws IOException {
        assertEquals(List.of(":3: steer.feed.udp.receive-buffer: must be a size in bytes, 0 (the system's default) or"
            + " 1024..1073741824, as a number of bytes or with a unit such as 64k or 4m, is -1"),
            problems("buffer.conf", "steer.feed {\n  type = udp\n  udp { bind = \"127.0.0.1:9100\", receive-buffer = -1 }\n}\n"));
        assertEquals(List.of(":3: steer.feed.afpacket.block-size: must be a size in bytes, 4096..67108864, as a number of"
            + " bytes or with a unit such as 64k or 4m, is \"big\""),
            problems("block.conf", "steer.feed {\n  type = afpacket\n  afpacket { interface = eth0, block-size = big }\n}\n"));
    }

    @Test
    void shouldReadABareSizeAsBytesWhenItIsInRange() throws IOException {
        final Path file = Files.writeString(dir.resolve("bytes.conf"),
            "steer.feed {\n  type = udp\n  udp { bind = \"127.0.0.1:9100\", receive-buffer = 65536 }\n}\n");
        assertEquals(65_536, loader.load(file).feed().udp().receiveBufferBytes());
    }
}
