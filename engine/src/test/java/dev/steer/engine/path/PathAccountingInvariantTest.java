package dev.steer.engine.path;

import static dev.steer.engine.path.PathAccountingTest.assertCounters;
import static dev.steer.engine.stats.PathCounters.Counter.DELIVERED;
import static dev.steer.engine.stats.PathCounters.Counter.HANDLER_EXCEPTIONS;
import static dev.steer.engine.stats.PathCounters.Counter.PROGRAM_EXCEPTIONS;
import static dev.steer.engine.stats.PathCounters.Counter.RECEIVED;
import static dev.steer.engine.stats.PathCounters.Counter.REDIRECTED;
import static dev.steer.engine.stats.PathCounters.Counter.REMOTE_DROP;
import static dev.steer.engine.stats.PathCounters.Counter.REMOTE_PASS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.frame.FramePool;
import dev.steer.engine.map.Capabilities;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryLifecycle;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.program.SteeringProgram;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;

/**
 * The accounting invariant of {@code shared/design.md} across two threads: an ingress thread steers two
 * million packets with a mix of every verdict into two entries with small rings, a consumer thread drains
 * both, and at the end received = delivered + dropped by reason, checked counter by counter against what
 * the feed scripted and what the handlers saw.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PathAccountingInvariantTest {
    private static final int TOTAL = 2_000_000;
    private static final int NO_SUCH_KEY = 7;
    /** Ingress polls before the consumer starts: enough to overflow both rings, so RING_FULL is certain. */
    private static final int POLLS_BEFORE_CONSUMER = 50;

    // What the feed scripts for a sequence number.
    private static final int TO_0 = 0;
    private static final int TO_1 = 1;
    private static final int TO_1_REMOTE_DROP = 2;
    private static final int PASS = 3;
    private static final int DROP = 4;
    private static final int ABORT = 5;
    private static final int UNKNOWN = 6;
    private static final int THROW = 7;
    private static final int MISSING_PASS = 8;
    private static final int MISSING_DROP = 9;
    private static final int MISSING_ABORT = 10;
    private static final int OVERSIZE = 11;
    private static final int KINDS = 12;

    private volatile boolean ingressDone;
    private volatile boolean abort;

    /** A fixed pseudo-random mix, weighted towards redirects so that the rings overflow. */
    private static int kind(int seq) {
        int h = seq * 0x9E37_79B9;
        h ^= h >>> 15;
        final int r = (h & 0x7FFF_FFFF) % 100;
        return r < 32 ? TO_0 : r < 48 ? TO_1 : r < 56 ? TO_1_REMOTE_DROP : r < 70 ? PASS : r < 76 ? DROP
            : r < 80 ? ABORT : r < 82 ? UNKNOWN : r < 84 ? THROW : r < 90 ? MISSING_PASS : r < 94 ? MISSING_DROP
            : r < 96 ? MISSING_ABORT : r < 98 ? OVERSIZE : TO_0;
    }

    @Test
    void shouldBalanceEveryCounterWhenIngressAndConsumerRunOnTwoThreads() throws Exception {
        final FramePool pool = new FramePool(new FramePool.Context().id("invariant").frameCount(512).frameSize(256)
            .headroom(64).checked(true));
        final CpuMap map = CpuMap.create(2, 0, CpuSet.all(2), Capabilities.admin(), EntryLifecycle.NONE).map();
        // Counts its own DROP verdicts on the consumer thread: an observation independent of the path's counters.
        final long[] remoteDrops = new long[1];
        final SteeringProgram remote = packet -> {
            final long verdict = TestPackets.REMOTE.run(packet);
            if (Verdict.action(verdict) == Verdict.DROP) {
                remoteDrops[0]++;
            }
            return verdict;
        };
        map.update(0, EntryValue.of(16), CpuMap.ANY);
        map.update(1, new EntryValue(8, remote), CpuMap.ANY);

        final AtomicReference<Throwable> error = new AtomicReference<>();
        final HandlerBatch.ErrorSink errors = (where, e) -> {
            if (!(e instanceof IllegalStateException)) { // scripted failures are expected; anything else is not
                error.compareAndSet(null, e);
            }
        };
        final Recorder local = new Recorder(seq -> seq % 1001 == 0);
        final Recorder handler0 = new Recorder(seq -> seq % 1003 == 0);
        final Recorder handler1 = new Recorder();
        final IngressPath ingress = new IngressPath(1, 0, pool, TestPackets.INGRESS, map, local, 8,
            IngressPath.DEFAULT_BUDGET, false, new PathCounters("ingress-0", 2), errors);
        final ConsumerPath consumer0 = new ConsumerPath(map.snapshot().entry(0), map, handler0, 8, errors);
        final ConsumerPath consumer1 = new ConsumerPath(map.snapshot().entry(1), map, handler1, 8, errors);
        final CountDownLatch consumerMayStart = new CountDownLatch(1);
        final GeneratedFeed generated = new GeneratedFeed(ingress.counters());

        final Thread ingressThread = new Thread(() -> {
            try {
                final Feed feed = generated;
                int polls = 0;
                while (!abort && ingress.poll(feed) != Feed.END) {
                    if (++polls == POLLS_BEFORE_CONSUMER) {
                        consumerMayStart.countDown();
                    }
                }
            } finally {
                ingressDone = true;
                consumerMayStart.countDown();
            }
        }, "ingress");
        final Thread consumerThread = new Thread(() -> {
            try {
                if (!consumerMayStart.await(30, TimeUnit.SECONDS)) {
                    throw new AssertionError("the ingress never got going");
                }
            } catch (InterruptedException ex) {
                throw new AssertionError(ex);
            }
            while (!abort) {
                // Read before draining: once the ingress is done and both rings are then found empty, all is in.
                final boolean finished = ingressDone;
                if (consumer0.doWork() + consumer1.doWork() == 0) {
                    if (finished && consumer0.isEmpty() && consumer1.isEmpty()) {
                        return;
                    }
                    Thread.yield();
                }
            }
        }, "consumer");
        for (Thread thread : new Thread[] {ingressThread, consumerThread}) {
            thread.setUncaughtExceptionHandler((t, e) -> {
                error.compareAndSet(null, e);
                abort = true;
            });
            thread.start();
        }
        for (Thread thread : new Thread[] {ingressThread, consumerThread}) {
            thread.join(TimeUnit.SECONDS.toMillis(25));
            if (thread.isAlive()) {
                abort = true;
                error.compareAndSet(null, new AssertionError(thread.getName() + " did not finish"));
            }
        }
        if (error.get() != null) {
            throw new AssertionError(error.get());
        }

        // What reached the program, per kind: the script, less the packets the ingress could not lease a frame
        // for. That happens when the consumer thread is descheduled between claiming slots of the pool's free
        // ring and writing them: the leasing thread cannot pass the unwritten slot, so the pool looks empty for
        // a while. Those packets are counted (pool_exhausted) and balance; the feed notes their kinds.
        final long[] n = new long[KINDS];
        for (int seq = 0; seq < TOTAL; seq++) {
            n[kind(seq)]++;
        }
        long exhausted = 0;
        for (int kind = 0; kind < KINDS; kind++) {
            n[kind] -= generated.exhausted[kind];
            exhausted += generated.exhausted[kind];
        }
        final PathCounters in = ingress.counters();
        final PathCounters c0 = consumer0.counters();
        final PathCounters c1 = consumer1.counters();
        final long ringFull = in.dropped(DropReason.RING_FULL);
        final long received0 = c0.get(RECEIVED);
        final long received1 = c1.get(RECEIVED);

        // Every redirected frame either reached its consumer or was dropped at a flush for a full ring.
        assertEquals(n[TO_0], in.enqueueProcessed(0));
        assertEquals(n[TO_1] + n[TO_1_REMOTE_DROP], in.enqueueProcessed(1));
        assertEquals(n[TO_0] - in.enqueueDrops(0), received0);
        assertEquals(n[TO_1] + n[TO_1_REMOTE_DROP] - in.enqueueDrops(1), received1);
        assertEquals(in.enqueueDrops(0) + in.enqueueDrops(1), ringFull);
        assertTrue(ringFull > 0 && received0 > 0 && received1 > 0, "rings overflowed and were drained: " + in);

        assertCounters(in, RECEIVED, TOTAL,
            DELIVERED, local.delivered,
            REDIRECTED, n[TO_0] + n[TO_1] + n[TO_1_REMOTE_DROP],
            PROGRAM_EXCEPTIONS, n[THROW],
            HANDLER_EXCEPTIONS, local.failedBatches,
            DropReason.OVERSIZE, n[OVERSIZE],
            DropReason.POOL_EXHAUSTED, exhausted,
            DropReason.PROGRAM_DROP, n[DROP],
            DropReason.PROGRAM_ABORTED, n[ABORT] + n[UNKNOWN] + n[THROW] + n[MISSING_ABORT],
            DropReason.NO_ENTRY, n[MISSING_DROP],
            DropReason.RING_FULL, ringFull,
            DropReason.HANDLER_ERROR, local.failedFrames);
        assertEquals(n[PASS] + n[MISSING_PASS], local.delivered + local.failedFrames);
        assertCounters(c0, RECEIVED, received0,
            DELIVERED, handler0.delivered,
            HANDLER_EXCEPTIONS, handler0.failedBatches,
            DropReason.HANDLER_ERROR, handler0.failedFrames);
        assertEquals(received0, handler0.delivered + handler0.failedFrames);
        assertCounters(c1, RECEIVED, received1,
            DELIVERED, handler1.delivered,
            REMOTE_PASS, received1 - remoteDrops[0],
            REMOTE_DROP, remoteDrops[0],
            DropReason.REMOTE_DROP, remoteDrops[0]);
        assertEquals(received1 - remoteDrops[0], handler1.delivered);
        assertTrue(local.failedFrames > 0 && handler0.failedFrames > 0, "handler failures were exercised");

        // The invariant itself, summed over every path.
        final long delivered = in.get(DELIVERED) + c0.get(DELIVERED) + c1.get(DELIVERED);
        final long dropped = in.droppedTotal() + c0.droppedTotal() + c1.droppedTotal();
        assertEquals(TOTAL, delivered + dropped, "received = delivered + dropped, nothing in flight");

        assertEquals(pool.capacity(), pool.available());
        assertEquals(pool.leases(), pool.returns());
        // Verdicts that end a packet at the ingress (DROP, ABORTED, unknown, a throwing program) take no frame.
        assertEquals(TOTAL - n[OVERSIZE] - exhausted - n[DROP] - n[ABORT] - n[UNKNOWN] - n[THROW], pool.leases());
        assertEquals(exhausted, pool.exhausted());
        assertEquals(0, pool.doubleReturns());

        // No frame delivered twice, each flow in order, and each frame where its script sent it.
        for (Recorder recorder : new Recorder[] {local, handler0, handler1}) {
            assertEquals(0, recorder.duplicates);
            assertEquals(0, recorder.outOfOrder);
            assertEquals(recorder.delivered, recorder.seen.cardinality());
        }
        assertFalse(local.seen.intersects(handler0.seen) || local.seen.intersects(handler1.seen)
            || handler0.seen.intersects(handler1.seen), "a sequence was delivered on two paths");
        assertOnlyKinds(local.seen, PASS, MISSING_PASS);
        assertOnlyKinds(handler0.seen, TO_0, TO_0);
        assertOnlyKinds(handler1.seen, TO_1, TO_1);
    }

    private static void assertOnlyKinds(BitSet seqs, int kind, int otherKind) {
        for (int seq = seqs.nextSetBit(0); seq >= 0; seq = seqs.nextSetBit(seq + 1)) {
            final int actual = kind(seq);
            if (actual != kind && actual != otherKind) {
                throw new AssertionError("sequence " + seq + " of kind " + actual + " delivered on the wrong path");
            }
        }
    }

    /** Writes each packet's script into one reused buffer: no allocation per packet. */
    private static final class GeneratedFeed implements Feed {
        private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[512]);
        private final PathCounters counters;
        /** Per kind, packets the ingress counted pool_exhausted (no frame to lease). */
        final long[] exhausted = new long[KINDS];
        private int seq;

        GeneratedFeed(PathCounters counters) {
            this.counters = counters;
            TestPackets.writeHeaders(buffer, 0, TestPackets.LENGTH);
        }

        @Override
        public int poll(FrameSink sink, int budget) {
            if (seq == TOTAL) {
                return END;
            }
            int handed = 0;
            while (handed < budget && seq < TOTAL) {
                final int kind = kind(seq);
                script(kind);
                final long exhaustedBefore = counters.dropped(DropReason.POOL_EXHAUSTED);
                sink.onFrame(buffer, 0, kind == OVERSIZE ? 300 : TestPackets.LENGTH, seq);
                exhausted[kind] += counters.dropped(DropReason.POOL_EXHAUSTED) - exhaustedBefore;
                seq++;
                handed++;
            }
            return handed;
        }

        private void script(int kind) {
            final byte command = switch (kind) {
                case TO_0, TO_1, TO_1_REMOTE_DROP, MISSING_PASS, MISSING_DROP, MISSING_ABORT -> TestPackets.REDIRECT;
                case PASS, OVERSIZE -> TestPackets.PASS;
                case DROP -> TestPackets.DROP;
                case ABORT -> TestPackets.ABORT;
                case UNKNOWN -> TestPackets.UNKNOWN;
                default -> TestPackets.THROW;
            };
            final int key = kind == TO_0 ? 0 : kind == TO_1 || kind == TO_1_REMOTE_DROP ? 1 : NO_SUCH_KEY;
            final int fallback = kind == MISSING_PASS ? Verdict.PASS : kind == MISSING_DROP ? Verdict.DROP
                : Verdict.ABORTED;
            final byte remote = kind == TO_1_REMOTE_DROP ? TestPackets.DROP : TestPackets.PASS;
            TestPackets.script(buffer, 0, seq, command, key, fallback, remote, 0, 0);
        }

        @Override
        public String name() {
            return "generated";
        }
    }
}
