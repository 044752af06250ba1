package dev.steer.loadgen.traffic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.actors.SteerEngine;
import dev.steer.engine.frame.Frame;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.program.PacketHeaders;
import dev.steer.engine.program.PacketParser;
import dev.steer.engine.program.PacketView;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters;

/** The synthetic feed through a real engine: every frame accounted, every delivered frame parses. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SyntheticFeedEngineTest {
    @Test
    void shouldAccountForEveryFrameExactlyWhenRunThroughAnEngine() throws InterruptedException {
        final long frames = 20_000;
        final TrafficProfile profile = Scenarios.load("imix").traffic().withFlows(512);
        final SyntheticFeed feed = new SyntheticFeed("synthetic", profile, frames);
        final AtomicLong parsed = new AtomicLong();
        final AtomicLong bad = new AtomicLong();
        final SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(2).entry(0, 1024).entry(1, 1024)
            .program("l4-hash").pinning(false).lossless(true).systemName("traffic-e2e")
            .closeTimeout(Duration.ofSeconds(20)).feed(feed)
            .handler(batch -> {
                // One consumer per entry calls this: thread-local holders keep it safe.
                final PacketView view = VIEW.get();
                final PacketHeaders headers = HEADERS.get();
                for (int i = 0; i < batch.size(); i++) {
                    final Frame frame = batch.frame(i);
                    if (PacketParser.parse(view.wrap(frame), headers) == PacketHeaders.OK && headers.isIp()) {
                        parsed.incrementAndGet();
                    } else {
                        bad.incrementAndGet();
                    }
                }
            })
            .start();
        final EngineStats stats;
        try {
            // Bounded well inside the class's timeout, whose interrupt would also cut the shutdown below short.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!engine.feedsEnded() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(engine.feedsEnded(), "the feed ended: " + engine.stats().accounting());
        } finally {
            stats = engine.shutdown();
        }
        assertEquals(frames, feed.sent());
        assertEquals(frames, stats.accounting().received(), stats.accounting().toString());
        assertEquals(frames, stats.accounting().delivered(), stats.accounting().toString());
        for (DropReason reason : DropReason.values()) {
            assertEquals(0, stats.accounting().dropped(reason), reason.label());
        }
        assertEquals(0, stats.accounting().inFlight());
        assertTrue(stats.poolsFull(), "every frame returned to its pool");
        assertEquals(frames, stats.consumerTotal(PathCounters.Counter.DELIVERED), "all through the entries");
        assertTrue(stats.consumers().stream().allMatch(c -> c.get(PathCounters.Counter.DELIVERED) > 0),
            "l4-hash spreads the flows over both entries");
        assertEquals(frames, parsed.get());
        assertEquals(0, bad.get());
    }

    private static final ThreadLocal<PacketView> VIEW = ThreadLocal.withInitial(PacketView::new);
    private static final ThreadLocal<PacketHeaders> HEADERS = ThreadLocal.withInitial(PacketHeaders::new);
}
