package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.frame.Frame;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.program.PacketView;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;

/**
 * The embedding examples of README.md and docs/runtime.md, copied verbatim between the markers, so that a change of
 * the API that breaks them breaks the build; and what their comments promise, checked on the same code.
 */
class EmbeddingExampleTest {
    private static void assumeTwoCpus() {
        final CpuSet machine = CpuSet.fromMachine();
        assumeTrue(machine.isUsable(0) && machine.isUsable(1), "the examples use CPUs 0 and 1: " + machine);
    }

    @SuppressWarnings("unused")
    private static void readmeExample(Feed myFeed) {
        // README.md, "Embedding", verbatim:
        try (SteerEngine engine = SteerEngine.builder()
                .entry(1, 2048)                    // an entry on CPU 1 with a ring of 2048 frames
                .program("l4-hash")               // or any SteeringProgram
                .handler(batch -> {                // once per batch, on each entry's pinned consumer thread, concurrently
                    for (int i = 0; i < batch.size(); i++) {
                        PacketView packet = batch.packet(i);  // bounds-checked, network order, from the packet's first byte
                        int etherType = packet.u16(12);       // -1 past the end; batch.frame(i) is the frame itself
                    }                              // read or copy here: the frames go back to their pool after the call
                })
                .feed(myFeed)                      // one ingress actor per feed
                .start()) {
            engine.update(0, EntryValue.of(512), CpuMap.ANY);  // MapResult.OK, or EINVAL, E2BIG, EEXIST, ...
            EngineStats stats = engine.stats();                // counters and the accounting invariant
        }   // close(): stop the feeds, drain every entry, stop; shutdown() also returns the final stats
    }

    @SuppressWarnings("unused")
    private static void runtimeExample(Feed myFeed, FrameHandler myFrameHandler) {
        // docs/runtime.md, "Embedding", verbatim:
        try (SteerEngine engine = SteerEngine.builder()
                .cpus(CpuSet.fromMachine())          // CPUs the engine may use (default: this process' allowed CPUs)
                .entry(1, 2048)                       // initial entries: CPU 1, ring of 2048 frames
                .program("l4-hash")                  // or .program(mySteeringProgram)
                .handler(myFrameHandler)              // called by each entry's consumer, once per batch
                .feed(myFeed)                         // one ingress actor per feed
                .start()) {                           // validates every setting, then starts
            engine.update(0, EntryValue.of(512), CpuMap.ANY);   // MapResult.OK, EINVAL, E2BIG, ...
            EngineStats stats = engine.stats();                 // counters and the accounting invariant
        }                                                       // close: drain everything, then stop
    }

    @Test
    @Timeout(value = 25, unit = TimeUnit.SECONDS)
    void shouldRunTheReadmeExampleWhenCopiedVerbatim() {
        assumeTwoCpus();
        readmeExample(new SequencedFeed("readme", 0, 16, 20_000));
    }

    @Test
    @Timeout(value = 25, unit = TimeUnit.SECONDS)
    void shouldRunTheRuntimeDocExampleWhenCopiedVerbatim() {
        assumeTwoCpus();
        runtimeExample(new SequencedFeed("runtime-doc", 0, 16, 20_000), FrameHandler.NO_OP);
    }

    @Test
    @Timeout(value = 25, unit = TimeUnit.SECONDS)
    void shouldKeepTheExamplesPromisesWhenItsFeedRunsToItsEnd() throws Exception {
        assumeTwoCpus();
        final AtomicLong handled = new AtomicLong();
        final SteerEngine engine = SteerEngine.builder()
            .entry(1, 2048)
            .program("l4-hash")
            .handler(batch -> {
                assertEquals(1, batch.key(), "the example's one entry");
                for (int i = 0; i < batch.size(); i++) {
                    PacketView packet = batch.packet(i);
                    assertEquals(0x0800, packet.u16(12), "the Ethernet type, not the headroom");
                    assertEquals(-1, packet.u16(SequencedFeed.SIZE - 1), "past the end");
                    Frame frame = batch.frame(i);
                    assertEquals(SequencedFeed.SIZE, frame.length());
                    assertEquals(0x0800, frame.buffer().getShort(frame.dataOffset() + 12, ByteOrder.BIG_ENDIAN) & 0xFFFF);
                }
                handled.addAndGet(batch.size());
            })
            .feed(new SequencedFeed("readme-checked", 0, 16, 20_000))
            .systemName("readme-checked")
            .start();
        final EngineStats stats;
        try {
            assertEquals(MapResult.OK, engine.update(0, EntryValue.of(512), CpuMap.ANY));
            assertEquals(512, engine.lookup(0).qsize());
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (!engine.feedsEnded() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } finally {
            stats = engine.shutdown();
        }
        assertEquals(20_000, stats.accounting().received());
        assertEquals(stats.accounting().delivered(), handled.get(), "every delivered frame reached the handler");
        assertEquals(0, stats.accounting().dropped(DropReason.HANDLER_ERROR), "no assertion of the handler failed");
        assertEquals(0, stats.accounting().inFlight());
        assertEquals(stats.accounting().received(), stats.accounting().delivered() + stats.accounting().droppedTotal());
        assertTrue(stats.poolsFull());
    }
}
