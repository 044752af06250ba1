package dev.steer.ingress.pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.steer.engine.path.Feed;
import dev.steer.engine.stats.PathCounters;

/** The feed against the real ingress path: lossless back-pressure and no allocation per packet. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PcapFeedDataPathTest {
    @TempDir
    Path dir;

    @Test
    void shouldOfferTheRefusedRecordAgainWhenSinkBackPressures() throws Exception {
        final Path file = dir.resolve("bp.pcap");
        try (PcapWriter writer = PcapWriter.create(file)) {
            for (int i = 0; i < 20; i++) {
                writer.write(PcapFeedTest.frame(i, 100), 1_000_000_000L + i);
            }
        }
        // Four frames in the pool, local batches of eight: the fifth record of a poll finds the pool empty.
        try (PcapFeed feed = new PcapFeed(PcapSettings.of(file)); TestIngress ingress = new TestIngress(4, 2048, 8, true)) {
            assertEquals(4, ingress.poll(feed));
            assertEquals(1, ingress.get(PathCounters.Counter.BACK_PRESSURED));
            ingress.drain(feed, 20);
            assertEquals(20, ingress.frames.size());
            for (int i = 0; i < 20; i++) {
                assertArrayEquals(PcapFeedTest.frame(i, 100), ingress.frames.get(i), "record " + i + " once, in order");
            }
            assertEquals(20, ingress.get(PathCounters.Counter.RECEIVED));
            assertEquals(20, feed.records());
            assertEquals(4, ingress.get(PathCounters.Counter.BACK_PRESSURED), "once in each of the first four polls");
        }
    }

    @Test
    void shouldNotAllocatePerPacketWhenReplayingInSteadyState() throws Exception {
        final Path file = dir.resolve("alloc.pcap");
        try (PcapWriter writer = PcapWriter.create(file)) {
            for (int i = 0; i < 5000; i++) {
                writer.write(PcapFeedTest.frame(i, 64 + i % 1400), 1_000_000_000L + i);
            }
        }
        // A window smaller than the file, so refills and rewinds are part of the measured steady state.
        final PcapSettings settings = PcapSettings.of(file).withLoops(PcapSettings.FOREVER)
            .withWindowBytes(PcapSettings.MIN_WINDOW_BYTES);
        try (PcapFeed feed = new PcapFeed(settings); TestIngress ingress = new TestIngress()) {
            ingress.keep = false;
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            final long thread = Thread.currentThread().threadId();
            for (int i = 0; i < 20_000; i++) {
                ingress.poll(feed);
            }
            final long packetsBefore = ingress.delivered;
            final long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < 20_000; i++) {
                ingress.poll(feed);
            }
            final long allocated = threads.getThreadAllocatedBytes(thread) - before;
            final long packets = ingress.delivered - packetsBefore;
            assertEquals(20_000L * 64, packets);
            assertTrue(allocated < 1024, allocated + " bytes allocated over " + packets + " packets");
            assertTrue(feed.passes() > 100);
            assertTrue(feed.poll(ingress.path, 1) != Feed.END);
        }
    }
}
