package dev.steer.engine.frame;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The frame pool: fixed preallocated frames, lease and return accounting, refused returns, settings. */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FramePoolTest {
    private static FramePool pool(String id, int frames) {
        return new FramePool(new FramePool.Context().id(id).frameCount(frames).frameSize(256).headroom(64)
            .checked(true));
    }

    @Test
    void shouldBalanceLeasesReturnsAndAvailabilityWhenLeasingAndReturningManyTimes() {
        final FramePool pool = pool("cycles", 16);
        final Frame[] held = new Frame[16];
        long total = 0;
        for (int cycle = 0; cycle < 1_000; cycle++) {
            final int count = 1 + cycle % 16;
            for (int i = 0; i < count; i++) {
                held[i] = pool.lease();
                assertNotNull(held[i]);
            }
            total += count;
            assertEquals(16 - count, pool.available());
            assertEquals(count, pool.inUse());
            if (cycle % 2 == 0) {
                for (int i = 0; i < count; i++) {
                    assertEquals(FramePool.OK, held[i].release());
                }
            } else {
                assertEquals(0, FramePool.releaseAll(TestFrames.handles(java.util.Arrays.copyOf(held, count)), 0, count));
            }
            assertEquals(16, pool.available());
            assertEquals(0, pool.inUse());
            assertEquals(total, pool.leases());
            assertEquals(total, pool.returns());
        }
        assertEquals(0, pool.exhausted());
        assertEquals(0, pool.doubleReturns());
    }

    @Test
    void shouldReturnNullAndCountExhaustionWithoutAllocatingWhenEveryFrameIsLeased() {
        final FramePool pool = pool("small", 8);
        final Set<Frame> preallocated = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < pool.capacity(); i++) {
            preallocated.add(pool.frameAt(i));
        }
        final Set<Frame> leased = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int round = 0; round < 3; round++) {
            leased.clear();
            for (int i = 0; i < 8; i++) {
                final Frame frame = pool.lease();
                assertTrue(preallocated.contains(frame), "only preallocated frames are leased");
                assertTrue(frame.index() >= 0 && frame.index() < pool.capacity());
                assertSame(frame, pool.frameAt(frame.index()));
                assertTrue(leased.add(frame), "a leased frame is not leased again");
            }
            assertNull(pool.lease());
            assertNull(pool.lease());
            assertEquals(2L * (round + 1), pool.exhausted());
            assertEquals(8, pool.capacity());
            assertEquals(0, pool.available());
            for (Frame frame : leased) {
                frame.release();
            }
        }
        assertEquals(24, pool.leases());
        assertEquals(8, pool.available());
    }

    @Test
    void shouldRefuseAndCountADoubleReturnWhenCheckedAndAFrameIsReleasedTwice() {
        final FramePool pool = pool("double", 4);
        assertTrue(pool.checked());
        final Frame frame = pool.lease();
        final Frame other = pool.lease();
        assertEquals(FramePool.OK, frame.release());
        assertEquals(FramePool.DOUBLE_RETURN, frame.release());
        assertEquals(FramePool.DOUBLE_RETURN, pool.release(frame));
        assertEquals(1, FramePool.releaseAll(TestFrames.handles(other, other), 0, 2), "the same frame twice in one batch");
        assertEquals(FramePool.DOUBLE_RETURN, other.release());

        assertEquals(4, pool.doubleReturns());
        assertEquals(2, pool.returns());
        assertEquals(4, pool.available(), "refused returns do not inflate the pool");
        final Set<Frame> leased = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < 4; i++) {
            assertTrue(leased.add(pool.lease()), "no frame is in the free list twice");
        }
        assertNull(pool.lease());
    }

    @Test
    void shouldRefuseWithForeignFrameWhenAFrameOfAnotherPoolIsReleased() {
        final FramePool mine = pool("mine", 4);
        final FramePool theirs = pool("theirs", 4);
        final Frame foreign = theirs.lease();
        assertEquals(FramePool.FOREIGN_FRAME, mine.release(foreign));
        assertEquals(1, mine.doubleReturns());
        assertEquals(0, mine.returns());
        assertEquals(4, mine.available());
        assertEquals(1, theirs.inUse(), "the frame is still leased from its own pool");
        assertEquals(FramePool.OK, foreign.release());
        assertEquals(4, theirs.available());
    }

    @Test
    void shouldReturnEveryFrameToItsOwnPoolWhenReleasingABatchMixedFromTwoPools() {
        final FramePool a = pool("a", 4);
        final FramePool b = pool("b", 4);
        final Frame[] mixed = {a.lease(), a.lease(), b.lease(), a.lease(), b.lease(), b.lease(), a.lease()};
        assertEquals(0, a.available());
        assertEquals(1, b.available());
        assertEquals(0, FramePool.releaseAll(TestFrames.handles(mixed), 0, mixed.length));
        assertEquals(4, a.available());
        assertEquals(4, b.available());
        assertEquals(4, a.returns());
        assertEquals(3, b.returns());
        assertEquals(0, a.doubleReturns() + b.doubleReturns());
    }

    @Test
    void shouldReleaseOnlyTheGivenRangeWhenReleasingPartOfABatch() {
        final FramePool pool = pool("range", 4);
        final Frame[] frames = {pool.lease(), pool.lease(), pool.lease(), pool.lease()};
        assertEquals(0, FramePool.releaseAll(TestFrames.handles(frames), 1, 3));
        assertEquals(2, pool.available());
        assertEquals(FramePool.OK, frames[0].release());
        assertEquals(FramePool.OK, frames[3].release());
    }

    @Test
    void shouldResetHeadroomLengthMetadataAndOriginWhenLeased() {
        final FramePool pool = pool("reset", 1);
        final Frame frame = pool.lease();
        assertFresh(pool, frame);
        frame.headroom(100).length(50).metaLength(8).origin(3, 4, 12345L);
        assertEquals(FramePool.OK, frame.release());
        final Frame again = pool.lease();
        assertSame(frame, again, "a one-frame pool hands out the same frame");
        assertFresh(pool, again);
    }

    @Test
    void shouldLeaseTheMostRecentlyReturnedFrameFirstWhenFramesComeBack() {
        final FramePool pool = pool("lifo", 4);
        final Frame[] held = new Frame[4];
        for (int i = 0; i < 4; i++) {
            held[i] = pool.lease();
            assertEquals(i, held[i].index(), "a fresh pool hands out its frames in index order");
        }
        assertEquals(FramePool.OK, held[2].release());
        assertEquals(FramePool.OK, held[0].release());
        assertEquals(FramePool.OK, held[3].release());
        assertEquals(3, pool.available());
        assertSame(held[3], pool.lease(), "last in, first out: the frame most likely still in cache");
        assertSame(held[0], pool.lease());
        assertSame(held[2], pool.lease());
        assertNull(pool.lease());
        assertEquals(1, pool.exhausted());
        assertEquals(7, pool.leases());
        assertEquals(3, pool.returns());
    }

    @Test
    void shouldResetTheFrameAndSetLengthAndOriginWhenLeasedForAPacket() {
        final FramePool pool = pool("packet", 1);
        final Frame used = pool.lease();
        used.headroom(100).length(50).metaLength(8).origin(3, 4, 12345L);
        assertTrue(used.countRemoteRedirect());
        assertEquals(FramePool.OK, used.release());
        final Frame frame = pool.lease(60, 5, 6, 789L);
        assertSame(used, frame);
        assertEquals(pool.headroom(), frame.dataOffset());
        assertEquals(60, frame.length());
        assertEquals(0, frame.metaLength());
        assertEquals(5, frame.feedId());
        assertEquals(6, frame.queueIndex());
        assertEquals(789L, frame.timestampNs());
        assertTrue(frame.fits());
        assertNull(pool.lease(60, 5, 6, 789L), "the one frame is out");
        assertEquals(1, pool.exhausted());
        assertEquals(2, pool.leases());
    }

    /** The setters check nothing, so fits() must hold for any values a zero-copy feed sets, int overflow included. */
    @Test
    void shouldNotFitWhenHeadroomIsNegativeAndHeadroomMinusMetadataOverflows() {
        final FramePool pool = pool("overflow", 1);
        final int[][] headroomMeta = {
            {Integer.MIN_VALUE, 1},
            {Integer.MIN_VALUE + 5, 100},
            {-2, Integer.MAX_VALUE},
            {-1, 0},
            {Integer.MIN_VALUE, 0},
        };
        for (int[] values : headroomMeta) {
            final Frame frame = pool.lease().headroom(values[0]).metaLength(values[1]).length(0);
            assertFalse(frame.fits(), "headroom " + values[0] + ", metadata " + values[1]);
            assertEquals(FramePool.OK, frame.release());
        }
        final Frame frame = pool.lease().length(60);
        assertTrue(frame.headroom(Frame.MIN_REDIRECT_HEADROOM + 8).metaLength(8).fits(), "32 bytes free in front of the metadata");
        assertFalse(frame.metaLength(9).fits(), "31 bytes free");
        assertEquals(FramePool.OK, frame.release());
    }

    private static void assertFresh(FramePool pool, Frame frame) {
        assertEquals(pool.headroom(), frame.headroom());
        assertEquals(pool.headroom(), frame.dataOffset());
        assertEquals(0, frame.length());
        assertEquals(0, frame.metaLength());
        assertEquals(0, frame.feedId());
        assertEquals(0, frame.queueIndex());
        assertEquals(0, frame.timestampNs());
        assertEquals(pool.frameSize(), frame.capacity());
        assertSame(pool, frame.pool());
    }

    @Test
    void shouldReportEveryBadSettingInOneMessageWhenConcluding() {
        final FramePool.Context context = new FramePool.Context().id(" ").frameCount(0).frameSize(100).headroom(8);
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class, context::conclude);
        final String message = error.getMessage();
        assertTrue(message.contains("pool.id=' '"), message);
        assertTrue(message.contains("pool.frameCount=0"), message);
        assertTrue(message.contains("pool.frameSize=100"), message);
        assertTrue(message.contains("pool.headroom=8"), message);
        assertTrue(message.contains("must be 1 to " + FramePool.MAX_FRAMES) && message.contains("multiple of 64"), message);
        assertThrows(IllegalArgumentException.class, () -> new FramePool(context));
    }

    @Test
    void shouldNameTheFrameCountAndSizeAsConcludesMessagesDoWhenTheDirectMemoryCannotBeHad() {
        // 2,048,000,000 bytes: over the direct memory of a test JVM (-Xmx1g, and direct memory defaults to the heap's).
        final long bytes = 1_000_000L * 2048;
        assumeTrue(bytes > Runtime.getRuntime().maxMemory(), "this JVM's heap would hold the pool");
        final int open = FramePool.openPools();
        final IllegalStateException error = assertThrows(IllegalStateException.class,
            () -> new FramePool(new FramePool.Context().id("big").frameCount(1_000_000).frameSize(2048)));
        assertTrue(error.getMessage().startsWith("frame pool big: pool.frameCount=1000000 x pool.frameSize=2048 = "
            + bytes + " bytes of direct memory cannot be had ("), error.getMessage());
        assertEquals(open, FramePool.openPools(), "no pool left registered");
    }

    @Test
    void shouldNameTheFrameCountAndSizeAsTheUserSetsThemWhenGivenTheirNames() {
        final FramePool.Context bad = new FramePool.Context().frameCount(0).frameSize(100).headroom(8)
            .sizeNames("poolFrames", "frameSize");
        final String concluded = assertThrows(IllegalArgumentException.class, bad::conclude).getMessage();
        assertTrue(concluded.contains("\n  poolFrames=0: must be 1 to ") && concluded.contains("\n  frameSize=100: ")
            && concluded.contains("to frameSize - 64 (36)") && !concluded.contains("pool.frame"), concluded);
        final long bytes = 1_000_000L * 2048;
        assumeTrue(bytes > Runtime.getRuntime().maxMemory(), "this JVM's heap would hold the pool");
        final IllegalStateException error = assertThrows(IllegalStateException.class, () -> new FramePool(
            new FramePool.Context().id("big").frameCount(1_000_000).frameSize(2048).sizeNames("frames", "frame-size")));
        assertTrue(error.getMessage().startsWith("frame pool big: frames=1000000 x frame-size=2048 = "),
            error.getMessage());
    }

    @Test
    void shouldRejectANullSizeNameWithAnIllegalArgumentNamingTheParameter() {
        final String count = assertThrows(IllegalArgumentException.class,
            () -> new FramePool.Context().sizeNames(null, "frameSize")).getMessage();
        assertTrue(count.contains("frameCountName=null"), count);
        final String size = assertThrows(IllegalArgumentException.class,
            () -> new FramePool.Context().sizeNames("poolFrames", null)).getMessage();
        assertTrue(size.contains("frameSizeName=null"), size);
        final String headroom = assertThrows(IllegalArgumentException.class,
            () -> new FramePool.Context().sizeNames("poolFrames", "frameSize", null)).getMessage();
        assertTrue(headroom.contains("headroomName=null"), headroom);
    }

    @Test
    void shouldNameTheHeadroomAsTheUserSetsItWhenGivenItsName() {
        final String concluded = assertThrows(IllegalArgumentException.class, new FramePool.Context().frameSize(256)
            .headroom(8).sizeNames("frames", "frame-size", "headroom")::conclude).getMessage();
        assertTrue(concluded.contains("\n  headroom=8: must be 32 to frame-size - 64 (192)"), concluded);
    }

    @Test
    void shouldRejectEachSettingOutsideItsRangeWhenConcluding() {
        assertRejected(new FramePool.Context().frameSize(FramePool.Context.MAX_FRAME_SIZE + 64), "pool.frameSize=");
        assertRejected(new FramePool.Context().frameSize(FramePool.Context.MIN_FRAME_SIZE - 64), "pool.frameSize=");
        assertRejected(new FramePool.Context().frameSize(2000), "pool.frameSize=2000");
        assertRejected(new FramePool.Context().frameSize(256).headroom(256 - 63), "pool.headroom=193");
        assertRejected(new FramePool.Context().headroom(Frame.MIN_REDIRECT_HEADROOM - 1), "pool.headroom=31");
        assertRejected(new FramePool.Context().id(null), "pool.id='null'");
        assertRejected(new FramePool.Context().frameCount(-5), "pool.frameCount=-5");
        assertRejected(new FramePool.Context().frameCount(1 << 20).frameSize(4096), "pool.frameCount=1048576 x");
        final FramePool.Context fine = new FramePool.Context().frameSize(256).headroom(192).frameCount(1);
        assertSame(fine, fine.conclude());
        assertDoesNotThrow(() -> new FramePool.Context().conclude(), "the defaults are valid");
    }

    private static void assertRejected(FramePool.Context context, String naming) {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class, context::conclude);
        assertTrue(error.getMessage().contains(naming), error.getMessage());
    }

    @Test
    void shouldKeepEachFramesDataSeparateWhenEveryFrameIsWrittenEndToEnd() {
        final FramePool pool = pool("data", 32);
        final Frame[] frames = new Frame[32];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = pool.lease();
            for (int at = 0; at < frames[i].capacity(); at++) {
                frames[i].buffer().putByte(at, (byte) (frames[i].index() * 31 + at));
            }
        }
        for (Frame frame : frames) {
            assertEquals(256, frame.buffer().capacity());
            for (int at = 0; at < frame.capacity(); at++) {
                assertEquals((byte) (frame.index() * 31 + at), frame.buffer().getByte(at),
                    "frame " + frame.index() + " byte " + at);
            }
        }
    }

    @Test
    void shouldCopyThePacketIntoTheDataAndRefuseASourceRangeOutsideItsBufferWhenCopyingData() {
        final FramePool pool = pool("copy", 2);
        final byte[] bytes = new byte[100];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i + 1);
        }
        final org.agrona.concurrent.UnsafeBuffer heap = new org.agrona.concurrent.UnsafeBuffer(bytes);
        final Frame frame = pool.lease(60, 0, 0, 0L);
        frame.buffer().setMemory(0, frame.capacity(), (byte) 0);
        frame.copyData(heap, 40);
        for (int i = 0; i < frame.capacity(); i++) {
            final int expected = i >= frame.dataOffset() && i < frame.dataOffset() + 60 ? 41 + i - frame.dataOffset() : 0;
            assertEquals((byte) expected, frame.buffer().getByte(i), "byte " + i + " of the slot");
        }
        // An off-heap source, the other kind a feed hands over (Aeron's log buffers, a mapped ring).
        final org.agrona.concurrent.UnsafeBuffer direct =
            new org.agrona.concurrent.UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(100));
        direct.putBytes(0, bytes);
        final Frame other = pool.lease(100, 0, 0, 0L);
        other.copyData(direct, 0);
        for (int i = 0; i < 100; i++) {
            assertEquals(bytes[i], other.buffer().getByte(other.dataOffset() + i));
        }
        assertThrows(IndexOutOfBoundsException.class, () -> frame.copyData(heap, 41), "runs past the source");
        assertThrows(IndexOutOfBoundsException.class, () -> frame.copyData(heap, -1), "starts before it");
        assertThrows(IndexOutOfBoundsException.class, () -> frame.copyData(heap, Integer.MAX_VALUE));
        assertEquals(41, frame.buffer().getByte(frame.dataOffset()), "a refused copy writes nothing");
        assertEquals(FramePool.OK, other.release());
        final Frame tooLong = pool.lease(pool.maxDataLength() + 1, 0, 0, 0L);
        final org.agrona.concurrent.UnsafeBuffer big = new org.agrona.concurrent.UnsafeBuffer(new byte[1024]);
        assertThrows(IndexOutOfBoundsException.class, () -> tooLong.copyData(big, 0), "the data would pass the slot");
    }

    @Test
    void shouldMoveThePacketStartWhenAdjustHeadStaysWithinTheSlotAndOutOfTheMetadata() {
        final Frame frame = pool("adjust", 1).lease().length(100).metaLength(16);
        assertTrue(frame.adjustHead(-14), "grow at the front into the headroom");
        assertEquals(50, frame.headroom());
        assertEquals(114, frame.length());
        assertTrue(frame.adjustHead(20), "shrink at the front");
        assertEquals(70, frame.headroom());
        assertEquals(94, frame.length());
        assertTrue(frame.adjustHead(-54), "down to the end of the metadata");
        assertEquals(16, frame.headroom());
        assertTrue(frame.adjustHead(134), "down to an Ethernet header");
        assertEquals(Frame.MIN_PACKET_LENGTH, frame.length());
        assertFalse(frame.adjustHead(1), "below an Ethernet header");
        assertEquals(Frame.MIN_PACKET_LENGTH, frame.length());
    }

    @Test
    void shouldMoveMetadataWithThePacketStartWhenAdjustHeadSucceeds() {
        final Frame frame = pool("meta", 1).lease().length(100).metaLength(4);
        frame.buffer().putInt(frame.headroom() - 4, 0xCAFEBABE);
        assertTrue(frame.adjustHead(-20));
        assertEquals(0xCAFEBABE, frame.buffer().getInt(frame.headroom() - 4), "metadata still in front of the packet");
        assertTrue(frame.adjustHead(30));
        assertEquals(0xCAFEBABE, frame.buffer().getInt(frame.headroom() - 4));
    }

    @Test
    void shouldRefuseAndChangeNothingWhenAdjustHeadWouldEatMetadataOrPassTheEnd() {
        final Frame frame = pool("refuse", 1).lease().length(100).metaLength(16);
        assertFalse(frame.adjustHead(-(64 - 16) - 1), "into the metadata");
        assertFalse(frame.adjustHead(101), "past the end of the packet");
        assertFalse(frame.adjustHead(Integer.MIN_VALUE + 1));
        assertEquals(64, frame.headroom());
        assertEquals(100, frame.length());
        final Frame overfull = pool("overfull", 1).lease().length(300);
        assertFalse(overfull.adjustHead(-1), "a frame already past its slot");
        assertEquals(300, overfull.length());
    }

    @Test
    void shouldFitOnlyWhenRedirectHeadroomIsFreeAndDataStaysInTheSlot() {
        final Frame frame = pool("fits", 1).lease();
        assertTrue(frame.length(0).fits());
        assertTrue(frame.length(256 - 64).fits(), "data up to the end of the slot");
        assertFalse(frame.length(256 - 64 + 1).fits(), "one byte past the slot");
        assertFalse(frame.length(-1).fits());
        frame.length(10);
        assertTrue(frame.metaLength(64 - Frame.MIN_REDIRECT_HEADROOM).fits());
        assertFalse(frame.metaLength(64 - Frame.MIN_REDIRECT_HEADROOM + 1).fits(), "metadata eats redirect headroom");
        assertFalse(frame.metaLength(-1).fits());
        frame.metaLength(0);
        assertTrue(frame.headroom(Frame.MIN_REDIRECT_HEADROOM).fits());
        assertFalse(frame.headroom(Frame.MIN_REDIRECT_HEADROOM - 1).fits());
        assertFalse(frame.headroom(Integer.MAX_VALUE).length(Integer.MAX_VALUE).fits(), "no int overflow");
    }

    @Test
    void shouldEndWithAFullBalancedPoolWhenOneThreadLeasesAndTwoThreadsReturnAMillionFrames() throws Exception {
        final int total = 1_000_000;
        final FramePool pool = pool("threads", 100);
        final List<Queue<Frame>> queues = List.of(new ConcurrentLinkedQueue<>(), new ConcurrentLinkedQueue<>());
        final AtomicReference<Throwable> error = new AtomicReference<>();
        final List<Thread> threads = new ArrayList<>();
        // The queues stay bounded: at most the pool's 100 frames are ever in them.
        threads.add(new Thread(() -> {
            for (long seq = 0; seq < total && error.get() == null; seq++) {
                Frame frame;
                while ((frame = pool.lease()) == null && error.get() == null) {
                    Thread.yield();
                }
                if (frame == null) {
                    return;
                }
                frame.buffer().putLong(frame.dataOffset(), seq);
                queues.get((int) (seq & 1)).add(frame.length(8));
            }
        }, "leaser"));
        for (int q = 0; q < 2; q++) {
            final Queue<Frame> queue = queues.get(q);
            threads.add(new Thread(() -> release(queue, total / 2, error), "releaser-" + q));
        }
        for (Thread thread : threads) {
            thread.setUncaughtExceptionHandler((t, e) -> error.compareAndSet(null, e));
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(25));
            if (thread.isAlive()) {
                error.compareAndSet(null, new AssertionError(thread.getName() + " did not finish"));
            }
        }
        if (error.get() != null) {
            throw new AssertionError(error.get());
        }
        assertEquals(pool.capacity(), pool.available());
        assertEquals(total, pool.leases());
        assertEquals(total, pool.returns());
        assertEquals(0, pool.inUse());
        assertEquals(0, pool.doubleReturns());
    }

    /** Releases {@code count} frames, half one by one and half in batches, checking each one's sequence. */
    private static void release(Queue<Frame> queue, int count, AtomicReference<Throwable> error) {
        final Frame[] batch = new Frame[8];
        int batched = 0;
        long last = -1;
        for (int done = 0; done < count && error.get() == null; ) {
            final Frame frame = queue.poll();
            if (frame == null) {
                Thread.yield();
                continue;
            }
            // A frame leased twice at once would carry a later writer's sequence, out of this queue's order.
            final long seq = frame.buffer().getLong(frame.dataOffset());
            if (seq <= last) {
                throw new AssertionError("sequence " + seq + " after " + last);
            }
            last = seq;
            done++;
            if ((seq & 2) == 0) {
                if (frame.release() != FramePool.OK) {
                    throw new AssertionError("release refused for " + frame);
                }
            } else {
                batch[batched++] = frame;
                if (batched == batch.length || done == count) {
                    if (FramePool.releaseAll(TestFrames.handles(batch), 0, batched) != 0) {
                        throw new AssertionError("batch release refused");
                    }
                    batched = 0;
                }
            }
        }
        if (batched > 0 && FramePool.releaseAll(TestFrames.handles(batch), 0, batched) != 0) {
            throw new AssertionError("batch release refused");
        }
    }
}
