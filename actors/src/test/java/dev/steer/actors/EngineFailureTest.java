package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.frame.FramePool;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.path.FrameSink;
import dev.steer.engine.program.PacketView;
import dev.steer.engine.program.SteeringProgram;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters.Counter;

/**
 * Failures around the data path rather than in it: user code that throws Errors where the supervisor calls it, error
 * handlers that throw, resources that cannot be had, settings that Pekko would refuse, calls that reach a closed
 * engine. None may take the engine (or the JVM) down, leak a pool or a feed, or answer with an exception where the
 * contract has a code.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EngineFailureTest {
    private static final ErrorHandler THROWING = (where, error) -> {
        throw new IllegalStateException("faulty error handler");
    };

    private static SteerEngine.Builder engine(String name) {
        return SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(2).entry(0, 1024).pinning(false).systemName(name)
            .errorHandler((where, error) -> { });
    }

    private static EngineStats runToEnd(SteerEngine engine) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!engine.feedsEnded() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return engine.shutdown();
    }

    /** A program whose per-thread instance cannot be had: {@code forIngress()} throws {@code failure}. */
    private static SteeringProgram withoutInstance(Throwable failure) {
        return new SteeringProgram() {
            @Override
            public long run(PacketView packet) {
                return Verdict.of(Verdict.PASS);
            }

            @Override
            public SteeringProgram forIngress() {
                if (failure instanceof Error error) {
                    throw error;
                }
                throw (RuntimeException) failure;
            }
        };
    }

    private static Feed idle(AtomicInteger closes) {
        return new Feed() {
            @Override
            public int poll(FrameSink sink, int budget) {
                return 0;
            }

            @Override
            public String name() {
                return "idle";
            }

            @Override
            public void close() {
                closes.incrementAndGet();
            }
        };
    }

    @Test
    void shouldAnswerEnomemWhenARemoteProgramFailsWithAnError() throws Exception {
        final SteeringProgram broken = withoutInstance(new AssertionError("per-thread instance refused"));
        final SteerEngine engine = engine("failure-remote-error").program(SequencedFeed.byFlow(1))
            .feed(new SequencedFeed("f", 0, 2, 50_000)).askTimeout(Duration.ofSeconds(5)).start();
        assertEquals(MapResult.ENOMEM, engine.update(1, new EntryValue(64, broken), CpuMap.ANY));
        assertNull(engine.lookup(1), "the map is unchanged");
        assertEquals(MapResult.OK, engine.update(1, EntryValue.of(64), CpuMap.ANY), "the supervisor goes on");
        final EngineStats stats = runToEnd(engine);
        assertEquals(50_000, stats.accounting().received());
        assertEquals(0, stats.accounting().inFlight());
        assertTrue(stats.poolsFull());
    }

    @Test
    void shouldShowTheSupervisorsErrorHandlerFailureWhenItDroppedNothing() throws Exception {
        final SteeringProgram broken = withoutInstance(new AssertionError("per-thread instance refused"));
        final SteerEngine engine = engine("failure-remote-handler").program(SequencedFeed.byFlow(1))
            .feed(new SequencedFeed("f", 0, 2, 10_000)).errorHandler(THROWING).askTimeout(Duration.ofSeconds(5))
            .start();
        assertEquals(MapResult.ENOMEM, engine.update(1, new EntryValue(64, broken), CpuMap.ANY));
        final EngineStats stats = runToEnd(engine);
        final long failures = stats.consumers().stream().filter(row -> row.key() == -1)
            .mapToLong(row -> row.get(Counter.ERROR_HANDLER_FAILURES)).sum();
        assertEquals(1, failures, "the supervisor's row shows the failed report: " + stats.consumers());
        assertEquals(0, stats.accounting().inFlight());
    }

    @Test
    void shouldRefuseToStartWithoutKillingTheJvmWhenThePoolsMemoryCannotBeHad() {
        final long bytes = 1_000_000L * 2048;
        assumeTrue(bytes > Runtime.getRuntime().maxMemory(), "direct memory is limited to the heap's size by default;"
            + " this JVM's heap (" + Runtime.getRuntime().maxMemory() + " bytes) would hold the pool");
        final int open = FramePool.openPools();
        final IllegalStateException error = assertThrows(IllegalStateException.class, () -> engine("failure-big-pool")
            .feed(idle(new AtomicInteger())).poolFrames(1_000_000).frameSize(2048).start());
        // Named as the builder's settings, poolFrames and frameSize, as its other pool messages do.
        assertTrue(error.getMessage().contains(": poolFrames=1000000 x frameSize=2048 = 2048000000 bytes of direct"
            + " memory cannot be had ("), error.getMessage());
        assertEquals(open, FramePool.openPools(), "no pool left registered");
    }

    @Test
    void shouldCloseThePoolsItMadeWhenAStartFails() {
        final SteeringProgram broken = withoutInstance(new IllegalStateException("no per-ingress instance"));
        final int open = FramePool.openPools();
        final AtomicInteger closes = new AtomicInteger();
        for (int i = 0; i < 3; i++) {
            final int n = i;
            final IllegalStateException error = assertThrows(IllegalStateException.class, () -> engine("failure-start-" + n)
                .program(broken).feed(idle(closes)).feed(idle(closes)).poolFrames(4096).start());
            assertTrue(error.getMessage().contains("no per-ingress instance"), error.getMessage());
        }
        assertEquals(open, FramePool.openPools(), "the pools of failed starts are closed");
    }

    @Test
    void shouldRestartTheIngressAndCountTheFailureWhenTheErrorHandlerThrows() throws Exception {
        final SequencedFeed inner = new SequencedFeed("inner", 0, 4, 20_000);
        final AtomicInteger polls = new AtomicInteger();
        final Feed failingOnce = new Feed() {
            @Override
            public int poll(FrameSink sink, int budget) {
                if (polls.incrementAndGet() == 10) {
                    throw new IllegalStateException("one feed failure");
                }
                return inner.poll(sink, budget);
            }

            @Override
            public String name() {
                return "failing-once";
            }
        };
        final EngineStats stats = runToEnd(engine("failure-handler-feed").program(SequencedFeed.byFlow(1))
            .feed(failingOnce).errorHandler(THROWING).start());
        assertEquals(1, stats.ingresses().get(0).get(Counter.FEED_ERRORS));
        assertEquals(1, stats.ingresses().get(0).get(Counter.RESTARTS), "restarted after the failure");
        assertEquals(1, stats.ingresses().get(0).get(Counter.ERROR_HANDLER_FAILURES));
        assertEquals(20_000, stats.accounting().received(), "traffic went on after the restart");
        assertEquals(0, stats.accounting().inFlight());
    }

    @Test
    void shouldRunTheConsumerUnpinnedWhenPinningFailsAndTheErrorHandlerThrows() throws Exception {
        // No machine here has CPU 63: pinning is refused, and the warning goes to a handler that throws.
        final SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(64)).maxEntries(64).entry(63, 1024)
            .program(view -> Verdict.redirect(63, Verdict.DROP)).feed(new SequencedFeed("f", 0, 1, 20_000))
            .ingressCpus(0).lossless(true).systemName("failure-handler-pin").errorHandler(THROWING).start();
        final EngineStats stats = runToEnd(engine);
        assertEquals(20_000, stats.accounting().received());
        assertEquals(20_000, stats.accounting().delivered(), "every frame delivered (lossless, one entry)");
        assertTrue(stats.consumers().get(0).get(Counter.ERROR_HANDLER_FAILURES) >= 1, stats.consumers().toString());
    }

    @Test
    void shouldRestartTheConsumerWhenTheErrorHandlerThrowsUnderTheRestartPolicy() throws Exception {
        final AtomicInteger calls = new AtomicInteger();
        final EngineStats stats = runToEnd(engine("failure-handler-restart").program(SequencedFeed.byFlow(1))
            .feed(new SequencedFeed("f", 0, 4, 20_000)).consumerFailure(ConsumerActor.FailurePolicy.RESTART)
            .handler(batch -> {
                if (calls.incrementAndGet() == 5) {
                    throw new IllegalStateException("handler failure");
                }
            })
            .errorHandler(THROWING).start());
        assertEquals(1, stats.consumers().get(0).get(Counter.HANDLER_EXCEPTIONS));
        assertEquals(1, stats.consumers().get(0).get(Counter.RESTARTS), "the policy's restart took place");
        assertEquals(0, stats.accounting().inFlight());
    }

    @Test
    void shouldCloseTheFeedOnceWhenItsIngressGaveUp() throws Exception {
        final AtomicInteger closes = new AtomicInteger();
        final Feed broken = new Feed() {
            @Override
            public int poll(FrameSink sink, int budget) {
                throw new IllegalStateException("feed down");
            }

            @Override
            public String name() {
                return "broken";
            }

            @Override
            public void close(FrameSink sink) {
                closes.incrementAndGet();
                sink.onDropped(DropReason.FEED_OVERRUN, 3); // losses learnt at the close still count
            }
        };
        final SteerEngine engine = engine("failure-given-up").feed(broken).feedRestarts(3).start();
        final EngineStats stats = runToEnd(engine);
        assertEquals(4, stats.ingresses().get(0).get(Counter.FEED_ERRORS));
        assertEquals(3, stats.ingresses().get(0).get(Counter.RESTARTS));
        assertEquals(1, closes.get(), "the feed is closed once, by the supervisor");
        assertEquals(3, stats.accounting().dropped(DropReason.FEED_OVERRUN));
        assertEquals(3, stats.accounting().received());
    }

    @Test
    void shouldCountAndReportAFeedThatThrowsInItsCloseWhenTheEngineStops() throws Exception {
        final AtomicInteger reported = new AtomicInteger();
        final SequencedFeed inner = new SequencedFeed("inner", 0, 4, 10_000);
        final Feed throwingClose = new Feed() {
            @Override
            public int poll(FrameSink sink, int budget) {
                return inner.poll(sink, budget);
            }

            @Override
            public String name() {
                return "throwing-close";
            }

            @Override
            public void close(FrameSink sink) {
                sink.onDropped(DropReason.FEED_OVERRUN, 2); // what it reported before it failed still counts
                throw new IllegalStateException("close failed");
            }
        };
        // A handler of its own: the default one would report, once, that it discards the frames.
        final EngineStats stats = runToEnd(engine("failure-close-throws").program(SequencedFeed.byFlow(1))
            .handler(FrameHandler.NO_OP).feed(throwingClose).errorHandler((where, error) -> reported.incrementAndGet())
            .start());
        assertEquals(1, stats.ingresses().get(0).get(Counter.FEED_ERRORS), "a failed close is a counted feed error");
        assertEquals(1, reported.get(), "and reported");
        assertEquals(0, stats.ingresses().get(0).get(Counter.RESTARTS), "a stopping ingress is not restarted");
        assertEquals(10_002, stats.accounting().received());
        assertEquals(2, stats.accounting().dropped(DropReason.FEED_OVERRUN));
        assertEquals(0, stats.accounting().inFlight());
        assertTrue(stats.poolsFull());
    }

    @Test
    void shouldReportTheLossesAFeedLearnsAtItsCloseWhenTheEngineStops() throws Exception {
        final AtomicInteger closes = new AtomicInteger();
        final SequencedFeed inner = new SequencedFeed("inner", 0, 4, 10_000);
        final Feed counting = new Feed() {
            @Override
            public int poll(FrameSink sink, int budget) {
                return inner.poll(sink, budget);
            }

            @Override
            public String name() {
                return "counting";
            }

            @Override
            public void close(FrameSink sink) {
                closes.incrementAndGet();
                sink.onDropped(DropReason.FEED_OVERRUN, 5);
            }
        };
        final EngineStats stats = runToEnd(engine("failure-close-sink").program(SequencedFeed.byFlow(1)).feed(counting)
            .start());
        assertEquals(1, closes.get());
        assertEquals(10_005, stats.accounting().received());
        assertEquals(5, stats.accounting().dropped(DropReason.FEED_OVERRUN));
        assertEquals(0, stats.accounting().inFlight());
    }

    @Test
    void shouldRefuseTimeoutsPekkoCannotScheduleNamingTheSetting() {
        for (String setting : new String[] {"askTimeout", "closeTimeout"}) {
            final SteerEngine.Builder builder = engine("failure-timeout");
            if (setting.equals("askTimeout")) {
                builder.askTimeout(Duration.ofDays(365));
            } else {
                builder.closeTimeout(Duration.ofDays(365));
            }
            final IllegalArgumentException error = assertThrows(IllegalArgumentException.class, builder::start);
            assertTrue(error.getMessage().contains(setting + "=PT8760H: must be positive and at most PT24H"),
                error.getMessage());
        }
    }

    @Test
    void shouldValidateAgainAtStartWhenASettingChangedAfterConclude() {
        final SteerEngine.Builder builder = engine("failure-conclude");
        builder.conclude();
        builder.consumerBatch(0);
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class, builder::start);
        assertTrue(error.getMessage().contains("consumerBatch=0"), error.getMessage());
    }

    @Test
    void shouldNameEachSettingLeftNullInsteadOfThrowingANullPointerException() {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> engine("failure-null")
            .handler(null).idleMode(null).actorConfig(null).ingressCpus((int[]) null).start());
        // ingressCpus(null) used to take the default without a word; it is refused by name like the others.
        for (String setting : new String[] {"handler=null", "idleMode=null", "actorConfig=null", "ingressCpus=null"}) {
            assertTrue(error.getMessage().contains(setting + ": must be set"), error.getMessage());
        }
    }

    @Test
    void shouldAnswerAsAClosedMapWhenTheEngineIsClosed() {
        final SteerEngine engine = engine("failure-closed").start();
        final EngineStats last = engine.shutdown();
        assertEquals(MapResult.EINVAL, engine.update(1, EntryValue.of(64), CpuMap.ANY), "a closed map refuses updates");
        assertEquals(MapResult.E2BIG, engine.update(7, EntryValue.of(64), CpuMap.ANY), "checked in the kernel's order");
        assertEquals(MapResult.OK, engine.delete(0));
        assertEquals(MapResult.EINVAL, engine.delete(7));
        assertNull(engine.lookup(0));
        assertEquals(MapResult.ENOENT, engine.nextKey(1).result());
        assertSame(last, engine.stats(), "the final stats");
        assertTrue(engine.feedsEnded());
        assertEquals(MapResult.EPERM, engine.withCapabilities(dev.steer.engine.map.Capabilities.readOnly())
            .update(1, EntryValue.of(64), CpuMap.ANY));
    }
}
