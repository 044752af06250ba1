package dev.steer.ingress.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.steer.engine.path.Feed;
import dev.steer.engine.stats.PathCounters;
import dev.steer.ingress.TestIngress;

/** Captures with a valid header and no packets: the replay ends after one pass whatever the loop setting. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PcapEmptyCaptureTest {
    private static final long T0 = 1_700_000_000_000_000_000L;

    @TempDir
    Path dir;

    /** Writes a capture without packets into the given file. */
    @FunctionalInterface
    interface EmptyCapture {
        void write(Path file);
    }

    static Stream<Arguments> emptyCaptures() {
        final EmptyCapture classic = file -> PcapWriter.create(file).close();
        final EmptyCapture classicBigEndianNanos = file -> PcapWriter.create(file, ByteOrder.BIG_ENDIAN,
            PcapWriter.Resolution.NANOS, PcapWriter.DEFAULT_SNAPLEN, PcapWriter.LINKTYPE_ETHERNET).close();
        final EmptyCapture sectionOnly = file -> PcapngWriter.create(file, ByteOrder.LITTLE_ENDIAN).close();
        final EmptyCapture sectionAndInterface = file -> PcapngWriter.create(file).close();
        // More blocks without a packet than one poll skips: the pass spans several polls.
        final EmptyCapture statisticsOnly = file -> {
            try (PcapngWriter writer = PcapngWriter.create(file)) {
                for (int i = 0; i < 3000; i++) {
                    writer.writeBlock(5, new byte[20]);
                }
            }
        };
        final Stream.Builder<Arguments> cases = Stream.builder();
        for (long loops : new long[] {1, 3, Integer.MAX_VALUE, PcapSettings.FOREVER}) {
            cases.add(Arguments.of("classic header only", classic, loops));
            cases.add(Arguments.of("classic big-endian nanosecond header only", classicBigEndianNanos, loops));
            cases.add(Arguments.of("pcapng section header only", sectionOnly, loops));
            cases.add(Arguments.of("pcapng section and interface only", sectionAndInterface, loops));
            cases.add(Arguments.of("pcapng with 3000 statistics blocks only", statisticsOnly, loops));
        }
        return cases.build();
    }

    @ParameterizedTest(name = "{0}, loops {2}")
    @MethodSource("emptyCaptures")
    void shouldEndAfterTheFirstPassAndSaySoWhenTheCaptureHasNoPackets(String what, EmptyCapture capture, long loops) {
        final Path file = dir.resolve("empty");
        capture.write(file);
        try (PcapFeed feed = new PcapFeed(PcapSettings.of(file).withLoops(loops));
             TestIngress ingress = new TestIngress()) {
            ingress.drain(feed, 10);
            assertTrue(feed.ended(), what);
            assertTrue(feed.emptyCapture(), what + ": says it had no packets");
            assertEquals(1, feed.passes(), what);
            assertTrue(feed.damage().isEmpty(), what + ": an empty capture is not damaged");
            assertEquals(0, ingress.get(PathCounters.Counter.RECEIVED), what);
            assertEquals(Feed.END, ingress.poll(feed), what + ": stays ended");
        }
    }

    @Test
    void shouldNotSayEmptyWhenTheCaptureHasPacketsAndLoopsForever() {
        final Path file = dir.resolve("one.pcap");
        try (PcapWriter writer = PcapWriter.create(file)) {
            writer.write(PcapFeedTest.frame(0, 64), T0);
        }
        try (PcapFeed feed = new PcapFeed(PcapSettings.of(file).withLoops(PcapSettings.FOREVER));
             TestIngress ingress = new TestIngress()) {
            ingress.keep = false;
            for (int i = 0; i < 20; i++) {
                assertTrue(ingress.poll(feed) > 0, "poll " + i);
            }
            assertFalse(feed.ended());
            assertFalse(feed.emptyCapture());
        }
    }
}
