package dev.steer.ingress.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.actors.SteerEngine;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters;

/**
 * Datagrams through a real engine with exact accounting. The sender goes in rounds and waits until the
 * engine has received each round, so the kernel never has to drop for a full socket buffer.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdpEngineTest {
    @Test
    void shouldAccountForEveryDatagramWhenSentThroughTheEngine() throws Exception {
        final int rounds = 20;
        final int perRound = 200;
        final AtomicLong handled = new AtomicLong();
        final UdpFeed feed = new UdpFeed(UdpSettings.defaults().withName("udp-engine"));
        final SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(2)).pinning(false).feed(feed)
            .poolFrames(1024).systemName("udp-engine-test")
            .handler(batch -> handled.addAndGet(batch.size()))
            .localHandler(batch -> handled.addAndGet(batch.size()))
            .errorHandler((where, error) -> { })
            .start();
        long oversize = 0;
        EngineStats stats = null;
        try (UdpSender sender = new UdpSender(UdpSenderSettings.of("127.0.0.1", feed.boundPort()))) {
            long sent = 0;
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < perRound; i++) {
                    final boolean big = i == 100;
                    final byte[] bytes = UdpFeedTest.frame(r * perRound + i, big ? 5000 : 60 + i * 7);
                    assertEquals(bytes.length, sender.send(new UnsafeBuffer(bytes), 0, bytes.length));
                    oversize += big ? 1 : 0;
                    sent++;
                }
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (engine.stats().ingressTotal(PathCounters.Counter.RECEIVED) < sent) {
                    assertTrue(System.nanoTime() < deadline, "round " + r + " not received");
                    Thread.sleep(2);
                }
            }
        } finally {
            stats = engine.shutdown();
        }
        final Accounting accounting = stats.accounting();
        final long total = (long) rounds * perRound;
        assertEquals(total, accounting.received(), accounting.toString());
        assertEquals(total, feed.datagrams(), "oversize ones are handed over too: the sink counts them");
        assertEquals(oversize, accounting.dropped(DropReason.OVERSIZE));
        assertEquals(accounting.received(), accounting.delivered() + accounting.droppedTotal(), accounting.toString());
        assertEquals(0, accounting.inFlight());
        assertEquals(handled.get(), accounting.delivered());
        // Both hold with nothing delivered; the datagrams are non-IP frames, which l4-hash steers to its first target.
        assertEquals(0, accounting.dropped(DropReason.PROGRAM_DROP), accounting.toString());
        assertTrue(accounting.delivered() > 0, "datagrams reached the handlers: " + accounting);
        assertTrue(stats.poolsFull(), "pools full: " + stats.pools());
    }
}
