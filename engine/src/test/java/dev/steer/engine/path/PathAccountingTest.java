package dev.steer.engine.path;

import static dev.steer.engine.path.TestPackets.ABORT;
import static dev.steer.engine.path.TestPackets.DROP;
import static dev.steer.engine.path.TestPackets.PASS;
import static dev.steer.engine.path.TestPackets.REDIRECT;
import static dev.steer.engine.path.TestPackets.THROW;
import static dev.steer.engine.path.TestPackets.UNKNOWN;
import static dev.steer.engine.stats.PathCounters.Counter.BACK_PRESSURED;
import static dev.steer.engine.stats.PathCounters.Counter.DELIVERED;
import static dev.steer.engine.stats.PathCounters.Counter.HANDLER_EXCEPTIONS;
import static dev.steer.engine.stats.PathCounters.Counter.POLLS;
import static dev.steer.engine.stats.PathCounters.Counter.PROGRAM_EXCEPTIONS;
import static dev.steer.engine.stats.PathCounters.Counter.RECEIVED;
import static dev.steer.engine.stats.PathCounters.Counter.REDIRECTED;
import static dev.steer.engine.stats.PathCounters.Counter.REMOTE_DROP;
import static dev.steer.engine.stats.PathCounters.Counter.REMOTE_PASS;
import static dev.steer.engine.stats.PathCounters.Counter.REMOTE_REDIRECT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static dev.steer.engine.frame.TestFrames.handles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.frame.Frame;
import dev.steer.engine.frame.FramePool;
import dev.steer.engine.map.Capabilities;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuMapEntry;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryLifecycle;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.program.SteeringProgram;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;

