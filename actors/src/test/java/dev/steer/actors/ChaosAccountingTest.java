package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.steer.engine.frame.Frame;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameBatch;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.path.FrameSink;
import dev.steer.engine.program.PacketView;
import dev.steer.engine.program.SteeringProgram;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters.Counter;
import dev.steer.engine.stats.PathStats;
import dev.steer.engine.stats.PoolStats;

/**
 * Every fault at once, at random: two ingresses (one of whose feeds throws now and then) over three entries, entries 1
 * and 2 updated, deleted and replaced (qsize changes, with and without a remote program that passes, drops, redirects
 * and throws), handlers that throw on some batches, stats read from another thread throughout, and the close while all
 * of it still runs. After the close every frame is accounted for, by reason; no frame was delivered twice; the flows
 * of entry 0 (never replaced, no remote program, no remote redirect into it) kept their order; every live snapshot
 * satisfied received >= delivered + dropped.
 *
 * <p>The schedule of map operations and faults comes from a seed, printed with any failure: rerun with
 * {@code -Dsteer.chaos.seed=SEED}. The threads' interleaving is the machine's, so a seed reproduces the schedule, not
 * the run. The failure policy is the engine's, not an entry's, so both policies run in each mode.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ChaosAccountingTest {
    private static final long TRAFFIC_NANOS = TimeUnit.MILLISECONDS.toNanos(1_750);
    private static final int FLOWS_PER_FEED = 6;
    private static final int FLOWS = 2 * FLOWS_PER_FEED;
    private static final int KEYS = 3;
    /** Handler fault slot of the ingresses' local handler. */
    private static final int LOCAL_SLOT = KEYS;
    private static final int[] QSIZES = {0, 8, 64, 512, 2048};

    /** A fault the test injected: counted by the test, so that the engine's counts can be checked against it. */
    static final class InjectedFault extends RuntimeException {
        InjectedFault(String where) {
            super("injected fault: " + where, null, false, false);
        }
    }

    private static final InjectedFault HANDLER_FAULT = new InjectedFault("handler");
    private static final InjectedFault REMOTE_FAULT = new InjectedFault("remote program");
    private static final InjectedFault PROGRAM_FAULT = new InjectedFault("steering program");
    private static final InjectedFault FEED_FAULT = new InjectedFault("feed");

    enum Mode { DROP, LOSSLESS }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"DROP, RESTART", "DROP, RESUME", "LOSSLESS, RESTART", "LOSSLESS, RESUME"})
    void shouldAccountForEveryFrameWhenChurnAndFaultsHitAtRandom(Mode mode, ConsumerActor.FailurePolicy policy)
        throws Exception {
        final long seed = Long.getLong("steer.chaos.seed", System.nanoTime());
        try {
            run(seed, mode == Mode.LOSSLESS, policy);
        } catch (AssertionError | RuntimeException failure) {
            throw new AssertionError("seed " + seed + " (rerun with -Dsteer.chaos.seed=" + seed + "), " + mode + " "
                + policy + ": " + failure.getMessage(), failure);
        }
    }

    private static void run(long seed, boolean lossless, ConsumerActor.FailurePolicy policy) throws Exception {
        final Faults faults = new Faults();
        final Recorder recorder = new Recorder(faults);
        final SequencedFeed feedA = new SequencedFeed("a", 0, FLOWS_PER_FEED, Long.MAX_VALUE);
        final SequencedFeed innerB = new SequencedFeed("b", FLOWS_PER_FEED, FLOWS_PER_FEED, Long.MAX_VALUE);
        final ThrowingFeed feedB = new ThrowingFeed(innerB, faults);
        final SteerEngine engine = SteerEngine.builder()
            .cpus(CpuSet.all(KEYS)).maxEntries(KEYS).entry(0, 512).entry(1, 256)
            .entry(2, new EntryValue(256, new RemoteChaos(2, faults)))
            .program(new IngressChaos(faults)).handler(recorder).localHandler(recorder)
            .feed(feedA).feed(feedB).poolFrames(4096).lossless(lossless).consumerFailure(policy).pinning(false)
            .closeTimeout(Duration.ofSeconds(30)).systemName("chaos-" + (lossless ? "lossless" : "drop"))
            .errorHandler(faults::onError)
            .start();

        final LiveStatsSampler sampler = new LiveStatsSampler(engine);
        final Thread samplerThread = new Thread(sampler, "chaos-stats");
        samplerThread.start();
        final SplittableRandom random = new SplittableRandom(seed);
        int operations = 0;
        final EngineStats stats;
        try {
            final long start = System.nanoTime();
            while (System.nanoTime() - start < TRAFFIC_NANOS) {
                step(engine, random, faults);
                operations++;
                Thread.sleep(1 + random.nextInt(3));
            }
        } finally {
            // Close while traffic, faults and stats reads still go on: the map operations stop, the reads do not.
            stats = engine.shutdown();
            sampler.stop = true;
            samplerThread.join(TimeUnit.SECONDS.toMillis(10));
        }

        final Accounting accounting = stats.accounting();
        final String where = " [" + accounting + "; " + operations + " operations, " + sampler.samples
            + " snapshots, faults " + faults + "]";
        assertEquals(List.of(), sampler.violations(), "live snapshots" + where);
        assertEquals(List.of(), faults.unexpected(), "errors other than the injected faults" + where);

        final long sent = feedA.sent() + innerB.sent();
        assertTrue(sent > 10_000, "traffic flowed" + where);
        assertEquals(sent, accounting.received(), "received = sent by the feeds" + where);
        long dropped = 0;
        for (DropReason reason : DropReason.values()) {
            dropped += accounting.dropped(reason);
        }
        assertEquals(accounting.received(), accounting.delivered() + dropped,
            "received = delivered + every drop reason" + where);
        assertEquals(0, accounting.inFlight(), "in flight after close" + where);
        assertEquals(0, accounting.forwarded(), "forwarded" + where);
        for (PoolStats pool : stats.pools()) {
            assertTrue(pool.isFull(), "pool full after close: " + pool + where);
            assertEquals(0, pool.doubleReturns(), "double returns in " + pool + where);
        }
        assertEquals(0, recorder.duplicates(), "frames delivered twice" + where);
        assertEquals(0, recorder.reorders(), "frames of a flow out of order on entry 0" + where);
        assertEquals(recorder.delivered(), accounting.delivered(), "delivered counted = delivered seen" + where);
        assertEquals(recorder.delivered(), recorder.distinct(), "distinct frames seen = delivered" + where);

        checkReasons(stats, lossless, where);
        checkFaultCounts(stats, faults, policy, where);
        checkRings(stats, where);
    }

    /** One random step: a map operation on entry 1 or 2, or a fault armed to fire once. */
    private static void step(SteerEngine engine, SplittableRandom random, Faults faults) {
        final int dice = random.nextInt(100);
        final int key = 1 + random.nextInt(2);
        if (dice < 15) {
            engine.delete(key);
        } else if (dice < 45) {
            final long flags = switch (random.nextInt(3)) {
                case 0 -> CpuMap.ANY;
                case 1 -> CpuMap.EXIST;
                default -> CpuMap.NOEXIST;
            };
            final int qsize = QSIZES[random.nextInt(QSIZES.length)];
            engine.update(key, new EntryValue(qsize, random.nextBoolean() ? new RemoteChaos(key, faults) : null), flags);
        } else if (dice < 60) {
            faults.handler.set(random.nextInt(KEYS + 1), Boolean.TRUE);
        } else if (dice < 70) {
            faults.remote.set(true);
        } else if (dice < 73) {
            faults.feed.set(true);
        } else if (dice < 80) {
            engine.stats(); // from the map operations' thread too
        }
    }

    /** Reasons that cannot happen here are 0; the ones the run must have caused are not. */
    private static void checkReasons(EngineStats stats, boolean lossless, String where) {
        final Accounting a = stats.accounting();
        for (DropReason reason : new DropReason[] {DropReason.OVERSIZE, DropReason.FEED_OVERRUN,
            DropReason.FEED_TRUNCATED, DropReason.REDIRECT_ERROR, DropReason.UNREACHABLE}) {
            assertEquals(0, a.dropped(reason), reason.label() + where);
        }
        for (DropReason reason : new DropReason[] {DropReason.PROGRAM_DROP, DropReason.PROGRAM_ABORTED,
            DropReason.REMOTE_DROP, DropReason.REMOTE_ABORTED, DropReason.HANDLER_ERROR}) {
            assertTrue(a.dropped(reason) > 0, reason.label() + " happened" + where);
        }
        if (!lossless) {
            assertEquals(0, stats.ingressTotal(Counter.BACK_PRESSURED), "back pressure in drop mode" + where);
        }
    }

    /** The engine counted each injected fault once, where it happened. */
    private static void checkFaultCounts(EngineStats stats, Faults faults, ConsumerActor.FailurePolicy policy,
                                         String where) {
        assertEquals(faults.handlerThrown.sum(),
            stats.ingressTotal(Counter.HANDLER_EXCEPTIONS) + stats.consumerTotal(Counter.HANDLER_EXCEPTIONS),
            "handler exceptions" + where);
        assertEquals(faults.programThrown.sum(), stats.ingressTotal(Counter.PROGRAM_EXCEPTIONS),
            "steering program exceptions" + where);
        assertEquals(faults.remoteThrown.sum(), stats.consumerTotal(Counter.PROGRAM_EXCEPTIONS),
            "remote program exceptions" + where);
        final long feedErrors = stats.ingressTotal(Counter.FEED_ERRORS);
        assertEquals(faults.feedThrown.sum(), feedErrors, "feed errors" + where);
        final long ingressRestarts = stats.ingressTotal(Counter.RESTARTS);
        // A failure just before the close may have its restart overtaken by the stop.
        assertTrue(ingressRestarts == feedErrors || ingressRestarts == feedErrors - 1,
            "ingress restarts " + ingressRestarts + " for " + feedErrors + " feed errors" + where);
        final long consumerFailures = stats.consumerTotal(Counter.HANDLER_EXCEPTIONS)
            + stats.consumerTotal(Counter.PROGRAM_EXCEPTIONS);
        final long consumerRestarts = stats.consumerTotal(Counter.RESTARTS);
        if (policy == ConsumerActor.FailurePolicy.RESTART) {
            // Two failures in one drain restart once.
            assertTrue(consumerRestarts > 0 && consumerRestarts <= consumerFailures,
                "consumer restarts " + consumerRestarts + " for " + consumerFailures + " failures" + where);
        } else {
            assertEquals(0, consumerRestarts, "consumer restarts under RESUME" + where);
        }
        assertEquals(0, stats.accounting().dropped(DropReason.CONSUMER_FAILED), "no entry given up" + where);
    }

    /** What entered each key's rings and was not refused is what that key's consumers took. */
    private static void checkRings(EngineStats stats, String where) {
        final List<PathStats> producers = new ArrayList<>(stats.ingresses());
        producers.addAll(stats.consumers());
        for (PathStats consumer : stats.consumers()) {
            long entered = 0;
            for (PathStats producer : producers) {
                entered += producer.enqueueProcessed(consumer.key()) - producer.enqueueDrops(consumer.key());
            }
            assertEquals(entered, consumer.get(Counter.RECEIVED), consumer.name() + " took what entered its rings"
                + where);
        }
    }

    /** Faults armed by the test thread, each fired once by the data path that finds it armed, and counted. */
    static final class Faults {
        /** Per consumer key, and {@link #LOCAL_SLOT} for the local handler. */
        final AtomicReferenceArray<Boolean> handler = new AtomicReferenceArray<>(
            new Boolean[] {false, false, false, false});
        final AtomicBoolean remote = new AtomicBoolean();
        final AtomicBoolean feed = new AtomicBoolean();
        final LongAdder handlerThrown = new LongAdder();
        final LongAdder remoteThrown = new LongAdder();
        final LongAdder programThrown = new LongAdder();
        final LongAdder feedThrown = new LongAdder();
        private final List<String> unexpected = new ArrayList<>();

        void onError(String where, Throwable error) {
            if (!(error instanceof InjectedFault)) {
                synchronized (unexpected) {
                    if (unexpected.size() < 10) {
                        unexpected.add(where + ": " + error);
                    }
                }
            }
        }

        List<String> unexpected() {
            synchronized (unexpected) {
                return List.copyOf(unexpected);
            }
        }

        boolean fireHandler(int slot) {
            return handler.get(slot) && handler.compareAndSet(slot, Boolean.TRUE, Boolean.FALSE);
        }

        static boolean fire(AtomicBoolean armed) {
            return armed.get() && armed.compareAndSet(true, false);
        }

        @Override
        public String toString() {
            return "handler=" + handlerThrown.sum() + " remote=" + remoteThrown.sum() + " program="
                + programThrown.sum() + " feed=" + feedThrown.sum();
        }
    }

    /** Mixes a frame's flow and sequence number into the bits the programs decide by. */
    static int mix(int flow, long seq) {
        long x = flow * 0x9E37_79B9_7F4A_7C15L + seq;
        x = (x ^ (x >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return (int) (x ^ (x >>> 31));
    }

    private static long seqOf(PacketView view) {
        return view.u32(SequencedFeed.SEQ_OFFSET); // a stable function of the sequence number is enough
    }

    /**
     * The ingresses' program: flow f to key f % 3 (fallback DROP or PASS by flow), a few frames dropped, a few
     * throwing. Decided by the frame alone, so a packet a lossless ingress offers again gets the same verdict.
     */
    static final class IngressChaos implements SteeringProgram {
        private final Faults faults;

        IngressChaos(Faults faults) {
            this.faults = faults;
        }

        @Override
        public long run(PacketView view) {
            final int flow = SequencedFeed.flowOf(view);
            final int h = mix(flow, seqOf(view));
            if ((h & 1023) == 1) {
                return Verdict.of(Verdict.DROP);
            }
            if ((h & 4095) == 2) {
                faults.programThrown.increment();
                throw PROGRAM_FAULT;
            }
            return Verdict.redirect(flow % KEYS, (flow / KEYS) % 2 == 0 ? Verdict.DROP : Verdict.PASS);
        }
    }

    /**
     * A remote program for entry 1 or 2: passes most frames, drops, aborts, redirects to the other of the two (never
     * to entry 0, whose order is checked), some frames back and forth until the redirect limit cuts them; throws once
     * when armed.
     */
    static final class RemoteChaos implements SteeringProgram {
        private final int key;
        private final Faults faults;

        RemoteChaos(int key, Faults faults) {
            this.key = key;
            this.faults = faults;
        }

        @Override
        public long run(PacketView view) {
            if (Faults.fire(faults.remote)) {
                faults.remoteThrown.increment();
                throw REMOTE_FAULT;
            }
            final int flow = SequencedFeed.flowOf(view);
            final int h = mix(flow, seqOf(view));
            final int other = key == 1 ? 2 : 1;
            if ((h & 1023) == 7) {
                return Verdict.redirect(other, Verdict.DROP); // the same on both entries: a cycle
            }
            return switch ((h ^ key * 0x5bd1e995) >>> 28) {
                case 0 -> Verdict.of(Verdict.DROP);
                case 1 -> Verdict.of(Verdict.ABORTED);
                case 2, 3 -> Verdict.redirect(other, Verdict.DROP);
                case 4 -> Verdict.redirect(other, Verdict.PASS);
                default -> Verdict.of(Verdict.PASS);
            };
        }
    }

    /** A feed that, when armed, hands over half a budget and then throws. */
    static final class ThrowingFeed implements Feed {
        private final SequencedFeed inner;
        private final Faults faults;

        ThrowingFeed(SequencedFeed inner, Faults faults) {
            this.inner = inner;
            this.faults = faults;
        }

        @Override
        public int poll(FrameSink sink, int budget) {
            if (Faults.fire(faults.feed)) {
                faults.feedThrown.increment();
                inner.poll(sink, budget / 2); // frames handed over before the failure must not be stranded
                throw FEED_FAULT;
            }
            return inner.poll(sink, budget);
        }

        @Override
        public String name() {
            return "throwing";
        }
    }

    /**
     * The handler of every consumer and the local handler: throws on a batch when its slot is armed, else records
     * each frame's (flow, sequence) in a bit set per flow, and the order of entry 0's flows.
     */
    static final class Recorder implements FrameHandler {
        private final Faults faults;
        private final BitSet[] seen = new BitSet[FLOWS];
        private final long[] lastOnEntry0 = new long[FLOWS];
        private final long[] duplicates = new long[FLOWS];
        private final long[] reorders = new long[FLOWS];
        private final LongAdder delivered = new LongAdder();

        Recorder(Faults faults) {
            this.faults = faults;
            for (int flow = 0; flow < FLOWS; flow++) {
                seen[flow] = new BitSet();
                lastOnEntry0[flow] = -1;
            }
        }

        @Override
        public void onFrames(FrameBatch batch) {
            final int key = batch.key();
            if (faults.fireHandler(key == FrameBatch.LOCAL ? LOCAL_SLOT : key)) {
                faults.handlerThrown.increment();
                throw HANDLER_FAULT;
            }
            final int size = batch.size();
            for (int i = 0; i < size; i++) {
                final Frame frame = batch.frame(i);
                final int flow = frame.buffer().getInt(frame.dataOffset() + SequencedFeed.FLOW_OFFSET);
                final long seq = frame.buffer().getLong(frame.dataOffset() + SequencedFeed.SEQ_OFFSET);
                final BitSet bits = seen[flow];
                synchronized (bits) {
                    if (bits.get((int) seq)) {
                        duplicates[flow]++;
                    }
                    bits.set((int) seq);
                    if (key == 0) {
                        if (seq <= lastOnEntry0[flow]) {
                            reorders[flow]++;
                        }
                        lastOnEntry0[flow] = seq;
                    }
                }
            }
            delivered.add(size);
        }

        long delivered() {
            return delivered.sum();
        }

        long distinct() {
            long n = 0;
            for (BitSet bits : seen) {
                synchronized (bits) {
                    n += bits.cardinality();
                }
            }
            return n;
        }

        long duplicates() {
            return sum(duplicates);
        }

        long reorders() {
            return sum(reorders);
        }

        private long sum(long[] perFlow) {
            long n = 0;
            for (int flow = 0; flow < FLOWS; flow++) {
                synchronized (seen[flow]) {
                    n += perFlow[flow];
                }
            }
            return n;
        }
    }
}
