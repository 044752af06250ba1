package dev.steer.ingress.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.steer.ingress.TestIngress;

/**
 * Every kind of damage: the records before it are delivered, the feed ends, and the damage names the file,
 * the exact byte offset and the reason, through the accessor and the listener; poll never throws.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PcapDamageTest {
    /** Three good 64-byte records: file header 24 + 3 x (16 + 64) bytes; the fourth record starts here. */
    private static final long FOURTH = 24 + 3 * 80;

    @TempDir
    Path dir;

    /** Writes a damaged file into {@code file}. */
    @FunctionalInterface
    interface Damager {
        void damage(Path file) throws IOException;
    }

    static Stream<Arguments> damages() {
        return Stream.of(
            Arguments.of("zero-length file", (Damager) file -> Files.write(file, new byte[0]),
                0, PcapDamage.Reason.ZERO_LENGTH_FILE, 0L, 0),
            Arguments.of("file header cut inside the magic", (Damager) file -> {
                goodFile(file, 3, PcapWriter.DEFAULT_SNAPLEN);
                cut(file, 3);
            }, 0, PcapDamage.Reason.HEADER_CUT, 0L, 0),
            Arguments.of("file header cut after the magic", (Damager) file -> {
                goodFile(file, 3, PcapWriter.DEFAULT_SNAPLEN);
                cut(file, 10);
            }, 0, PcapDamage.Reason.HEADER_CUT, 0L, 0),
            Arguments.of("bad magic", (Damager) file -> Files.write(file,
                "GIF89a, certainly not a capture file".getBytes()), 0, PcapDamage.Reason.BAD_MAGIC, 0L, 0),
            Arguments.of("record header cut", (Damager) file -> {
                goodFile(file, 3, PcapWriter.DEFAULT_SNAPLEN);
                append(file, Arrays.copyOf(recordHeader(64, 64), 7));
            }, 3, PcapDamage.Reason.RECORD_HEADER_CUT, FOURTH, 0),
            Arguments.of("record data cut short", (Damager) file -> {
                goodFile(file, 3, PcapWriter.DEFAULT_SNAPLEN);
                append(file, recordHeader(100, 100));
                append(file, new byte[40]);
            }, 3, PcapDamage.Reason.RECORD_DATA_CUT, FOURTH, 1),
            Arguments.of("incl_len above 256 KiB", (Damager) file -> {
                goodFile(file, 3, 0);
                append(file, recordHeader(PcapFeed.MAX_RECORD_LENGTH + 1, PcapFeed.MAX_RECORD_LENGTH + 1));
                append(file, new byte[PcapFeed.MAX_RECORD_LENGTH + 1]);
            }, 3, PcapDamage.Reason.RECORD_TOO_LARGE, FOURTH, 0),
            Arguments.of("incl_len negative as a signed int", (Damager) file -> {
                goodFile(file, 3, 0);
                append(file, recordHeader(-1, -1));
            }, 3, PcapDamage.Reason.RECORD_TOO_LARGE, FOURTH, 0),
            Arguments.of("incl_len above orig_len", (Damager) file -> {
                goodFile(file, 3, PcapWriter.DEFAULT_SNAPLEN);
                append(file, recordHeader(100, 50));
                append(file, new byte[100]);
            }, 3, PcapDamage.Reason.CAPTURED_ABOVE_ORIGINAL, FOURTH, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damages")
    void shouldDeliverFramesBeforeDamageThenEndAndReportFileOffsetAndReasonWhenFileIsDamaged(
        String name, Damager damager, int framesBefore, PcapDamage.Reason reason, long offset, int truncatedDrops)
        throws IOException {
        final Path file = dir.resolve("damaged.pcap");
        damager.damage(file);
        ReplayChecks.assertEndsAtTheDamage(file, framesBefore, reason, offset, truncatedDrops);
    }

    @Test
    void shouldEndWithoutThrowingWhenTheDamageListenerThrows() throws IOException {
        final Path file = dir.resolve("cut.pcap");
        goodFile(file, 3, PcapWriter.DEFAULT_SNAPLEN);
        append(file, new byte[5]);
        final PcapSettings settings = PcapSettings.of(file).withDamageListener(damage -> {
            throw new IllegalStateException("listener failure");
        });
        try (PcapFeed feed = new PcapFeed(settings); TestIngress ingress = new TestIngress()) {
            ingress.drain(feed, 10);
            assertEquals(3, ingress.frames.size());
            assertEquals(1, feed.listenerFailures());
            assertEquals(PcapDamage.Reason.RECORD_HEADER_CUT, feed.damage().orElseThrow().reason());
        }
    }

    static void goodFile(Path file, int records, int snaplen) {
        try (PcapWriter writer = PcapWriter.create(file, ByteOrder.LITTLE_ENDIAN, PcapWriter.Resolution.MICROS, snaplen,
            PcapWriter.LINKTYPE_ETHERNET)) {
            for (int i = 0; i < records; i++) {
                writer.write(PcapFeedTest.frame(i, 64), 1_000_000_000L * (i + 1));
            }
        }
    }

    static byte[] recordHeader(int included, int original) {
        final byte[] header = new byte[16];
        ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).putInt(10).putInt(0).putInt(included).putInt(original);
        return header;
    }

    static void append(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes, StandardOpenOption.APPEND);
    }

    static void cut(Path file, int length) throws IOException {
        Files.write(file, Arrays.copyOf(Files.readAllBytes(file), length));
    }
}
