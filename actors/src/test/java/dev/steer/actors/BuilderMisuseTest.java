package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameSink;
import dev.steer.engine.program.PacketView;
import dev.steer.engine.program.SteeringProgram;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.EngineStats;

/**
 * Wrong uses of {@link SteerEngine.Builder} as an embedding service might make them: each must end in an exception
 * naming the setting, its value and what is allowed (or a documented result code), never in an engine that runs with
 * something the caller did not ask for.
 */
class BuilderMisuseTest {
    private static SteerEngine.Builder engine(String name) {
        return SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(2).entry(0, 64).entry(1, 64).pinning(false)
            .systemName(name).errorHandler((where, error) -> { });
    }

    private static EngineStats runToEnd(SteerEngine engine) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!engine.feedsEnded() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return engine.shutdown();
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void shouldRefuseASecondStartWhenTheBuilderAlreadyStartedAnEngine() throws Exception {
        final SteerEngine.Builder builder = engine("misuse-start-twice").program(SequencedFeed.byFlow(2))
            .feed(new SequencedFeed("f", 0, 2, 20_000));
        final SteerEngine first = builder.start();
        try {
            final IllegalStateException refused = assertThrows(IllegalStateException.class, builder::start);
            assertTrue(refused.getMessage().contains("start()"), refused.getMessage());
            final EngineStats stats = runToEnd(first);
            assertEquals(20_000, stats.accounting().received(), "the first engine alone polled its feed");
            assertEquals(0, stats.accounting().inFlight());
            assertTrue(stats.poolsFull());
        } finally {
            first.close();
        }
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void shouldRefuseSettingChangesWhenTheBuilderAlreadyStartedAnEngine() {
        final SteerEngine.Builder builder = engine("misuse-change-after-start");
        try (SteerEngine engine = builder.start()) {
            final IllegalStateException refused =
                assertThrows(IllegalStateException.class, () -> builder.askTimeout(null));
            assertTrue(refused.getMessage().contains("askTimeout"), refused.getMessage());
            assertThrows(IllegalStateException.class, () -> builder.feed(new SequencedFeed("late", 0, 1, 1)));
            assertEquals(64, engine.lookup(0).qsize(), "the running engine keeps the settings it started with");
            assertEquals(MapResult.OK, engine.update(1, EntryValue.of(8), CpuMap.ANY));
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void shouldRefuseTheSameFeedTwiceWhenStarting() {
        final Feed feed = new SequencedFeed("shared", 0, 2, 1_000);
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> engine("misuse-feed-twice").feed(feed).feed(feed).start());
        assertTrue(refused.getMessage().contains("feed 1") && refused.getMessage().contains("feed 0"),
            refused.getMessage());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void shouldRefuseANullProgramWhenStarting() {
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> engine("misuse-null-program").program((SteeringProgram) null).start());
        assertTrue(refused.getMessage().contains("program=null"), refused.getMessage());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void shouldRefuseNullIngressCpusAndRemoteConsumersWhenStartingAsEveryOtherNullSetting() {
        // Both used to take their defaults without a word, while every other null setting was refused by name.
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> engine("misuse-null-ingress-cpus").ingressCpus((int[]) null).remoteConsumers(null).start());
        assertTrue(refused.getMessage().contains("ingressCpus=null: must be set (leave it out for the default)"),
            refused.getMessage());
        assertTrue(refused.getMessage().contains("remoteConsumers=null: must be set (leave it out for the default)"),
            refused.getMessage());
        final IllegalArgumentException concluded = assertThrows(IllegalArgumentException.class,
            () -> engine("misuse-null-remote").remoteConsumers(null).conclude());
        assertTrue(concluded.getMessage().contains("remoteConsumers=null"), concluded.getMessage());
        // A later non-null setting replaces the null, as for any other setting.
        try (SteerEngine engine = engine("misuse-null-then-set").ingressCpus((int[]) null).ingressCpus(0)
                .remoteConsumers(null).remoteConsumers((entry, signal) -> { throw new AssertionError("no remote entry"); })
                .start()) {
            assertEquals(64, engine.lookup(0).qsize());
        }
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void shouldDeriveDefaultsAgainWhenSettingsChangeAfterConclude() {
        final SteerEngine.Builder narrowed = SteerEngine.builder().cpus(CpuSet.all(2)).pinning(false)
            .systemName("misuse-conclude-cpus").errorHandler((where, error) -> { });
        narrowed.conclude();
        narrowed.cpus(CpuSet.all(1)); // maxEntries, entries and ingress CPUs were never set: defaults of the new set
        try (SteerEngine engine = narrowed.start()) {
            assertEquals(MapResult.E2BIG, engine.update(1, EntryValue.of(8), CpuMap.ANY), "one slot: max entries 1");
            assertEquals(SteerEngine.Builder.DEFAULT_QSIZE, engine.lookup(0).qsize());
        }
        final SteerEngine.Builder given = SteerEngine.builder().cpus(CpuSet.all(2)).pinning(false)
            .systemName("misuse-conclude-entries").errorHandler((where, error) -> { });
        given.conclude();
        given.entry(1, 8); // the caller's entries replace the default ones, as without the earlier conclude()
        try (SteerEngine engine = given.start()) {
            assertNull(engine.lookup(0), "no default entry beside the one given");
            assertEquals(8, engine.lookup(1).qsize());
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void shouldNameMaxEntriesAloneWhenItIsOutOfRangeAndEntriesAreGiven() {
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> engine("misuse-max-entries").maxEntries(0).start());
        assertTrue(refused.getMessage().contains("maxEntries=0: must be 1..2"), refused.getMessage());
        assertTrue(!refused.getMessage().contains("entry 0") && !refused.getMessage().contains("entry 1"),
            "the entries are not at fault: " + refused.getMessage());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void shouldLeaveTheFeedsToTheCallerWhenAStartFailsInItsSetup() {
        final AtomicInteger closes = new AtomicInteger();
        final Feed feed = new Feed() {
            @Override
            public int poll(FrameSink sink, int budget) {
                throw new AssertionError("a failed start polls no feed");
            }

            @Override
            public String name() {
                return "never-polled";
            }

            @Override
            public void close() {
                closes.incrementAndGet();
            }
        };
        final SteerEngine.Builder builder = engine("misuse-failed-start").feed(feed).program(new SteeringProgram() {
            @Override
            public long run(PacketView packet) {
                return Verdict.of(Verdict.PASS);
            }

            @Override
            public SteeringProgram forIngress() {
                throw new IllegalStateException("no instance");
            }
        });
        assertThrows(IllegalStateException.class, builder::start);
        assertEquals(0, closes.get(), "the feed is the caller's again");
        final IllegalStateException again = assertThrows(IllegalStateException.class, builder::start);
        assertTrue(again.getMessage().contains("a start that failed uses it up too"), again.getMessage());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void shouldNameTheEntryWhenAnInitialEntryIsOnAnotherNodeWithoutRemoteConsumers() {
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> engine("misuse-remote-entry").entry(1, EntryValue.remote(64, "pekko://steer@10.0.0.2:25520", 3))
                .start());
        assertTrue(refused.getMessage().contains("entry 1: located on node 'pekko://steer@10.0.0.2:25520'"),
            refused.getMessage());
        assertTrue(refused.getMessage().contains("remoteConsumers"), refused.getMessage());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void shouldNamePoolSettingsByTheirBuilderNamesEachOnALineWhenTheyAreOutOfRange() {
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> engine("misuse-pool").poolFrames(0).frameSize(100).headroom(4096).start());
        final List<String> lines = refused.getMessage().lines().map(String::strip).toList();
        assertTrue(lines.contains("poolFrames=0: must be 1..4194304"), refused.getMessage());
        assertTrue(lines.contains("frameSize=100: must be a multiple of 64 from 128 to 65536"), refused.getMessage());
        assertTrue(lines.contains("headroom=4096: must be 32..frameSize - 64 (36)"), refused.getMessage());
        assertTrue(!refused.getMessage().contains("pool."), "names of the builder, not of FramePool.Context: "
            + refused.getMessage());
    }
}
