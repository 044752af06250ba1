package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.steer.ingress.pcap.PcapWriter;
import dev.steer.ingress.pcap.PcapngWriter;
import dev.steer.loadgen.traffic.TrafficGenerator;
import dev.steer.loadgen.traffic.TrafficProfile;

/**
 * {@code steer run --feed pcap} shows what the replay counted: one {@code capture:} line in the summary (only the
 * counts that are not 0), a {@code capture_counts} object per feed in the JSON, the line on the report page, and
 * pcapng blocks of unknown type as a warning (packets may be lost), not a failure.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CaptureCountsCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long T0 = 1_700_000_000_000_000_000L;
    /** A block type pcapng does not define: an enhanced packet block (6) with one bit of its type flipped. */
    private static final int DAMAGED_EPB_TYPE = 0x4006;
    /** The non-Ethernet count names the link types, so a user knows what the capture holds instead. */
    private static final String MIXED_LINE = "capture: pcap:mixed.pcapng: 7 packets in 1 pass, 2 snapped, 1 above"
        + " snaplen (replayed whole), 1 truncated, 1 non-Ethernet (link type 101 RAW), 2 pcapng blocks skipped (1 of"
        + " unknown type:"
        + " warning, packets may be lost)";

    /**
     * A pcapng capture with one of everything the feed counts: 4 whole packets, 2 snapped, 1 above its interface's
     * snaplen, 1 with no captured bytes, 1 on a raw-IP interface, a statistics block and a block of unknown type.
     */
    private static Path mixedCapture(Path dir) {
        final Path file = dir.resolve("mixed.pcapng");
        final TrafficGenerator generator = new TrafficGenerator(TrafficProfile.defaults().withFlows(64));
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[2048]);
        try (PcapngWriter writer = PcapngWriter.create(file, ByteOrder.LITTLE_ENDIAN)) {
            final int whole = writer.addInterface(PcapngWriter.LINKTYPE_ETHERNET, PcapngWriter.DEFAULT_SNAPLEN,
                PcapngWriter.TSRESOL_MICROS, 0);
            final int small = writer.addInterface(PcapngWriter.LINKTYPE_ETHERNET, 40, PcapngWriter.TSRESOL_MICROS, 0);
            final int rawIp = writer.addInterface(101, PcapngWriter.DEFAULT_SNAPLEN, PcapngWriter.TSRESOL_MICROS, 0);
            long at = T0;
            for (int i = 0; i < 4; i++) {
                final int length = generator.next(buffer, 0, buffer.capacity());
                writer.write(whole, buffer, 0, length, length, at += 1_000);
            }
            for (int i = 0; i < 2; i++) {
                final int length = generator.next(buffer, 0, buffer.capacity());
                writer.write(whole, buffer, 0, 50, length, at += 1_000); // snapped: 50 of its bytes captured
            }
            writer.writeBlock(5, new byte[20]); // interface statistics: skipped, a type the format defines
            int length = generator.next(buffer, 0, buffer.capacity());
            writer.write(small, buffer, 0, length, length, at += 1_000); // above the interface's 40-byte snaplen
            length = generator.next(buffer, 0, buffer.capacity());
            writer.write(whole, buffer, 0, 0, length, at += 1_000); // nothing captured: feed_truncated
            length = generator.next(buffer, 0, buffer.capacity());
            writer.write(rawIp, buffer, 0, length, length, at += 1_000); // not Ethernet: feed_truncated, foreign link
            writer.writeBlock(DAMAGED_EPB_TYPE, new byte[20 + 64]);
        }
        return file;
    }

    /** A classic pcap capture of {@code packets} whole packets of synthetic traffic. */
    static Path cleanCapture(Path file, int packets) {
        final long[] times = new long[packets];
        for (int i = 0; i < packets; i++) {
            times[i] = i * 1_000L;
        }
        return captureAt(file, times);
    }

    /** A classic pcap capture of whole packets of synthetic traffic, one at each of {@code times} (ns), in order. */
    private static Path captureAt(Path file, long... times) {
        final TrafficGenerator generator = new TrafficGenerator(TrafficProfile.defaults().withFlows(64));
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[2048]);
        try (PcapWriter writer = PcapWriter.create(file)) {
            for (long at : times) {
                writer.write(buffer, 0, generator.next(buffer, 0, buffer.capacity()), at);
            }
        }
        return file;
    }

    /** A classic pcap capture of a whole packet of synthetic traffic, then one of {@code length} bytes after it. */
    private static Path withOneOf(Path file, int length) {
        final TrafficGenerator generator = new TrafficGenerator(TrafficProfile.defaults().withFlows(64));
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[Math.max(2048, length)]);
        try (PcapWriter writer = PcapWriter.create(file)) {
            writer.write(buffer, 0, generator.next(buffer, 0, 2048), T0);
            writer.write(buffer, 0, length, T0 + 1_000);
        }
        return file;
    }

    /**
     * A classic LINUX_SLL2 capture, as {@code tcpdump -i any} writes: {@code packets} packets of synthetic traffic with
     * a cooked header in place of their Ethernet header, then one whose protocol is 4 (802.2 LLC), no EtherType.
     */
    private static Path cookedCapture(Path file, int packets) {
        final TrafficGenerator generator = new TrafficGenerator(TrafficProfile.defaults().withFlows(64));
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[2048]);
        final UnsafeBuffer cooked = new UnsafeBuffer(new byte[2048]);
        try (PcapWriter writer = PcapWriter.create(file, ByteOrder.LITTLE_ENDIAN, PcapWriter.Resolution.MICROS,
            PcapWriter.DEFAULT_SNAPLEN, 276)) {
            for (int i = 0; i <= packets; i++) {
                final int length = generator.next(frame, 0, frame.capacity());
                final short protocol = i < packets ? frame.getShort(12, ByteOrder.BIG_ENDIAN) : 4;
                cooked.putShort(0, protocol, ByteOrder.BIG_ENDIAN);
                cooked.putShort(8, (short) 1, ByteOrder.BIG_ENDIAN); // ARPHRD_ETHER
                cooked.putByte(11, (byte) 6);
                cooked.putBytes(12, frame, 6, 6); // the sender's MAC
                cooked.putBytes(20, frame, 14, length - 14);
                writer.write(cooked, 0, length + 6, T0 + i * 1_000L);
            }
        }
        return file;
    }

    private static List<String> captureLines(String out) {
        return out.lines().filter(line -> line.startsWith("capture")).toList();
    }

    @Test
    void shouldPrintOneShortCaptureLineWhenTheCaptureIsClean(@TempDir Path dir) {
        final Path file = cleanCapture(dir.resolve("clean.pcap"), 3);
        final CliRunner result = CliRunner.run("run", "--feed", "pcap", "--pcap", file.toString(), "--loops", "2",
            "--no-pin", "--lossless");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertEquals(List.of("capture: pcap:clean.pcap: 6 packets in 2 passes"), captureLines(result.out()),
            result.toString());
        assertFalse(result.err().contains("warning"), "nothing to warn of: " + result);
    }

    @Test
    void shouldCountTheConvertedPacketsAndNameTheOthersWhenTheCaptureIsLinuxCooked(@TempDir Path dir)
        throws IOException {
        final Path file = cookedCapture(dir.resolve("any.pcap"), 3);
        final CliRunner text = CliRunner.run("run", "--feed", "pcap", "--pcap", file.toString(), "--no-pin",
            "--lossless");
        assertEquals(SteerCli.EXIT_OK, text.exit(), text.toString());
        assertEquals(List.of("capture: pcap:any.pcap: 3 packets in 1 pass, 3 converted from LINUX_SLL2, 1 non-Ethernet"
            + " (link type 276 LINUX_SLL2, no EtherType)"), captureLines(text.out()), text.toString());
        final CliRunner json = CliRunner.run("run", "--feed", "pcap", "--pcap", file.toString(), "--no-pin",
            "--lossless", "--json");
        assertEquals(SteerCli.EXIT_OK, json.exit(), json.toString());
        final JsonNode root = JSON.readTree(json.out().strip());
        final JsonNode capture = root.get("capture_counts").get(0);
        assertEquals(3, capture.get("records").asLong(), capture.toString());
        assertEquals(0, capture.get("converted_linux_sll").asLong(), capture.toString());
        assertEquals(3, capture.get("converted_linux_sll2").asLong(), capture.toString());
        assertEquals(1, capture.get("foreign_link").asLong(), capture.toString());
        assertEquals("[276]", capture.get("foreign_link_types").toString(), capture.toString());
        assertEquals(0, capture.get("truncated").asLong(), capture.toString());
        final JsonNode accounting = root.get("accounting");
        assertEquals(4, accounting.get("received").asLong(), accounting.toString());
        assertEquals(1, accounting.get("dropped").get("feed_truncated").asLong(), accounting.toString());
    }

    @Test
    void shouldNameEveryNonZeroCountAndWarnWithoutFailingWhenPcapngBlocksOfUnknownTypeWereSkipped(@TempDir Path dir) {
        final Path file = mixedCapture(dir);
        final CliRunner result = CliRunner.run("run", "--feed", "pcap", "--pcap", file.toString(), "--no-pin",
            "--lossless");
        assertEquals(SteerCli.EXIT_OK, result.exit(), "a warning, not a failure: " + result);
        assertEquals(List.of(MIXED_LINE), captureLines(result.out()), result.toString());
        assertTrue(result.err().contains("steer run: warning: capture pcap:mixed.pcapng: 1 pcapng block of a type the"
            + " format does not define skipped in " + file + "; a packet block whose type field is damaged looks the"
            + " same, so packets may be lost"), result.toString());
        assertTrue(result.out().contains(": OK"), "the accounting balances: " + result);
    }

    @Test
    void shouldWarnNamingThePoolFrameSizeWithoutFailingWhenCapturedPacketsDoNotFitAFrame(@TempDir Path dir) {
        // The shape of a capture taken on a host with GRO or TSO: tcpdump saw a 3066-byte TCP segment on a 1500 MTU.
        final Path file = withOneOf(dir.resolve("gro.pcap"), 3066);
        final CliRunner result = CliRunner.run("run", "--feed", "pcap", "--pcap", file.toString(), "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), "counted drops, not a failure: " + result);
        assertTrue(result.err().contains("steer run: warning: 1 captured packet did not fit a pool frame"
            + " (steer.engine.pool.frame-size 2048 - headroom 256 = 1792 bytes) and was dropped as oversize (a capture"
            + " taken on a host with GRO or TSO holds packets above the MTU): raise steer.engine.pool.frame-size (up to"
            + " 65536, a room of 65280 bytes) to replay it if it fits; a larger packet cannot be replayed at any frame"
            + " size: capture with GRO and TSO off (ethtool -K IF gro off tso off)"), result.toString());
    }

    @Test
    void shouldSayAPacketAboveTheLargestRoomCannotBeReplayedWhenACapturedPacketFitsNoFrameSize(@TempDir Path dir) {
        // 65549 bytes: above the 65280 bytes even a 65536-byte frame holds, so raising the frame size cannot help.
        final Path file = withOneOf(dir.resolve("gro64k.pcap"), 65_549);
        final CliRunner result = CliRunner.run("run", "--feed", "pcap", "--pcap", file.toString(), "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), "counted drops, not a failure: " + result);
        assertTrue(result.err().contains("steer run: warning: 1 captured packet did not fit a pool frame"
            + " (steer.engine.pool.frame-size 2048 - headroom 256 = 1792 bytes) and was dropped as oversize"),
            result.toString());
        assertTrue(result.err().contains("; a larger packet cannot be replayed at any frame size: capture with GRO and"
            + " TSO off (ethtool -K IF gro off tso off)"), result.toString());
    }

    @Test
    void shouldNotAdviseRaisingTheFrameSizeWhenItIsAlreadyTheLargestAllowed(@TempDir Path dir) throws IOException {
        // GRO aggregates up to 64 KiB of IP payload: 65549 bytes with the Ethernet header, above what even a 65536-byte
        // frame holds (65536 - headroom 256).
        final Path file = withOneOf(dir.resolve("gro64k.pcap"), 65_549);
        final Path conf = dir.resolve("large.conf");
        Files.writeString(conf, "steer { engine { pool { frames = 1024, frame-size = 65536 } } }\n");
        final CliRunner result = CliRunner.run("run", "--config", conf.toString(), "--feed", "pcap", "--pcap",
            file.toString(), "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), "counted drops, not a failure: " + result);
        assertTrue(result.err().contains("oversize"), "the drop is still warned of: " + result);
        assertFalse(result.err().contains("raise steer.engine.pool.frame-size (up to 65536)"),
            "frame-size is 65536 already: raising it cannot help: " + result);
    }

    @Test
    void shouldPutEveryCountInTheJsonWhenTheCaptureCountedSome(@TempDir Path dir) throws IOException {
        final Path file = mixedCapture(dir);
        final CliRunner result = CliRunner.run("run", "--feed", "pcap", "--pcap", file.toString(), "--json", "--no-pin",
            "--lossless");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final JsonNode root = JSON.readTree(result.out().strip());
        final JsonNode counts = root.get("capture_counts");
        assertEquals(1, counts.size(), root.toString());
        final JsonNode capture = counts.get(0);
        assertEquals("pcap:mixed.pcapng", capture.get("feed").asText());
        assertEquals(file.toString(), capture.get("file").asText());
        assertEquals("pcapng", capture.get("format").asText());
        assertEquals(7, capture.get("records").asLong(), capture.toString());
        assertEquals(1, capture.get("passes").asLong(), capture.toString());
        assertEquals(2, capture.get("snapped").asLong(), capture.toString());
        assertEquals(1, capture.get("above_snaplen").asLong(), capture.toString());
        assertEquals(1, capture.get("truncated").asLong(), capture.toString());
        assertEquals(1, capture.get("foreign_link").asLong(), capture.toString());
        assertEquals("[101]", capture.get("foreign_link_types").toString(), capture.toString());
        assertEquals(2, capture.get("skipped_blocks").asLong(), capture.toString());
        assertEquals(1, capture.get("unknown_blocks").asLong(), capture.toString());
        assertEquals(0, capture.get("gaps_cut").asLong(), capture.toString());
        assertEquals(0, capture.get("pacing_restarts").asLong(), capture.toString());
        assertTrue(capture.get("possible_loss").asBoolean(), capture.toString());
        // The counts agree with the engine's accounting: what was handed over was received, the rest feed_truncated.
        final JsonNode accounting = root.get("accounting");
        assertEquals(7 + 2, accounting.get("received").asLong(), accounting.toString());
        assertEquals(2, accounting.get("dropped").get("feed_truncated").asLong(), accounting.toString());
        assertEquals(0, root.get("capture_damage").size(), "skipped blocks are no damage");
        assertTrue(root.get("failure").isNull(), root.toString());
    }

    @Test
    void shouldCountAPacingRestartInTheLineAndTheJsonWhenTwoCapturesWereAppended(@TempDir Path dir) throws IOException {
        // A 10 s capture, then a second one appended: the file steps back 10 s, beyond the restart bound.
        final Path file = captureAt(dir.resolve("appended.pcap"), T0 + 10_000_000_000L, T0 + 10_001_000_000L, T0,
            T0 + 1_000_000L);
        final CliRunner text = CliRunner.run("run", "--feed", "pcap", "--pcap", file.toString(), "--pace", "capture",
            "--no-pin", "--lossless");
        assertEquals(SteerCli.EXIT_OK, text.exit(), text.toString());
        assertEquals(List.of("capture: pcap:appended.pcap: 4 packets in 1 pass, 1 pacing restart"),
            captureLines(text.out()), text.toString());
        final CliRunner json = CliRunner.run("run", "--feed", "pcap", "--pcap", file.toString(), "--pace", "capture",
            "--no-pin", "--lossless", "--json");
        assertEquals(SteerCli.EXIT_OK, json.exit(), json.toString());
        final JsonNode capture = JSON.readTree(json.out().strip()).get("capture_counts").get(0);
        assertEquals(1, capture.get("pacing_restarts").asLong(), capture.toString());
        assertEquals(0, capture.get("gaps_cut").asLong(), capture.toString());
    }

    @Test
    void shouldHaveTheSameKeysWhenTheCaptureIsClean(@TempDir Path dir) throws IOException {
        final Path file = cleanCapture(dir.resolve("clean.pcap"), 3);
        final CliRunner result = CliRunner.run("run", "--feed", "pcap", "--pcap", file.toString(), "--json", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final JsonNode capture = JSON.readTree(result.out().strip()).get("capture_counts").get(0);
        assertEquals("{\"feed\":\"pcap:clean.pcap\",\"file\":" + JSON.writeValueAsString(file.toString())
            + ",\"format\":\"pcap\",\"records\":3,\"passes\":1,\"converted_linux_sll\":0,"
            + "\"converted_linux_sll2\":0,\"snapped\":0,\"above_snaplen\":0,\"truncated\":0,"
            + "\"foreign_link\":0,\"foreign_link_types\":[],\"skipped_blocks\":0,\"unknown_blocks\":0,\"gaps_cut\":0,"
            + "\"pacing_restarts\":0,\"possible_loss\":false}",
            capture.toString());
    }

    @Test
    void shouldShowTheCaptureLineAndTheWarningOnTheReportPageWhenBlocksOfUnknownTypeWereSkipped(@TempDir Path dir)
        throws IOException {
        final Path file = mixedCapture(dir);
        final Path report = dir.resolve("report");
        final CliRunner result = CliRunner.run("run", "--feed", "pcap", "--pcap", file.toString(), "--no-pin",
            "--lossless", "--report", report.toString());
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final String html = Files.readString(report.resolve("index.html"));
        assertTrue(html.contains(MIXED_LINE), "the capture line, as the summary prints it");
        assertTrue(html.contains("<p class=\"warn\">warning: capture pcap:mixed.pcapng: 1 pcapng block of a type the"
            + " format does not define skipped in "), "the possible loss as a warning");
        assertTrue(html.contains("<p class=\"ok\">"), "a warning, not a failure: the accounting stays green");
        assertFalse(html.contains("<p class=\"lost\">"), "not in red");
        final JsonNode written = JSON.readTree(report.resolve("summary.json").toFile());
        assertEquals(1, written.at("/capture_counts/0/unknown_blocks").asLong(), written.toString());
    }

    @Test
    void shouldShowNoWarningOnTheReportPageWhenTheCaptureIsClean(@TempDir Path dir) throws IOException {
        final Path file = cleanCapture(dir.resolve("clean.pcap"), 3);
        final Path report = dir.resolve("report");
        final CliRunner result = CliRunner.run("run", "--feed", "pcap", "--pcap", file.toString(), "--no-pin",
            "--report", report.toString());
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final String html = Files.readString(report.resolve("index.html"));
        assertTrue(html.contains("capture: pcap:clean.pcap: 3 packets in 1 pass\n"), "the one short line");
        assertFalse(html.contains("class=\"warn\">"), "nothing to warn of");
    }
}
