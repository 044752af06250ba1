package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteOrder;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.frame.Frame;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameBatch;
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

    /** The user's decision in the handle example: true once the test asks for entry 0. */
    private static final AtomicBoolean ENTRY_ZERO_WANTED = new AtomicBoolean();

    private static boolean needsEntryZero(FrameBatch batch) {
        return ENTRY_ZERO_WANTED.compareAndSet(true, false);
    }

    private record Started(SteerEngine engine, ExecutorService admin) {
    }

    private static Started handleExample(Feed myFeed) {
        // docs/runtime.md, "A handler that calls the engine", verbatim:
        AtomicReference<SteerEngine> handle = new AtomicReference<>();  // set once start() has returned
        ExecutorService admin = Executors.newSingleThreadExecutor();     // map calls off the consumer threads
        SteerEngine engine = SteerEngine.builder()
                .entry(1, 2048)
                .handler(batch -> {
                    SteerEngine self = handle.get();             // null while start() runs: frames come before it returns
                    if (self != null && needsEntryZero(batch)) { // your decision; until then skip it (or remember it)
                        admin.execute(() -> self.update(0, EntryValue.of(512), CpuMap.ANY));
                    }
                })
                .feed(myFeed)
                .start();
        handle.set(engine);                                      // from here on every handler call sees the engine
        return new Started(engine, admin);
    }

    @Test
    @Timeout(value = 25, unit = TimeUnit.SECONDS)
    void shouldUpdateTheMapFromTheHandlerThroughTheHandleWhenStartHasReturned() throws Exception {
        assumeTwoCpus();
        ENTRY_ZERO_WANTED.set(false);
        // Frames l4-hash steers to entry 1, enough that the handler still runs when the test asks; the engine is shut
        // down as soon as the update is seen.
        final Started started = handleExample(new SequencedFeed("handle", 0, 1, 50_000_000));
        try {
            assertEquals(null, started.engine().lookup(0), "no entry 0 until the handler asks for it");
            ENTRY_ZERO_WANTED.set(true);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (started.engine().lookup(0) == null && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(512, started.engine().lookup(0).qsize(), "the handler's update, made on the executor");
        } finally {
            final EngineStats stats = started.engine().shutdown();
            started.admin().shutdown();
            assertTrue(started.admin().awaitTermination(10, TimeUnit.SECONDS));
            assertEquals(0, stats.accounting().inFlight());
        }
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
        // Without frames at the handler its assertions never run and the checks below hold as 0 == 0: the feed's
        // well-formed frames all go to the program's one target, so only a full ring may drop one.
        assertTrue(stats.accounting().delivered() > 0, "frames reached the handler: " + stats.accounting());
        assertEquals(0, stats.accounting().dropped(DropReason.PROGRAM_DROP), "l4-hash steers a well-formed frame: "
            + stats.accounting());
        assertEquals(stats.accounting().received(), stats.accounting().delivered()
            + stats.accounting().dropped(DropReason.RING_FULL), "no drop but a full ring: " + stats.accounting());
        assertEquals(stats.accounting().delivered(), handled.get(), "every delivered frame reached the handler");
        assertEquals(0, stats.accounting().dropped(DropReason.HANDLER_ERROR), "no assertion of the handler failed");
        assertEquals(0, stats.accounting().inFlight());
        assertEquals(stats.accounting().received(), stats.accounting().delivered() + stats.accounting().droppedTotal());
        assertTrue(stats.poolsFull());
    }
}
