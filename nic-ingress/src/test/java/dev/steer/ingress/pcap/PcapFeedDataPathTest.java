package dev.steer.ingress.pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.steer.engine.path.Feed;
import dev.steer.engine.stats.PathCounters;
import dev.steer.ingress.AllocatedBytes;
import dev.steer.ingress.TestIngress;

/** The feed against the real ingress path, classic pcap and pcapng: lossless back-pressure and no allocation per packet. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PcapFeedDataPathTest {
    @TempDir
    Path dir;

    private static final byte[] SENDER = {2, 1, 2, 3, 4, 5};

    /**
     * Writes {@code count} frames of {@code length(i)} bytes: classic pcap, or pcapng with two sections (the
     * second big-endian), interfaces of different resolutions, simple packet blocks and blocks to skip. Formats
     * {@code pcap-sll2} and {@code pcapng-sll} write each as a Linux cooked packet of {@link #expected}'s L3 bytes.
     */
    static void writeFrames(Path file, String format, int count, IntUnaryOperator length) {
        final int cooked = format.equals("pcap-sll2") ? LinuxCookedReplayTest.SLL2
            : format.equals("pcapng-sll") ? LinuxCookedReplayTest.SLL : PcapWriter.LINKTYPE_ETHERNET;
        if (format.startsWith("pcap-") || format.equals("pcap")) {
            try (PcapWriter writer = PcapWriter.create(file, ByteOrder.LITTLE_ENDIAN, PcapWriter.Resolution.MICROS,
                PcapWriter.DEFAULT_SNAPLEN, cooked)) {
                for (int i = 0; i < count; i++) {
                    writer.write(captured(cooked, i, length.applyAsInt(i)), 1_000_000_000L + i);
                }
            }
            return;
        }
        try (PcapngWriter writer = PcapngWriter.create(file, ByteOrder.LITTLE_ENDIAN)) {
            writer.addInterface(cooked, PcapngWriter.DEFAULT_SNAPLEN, PcapngWriter.TSRESOL_MICROS, 0);
            writer.addInterface(cooked, 0, PcapngWriter.TSRESOL_BASE2 | 24, 1000);
            for (int i = 0; i < count; i++) {
                if (i == count / 2) {
                    writer.startSection(ByteOrder.BIG_ENDIAN);
                    writer.addInterface(cooked, 0, PcapngWriter.TSRESOL_NANOS, 0);
                    writer.addInterface(cooked, 0, PcapngWriter.TSRESOL_MICROS, 0);
                }
                final byte[] frame = captured(cooked, i, length.applyAsInt(i));
                if (i % 10 == 3) {
                    writer.writeSimple(frame, frame.length);
                } else {
                    writer.write(i % 2, frame, 1_000_000_000_000L + i);
                }
                if (i % 50 == 7) {
                    writer.writeBlock(5, new byte[24]);
                }
            }
        }
    }

    /** Record {@code i} as written: the frame itself, or a cooked packet of {@code linkType} whose L3 bytes it holds. */
    private static byte[] captured(int linkType, int i, int length) {
        return linkType == PcapWriter.LINKTYPE_ETHERNET ? PcapFeedTest.frame(i, length)
            : LinuxCookedReplayTest.cooked(linkType, 0, 1, 6, SENDER, 0x0800, PcapFeedTest.frame(i, length - 14));
    }

    /** Frame {@code i} as the feed hands it over. */
    private static byte[] expected(String format, int i, int length) {
        return format.equals("pcap") || format.equals("pcapng") ? PcapFeedTest.frame(i, length)
            : LinuxCookedReplayTest.ethernet(new byte[6], SENDER, 0x0800, PcapFeedTest.frame(i, length - 14));
    }

    @ParameterizedTest
    @ValueSource(strings = {"pcap", "pcapng", "pcap-sll2", "pcapng-sll"})
    void shouldOfferTheRefusedRecordAgainWhenSinkBackPressures(String format) throws Exception {
        final Path file = dir.resolve("bp." + format);
        writeFrames(file, format, 20, i -> 100);
        // Four frames in the pool, local batches of eight: the fifth record of a poll finds the pool empty.
        try (PcapFeed feed = new PcapFeed(PcapSettings.of(file)); TestIngress ingress = new TestIngress(4, 2048, 8, true)) {
            assertEquals(4, ingress.poll(feed));
            assertEquals(1, ingress.get(PathCounters.Counter.BACK_PRESSURED));
            ingress.drain(feed, 20);
            assertEquals(20, ingress.frames.size());
            for (int i = 0; i < 20; i++) {
                assertArrayEquals(expected(format, i, 100), ingress.frames.get(i), "record " + i + " once, in order");
            }
            assertEquals(20, ingress.get(PathCounters.Counter.RECEIVED));
            assertEquals(20, feed.records());
            assertEquals(4, ingress.get(PathCounters.Counter.BACK_PRESSURED), "once in each of the first four polls");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"pcap", "pcapng", "pcap-sll2", "pcapng-sll"})
    void shouldNotAllocatePerPacketWhenReplayingInSteadyState(String format) throws Exception {
        final Path file = dir.resolve("alloc." + format);
        writeFrames(file, format, 5000, i -> 64 + i % 1400);
        // A window smaller than the file, so refills and rewinds are part of the measured steady state.
        final PcapSettings settings = PcapSettings.of(file).withLoops(PcapSettings.FOREVER)
            .withWindowBytes(PcapSettings.MIN_WINDOW_BYTES);
        try (PcapFeed feed = new PcapFeed(settings); TestIngress ingress = new TestIngress()) {
            ingress.keep = false;
            for (int i = 0; i < 20_000; i++) {
                ingress.poll(feed);
            }
            final long packetsBefore = ingress.delivered;
            final long before = AllocatedBytes.ofCurrentThread();
            for (int i = 0; i < 20_000; i++) {
                ingress.poll(feed);
            }
            final long allocated = AllocatedBytes.ofCurrentThread() - before;
            final long packets = ingress.delivered - packetsBefore;
            assertEquals(20_000L * 64, packets);
            assertTrue(allocated < 1024, allocated + " bytes allocated over " + packets + " packets");
            assertTrue(feed.passes() > 100);
            assertTrue(feed.poll(ingress.path, 1) != Feed.END);
        }
    }
}