/**
 * Every verdict of the ingress and remote programs ends in the right counter and drop reason, driven
 * without actors: a scripted feed, an {@link IngressPath}, and {@link ConsumerPath}s drained by hand.
 * The two-thread accounting invariant is in {@link PathAccountingInvariantTest}.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PathAccountingTest {
    private static final int NO_SUCH_KEY = 7;

    private final FramePool pool = new FramePool(new FramePool.Context().id("ingress-pool").frameCount(64)
        .frameSize(256).headroom(64).checked(true));
    private final CpuMap map = CpuMap.create(2, 0, CpuSet.all(2), Capabilities.admin(), EntryLifecycle.NONE).map();
    private final List<Throwable> errors = new ArrayList<>();
    private final HandlerBatch.ErrorSink errorSink = (where, error) -> errors.add(error);
    private final Recorder local = new Recorder();

    @Test
    void shouldDeliverToTheLocalHandlerInBatchesWhenProgramPasses() {
        final IngressPath ingress = ingress(false);
        assertEquals(10, ingress.poll(new ScriptedFeed(TestPackets.packets(0, 10, PASS))));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, local.seqs.toIntArray());
        assertArrayEquals(new int[] {8, 2}, local.batchSizes.toIntArray());
        assertCounters(ingress.counters(), RECEIVED, 10, DELIVERED, 10);
        assertEquals(1, ingress.counters().get(POLLS));
        assertBalanced(ingress);
    }

    @Test
    void shouldDropAsProgramDropWhenProgramReturnsDrop() {
        final IngressPath ingress = ingress(false);
        ingress.poll(new ScriptedFeed(TestPackets.packets(0, 5, DROP)));
        assertCounters(ingress.counters(), RECEIVED, 5, DropReason.PROGRAM_DROP, 5);
        assertEquals(0, local.batchSizes.size());
        assertBalanced(ingress);
    }

    @Test
    void shouldDropAsProgramAbortedWhenProgramReturnsAbortedOrAnUnknownAction() {
        final IngressPath ingress = ingress(false);
        final List<byte[]> packets = TestPackets.packets(0, 3, ABORT);
        packets.addAll(TestPackets.packets(3, 2, UNKNOWN));
        ingress.poll(new ScriptedFeed(packets));
        assertCounters(ingress.counters(), RECEIVED, 5, DropReason.PROGRAM_ABORTED, 5);
        assertTrue(errors.isEmpty());
        assertBalanced(ingress);
    }

    @Test
    void shouldCountAnExceptionAndAbortWhenProgramThrows() {
        final IngressPath ingress = ingress(false);
        final List<byte[]> packets = TestPackets.packets(0, 2, THROW);
        packets.add(TestPackets.packet(2, PASS));
        ingress.poll(new ScriptedFeed(packets));
        assertCounters(ingress.counters(), RECEIVED, 3, DELIVERED, 1, PROGRAM_EXCEPTIONS, 2,
            DropReason.PROGRAM_ABORTED, 2);
        assertEquals(2, errors.size());
        assertEquals("scripted program failure", errors.get(0).getMessage());
        assertBalanced(ingress);
    }

    @Test
    void shouldApplyTheFallbackWhenRedirectNamesAKeyWithoutEntry() {
        entry(0, 64, null);
        final IngressPath ingress = ingress(false);
        ingress.poll(new ScriptedFeed(List.of(
            TestPackets.redirect(0, 1, Verdict.PASS),
            TestPackets.redirect(1, 1, Verdict.DROP),
            TestPackets.redirect(2, 1, Verdict.ABORTED),
            TestPackets.redirect(3, NO_SUCH_KEY, Verdict.PASS),
            TestPackets.redirect(4, NO_SUCH_KEY, Verdict.DROP),
            TestPackets.redirect(5, NO_SUCH_KEY, Verdict.ABORTED))));
        assertArrayEquals(new int[] {0, 3}, local.seqs.toIntArray());
        assertCounters(ingress.counters(), RECEIVED, 6, DELIVERED, 2, DropReason.NO_ENTRY, 2,
            DropReason.PROGRAM_ABORTED, 2);
        assertTrue(map.snapshot().entry(0).ring().isEmpty());
        assertBalanced(ingress);
    }

    @Test
    void shouldQueueFlushAndDeliverThroughTheEntryWhenRedirectNamesAnEntry() {
        final CpuMapEntry entry = entry(0, 64, null);
        final IngressPath ingress = ingress(false);
        ingress.poll(new ScriptedFeed(TestPackets.packets(0, 10, REDIRECT)));
        assertCounters(ingress.counters(), RECEIVED, 10, REDIRECTED, 10);
        assertEquals(10, ingress.counters().enqueueProcessed(0));
        assertEquals(2, ingress.counters().enqueueBulks(0), "a flush at the ninth frame and one at the end");
        assertEquals(10, entry.ring().size());

        final Recorder remoteHandler = new Recorder();
        final ConsumerPath consumer = consumer(entry, remoteHandler);
        assertEquals(10, consumer.doWork(), "one drain takes up to 8 batches");
        assertEquals(0, consumer.doWork());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, remoteHandler.seqs.toIntArray());
        assertArrayEquals(new int[] {8, 2}, remoteHandler.batchSizes.toIntArray(), "the handler sees batches of 8");
        assertCounters(consumer.counters(), RECEIVED, 10, DELIVERED, 10);
        assertEquals(1, consumer.counters().get(POLLS));
        assertBalanced(ingress, consumer);
    }

    @Test
    void shouldDropAsOversizeWhenInputIsLongerThanTheFramesDataRoom() {
        final IngressPath ingress = ingress(false);
        final int room = pool.maxDataLength();
        ingress.poll(new ScriptedFeed(List.of(padded(0, room + 1), padded(1, room), padded(2, 4096))));
        assertCounters(ingress.counters(), RECEIVED, 3, DELIVERED, 1, DropReason.OVERSIZE, 2);
        assertArrayEquals(new int[] {1}, local.seqs.toIntArray());
        assertEquals(1, pool.leases(), "an oversize packet never takes a frame");
        assertBalanced(ingress);
    }

    @Test
    void shouldDropAsFeedTruncatedWithoutTakingAFrameWhenAFeedNamesBytesOutsideItsBuffer() {
        final IngressPath ingress = ingress(false);
        final byte[] packet = padded(0, 64);
        final org.agrona.concurrent.UnsafeBuffer buffer = new org.agrona.concurrent.UnsafeBuffer(packet);
        assertEquals(FrameSink.ACCEPTED, ingress.onFrame(buffer, 1, 64, 0), "runs one byte past the buffer");
        assertEquals(FrameSink.ACCEPTED, ingress.onFrame(buffer, -1, 10, 0), "starts before it");
        assertEquals(FrameSink.ACCEPTED, ingress.onFrame(buffer, Integer.MAX_VALUE, 0, 0), "starts past its end");
        assertEquals(FrameSink.ACCEPTED, ingress.onFrame(buffer, 0, 64, 0), "the whole buffer");
        ingress.flush();
        assertCounters(ingress.counters(), RECEIVED, 4, DELIVERED, 1, DropReason.FEED_TRUNCATED, 3);
        assertEquals(1, pool.leases(), "a damaged packet never takes a frame");
        assertBalanced(ingress);
    }

    @Test
    void shouldDropAsPoolExhaustedWhenNoFrameIsFree() {
        final IngressPath ingress = ingress(false);
        final Frame[] held = leaseAll(ingress);
        ingress.poll(new ScriptedFeed(TestPackets.packets(0, 3, PASS)));
        assertCounters(ingress.counters(), RECEIVED, 3, DropReason.POOL_EXHAUSTED, 3);
        assertEquals(3, pool.exhausted());
        assertEquals(0, FramePool.releaseAll(handles(held), 0, held.length));
        assertBalanced(ingress);
    }

    @Test
    void shouldRefuseWithEoverflowAndCountRedirectErrorWhenAZeroCopyFrameLacksRedirectHeadroom() {
        final CpuMapEntry entry = entry(0, 64, null);
        final IngressPath ingress = ingress(false);
        // headroom, metadata length: too little headroom, metadata eating into it, then a frame that fits
        final int[][] layouts = {{Frame.MIN_REDIRECT_HEADROOM - 1, 0}, {64, 64 - Frame.MIN_REDIRECT_HEADROOM + 1},
            {Frame.MIN_REDIRECT_HEADROOM, 0}};
        ingress.poll(new Feed() {
            @Override
            public int poll(FrameSink sink, int budget) {
                for (int i = 0; i < layouts.length; i++) {
                    final Frame frame = ingress.lease().headroom(layouts[i][0]).metaLength(layouts[i][1]);
                    TestPackets.writeHeaders(frame.buffer(), frame.dataOffset(), TestPackets.LENGTH);
                    TestPackets.script(frame.buffer(), frame.dataOffset(), i, REDIRECT, 0, Verdict.PASS, PASS, 0, 0);
                    assertEquals(FrameSink.ACCEPTED, ingress.steer(frame.length(TestPackets.LENGTH)));
                }
                return layouts.length;
            }

            @Override
            public String name() {
                return "zero-copy";
            }
        });
        assertCounters(ingress.counters(), RECEIVED, 3, REDIRECTED, 1, DropReason.REDIRECT_ERROR, 2);
        assertEquals(2, ingress.counters().redirectErrors(MapResult.EOVERFLOW));
        final Recorder handler = new Recorder();
        final ConsumerPath consumer = consumer(entry, handler);
        assertEquals(1, consumer.doWork());
        assertArrayEquals(new int[] {2}, handler.seqs.toIntArray());
        assertBalanced(ingress, consumer);
    }

    @Test
    void shouldDropAsRingFullWhenTheTargetRingHasNoRoom() {
        final CpuMapEntry entry = entry(0, 2, null);
        final IngressPath ingress = ingress(false);
        ingress.poll(new ScriptedFeed(TestPackets.packets(0, 10, REDIRECT)));
        assertCounters(ingress.counters(), RECEIVED, 10, REDIRECTED, 10, DropReason.RING_FULL, 8);
        assertEquals(10, ingress.counters().enqueueProcessed(0));
        assertEquals(8, ingress.counters().enqueueDrops(0));
        final Recorder remoteHandler = new Recorder();
        final ConsumerPath consumer = consumer(entry, remoteHandler);
        consumer.doWork();
        assertArrayEquals(new int[] {0, 1}, remoteHandler.seqs.toIntArray(), "the ring kept the oldest frames");
        assertBalanced(ingress, consumer);
    }

    @Test
    void shouldCountTheWholeBatchAsHandlerErrorWhenTheLocalHandlerThrows() {
        local.failAll = true;
        final IngressPath ingress = ingress(false);
        ingress.poll(new ScriptedFeed(TestPackets.packets(0, 10, PASS)));
        assertCounters(ingress.counters(), RECEIVED, 10, HANDLER_EXCEPTIONS, 2, DropReason.HANDLER_ERROR, 10);
        assertEquals(2, errors.size());
        assertBalanced(ingress);
    }

    @Test
    void shouldCountTheWholeBatchAsHandlerErrorWhenTheConsumersHandlerThrows() {
        final CpuMapEntry entry = entry(1, 64, null);
        final IngressPath ingress = ingress(false);
        final List<byte[]> packets = new ArrayList<>();
        for (int seq = 0; seq < 5; seq++) {
            packets.add(TestPackets.redirect(seq, 1, Verdict.DROP));
        }
        ingress.poll(new ScriptedFeed(packets));
        final Recorder failing = new Recorder();
        failing.failAll = true;
        final ConsumerPath consumer = consumer(entry, failing);
        assertEquals(5, consumer.doWork());
        assertCounters(consumer.counters(), RECEIVED, 5, HANDLER_EXCEPTIONS, 1, DropReason.HANDLER_ERROR, 5);
        assertEquals(1, errors.size());
        assertBalanced(ingress, consumer);
    }

    @Test
    void shouldCarryOutEveryRemoteVerdictWhenTheEntryRunsARemoteProgram() {
        final CpuMapEntry withProgram = entry(0, 64, TestPackets.REMOTE);
        final CpuMapEntry plain = entry(1, 64, null);
        final IngressPath ingress = ingress(false);
        ingress.poll(new ScriptedFeed(List.of(
            TestPackets.remote(0, 0, PASS, 0, 0),
            TestPackets.remote(1, 0, DROP, 0, 0),
            TestPackets.remote(2, 0, ABORT, 0, 0),
            TestPackets.remote(3, 0, UNKNOWN, 0, 0),
            TestPackets.remote(4, 0, THROW, 0, 0),
            TestPackets.remote(5, 0, REDIRECT, 1, Verdict.DROP),
            TestPackets.remote(6, 0, REDIRECT, NO_SUCH_KEY, Verdict.PASS),
            TestPackets.remote(7, 0, REDIRECT, NO_SUCH_KEY, Verdict.DROP))));
        final Recorder handler0 = new Recorder();
        final Recorder handler1 = new Recorder();
        final ConsumerPath consumer0 = consumer(withProgram, handler0);
        final ConsumerPath consumer1 = consumer(plain, handler1);
        assertEquals(8, consumer0.doWork());
        assertEquals(1, consumer1.doWork());

        assertArrayEquals(new int[] {0, 6}, handler0.seqs.toIntArray());
        assertArrayEquals(new int[] {5}, handler1.seqs.toIntArray());
        assertCounters(consumer0.counters(), RECEIVED, 8, DELIVERED, 2, REDIRECTED, 1, PROGRAM_EXCEPTIONS, 1,
            REMOTE_PASS, 1, REMOTE_REDIRECT, 3, REMOTE_DROP, 4,
            DropReason.REMOTE_DROP, 1, DropReason.REMOTE_ABORTED, 3, DropReason.NO_ENTRY, 1);
        assertEquals(1, consumer0.counters().enqueueProcessed(1));
        assertCounters(consumer1.counters(), RECEIVED, 1, DELIVERED, 1);
        assertEquals(1, errors.size());
        assertBalanced(ingress, consumer0, consumer1);
    }

    @Test
    void shouldDropAsRedirectLoopWhenRemoteProgramsSendFramesToEachOtherInACycle() {
        final CpuMapEntry first = entry(0, 64, packet -> Verdict.redirect(1, Verdict.DROP));
        final CpuMapEntry second = entry(1, 64, packet -> Verdict.redirect(0, Verdict.DROP));
        final IngressPath ingress = ingress(false);
        ingress.poll(new ScriptedFeed(List.of(
            TestPackets.remote(0, 0, REDIRECT, 0, Verdict.DROP),
            TestPackets.remote(1, 0, REDIRECT, 0, Verdict.DROP),
            TestPackets.remote(2, 0, REDIRECT, 1, Verdict.DROP))));
        final Recorder handler = new Recorder();
        final ConsumerPath consumer0 = consumer(first, handler);
        final ConsumerPath consumer1 = consumer(second, handler);
        // Each pass moves every frame one entry on; the cycle is cut after MAX_REMOTE_REDIRECTS redirects.
        int rounds = 0;
        while (!(first.ring().isEmpty() && second.ring().isEmpty())) {
            consumer0.doWork();
            consumer1.doWork();
            assertTrue(++rounds <= Frame.MAX_REMOTE_REDIRECTS + 1, "the cycle was not cut");
        }

        assertEquals(0, handler.seqs.size());
        final long redirects = consumer0.counters().get(REMOTE_REDIRECT) + consumer1.counters().get(REMOTE_REDIRECT);
        final long loops = consumer0.counters().dropped(DropReason.REDIRECT_LOOP)
            + consumer1.counters().dropped(DropReason.REDIRECT_LOOP);
        assertEquals(3, loops);
        assertEquals(3L * (Frame.MAX_REMOTE_REDIRECTS + 1), redirects);
        assertBalanced(ingress, consumer0, consumer1);
    }

    @Test
    void shouldBackPressureWithoutCountingReceivedWhenLosslessAndTheTargetRingIsFull() {
        final CpuMapEntry entry = entry(0, 4, null);
        final IngressPath ingress = ingress(true);
        final ScriptedFeed feed = new ScriptedFeed(TestPackets.packets(0, 10, REDIRECT));
        assertEquals(4, ingress.poll(feed));
        assertEquals(0, ingress.poll(feed), "still full: the feed keeps the packet");
        assertEquals(6, feed.remaining());
        assertCounters(ingress.counters(), RECEIVED, 4, REDIRECTED, 4, BACK_PRESSURED, 2);

        final Recorder handler = new Recorder();
        final ConsumerPath consumer = consumer(entry, handler);
        while (feed.remaining() > 0) {
            consumer.doWork();
            ingress.poll(feed);
        }
        consumer.doWork();
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, handler.seqs.toIntArray());
        assertEquals(3, feed.backPressured());
        assertCounters(ingress.counters(), RECEIVED, 10, REDIRECTED, 10, BACK_PRESSURED, 3);
        assertBalanced(ingress, consumer);
    }

    @Test
    void shouldBackPressureWithoutCountingReceivedWhenLosslessAndThePoolIsEmpty() {
        final IngressPath ingress = ingress(true);
        final Frame[] held = leaseAll(ingress);
        final ScriptedFeed feed = new ScriptedFeed(TestPackets.packets(0, 2, PASS));
        assertEquals(0, ingress.poll(feed));
        assertCounters(ingress.counters(), BACK_PRESSURED, 1);
        assertEquals(2, feed.remaining());
        FramePool.releaseAll(handles(held), 0, held.length);
        assertEquals(2, ingress.poll(feed));
        assertCounters(ingress.counters(), RECEIVED, 2, DELIVERED, 2, BACK_PRESSURED, 1);
        assertBalanced(ingress);
    }

    @Test
    void shouldNameTheResourceThatRefusedWhenLosslessRefusesForTheRingOrForThePool() {
        entry(0, 4, null);
        final IngressPath ingress = ingress(true);
        final ScriptedFeed toRing = new ScriptedFeed(TestPackets.packets(0, 5, REDIRECT));
        assertEquals(4, ingress.poll(toRing));
        assertEquals(DropReason.RING_FULL, ingress.refusalReason(), "the fifth frame's ring was full");

        // Four frames are in the ring: lease the rest.
        final Frame[] held = new Frame[pool.capacity() - 4];
        for (int i = 0; i < held.length; i++) {
            held[i] = ingress.lease();
        }
        final ScriptedFeed passed = new ScriptedFeed(TestPackets.packets(0, 1, PASS));
        assertEquals(0, ingress.poll(passed));
        assertEquals(DropReason.POOL_EXHAUSTED, ingress.refusalReason(), "no frame for a PASS packet");

        assertEquals(0, ingress.poll(toRing));
        assertEquals(DropReason.RING_FULL, ingress.refusalReason(), "a full ring is found before a frame is leased");
        FramePool.releaseAll(handles(held), 0, held.length);
        assertCounters(ingress.counters(), RECEIVED, 4, REDIRECTED, 4, BACK_PRESSURED, 3);
    }

    @Test
    void shouldBackPressureWhenAnotherIngressFilledTheRingAheadOfFramesStillQueued() {
        final CpuMapEntry entry = entry(0, 8, null);
        final IngressPath first = ingress(true);
        final FramePool otherPool = new FramePool(new FramePool.Context().id("other").frameCount(16).frameSize(256)
            .headroom(64));
        final IngressPath second = new IngressPath(2, 0, otherPool, TestPackets.INGRESS, map, local, 8, 64, true,
            new PathCounters("ingress-1", 2), errorSink);
        final byte[] packet = TestPackets.redirect(0, 0, Verdict.DROP);
        final UnsafeBuffer buffer = new UnsafeBuffer(packet);
        for (int i = 0; i < 5; i++) {
            assertEquals(FrameSink.ACCEPTED, first.onFrame(buffer, 0, packet.length, 0));
        }
        for (int i = 0; i < 8; i++) {
            assertEquals(FrameSink.ACCEPTED, second.onFrame(buffer, 0, packet.length, 0));
        }
        second.flush();
        assertEquals(0, entry.ring().remainingCapacity());
        // The first ingress' five queued frames can no longer fit: a sixth must be refused, not dropped later.
        assertEquals(FrameSink.BACK_PRESSURED, first.onFrame(buffer, 0, packet.length, 0));
        // No consumer drains this ring: the flush waits its longest for room, then drops the five, counted.
        first.flush();
        assertCounters(first.counters(), RECEIVED, 5, REDIRECTED, 5, BACK_PRESSURED, 1, DropReason.RING_FULL, 5,
            PathCounters.Counter.FLUSH_WAITS, 1);
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private IngressPath ingress(boolean lossless) {
        return new IngressPath(1, 0, pool, TestPackets.INGRESS, map, local, 8, IngressPath.DEFAULT_BUDGET, lossless,
            new PathCounters("ingress-0", map.maxEntries()), errorSink);
    }

    private CpuMapEntry entry(int key, int qsize, SteeringProgram remoteProgram) {
        assertEquals(MapResult.OK, map.update(key, new EntryValue(qsize, remoteProgram), CpuMap.ANY));
        return map.snapshot().entry(key);
    }

    private ConsumerPath consumer(CpuMapEntry entry, FrameHandler handler) {
        return new ConsumerPath(entry, map, handler, ConsumerPath.DEFAULT_BATCH, errorSink);
    }

    private Frame[] leaseAll(IngressPath ingress) {
        final Frame[] held = new Frame[pool.capacity()];
        for (int i = 0; i < held.length; i++) {
            held[i] = ingress.lease();
        }
        return held;
    }

    /** A PASS packet of {@code length} bytes: the script followed by zeros. */
    private static byte[] padded(int seq, int length) {
        final byte[] packet = new byte[length];
        System.arraycopy(TestPackets.packet(seq, PASS), 0, packet, 0, TestPackets.LENGTH);
        return packet;
    }

    /**
     * Asserts every counter and drop reason of {@code counters}: those named in {@code expected}
     * (pairs of counter or reason and value) have that value, all others are 0. POLLS and SCHED are
     * bookkeeping and left out.
     */
    static void assertCounters(PathCounters counters, Object... expected) {
        final Map<Object, Long> values = new HashMap<>();
        for (int i = 0; i < expected.length; i += 2) {
            values.put(expected[i], ((Number) expected[i + 1]).longValue());
        }
        for (PathCounters.Counter counter : PathCounters.Counter.values()) {
            if (counter != POLLS && counter != PathCounters.Counter.SCHED) {
                assertEquals(values.getOrDefault(counter, 0L), counters.get(counter), counters.name() + " " + counter);
            }
        }
        for (DropReason reason : DropReason.values()) {
            assertEquals(values.getOrDefault(reason, 0L), counters.dropped(reason), counters.name() + " drop " + reason);
        }
    }

    /** received = delivered + dropped over every path, and the pool is whole again. Everything must be drained. */
    private void assertBalanced(IngressPath ingress, ConsumerPath... consumers) {
        long ends = ingress.counters().get(DELIVERED) + ingress.counters().droppedTotal();
        for (ConsumerPath consumer : consumers) {
            assertTrue(consumer.isEmpty());
            ends += consumer.counters().get(DELIVERED) + consumer.counters().droppedTotal();
        }
        assertEquals(ingress.counters().get(RECEIVED), ends, "received = delivered + dropped");
        assertEquals(pool.capacity(), pool.available());
        assertEquals(pool.leases(), pool.returns());
        assertEquals(0, pool.doubleReturns());
    }
}
