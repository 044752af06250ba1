package dev.steer.ingress.pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.steer.engine.path.Feed;
import dev.steer.engine.stats.PathCounters;
import dev.steer.ingress.TestIngress;

/** Replay of well-formed pcapng files: byte orders, sections, interfaces, timestamps, SPB, skipped blocks, pace, loops. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PcapngFeedTest {
    private static final long T0 = 1_700_000_000_123_456_789L;
    private static final int LINKTYPE_RAW = 101;
    private static final int LINKTYPE_LINUX_SLL = 113;
    private static final int LINKTYPE_LINUX_SLL2 = 276;
    private static final int LINKTYPE_IEEE802_11 = 105;
    private static final int LINKTYPE_RADIOTAP = 127;

    @TempDir
    Path dir;

    private static ByteOrder order(String name) {
        return name.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    @ParameterizedTest
    @ValueSource(strings = {"LITTLE_ENDIAN", "BIG_ENDIAN"})
    void shouldDeliverEveryPacketIntactAndInOrderWhenSectionHasEitherByteOrder(String orderName) throws Exception {
        final ByteOrder order = order(orderName);
        final Path file = dir.resolve("f.pcapng");
        final List<byte[]> written = new ArrayList<>();
        try (PcapngWriter writer = PcapngWriter.create(file, order)) {
            writer.addInterface(PcapngWriter.LINKTYPE_ETHERNET, 0, PcapngWriter.TSRESOL_NANOS, 0);
            for (int i = 0; i < 300; i++) {
                final byte[] bytes = PcapFeedTest.frame(i, 60 + i * 7 % 1400);
                writer.write(0, bytes, T0 + i * 1000L);
                written.add(bytes);
            }
        }
        ReplayChecks.assertDeliversEveryFrameIntactAndInOrder(file, written, true);
        // The byte order really differs on disk: the byte-order magic's first byte.
        assertEquals(order == ByteOrder.BIG_ENDIAN ? (byte) 0x1a : (byte) 0x4d, Files.readAllBytes(file)[8]);
    }

    @Test
    void shouldReadEachSectionInItsOwnByteOrderWithItsOwnInterfacesWhenFileHasTwoSections() throws Exception {
        final Path file = dir.resolve("sections.pcapng");
        try (PcapngWriter writer = PcapngWriter.create(file, ByteOrder.LITTLE_ENDIAN)) {
            writer.addInterface(PcapngWriter.LINKTYPE_ETHERNET, 0, PcapngWriter.TSRESOL_MICROS, 0);
            for (int i = 0; i < 10; i++) {
                writer.write(0, PcapFeedTest.frame(i, 100 + i), T0 + i);
            }
            writer.startSection(ByteOrder.BIG_ENDIAN);
            // Interface ids start again at 0; here 0 is raw IP and 1 Ethernet, the other way round to section 1.
            writer.addInterface(LINKTYPE_RAW, 0, PcapngWriter.TSRESOL_MICROS, 0);
            writer.addInterface(PcapngWriter.LINKTYPE_ETHERNET, 0, PcapngWriter.TSRESOL_NANOS, 0);
            for (int i = 10; i < 20; i++) {
                writer.write(1, PcapFeedTest.frame(i, 100 + i), T0 + i);
            }
            writer.write(0, PcapFeedTest.frame(99, 40), T0 + 99);
        }
        try (PcapFeed feed = new PcapFeed(PcapSettings.of(file)); TestIngress ingress = new TestIngress()) {
            ingress.drain(feed, 10);
            assertEquals(20, ingress.frames.size());
            for (int i = 0; i < 20; i++) {
                assertArrayEquals(PcapFeedTest.frame(i, 100 + i), ingress.frames.get(i), "packet " + i);
            }
            assertEquals(1, feed.foreignLink(), "the raw IP packet of section 2");
            assertEquals(21, ingress.get(PathCounters.Counter.RECEIVED));
            assertTrue(feed.damage().isEmpty());
        }
    }

    @Test
    void shouldConvertTimestampsWithEachInterfacesResolutionAndOffsetWhenInterfacesDiffer() throws Exception {
        final Path file = dir.resolve("resolutions.pcapng");
        final int[] tsresols = {PcapngWriter.TSRESOL_MICROS, PcapngWriter.TSRESOL_NANOS, 3,
            PcapngWriter.TSRESOL_BASE2 | 20, PcapngWriter.TSRESOL_MICROS};
        final long[] offsets = {0, 0, 0, 0, 1_000_000_000L};
        final long[] tolerance = {1000, 1, 1_000_000, 1_000_000_000L / (1 << 20) + 1, 1000};
        try (PcapngWriter writer = PcapngWriter.create(file, ByteOrder.BIG_ENDIAN)) {
            for (int i = 0; i < tsresols.length; i++) {
                writer.addInterface(PcapngWriter.LINKTYPE_ETHERNET, 0, tsresols[i], offsets[i]);
            }
            for (int i = 0; i < tsresols.length; i++) {
                writer.write(i, PcapFeedTest.frame(i, 64), T0);
            }
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            final CaptureWindow window = new CaptureWindow(channel, PcapSettings.MIN_WINDOW_BYTES);
            window.refill();
            final PcapngReader reader = new PcapngReader(window, file);
            assertEquals(CaptureReader.PACKET, reader.open());
            for (int i = 0; i < tsresols.length; i++) {
                assertEquals(CaptureReader.PACKET, reader.next());
                assertTrue(reader.timed);
                final long error = T0 - reader.timestampNs;
                assertTrue(error >= 0 && error < tolerance[i], "interface " + i + ": " + reader.timestampNs
                    + " for " + T0);
                reader.consume();
            }
            assertEquals(CaptureReader.END_OF_FILE, reader.next());
        }
    }

    @Test
    void shouldLeaveTheFcsOutOfTheFramesOfAnInterfaceWhoseIfFcslenSaysSo() throws Exception {
        final Path file = dir.resolve("fcs.pcapng");
        try (PcapngWriter writer = PcapngWriter.create(file, ByteOrder.LITTLE_ENDIAN)) {
            writer.addInterface(PcapngWriter.LINKTYPE_ETHERNET, 0, PcapngWriter.TSRESOL_MICROS, 0, 32);
            writer.addInterface(PcapngWriter.LINKTYPE_ETHERNET, 0, PcapngWriter.TSRESOL_MICROS, 0);
            writer.write(0, PcapFeedTest.frame(0, 68), T0);
            writer.write(1, PcapFeedTest.frame(1, 68), T0 + 1);
            writer.writeSimple(PcapFeedTest.frame(2, 72), 72);
        }
        try (PcapFeed feed = new PcapFeed(PcapSettings.of(file)); TestIngress ingress = new TestIngress()) {
            ingress.drain(feed, 10);
            assertEquals(3, ingress.frames.size());
            assertArrayEquals(PcapFeedTest.frame(0, 64), ingress.frames.get(0), "if_fcslen 32: 4 bytes left out");
            assertArrayEquals(PcapFeedTest.frame(1, 68), ingress.frames.get(1), "no if_fcslen: whole");
            assertArrayEquals(PcapFeedTest.frame(2, 68), ingress.frames.get(2), "a simple block is on interface 0");
            assertEquals(0, feed.snapped());
        }
    }

    @Test
    void shouldReportDamageWhenIfFcslenIsNotWholeBytes() throws Exception {
        final Path file = dir.resolve("fcs-bits.pcapng");
        try (PcapngWriter writer = PcapngWriter.create(file, ByteOrder.BIG_ENDIAN)) {
            writer.addInterface(PcapngWriter.LINKTYPE_ETHERNET, 0, PcapngWriter.TSRESOL_MICROS, 0, 12);
            writer.write(0, PcapFeedTest.frame(0, 64), T0);
        }
        try (PcapFeed feed = new PcapFeed(PcapSettings.of(file)); TestIngress ingress = new TestIngress()) {
            ingress.drain(feed, 10);
            assertEquals(0, ingress.frames.size());
            assertTrue(feed.damage().isPresent());
            assertTrue(feed.damage().get().toString().contains("if_fcslen 12 bits: must be whole bytes"),
                feed.damage().get().toString());
        }
    }

    @Test
    void shouldCaptureUpToInterfaceZerosSnaplenWhenPacketsAreSimplePacketBlocks() throws Exception {
        final Path file = dir.resolve("spb.pcapng");
        try (PcapngWriter writer = PcapngWriter.create(file, ByteOrder.BIG_ENDIAN)) {
            writer.addInterface(PcapngWriter.LINKTYPE_ETHERNET, 96, PcapngWriter.TSRESOL_MICROS, 0);
            writer.writeSimple(PcapFeedTest.frame(0, 61), 61);
            writer.writeSimple(PcapFeedTest.frame(1, 1500), 1500);
            writer.write(0, PcapFeedTest.frame(2, 64), T0);
        }
        try (PcapFeed feed = new PcapFeed(PcapSettings.of(file)); TestIngress ingress = new TestIngress()) {
            ingress.drain(feed, 10);
            assertEquals(3, ingress.frames.size());
            assertArrayEquals(PcapFeedTest.frame(0, 61), ingress.frames.get(0));
            assertArrayEquals(PcapFeedTest.frame(1, 96), ingress.frames.get(1), "cut at the snaplen");
            assertArrayEquals(PcapFeedTest.frame(2, 64), ingress.frames.get(2));
            assertEquals(1, feed.snapped());
            assertEquals(3, ingress.get(PathCounters.Counter.DELIVERED));
        }
    }

    @Test
    void shouldSkipEveryOtherBlockByItsLengthWhenFileHasStatisticsNamesAndCustomBlocks() throws Exception {
        final Path file = dir.resolve("skip.pcapng");
        try (PcapngWriter writer = PcapngWriter.create(file)) {
            writer.writeBlock(4, new byte[] {0, 0, 0, 0}); // name resolution: nrb_record_end only
            writer.write(0, PcapFeedTest.frame(0, 64), T0);
            writer.writeBlock(5, new byte[20]); // interface statistics
            writer.writeBlock(0x0bad, new byte[] {1, 2, 3, 4, 5}); // custom, padded
            writer.writeBlock(0x0a, new byte[100_000]); // decryption secrets, larger than most windows' free room
            writer.write(0, PcapFeedTest.frame(1, 64), T0 + 1);
            // More blocks without a packet than one poll skips: the poll yields and the next one goes on.
            for (int i = 0; i < 3000; i++) {
                writer.writeBlock(5, new byte[0]);
            }
            writer.write(0, PcapFeedTest.frame(2, 64), T0 + 2);
            writer.writeBlock(5, new byte[8]);
        }
        try (PcapFeed feed = new PcapFeed(PcapSettings.of(file).withWindowBytes(PcapSettings.MIN_WINDOW_BYTES));
             TestIngress ingress = new TestIngress()) {
            ingress.drain(feed, 20);
            assertEquals(3, ingress.frames.size());
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(PcapFeedTest.frame(i, 64), ingress.frames.get(i), "packet " + i);
            }
            assertEquals(3, ingress.get(PathCounters.Counter.RECEIVED));
            assertTrue(feed.damage().isEmpty());
        }
    }

    @Test
    void shouldCountTheBlocksItSkipsAndThoseOfNoKnownTypeWhenAPacketBlockTypeIsDamaged() throws Exception {
        // One bit flipped in an enhanced packet block's type (6 -> 0x4006) makes a block of no type the format
        // defines: skipped by its length, as pcapng says, but no longer without a trace.
        final Path file = dir.resolve("flipped-type.pcapng");
        try (PcapngWriter writer = PcapngWriter.create(file)) {
            writer.write(0, PcapFeedTest.frame(0, 64), T0);
            writer.write(0, PcapFeedTest.frame(1, 64), T0 + 1);
            writer.writeBlock(5, new byte[20]); // interface statistics: a block of a known type without a packet
            writer.write(0, PcapFeedTest.frame(2, 64), T0 + 2);
        }
        final byte[] bytes = java.nio.file.Files.readAllBytes(file);
        final int secondPacket = 28 + 32 + 32 + 64; // section, interface (with if_tsresol), first packet block
        assertEquals(6, bytes[secondPacket]);
        bytes[secondPacket + 1] ^= 0x40;
        java.nio.file.Files.write(file, bytes);
        try (PcapFeed feed = new PcapFeed(PcapSettings.of(file).withLoops(2)); TestIngress ingress = new TestIngress()) {
            ingress.drain(feed, 20);
            assertEquals(4, ingress.frames.size());
            assertTrue(feed.damage().isEmpty());
            assertEquals(4, feed.skippedBlocks(), "two per pass: the statistics and the damaged packet block");
            assertEquals(2, feed.unknownBlocks(), "one per pass: the block of no known type");
        }
    }

    @Test
    void shouldSkipABlockWithoutAPacketByItsLengthWhenItIsLargerThanTheLargestBlockThatIsRead() throws Exception {
        // Real captures hold large decryption secrets and name resolution blocks: one above 320 KiB ended the replay
        // as BAD_BLOCK_LENGTH damage with nothing after it delivered, though the format says to skip it by its length.
        final Path file = dir.resolve("large-secrets.pcapng");
        try (PcapngWriter writer = PcapngWriter.create(file)) {
            writer.write(0, PcapFeedTest.frame(0, 64), T0);
            writer.writeBlock(0x0A, new byte[400_000]); // decryption secrets: 400,012 bytes with its header
            writer.write(0, PcapFeedTest.frame(1, 64), T0 + 1);
        }
        for (int windowBytes : List.of(PcapSettings.MIN_WINDOW_BYTES, 1 << 20)) {
            try (PcapFeed feed = new PcapFeed(PcapSettings.of(file).withLoops(2).withWindowBytes(windowBytes));
                 TestIngress ingress = new TestIngress()) {
                ingress.drain(feed, 20);
                assertTrue(feed.damage().isEmpty(), feed.damage().toString());
                assertEquals(4, ingress.frames.size(), "window " + windowBytes);
                for (int i = 0; i < 4; i++) {
                    assertArrayEquals(PcapFeedTest.frame(i % 2, 64), ingress.frames.get(i), "packet " + i);
                }
                assertEquals(2, feed.skippedBlocks(), "one per pass");
                assertEquals(0, feed.unknownBlocks());
                assertEquals(2, feed.passes());
            }
        }
    }

    @Test
    void shouldCountOneDropPerPacketAndGoOnWhenInterfaceIsNotEthernet() throws Exception {
        final Path file = dir.resolve("raw.pcapng");
        try (PcapngWriter writer = PcapngWriter.create(file)) {
            writer.addInterface(LINKTYPE_RAW, 0, PcapngWriter.TSRESOL_MICROS, 0);
            for (int i = 0; i < 10; i++) {
                writer.write(i % 2, PcapFeedTest.frame(i, 64), T0 + i);
            }
        }
        try (PcapFeed feed = new PcapFeed(PcapSettings.of(file)); TestIngress ingress = new TestIngress()) {
            ingress.drain(feed, 10);
            assertEquals(5, ingress.frames.size());
            for (int i = 0; i < 5; i++) {
                assertArrayEquals(PcapFeedTest.frame(2 * i, 64), ingress.frames.get(i), "Ethernet packet " + i);
            }
            assertEquals(5, feed.foreignLink());
            assertEquals(0, feed.truncated());
            assertEquals(5, ingress.dropped(PcapFeed.FOREIGN_LINK_DROP));
            assertEquals(10, ingress.get(PathCounters.Counter.RECEIVED));
            assertEquals(5, ingress.get(PathCounters.Counter.DELIVERED));
            assertTrue(feed.damage().isEmpty());
        }
    }

    @Test
    void shouldKeepTheCountedLinkTypesWhenAnotherTypeIsFoundWhileTheyAreRead() throws Exception {
        // The poll thread sets a link type's bit while another thread reads foreignLinkTypes(): the types counted
        // before the read must all be in the result, whatever the poll thread adds meanwhile.
        final Path file = dir.resolve("links-read-racing.pcapng");
        try (PcapngWriter writer = PcapngWriter.create(file)) {
            writer.addInterface(LINKTYPE_IEEE802_11, 0, PcapngWriter.TSRESOL_NANOS, 0);
            writer.addInterface(LINKTYPE_RADIOTAP, 0, PcapngWriter.TSRESOL_NANOS, 0);
            writer.write(1, PcapFeedTest.frame(0, 64), T0); // interface 0 is the writer's own Ethernet one
            writer.write(2, PcapFeedTest.frame(1, 64), T0 + 1);
        }
        try (PcapFeed feed = new PcapFeed(PcapSettings.of(file)); TestIngress ingress = new TestIngress()) {
            ingress.drain(feed, 10);
            assertEquals(2, feed.foreignLink());
            // Stands in for the poll thread finding link type 0 (BSD loopback), again and again: the bit set of the
            // feed's reader, set and cleared so that the race has more than one chance.
            final java.lang.reflect.Field readerField = PcapFeed.class.getDeclaredField("reader");
            readerField.setAccessible(true);
            final long[] bits = ((PcapngReader) readerField.get(feed)).foreignLinkTypes;
            final java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            final Thread finder = new Thread(() -> {
                while (!stop.get()) {
                    bits[0] ^= 1L;
                }
            });
            finder.start();
            try {
                final long deadline = System.nanoTime() + 1_000_000_000L;
                for (int i = 0; i < 1_000_000 && System.nanoTime() < deadline; i++) {
                    final int[] types = feed.foreignLinkTypes();
                    assertTrue(java.util.Arrays.binarySearch(types, LINKTYPE_IEEE802_11) >= 0
                        && java.util.Arrays.binarySearch(types, LINKTYPE_RADIOTAP) >= 0,
                        "read " + i + ": " + java.util.Arrays.toString(types));
                }
            } finally {
                stop.set(true);
                finder.join();
            }
        }
    }

    @Test
    void shouldNameTheLinkTypesOfTheNonEthernetPacketsWhenInterfacesOfSeveralLinkTypesHavePackets() throws Exception {
        // The shape of `dumpcap -i eth0 -i wlan0 -i wlan0mon`: Ethernet, Wi-Fi, and Wi-Fi with radiotap headers.
        final Path file = dir.resolve("mixed-links.pcapng");
        try (PcapngWriter writer = PcapngWriter.create(file)) {
            writer.addInterface(LINKTYPE_RADIOTAP, 0, PcapngWriter.TSRESOL_NANOS, 0);
            writer.addInterface(LINKTYPE_RAW, 0, PcapngWriter.TSRESOL_MICROS, 0);         // no packets: not named
            writer.addInterface(LINKTYPE_IEEE802_11, 0, PcapngWriter.TSRESOL_NANOS, 0);
            for (int i = 0; i < 9; i++) {
                writer.write(new int[] {0, 1, 3}[i % 3], PcapFeedTest.frame(i, 64), T0 + i);
            }
        }
        try (PcapFeed feed = new PcapFeed(PcapSettings.of(file)); TestIngress ingress = new TestIngress()) {
            assertArrayEquals(new int[0], feed.foreignLinkTypes(), "none before the replay found one");
            ingress.drain(feed, 10);
            assertEquals(3, ingress.frames.size());
            assertEquals(6, feed.foreignLink());
            assertArrayEquals(new int[] {LINKTYPE_IEEE802_11, LINKTYPE_RADIOTAP}, feed.foreignLinkTypes());
        }
        assertEquals("LINUX_SLL2", PcapFeed.linkTypeName(LINKTYPE_LINUX_SLL2));
        assertEquals("LINUX_SLL", PcapFeed.linkTypeName(LINKTYPE_LINUX_SLL));
        assertEquals("RAW", PcapFeed.linkTypeName(LINKTYPE_RAW));
        assertEquals("IEEE802_11_RADIOTAP", PcapFeed.linkTypeName(LINKTYPE_RADIOTAP));
        assertEquals(null, PcapFeed.linkTypeName(4242));
    }

    @Test
    void shouldCountFeedTruncatedAndGoOnWhenPacketHasNoCapturedBytes() throws Exception {
        final Path file = dir.resolve("empty.pcapng");
        try (PcapngWriter writer = PcapngWriter.create(file)) {
            writer.write(0, PcapFeedTest.frame(0, 64), T0);
            writer.write(0, new UnsafeBuffer(new byte[0]), 0, 0, 64, T0 + 1);
            writer.write(0, PcapFeedTest.frame(2, 64), T0 + 2);
        }
        ReplayChecks.assertCountsTheEmptyRecordAndGoesOn(file);
    }

    @Test
    void shouldHoldBackTheNextPacketUntilDueWhenPaceIsCaptureAcrossInterfacesOfDifferentResolutions()
        throws Exception {
        final Path file = dir.resolve("paced.pcapng");
        try (PcapngWriter writer = PcapngWriter.create(file, ByteOrder.LITTLE_ENDIAN)) {
            writer.addInterface(PcapngWriter.LINKTYPE_ETHERNET, 0, PcapngWriter.TSRESOL_NANOS, 0);
            writer.addInterface(PcapngWriter.LINKTYPE_ETHERNET, 0, PcapngWriter.TSRESOL_BASE2 | 10, 1_000_000L);
            writer.write(0, PcapFeedTest.frame(0, 64), T0);
            writer.write(1, PcapFeedTest.frame(1, 64), T0);                  // same instant, coarser: due with the first
            writer.writeSimple(PcapFeedTest.frame(2, 64), 64);               // no timestamp: due at once
            writer.write(0, PcapFeedTest.frame(3, 64), T0 + 30_000_000_000L); // 30 s later, 300 ms at speed 100
        }
        final PcapSettings settings = PcapSettings.of(file).withPace(PcapSettings.Pace.CAPTURE, 100.0);
        try (PcapFeed feed = new PcapFeed(settings); TestIngress ingress = new TestIngress()) {
            assertEquals(3, ingress.poll(feed), "the first three packets are due at once");
            assertEquals(0, ingress.poll(feed), "the fourth is not due yet");
            ReplayChecks.assertTheLastFrameComesAloneWhenDue(feed, ingress);
            for (int i = 0; i < 4; i++) {
                assertArrayEquals(PcapFeedTest.frame(i, 64), ingress.frames.get(i), "in capture order");
            }
        }
    }

    @Test
    void shouldPaceFromTheLatestPacketWhenInterfacesAreWrittenInBatchesOutOfTimeOrder() throws Exception {
        // The shape of `dumpcap -i veth0 -i any`: each interface's packets in time order, written in batches per
        // interface, so the file steps back in time at every batch of the other interface. The replay lasts as
        // long as the capture: a packet a little behind the latest one is due at once and moves no schedule.
        final Path file = dir.resolve("batches.pcapng");
        try (PcapngWriter writer = PcapngWriter.create(file, ByteOrder.LITTLE_ENDIAN)) {
            writer.addInterface(PcapngWriter.LINKTYPE_ETHERNET, 0, PcapngWriter.TSRESOL_NANOS, 0);
            writer.addInterface(PcapngWriter.LINKTYPE_ETHERNET, 0, PcapngWriter.TSRESOL_NANOS, 0);
            writer.write(0, PcapFeedTest.frame(0, 64), T0);
            writer.write(0, PcapFeedTest.frame(1, 64), T0 + 6_000_000_000L); // 300 ms later at speed 20
            writer.write(1, PcapFeedTest.frame(2, 64), T0 + 3_000_000_000L); // the other interface's batch
            writer.write(1, PcapFeedTest.frame(3, 64), T0 + 6_000_000_000L); // captured with frame 1
        }
        final PcapSettings settings = PcapSettings.of(file).withPace(PcapSettings.Pace.CAPTURE, 20.0);
        try (PcapFeed feed = new PcapFeed(settings); TestIngress ingress = new TestIngress()) {
            assertEquals(1, ingress.poll(feed), "the first packet is due at once");
            assertEquals(3, ReplayChecks.pollUntilDue(feed, ingress),
                "the second packet and the batch behind it, up to its time, are due together");
            assertEquals(Feed.END, ingress.poll(feed));
            for (int i = 0; i < 4; i++) {
                assertArrayEquals(PcapFeedTest.frame(i, 64), ingress.frames.get(i), "in file order");
            }
            assertEquals(0, feed.gapsCut());
            assertEquals(0, feed.pacingRestarts());
        }
    }

    @ParameterizedTest(name = "speed {0}, max-gap {1} ms")
    @CsvSource({"1.0, 1000", "1.0, 200", "0.25, 1000"})
    void shouldNotRestartPacingWhenABatchStepsBackLessThanTheRestartBoundWhateverMaxGapAndSpeed(double speed,
                                                                                             long maxGapMillis) {
        // Two interfaces written in 300 ms batches: the second interface's batch starts 300 ms behind the latest
        // packet, which is 300 ms / speed behind in replay time, longer than max-gap in two rows. In capture time it is
        // within the restart bound, so it moves no schedule: every packet of the batch is at most as late as the
        // latest one and due at once, and the replay lasts as long as the capture.
        final Path file = dir.resolve("batch-" + speed + "-" + maxGapMillis + ".pcapng");
        try (PcapngWriter writer = PcapngWriter.create(file, ByteOrder.LITTLE_ENDIAN)) {
            writer.addInterface(PcapngWriter.LINKTYPE_ETHERNET, 0, PcapngWriter.TSRESOL_NANOS, 0);
            writer.addInterface(PcapngWriter.LINKTYPE_ETHERNET, 0, PcapngWriter.TSRESOL_NANOS, 0);
            writer.write(0, PcapFeedTest.frame(0, 64), T0 + 300_000_000L);
            writer.write(1, PcapFeedTest.frame(1, 64), T0);
            writer.write(1, PcapFeedTest.frame(2, 64), T0 + 150_000_000L);
            writer.write(1, PcapFeedTest.frame(3, 64), T0 + 300_000_000L);
        }
        final PcapSettings settings = PcapSettings.of(file).withPace(PcapSettings.Pace.CAPTURE, speed)
            .withMaxGap(java.time.Duration.ofMillis(maxGapMillis));
        try (PcapFeed feed = new PcapFeed(settings); TestIngress ingress = new TestIngress()) {
            assertEquals(4, ingress.poll(feed), "the latest packet and the batch behind it are due at once");
            assertEquals(Feed.END, ingress.poll(feed));
            assertEquals(0, feed.gapsCut());
            assertEquals(0, feed.pacingRestarts());
        }
    }

    @Test
    void shouldRestartPacingWhenAPacketStepsBackMoreThanTheRestartBoundWhateverMaxGap() throws Exception {
        // Two captures appended (cat): the second steps back 6 s, beyond the restart bound, though at speed 10 that is
        // only 600 ms of replay time, far within a max-gap of a day. The packets after it are paced from it.
        final Path file = dir.resolve("appended.pcapng");
        try (PcapngWriter writer = PcapngWriter.create(file, ByteOrder.LITTLE_ENDIAN)) {
            writer.addInterface(PcapngWriter.LINKTYPE_ETHERNET, 0, PcapngWriter.TSRESOL_NANOS, 0);
            writer.write(0, PcapFeedTest.frame(0, 64), T0 + 6_000_000_000L);
            writer.write(0, PcapFeedTest.frame(1, 64), T0);
            writer.write(0, PcapFeedTest.frame(2, 64), T0 + 3_000_000_000L); // 300 ms after the second at speed 10
        }
        final PcapSettings settings = PcapSettings.of(file).withPace(PcapSettings.Pace.CAPTURE, 10.0)
            .withMaxGap(java.time.Duration.ofDays(1));
        try (PcapFeed feed = new PcapFeed(settings); TestIngress ingress = new TestIngress()) {
            assertEquals(2, ingress.poll(feed), "the first packet, and the second with it: it is behind");
            assertEquals(0, ingress.poll(feed), "the third is paced from the second, not due with the first");
            ReplayChecks.assertTheLastFrameComesAloneWhenDue(feed, ingress);
            assertEquals(0, feed.gapsCut());
            assertEquals(1, feed.pacingRestarts());
        }
    }

    @Test
    void shouldReplayBothSectionsOncePerPassWhenLoopsIsThree() throws Exception {
        final Path file = dir.resolve("loops.pcapng");
        try (PcapngWriter writer = PcapngWriter.create(file)) {
            writer.write(0, PcapFeedTest.frame(0, 64), T0);
            writer.write(0, PcapFeedTest.frame(1, 64), T0 + 1);
            writer.startSection(ByteOrder.BIG_ENDIAN);
            writer.addInterface(PcapngWriter.LINKTYPE_ETHERNET, 0, PcapngWriter.TSRESOL_NANOS, 0);
            writer.write(0, PcapFeedTest.frame(2, 64), T0 + 2);
        }
        final List<byte[]> onePass = List.of(PcapFeedTest.frame(0, 64), PcapFeedTest.frame(1, 64),
            PcapFeedTest.frame(2, 64));
        ReplayChecks.assertReplaysEveryPassInOrder(PcapSettings.of(file).withLoops(3), onePass, 3, 20);
    }

    @Test
    void shouldReplayAcrossWindowRefillsPerPassWhenLoopingAFileLargerThanTheWindow() throws Exception {
        final Path file = dir.resolve("loops-big.pcapng");
        final List<byte[]> written = new ArrayList<>();
        try (PcapngWriter writer = PcapngWriter.create(file)) {
            for (int i = 0; i < 600; i++) {
                written.add(PcapFeedTest.frame(i, 1500 + i % 3));
                writer.write(0, written.get(i), T0 + i);
            }
        }
        assertTrue(Files.size(file) > 2L * PcapSettings.MIN_WINDOW_BYTES);
        ReplayChecks.assertReplaysEveryPassInOrder(PcapSettings.of(file).withLoops(2)
            .withWindowBytes(PcapSettings.MIN_WINDOW_BYTES), written, 2, 100);
    }

    @Test
    void shouldNeverEndWhenLoopsIsForever() {
        final Path file = dir.resolve("forever.pcapng");
        try (PcapngWriter writer = PcapngWriter.create(file)) {
            writer.write(0, PcapFeedTest.frame(0, 64), T0);
        }
        try (PcapFeed feed = new PcapFeed(PcapSettings.of(file).withLoops(PcapSettings.FOREVER));
             TestIngress ingress = new TestIngress()) {
            ReplayChecks.assertNeverEnds(feed, ingress);
        }
    }

    @Test
    void shouldThrowNamingFileAndVersionWhenPcapngVersionIsNotOne() throws IOException {
        final Path file = dir.resolve("v2.pcapng");
        try (PcapngWriter writer = PcapngWriter.create(file)) {
            writer.write(0, PcapFeedTest.frame(0, 64), T0);
        }
        final byte[] bytes = Files.readAllBytes(file);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putShort(12, (short) 2).putShort(14, (short) 1);
        Files.write(file, bytes);
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> new PcapFeed(PcapSettings.of(file)));
        assertEquals("pcap file " + file + ": pcapng version 2.1 is not supported, only 1.x", error.getMessage());
    }

    @Test
    void shouldNameSettingValueAndAllowedRangeWhenWriterArgumentsAreBad() {
        final Path file = dir.resolve("bad-args.pcapng");
        try (PcapngWriter writer = PcapngWriter.create(file)) {
            assertEquals("interfaceId=1: must be 0..0, the interfaces of this section", assertThrows(
                IllegalArgumentException.class, () -> writer.write(1, new byte[64], T0)).getMessage());
            assertEquals("tsresol=10: must be 0..9 (10^-n s) or TSRESOL_BASE2 | 0..30 (2^-n s)", assertThrows(
                IllegalArgumentException.class, () -> writer.addInterface(1, 0, 10, 0)).getMessage());
            assertEquals("originalLength=10: must be at least length 64", assertThrows(IllegalArgumentException.class,
                () -> writer.write(0, new UnsafeBuffer(new byte[64]), 0, 64, 10, T0)).getMessage());
        }
    }
}
