package dev.steer.ingress.pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.steer.engine.stats.PathCounters;
import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameSink;
import dev.steer.engine.stats.DropReason;
import dev.steer.ingress.TestIngress;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LinuxCookedWindowEdgeTest {
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final byte[] MAC = {2, 1, 2, 3, 4, 5};

    @TempDir
    Path dir;

    /** Records of varying length over several windows (so many straddle a refill), back-pressure, three passes. */
    @ParameterizedTest
    @ValueSource(strings = {"pcap-113", "pcap-276", "pcapng-mixed"})
    void shouldDeliverEveryCookedFrameOnceIntactWhenRecordsStraddleRefillsUnderBackPressureAndLoops(String format) {
        final int count = 1500;
        final Path file = dir.resolve("edge-" + format);
        final List<byte[]> expected = new ArrayList<>();
        int truncatedPerPass = 0;
        int foreignPerPass = 0;
        if (format.startsWith("pcap-")) {
            final int link = Integer.parseInt(format.substring(5));
            try (PcapWriter writer = PcapWriter.create(file, ByteOrder.BIG_ENDIAN, PcapWriter.Resolution.NANOS,
                PcapWriter.DEFAULT_SNAPLEN, link)) {
                for (int i = 0; i < count; i++) {
                    final byte[] l3 = PcapFeedTest.frame(i, 200 + (i * 37) % 1300);
                    if (i % 97 == 5) {
                        writer.write(LinuxCookedReplayTest.cooked(link, 0, 1, 6, MAC, 4, l3), T0 + i); // 802.2
                        foreignPerPass++;
                        continue;
                    }
                    writer.write(LinuxCookedReplayTest.cooked(link, i % 2, 1, 6, MAC, 0x0800, l3), T0 + i);
                    expected.add(LinuxCookedReplayTest.ethernet(i % 2 == 1 ? new byte[] {-1, -1, -1, -1, -1, -1}
                        : new byte[6], MAC, 0x0800, l3));
                }
            }
        } else {
            try (PcapngWriter writer = PcapngWriter.create(file, ByteOrder.LITTLE_ENDIAN)) {
                writer.addInterface(PcapngWriter.LINKTYPE_ETHERNET, 0, PcapngWriter.TSRESOL_NANOS, 0); // 0
                writer.addInterface(LinuxCookedReplayTest.SLL, 0, PcapngWriter.TSRESOL_NANOS, 0); // 1
                writer.addInterface(LinuxCookedReplayTest.SLL2, 0, PcapngWriter.TSRESOL_NANOS, 0); // 2
                for (int i = 0; i < count; i++) {
                    final byte[] l3 = PcapFeedTest.frame(i, 200 + (i * 37) % 1300);
                    final int ifId = i % 3;
                    if (ifId == 0) {
                        final byte[] frame = LinuxCookedReplayTest.ethernet(new byte[6], MAC, 0x0800, l3);
                        writer.write(0, frame, T0 + i);
                        expected.add(frame);
                    } else if (i % 101 == 7) {
                        // shorter than its cooked header
                        writer.write(ifId, new byte[ifId == 1 ? 15 : 19], T0 + i);
                        truncatedPerPass++;
                    } else {
                        final int link = ifId == 1 ? LinuxCookedReplayTest.SLL : LinuxCookedReplayTest.SLL2;
                        writer.write(ifId, LinuxCookedReplayTest.cooked(link, 0, 1, 6, MAC, 0x86dd, l3), T0 + i);
                        expected.add(LinuxCookedReplayTest.ethernet(new byte[6], MAC, 0x86dd, l3));
                    }
                }
            }
        }
        final int passes = 3;
        final PcapSettings settings = PcapSettings.of(file).withLoops(passes)
            .withWindowBytes(PcapSettings.MIN_WINDOW_BYTES);
        try (PcapFeed feed = new PcapFeed(settings); TestIngress ingress = new TestIngress(4, 2048, 8, true)) {
            ingress.drain(feed, 1_000_000);
            assertEquals(passes * expected.size(), ingress.frames.size());
            for (int i = 0; i < ingress.frames.size(); i++) {
                assertArrayEquals(expected.get(i % expected.size()), ingress.frames.get(i), "frame " + i);
            }
            assertEquals(passes * (long) truncatedPerPass, feed.truncated());
            assertEquals(passes * (long) foreignPerPass, feed.foreignLink());
            assertEquals(passes * (long) (expected.size() + truncatedPerPass + foreignPerPass),
                ingress.get(PathCounters.Counter.RECEIVED));
            assertEquals(passes, feed.passes());
        }
    }

    /**
     * A capture the window holds whole is read once however often it loops ({@code CaptureWindow.seek}): a cooked
     * one too, though its headers were rewritten in the window. Shown by changing the file after the first pass: the
     * later passes must still be the first one's frames, as for an Ethernet capture.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 113, 276})
    void shouldReadASmallCaptureOnceWhenLoopedWhateverItsLinkType(int link) throws Exception {
        final Path file = dir.resolve("small-" + link + ".pcap");
        final List<byte[]> onePass = new ArrayList<>();
        try (PcapWriter writer = PcapWriter.create(file, ByteOrder.LITTLE_ENDIAN, PcapWriter.Resolution.NANOS,
            PcapWriter.DEFAULT_SNAPLEN, link)) {
            for (int i = 0; i < 4; i++) {
                final byte[] l3 = PcapFeedTest.frame(i, 60 + i);
                final byte[] frame = LinuxCookedReplayTest.ethernet(new byte[6], MAC, 0x0800, l3);
                writer.write(link == 1 ? frame : LinuxCookedReplayTest.cooked(link, 0, 1, 6, MAC, 0x0800, l3), T0 + i);
                onePass.add(frame);
            }
        }
        final List<byte[]> frames = new ArrayList<>();
        final List<DropReason> drops = new ArrayList<>();
        final FrameSink sink = new FrameSink() {
            @Override
            public int onFrame(DirectBuffer buffer, int offset, int length, long timestampNs) {
                final byte[] copy = new byte[length];
                buffer.getBytes(offset, copy);
                frames.add(copy);
                return ACCEPTED;
            }

            @Override
            public void onDropped(DropReason reason, int count) {
                drops.add(reason);
            }

            @Override
            public void onFeedError(Throwable error) {
                throw new AssertionError(error);
            }
        };
        try (PcapFeed feed = new PcapFeed(PcapSettings.of(file).withLoops(3))) {
            while (frames.size() < onePass.size()) {
                feed.poll(sink, 1);
            }
            Files.write(file, new byte[(int) Files.size(file)]); // same length, every byte 0
            for (int i = 0; i < 100 && feed.poll(sink, 1) != Feed.END; i++) {
                // the remaining passes
            }
            assertEquals(List.of(), drops);
            assertEquals(3 * onePass.size(), frames.size());
            for (int i = 0; i < frames.size(); i++) {
                assertArrayEquals(onePass.get(i % onePass.size()), frames.get(i), "frame " + i);
            }
        }
    }
}
