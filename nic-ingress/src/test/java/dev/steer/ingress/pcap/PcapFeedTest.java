package dev.steer.ingress.pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.steer.engine.path.Feed;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;
import dev.steer.ingress.TestIngress;

/** Replay of well-formed classic pcap files: formats, snapped and empty records, pace, loops, open errors. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PcapFeedTest {
    private static final long T0 = 1_700_000_000_123_456_789L;

    @TempDir
    Path dir;

    static byte[] frame(int seq, int length) {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seq * 31 + i);
        }
        return bytes;
    }

    static List<byte[]> writeFrames(Path file, ByteOrder order, PcapWriter.Resolution resolution, int count) {
        final List<byte[]> written = new ArrayList<>();
        try (PcapWriter writer = PcapWriter.create(file, order, resolution, PcapWriter.DEFAULT_SNAPLEN,
            PcapWriter.LINKTYPE_ETHERNET)) {
            for (int i = 0; i < count; i++) {
                final byte[] bytes = frame(i, 60 + i * 7 % 1400);
                writer.write(bytes, T0 + i * 1000L);
                written.add(bytes);
            }
        }
        return written;
    }

    @ParameterizedTest
    @CsvSource({"LITTLE_ENDIAN, MICROS", "LITTLE_ENDIAN, NANOS", "BIG_ENDIAN, MICROS", "BIG_ENDIAN, NANOS"})
    void shouldDeliverEveryRecordIntactAndInOrderWhenFileHasEitherByteOrderAndResolution(String orderName,
                                                                                         PcapWriter.Resolution resolution) throws Exception {
        final ByteOrder order = orderName.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        final Path file = dir.resolve("f.pcap");
        ReplayChecks.assertDeliversEveryFrameIntactAndInOrder(file, writeFrames(file, order, resolution, 300), false);
        // The byte order really differs on disk: the magic's first byte.
        final byte first = Files.readAllBytes(file)[0];
        assertEquals(order == ByteOrder.BIG_ENDIAN ? (byte) 0xa1 : (byte) (resolution == PcapWriter.Resolution.NANOS
            ? 0x4d : 0xd4), first);
    }

    @Test
    void shouldReadRecordsAcrossWindowRefillsWhenFileIsLargerThanTheWindow() throws Exception {
        final Path file = dir.resolve("big.pcap");
        final List<byte[]> written = new ArrayList<>();
        try (PcapWriter writer = PcapWriter.create(file)) {
            for (int i = 0; i < 800; i++) {
                final byte[] bytes = frame(i, 1000 + i % 977);
                writer.write(bytes, T0 + i);
                written.add(bytes);
            }
        }
        assertTrue(Files.size(file) > 3L * PcapSettings.MIN_WINDOW_BYTES);
        try (PcapFeed feed = new PcapFeed(PcapSettings.of(file).withWindowBytes(PcapSettings.MIN_WINDOW_BYTES));
             TestIngress ingress = new TestIngress()) {
            ingress.drain(feed, 100);
            assertEquals(written.size(), ingress.frames.size());
            for (int i = 0; i < written.size(); i++) {
                assertArrayEquals(written.get(i), ingress.frames.get(i), "record " + i);
            }
        }
    }

    @Test
    void shouldDeliverAsCapturedAndCountSnappedWhenRecordIsShorterThanOnTheWire() throws Exception {
        final Path file = dir.resolve("snap.pcap");
        final byte[] whole = frame(1, 100);
        final byte[] snapped = frame(2, 96);
        try (PcapWriter writer = PcapWriter.create(file, ByteOrder.LITTLE_ENDIAN, PcapWriter.Resolution.MICROS, 96,
            PcapWriter.LINKTYPE_ETHERNET)) {
            writer.write(new UnsafeBuffer(whole), 0, 96, 96, T0);
            writer.write(new UnsafeBuffer(snapped), 0, 96, 1500, T0 + 1);
        }
        try (PcapFeed feed = new PcapFeed(PcapSettings.of(file)); TestIngress ingress = new TestIngress()) {
            ingress.drain(feed, 10);
            assertEquals(2, ingress.frames.size());
            assertEquals(96, ingress.frames.get(1).length);
            assertArrayEquals(snapped, ingress.frames.get(1));
            assertEquals(1, feed.snapped());
            assertEquals(2, ingress.get(PathCounters.Counter.DELIVERED));
            assertEquals(0, ingress.dropped(DropReason.FEED_TRUNCATED));
        }
    }

    @Test
    void shouldLeaveTheFcsOutOfEveryFrameWhenTheHeaderSaysPacketsCarryOne() throws Exception {
        final Path file = dir.resolve("fcs.pcap");
        // libpcap's network field: bit 26 set, top 4 bits = FCS length in 16-bit words (2: 4 bytes).
        final int network = PcapWriter.LINKTYPE_ETHERNET | 0x0400_0000 | 2 << 28;
        final byte[] first = frame(1, 68);
        final byte[] second = frame(2, 100);
        try (PcapWriter writer = PcapWriter.create(file, ByteOrder.BIG_ENDIAN, PcapWriter.Resolution.MICROS, 96,
            network)) {
            writer.write(new UnsafeBuffer(first), 0, 68, 68, T0);
            // Cut at the snaplen: the FCS was not captured, the frame is the first 96 bytes of 96 without FCS.
            writer.write(new UnsafeBuffer(second), 0, 96, 100, T0 + 1);
            // Only (part of) an FCS on the wire: nothing to hand over.
            writer.write(new UnsafeBuffer(frame(3, 4)), 0, 4, 4, T0 + 2);
        }
        try (PcapFeed feed = new PcapFeed(PcapSettings.of(file)); TestIngress ingress = new TestIngress()) {
            ingress.drain(feed, 10);
            assertEquals(2, ingress.frames.size());
            assertArrayEquals(frame(1, 64), ingress.frames.get(0), "the 4 FCS bytes are left out");
            assertArrayEquals(frame(2, 96), ingress.frames.get(1));
            assertEquals(0, feed.snapped(), "96 of 96 bytes without FCS is whole");
            assertEquals(1, ingress.dropped(DropReason.FEED_TRUNCATED));
            assertEquals(3, ingress.get(PathCounters.Counter.RECEIVED));
            assertTrue(feed.damage().isEmpty());
        }
    }

    @Test
    void shouldCountFeedTruncatedAndGoOnWhenRecordHasNoCapturedBytes() throws Exception {
        final Path file = dir.resolve("empty-record.pcap");
        try (PcapWriter writer = PcapWriter.create(file)) {
            writer.write(frame(0, 64), T0);
            writer.write(new UnsafeBuffer(new byte[0]), 0, 0, 64, T0 + 1);
            writer.write(frame(2, 64), T0 + 2);
        }
        ReplayChecks.assertCountsTheEmptyRecordAndGoesOn(file);
    }

    @Test
    void shouldHoldBackTheNextRecordUntilDueWhenPaceIsCapture() throws Exception {
        // The second record is due with the first; the third 30 s later in the capture, 300 ms at speed 100.
        final Path file = writeStamped("paced.pcap", T0, T0 + 1, T0 + 30_000_000_000L);
        final PcapSettings settings = PcapSettings.of(file).withPace(PcapSettings.Pace.CAPTURE, 100.0);
        try (PcapFeed feed = new PcapFeed(settings); TestIngress ingress = new TestIngress()) {
            assertEquals(2, ingress.poll(feed), "the first two records are due at once");
            assertEquals(0, ingress.poll(feed), "the third is not due yet");
            ReplayChecks.assertTheLastFrameComesAloneWhenDue(feed, ingress);
            assertEquals(3, ingress.frames.size());
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(frame(i, 64), ingress.frames.get(i), "in capture order");
            }
        }
    }

    @Test
    void shouldCutAGapLongerThanMaxGapWhenReplayingAtCapturePace() throws Exception {
        // An hour later in the capture (or a damaged timestamp): the replay waits maxGap, not an hour.
        final Path file = writeStamped("gap.pcap", T0, T0 + 3_600_000_000_000L, T0 + 3_600_000_000_001L);
        final PcapSettings settings = PcapSettings.of(file).withPace(PcapSettings.Pace.CAPTURE, 1.0)
            .withMaxGap(java.time.Duration.ofMillis(50));
        try (PcapFeed feed = new PcapFeed(settings); TestIngress ingress = new TestIngress()) {
            assertEquals(1, ingress.poll(feed), "the first record is due at once");
            assertEquals(Feed.END, pollToEnd(feed, ingress), "the replay ended, far within the hour the capture says");
            assertEquals(3, ingress.frames.size());
            assertEquals(1, feed.gapsCut());
        }
    }

    @Test
    void shouldRefuseAPipeInsteadOfWaitingForItsWriter() throws Exception {
        final Path fifo = dir.resolve("capture.fifo");
        final Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(mkfifo.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)
            && mkfifo.exitValue() == 0, "mkfifo is not available here");
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> new PcapFeed(PcapSettings.of(fifo)));
        assertEquals("pcap file " + fifo + ": is not a regular file (a pipe or a device)", error.getMessage());
    }

    @Test
    void shouldWaitMaxGapWhenAGapIsLongerThanItAtAVerySlowSpeed() throws Exception {
        // At speed 1e-10 the 1 s gap lasts 300 years: cut to maxGap, not to nothing (maxGap in capture time used to
        // round to 0 ns at such a speed and every record was due at once).
        final Path file = writeStamped("slow.pcap", T0, T0 + 1_000_000_000L);
        final PcapSettings settings = PcapSettings.of(file).withPace(PcapSettings.Pace.CAPTURE, 1e-10)
            .withMaxGap(java.time.Duration.ofMillis(200));
        try (PcapFeed feed = new PcapFeed(settings); TestIngress ingress = new TestIngress()) {
            assertEquals(1, ingress.poll(feed), "the first record is due at once");
            assertEquals(0, ingress.poll(feed), "the second is due 200 ms later");
            assertEquals(Feed.END, pollToEnd(feed, ingress));
            assertEquals(2, ingress.frames.size());
            assertEquals(1, feed.gapsCut());
        }
    }

    @Test
    void shouldPaceFromARecordWhenItIsCapturedMoreThanTheRestartBoundBeforeTheLatest() throws Exception {
        // An hour back (a damaged timestamp, captures appended): due at once, and the next record is paced from it,
        // not held as behind the latest one too.
        final long hourBack = T0 - 3_600_000_000_000L;
        final Path file = writeStamped("back.pcap", T0, T0 + 30_000_000_000L, hourBack, hourBack + 30_000_000_000L);
        final PcapSettings settings = PcapSettings.of(file).withPace(PcapSettings.Pace.CAPTURE, 100.0);
        try (PcapFeed feed = new PcapFeed(settings); TestIngress ingress = new TestIngress()) {
            assertEquals(1, ingress.poll(feed), "the first record is due at once");
            assertEquals(2, ReplayChecks.pollUntilDue(feed, ingress),
                "the second when due, the one an hour back with it");
            assertEquals(0, ingress.poll(feed), "the fourth is due 300 ms after the third");
            ReplayChecks.assertTheLastFrameComesAloneWhenDue(feed, ingress);
            assertEquals(0, feed.gapsCut());
            assertEquals(1, feed.pacingRestarts(), "the record an hour back");
        }
    }

    @Test
    void shouldRestartPacingUncountedWhenALoopedReplayRewinds() throws Exception {
        // A 3 s capture, within the restart bound: each pass is paced from its own first record, not held behind the
        // previous pass' last one, and the rewinds count as passes, not as pacing restarts.
        final Path file = writeStamped("looped.pcap", T0, T0 + 3_000_000_000L);
        final PcapSettings settings = PcapSettings.of(file).withPace(PcapSettings.Pace.CAPTURE, 10.0).withLoops(2);
        try (PcapFeed feed = new PcapFeed(settings); TestIngress ingress = new TestIngress()) {
            assertEquals(1, ingress.poll(feed), "the first record is due at once");
            assertEquals(2, ReplayChecks.pollUntilDue(feed, ingress),
                "the second when due, the first of the second pass with it");
            assertEquals(0, ingress.poll(feed), "the second pass' second record is due 300 ms after its first");
            ReplayChecks.assertTheLastFrameComesAloneWhenDue(feed, ingress);
            assertEquals(2, feed.passes());
            assertEquals(0, feed.pacingRestarts());
        }
    }

    @Test
    void shouldNeverWaitWithoutBoundWhateverTheTimestampsAtAnySpeed() throws Exception {
        // Timestamps a damaged file may hold: the epoch, the last second 32 bits can say, then normal ones again.
        final long last32 = 0xFFFF_FFFFL * 1_000_000_000L;
        final long[][] files = {
            {T0, 0, T0 + 1_000_000L},
            {T0, last32, T0 + 1_000_000_000L, T0 + 1_000_001_000L},
            {0, last32, 0, last32}};
        for (double speed : new double[] {0.1, 0.2, 1.0, 1000.0}) {
            for (long[] stamps : files) {
                final Path file = writeStamped("stamps.pcap", stamps);
                final PcapSettings settings = PcapSettings.of(file).withPace(PcapSettings.Pace.CAPTURE, speed)
                    .withMaxGap(java.time.Duration.ofMillis(20));
                try (PcapFeed feed = new PcapFeed(settings); TestIngress ingress = new TestIngress()) {
                    assertEquals(Feed.END, pollToEnd(feed, ingress),
                        "speed " + speed + ", stamps " + java.util.Arrays.toString(stamps));
                    assertEquals(stamps.length, ingress.frames.size());
                }
            }
        }
    }

    /** A nanosecond pcap file in the test folder with {@code frame(i, 64)} captured at {@code stamps[i]}. */
    private Path writeStamped(String name, long... stamps) {
        final Path file = dir.resolve(name);
        try (PcapWriter writer = PcapWriter.create(file, ByteOrder.LITTLE_ENDIAN, PcapWriter.Resolution.NANOS,
            PcapWriter.DEFAULT_SNAPLEN, PcapWriter.LINKTYPE_ETHERNET)) {
            for (int i = 0; i < stamps.length; i++) {
                writer.write(frame(i, 64), stamps[i]);
            }
        }
        return file;
    }

    /** Polls every millisecond until the feed ends or 10 s pass; returns the last result. */
    private static int pollToEnd(PcapFeed feed, TestIngress ingress) throws InterruptedException {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        int result = 0;
        while (result != Feed.END && System.nanoTime() < deadline) {
            result = ingress.poll(feed);
            Thread.sleep(1);
        }
        return result;
    }

    @Test
    void shouldReplayEveryRecordOncePerPassWhenLoopsIsThree() throws Exception {
        final Path file = dir.resolve("loops.pcap");
        final List<byte[]> written = writeFrames(file, ByteOrder.LITTLE_ENDIAN, PcapWriter.Resolution.MICROS, 5);
        ReplayChecks.assertReplaysEveryPassInOrder(PcapSettings.of(file).withLoops(3), written, 3, 20);
    }

    @Test
    void shouldReplayAcrossWindowRefillsPerPassWhenLoopingAFileLargerThanTheWindow() throws Exception {
        final Path file = dir.resolve("loops-big.pcap");
        final List<byte[]> written = new ArrayList<>();
        try (PcapWriter writer = PcapWriter.create(file)) {
            for (int i = 0; i < 400; i++) {
                written.add(frame(i, 1500));
                writer.write(written.get(i), T0 + i);
            }
        }
        ReplayChecks.assertReplaysEveryPassInOrder(PcapSettings.of(file).withLoops(2)
            .withWindowBytes(PcapSettings.MIN_WINDOW_BYTES), written, 2, 100);
    }

    @Test
    void shouldNeverEndWhenLoopsIsForever() throws Exception {
        final Path file = dir.resolve("forever.pcap");
        writeFrames(file, ByteOrder.LITTLE_ENDIAN, PcapWriter.Resolution.MICROS, 3);
        final PcapFeed feed = new PcapFeed(PcapSettings.of(file).withLoops(PcapSettings.FOREVER));
        try (TestIngress ingress = new TestIngress()) {
            ReplayChecks.assertNeverEnds(feed, ingress);
            feed.close();
            assertEquals(Feed.END, feed.poll(ingress.path, 64));
        }
    }

    @Test
    void shouldThrowNamingTheFileWhenItDoesNotExist() {
        final Path file = dir.resolve("missing.pcap");
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> new PcapFeed(PcapSettings.of(file)));
        assertEquals("pcap file " + file + ": does not exist", error.getMessage());
    }

    @Test
    void shouldNameAndDescribeTheSameLinkTypesWhenEitherKnowsOne() {
        for (int linkType = 0; linkType <= PcapFormat.LINKTYPE_MASK; linkType++) {
            final String name = PcapFormat.linkTypeName(linkType);
            final String message = PcapFormat.unsupportedLinkType(linkType);
            assertEquals(name != null, message.startsWith("link type " + linkType + " (" + name + ", "),
                linkType + ": " + name + " / " + message);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // Linux cooked captures (tcpdump -i any) are replayed: LinuxCookedReplayTest.
        "101 | link type 101 (RAW, IP packets without a link-layer header) is not supported, only Ethernet (1) and the"
            + " Linux cooked captures of tcpdump -i any (113 LINUX_SLL, 276 LINUX_SLL2)",
        "105 | link type 105 (IEEE802_11, Wi-Fi) is not supported, only Ethernet (1) and the Linux cooked captures of"
            + " tcpdump -i any (113 LINUX_SLL, 276 LINUX_SLL2)",
        "4242 | link type 4242 is not supported, only Ethernet (1) and the Linux cooked captures of tcpdump -i any"
            + " (113 LINUX_SLL, 276 LINUX_SLL2)"})
    void shouldThrowNamingFileLinkTypeAndWhatIsReplayedWhenLinkTypeIsNeitherEthernetNorLinuxCooked(int linkType,
                                                                                                    String expected) {
        final Path file = dir.resolve("link-" + linkType + ".pcap");
        try (PcapWriter writer = PcapWriter.create(file, ByteOrder.LITTLE_ENDIAN, PcapWriter.Resolution.MICROS,
            PcapWriter.DEFAULT_SNAPLEN, linkType)) {
            writer.write(frame(0, 64), T0);
        }
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> new PcapFeed(PcapSettings.of(file)));
        assertEquals("pcap file " + file + ": " + expected, error.getMessage());
    }

    @Test
    void shouldThrowWhenPathIsADirectory() {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> new PcapFeed(PcapSettings.of(dir)));
        assertTrue(error.getMessage().contains("is a directory"), error.getMessage());
    }

    @Test
    void shouldNameSettingValueAndAllowedRangeWhenSettingsAreBad() {
        final Path file = dir.resolve("x.pcap");
        assertEquals("loops=-1: must be 0 (forever) or a number of passes >= 1", assertThrows(
            IllegalArgumentException.class, () -> PcapSettings.of(file).withLoops(-1)).getMessage());
        assertEquals("speed=0.0: must be a finite number above 0", assertThrows(IllegalArgumentException.class,
            () -> PcapSettings.of(file).withPace(PcapSettings.Pace.CAPTURE, 0)).getMessage());
        assertEquals("speed=NaN: must be a finite number above 0", assertThrows(IllegalArgumentException.class,
            () -> PcapSettings.of(file).withPace(PcapSettings.Pace.CAPTURE, Double.NaN)).getMessage());
        assertEquals("windowBytes=1024: must be 327680..67108864", assertThrows(IllegalArgumentException.class,
            () -> PcapSettings.of(file).withWindowBytes(1024)).getMessage());
        assertEquals("path=null: must name a pcap file", assertThrows(IllegalArgumentException.class,
            () -> PcapSettings.of(null)).getMessage());
        assertEquals("pace=null: must be FAST or CAPTURE", assertThrows(IllegalArgumentException.class,
            () -> PcapSettings.of(file).withPace(null, 1.0)).getMessage());
        assertEquals("maxGap=PT0S: must be above 0 and at most PT24H", assertThrows(IllegalArgumentException.class,
            () -> PcapSettings.of(file).withMaxGap(java.time.Duration.ZERO)).getMessage());
        assertEquals("maxGap=PT48H: must be above 0 and at most PT24H", assertThrows(IllegalArgumentException.class,
            () -> PcapSettings.of(file).withMaxGap(java.time.Duration.ofDays(2))).getMessage());
    }
}
