package dev.steer.loadgen.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.loadgen.traffic.Pacer;

/**
 * The sending thread's counters and clock, driven against outputs that take or refuse every frame, and a UDP
 * output to a loopback port nothing listens on.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SendLoopTest {
    private static final FrameSource FRAMES = FrameSource.cycling(new byte[][] {new byte[60]});

    /** An output that answers every frame with {@code answer}: {@link FrameOutput#SENT} takes them all. */
    private record Answering(int answer, String describe) implements FrameOutput {
        @Override
        public int send(DirectBuffer buffer, int offset, int length) {
            return answer;
        }
    }

    /** An output that takes every frame. */
    private static final FrameOutput TAKING = new Answering(FrameOutput.SENT, "taking");
    /** An output that is full for good. */
    private static final FrameOutput FULL = new Answering(FrameOutput.BACK_PRESSURED, "full");

    /** An output that rejects frames: it counts them in {@code rejected}, which {@link #rejected()} reports. */
    private abstract static class Rejects implements FrameOutput {
        private final String name;
        long rejected;

        Rejects(String name) {
            this.name = name;
        }

        @Override
        public long rejected() {
            return rejected;
        }

        @Override
        public String describe() {
            return name;
        }
    }

    /**
     * An output that rejects every 4th frame at once ({@link #REJECTED}) and one more frame of each batch when the batch
     * goes out (as an AF_PACKET sender does with a frame above the MTU).
     */
    private static final class Rejecting extends Rejects {
        private long sends;

        Rejecting() {
            super("rejecting");
        }

        @Override
        public int send(DirectBuffer buffer, int offset, int length) {
            if (++sends % 4 == 0) {
                rejected++;
                return REJECTED;
            }
            return SENT;
        }

        @Override
        public int flush() {
            rejected++;
            return SENT;
        }
    }

    /**
     * A batching output whose socket takes nothing more: every frame is staged ({@link #SENT}), a flush sends none
     * (as an AF_PACKET flush answering BACK_PRESSURED), the drain gives up, and the close drops what is still staged.
     */
    private static final class Stuck implements FrameOutput {
        private long staged;
        private long stagedBytes;
        private long discarded;
        private long discardedBytes;

        @Override
        public int send(DirectBuffer buffer, int offset, int length) {
            staged++;
            stagedBytes += length;
            return SENT;
        }

        @Override
        public boolean drain(long timeoutNs) {
            return staged == 0;
        }

        @Override
        public long discarded() {
            return discarded;
        }

        @Override
        public void close() {
            discarded += staged;
            discardedBytes += stagedBytes;
            staged = 0;
            stagedBytes = 0;
        }

        @Override
        public long droppedBytes() {
            return discardedBytes;
        }

        @Override
        public String describe() {
            return "stuck";
        }
    }

    /**
     * An output that rejects {@value #REJECTED_AT_FIRST_FLUSH} frames when its first batch goes out, then refuses
     * {@value #REFUSALS} tries (nothing receives at the target), as an output both batching and unconnected could, and
     * then holds the next try until the test lets it go: the loop's published counts stand still meanwhile.
     */
    private static final class RejectingThenRefusing extends Rejects {
        static final int REJECTED_AT_FIRST_FLUSH = 5;
        static final int REFUSALS = 10;
        final java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        private boolean flushed;
        private int refusedTries;

        RejectingThenRefusing() {
            super("rejecting-then-refusing");
        }

        @Override
        public int send(DirectBuffer buffer, int offset, int length) {
            if (!flushed) {
                return SENT;
            }
            if (refusedTries < REFUSALS) {
                refusedTries++;
                return REFUSED;
            }
            holding.countDown();
            try {
                release.await();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            return SENT;
        }

        @Override
        public int flush() {
            if (!flushed) {
                rejected = REJECTED_AT_FIRST_FLUSH;
                flushed = true;
            }
            return SENT;
        }
    }

    @Test
    void shouldKeepRejectedFramesInRefusedWhenRefusalsFollowThem() throws InterruptedException {
        final RejectingThenRefusing output = new RejectingThenRefusing();
        // Unpaced: the first burst of 64 frames is staged and 5 of them rejected at its flush (refused() = 5); the next
        // frame is refused 10 times, then its 11th try is held.
        final SendLoop loop = new SendLoop("rejecting-then-refusing", FRAMES, output, SendLoop.UNPACED, 65, 60)
            .start();
        try {
            assertTrue(output.holding.await(10, TimeUnit.SECONDS), "the loop reached the held try");
            // Published on the last refused try: both kinds so far. (It was the refusals alone, 10, below the 5
            // rejected frames plus 10 that it had shown, and it went back up only at the end of the burst.)
            assertEquals(RejectingThenRefusing.REJECTED_AT_FIRST_FLUSH + RejectingThenRefusing.REFUSALS, loop.refused(),
                "refused() while refusals follow rejected frames");
        } finally {
            output.release.countDown();
            loop.close();
        }
        assertEquals(65 - RejectingThenRefusing.REJECTED_AT_FIRST_FLUSH, loop.sent());
        assertEquals(RejectingThenRefusing.REJECTED_AT_FIRST_FLUSH + RejectingThenRefusing.REFUSALS, loop.refused(),
            "every refused try and every rejected frame, once the loop has ended");
        assertEquals(65, loop.made(), "a frame tried again after refusals is one frame made");
    }

    @Test
    void shouldNotCountFramesSentWhenTheOutputDropsThemStagedAtClose() throws InterruptedException {
        final SendLoop loop = new SendLoop("stuck", FRAMES, new Stuck(), SendLoop.UNPACED, 100, 60).start();
        assertTrue(loop.await(Duration.ofSeconds(10)));
        loop.close();
        assertEquals(0, loop.sent(), "frames staged and dropped unsent at the close never left: not sent");
        assertEquals(100, loop.made(), "but they were made and offered");
        assertEquals(0, loop.refused());
        assertEquals(null, loop.failure());
    }

    @Test
    void shouldCountRejectedFramesAsRefusedNotSentWhenTheOutputRejectsThem() throws InterruptedException {
        // Unpaced: bursts of 64, so 640 frames are 10 bursts and 10 flushes.
        final SendLoop loop = new SendLoop("rejecting", FRAMES, new Rejecting(), SendLoop.UNPACED, 640, 60).start();
        assertTrue(loop.await(Duration.ofSeconds(10)), "the loop ends at its limit: a rejected frame is not retried");
        loop.close();
        assertEquals(640 - 160 - 10, loop.sent(), "rejected frames, at once or at the flush, are not sent");
        assertEquals(160 + 10, loop.refused());
        assertEquals(0, loop.backPressured());
        assertEquals(null, loop.failure(), "a rejected frame does not end the loop");
        assertEquals(640, loop.made(), "every frame made was offered at the rate, the rejected ones too");
    }

    @Test
    void shouldShowBackPressureWhileRunningWhenNoFrameGetsThrough() throws InterruptedException {
        final SendLoop loop = new SendLoop("full", FRAMES, FULL, SendLoop.UNPACED, Long.MAX_VALUE, 60).start();
        try {
            // Waits for a condition, bounded; not for a time.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (loop.backPressured() == 0 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(1_000_000);
            }
            assertTrue(loop.backPressured() > 0, "refused tries are visible while the loop is stuck on its first frame");
            assertTrue(loop.isRunning());
            assertEquals(0, loop.sent());
        } finally {
            loop.close();
        }
        assertEquals(0, loop.sent());
        assertTrue(loop.backPressured() > 0);
    }

    /** An output that is not connected for its first {@code connectsAfter} tries, then takes every frame. */
    private static final class ConnectingAfter implements FrameOutput {
        private final long connectsAfter;
        final AtomicLong tries = new AtomicLong();

        ConnectingAfter(long connectsAfter) {
            this.connectsAfter = connectsAfter;
        }

        @Override
        public int send(DirectBuffer buffer, int offset, int length) {
            return tries.incrementAndGet() > connectsAfter ? SENT : NOT_CONNECTED;
        }

        @Override
        public String describe() {
            return "connecting after " + connectsAfter + " tries";
        }
    }

    /** Counts the loop's idle cycles and resets; waits not at all, so the test counts cycles, not time. */
    private static final class CountingIdle implements IdleStrategy {
        final AtomicLong idles = new AtomicLong();
        final AtomicLong resets = new AtomicLong();

        @Override
        public void idle(int workCount) {
            idles.incrementAndGet();
        }

        @Override
        public void idle() {
            idles.incrementAndGet();
        }

        @Override
        public void reset() {
            resets.incrementAndGet();
        }
    }

    @Test
    void shouldIdleOnceBetweenTwoTriesWhenTheOutputIsNotConnected() throws InterruptedException {
        final ConnectingAfter never = new ConnectingAfter(Long.MAX_VALUE);
        final CountingIdle idle = new CountingIdle();
        final SendLoop loop = new SendLoop("unconnected", FRAMES, never, SendLoop.UNPACED, Long.MAX_VALUE, 60, idle)
            .start();
        try {
            // Bounded by counts: 1,000 idle cycles, or 100,000 tries made without them (the spinning loop).
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (idle.idles.get() < 1_000 && never.tries.get() < 100_000 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(1_000_000);
            }
        } finally {
            loop.close();
        }
        final long tries = never.tries.get();
        assertTrue(tries >= 1_000 && tries <= idle.idles.get() + 1, tries + " tries over " + idle.idles.get()
            + " idle cycles: every unsuccessful try is followed by a cycle of the idle strategy, none is spun");
        assertEquals(tries, loop.backPressured(), "every try is counted");
        assertEquals(0, loop.sent());
    }

    @Test
    void shouldSendOnTheNextTryAndResetItsIdleStrategyWhenTheOutputConnects() throws InterruptedException {
        final ConnectingAfter later = new ConnectingAfter(500);
        final CountingIdle idle = new CountingIdle();
        final SendLoop loop = new SendLoop("connecting", FRAMES, later, SendLoop.UNPACED, 100, 60, idle).start();
        assertTrue(loop.await(Duration.ofSeconds(10)), "the loop ends at its limit");
        loop.close();
        assertEquals(100, loop.sent());
        assertEquals(500, loop.backPressured());
        assertEquals(600, later.tries.get(), "the first try after the connect sends: no try is lost");
        assertEquals(500, idle.idles.get(), "one idle cycle per unsuccessful try, none once frames go out");
        assertTrue(idle.resets.get() >= 1, "the strategy starts again from its shortest wait after the connect");
    }

    @Test
    void shouldBackOffWithABoundedIdleStrategyByDefault() {
        final IdleStrategy idle = SendLoop.retryIdleStrategy();
        assertTrue(idle instanceof BackoffIdleStrategy, "spins, yields, then parks: " + idle);
        assertTrue(idle.toString().contains("maxParkPeriodNs=" + SendLoop.RETRY_MAX_PARK_NS), idle.toString());
        assertTrue(SendLoop.RETRY_MAX_PARK_NS <= 1_000_000, "a connecting subscriber is seen within a millisecond");
    }

    @Test
    void shouldCountRefusalsNotBackPressureWhenNothingListensAtTheUdpTarget() throws Exception {
        final int port;
        try (DatagramSocket closed = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        final SendLoop loop = new SendLoop("refused", FRAMES, new UdpOutput("127.0.0.1", port), new Pacer(20_000, 64),
            500, 60).start();
        assertTrue(loop.await(Duration.ofSeconds(10)), "the loop ends at its limit");
        loop.close();
        assertEquals(500, loop.sent(), "a refused frame is tried again, so every frame goes out once");
        assertTrue(loop.refused() > 0, "the kernel's port unreachable counts as a refusal");
        assertEquals(0, loop.backPressured(), "and not as back-pressure");
        assertEquals(null, loop.failure());
    }

    @Test
    void shouldMeasureItsOwnSendingTimeWhenItsLimitEndsIt() throws InterruptedException {
        final long before = System.nanoTime();
        final SendLoop loop = new SendLoop("limited", FRAMES, TAKING, SendLoop.UNPACED, 1_000, 60).start();
        assertTrue(loop.await(Duration.ofSeconds(10)), "the loop ends at its limit");
        final long waited = System.nanoTime() - before;
        loop.close();
        assertEquals(1_000, loop.sent());
        final long elapsed = loop.elapsedNanos();
        assertTrue(elapsed > 0 && elapsed <= waited, elapsed + " ns within the " + waited + " ns waited");
        assertEquals(elapsed, loop.elapsedNanos(), "the sending time is fixed once the thread has ended");
    }

    /** Frames of 60, 590 and 1514 bytes (wire sizes 64, 594, 1518 without the FCS), in turn. */
    private static final FrameSource SIZES = FrameSource.cycling(new byte[][] {new byte[60], new byte[590],
        new byte[1514]});

    @Test
    void shouldCountTheBytesOfExactlyTheFramesSentWhenSizesMixAndSomeAreRejected() throws InterruptedException {
        final long[] taken = {0, 0}; // frames, bytes the output took
        final FrameOutput output = new FrameOutput() {
            private long sends;

            @Override
            public int send(DirectBuffer buffer, int offset, int length) {
                if (++sends % 4 == 0) {
                    return REJECTED; // not sent: neither a frame nor bytes of the traffic
                }
                taken[0]++;
                taken[1] += length;
                return SENT;
            }

            @Override
            public long rejected() {
                return sends / 4;
            }

            @Override
            public String describe() {
                return "sizes";
            }
        };
        final SendLoop loop = new SendLoop("sizes", SIZES, output, SendLoop.UNPACED, 99, 1514).start();
        assertTrue(loop.await(Duration.ofSeconds(10)));
        loop.close();
        assertEquals(taken[0], loop.sent());
        // 99 frames, 33 of each size, 24 rejected (every 4th: 8 of each size, as 4 and 3 are coprime).
        assertEquals(25 * (60 + 590 + 1514), taken[1]);
        assertEquals(taken[1], loop.bytes(), "the lengths of the frames sent, no more");
    }

    /**
     * A batching output, as an AF_PACKET one on an interface whose MTU is below 1514 bytes: every frame is staged
     * ({@link #SENT}); when the batch goes out the kernel refuses its 1514-byte frames ({@link #rejected()}), and the
     * frames still staged at the close are dropped ({@link #discarded()}). {@code droppedBytes} counts the lengths of
     * both.
     */
    private static final class DroppingBatches implements FrameOutput {
        final List<Integer> staged = new ArrayList<>();
        long rejected;
        long discarded;
        long droppedBytes;
        long sentFrames;
        long sentBytes;

        @Override
        public int send(DirectBuffer buffer, int offset, int length) {
            staged.add(length);
            return SENT;
        }

        @Override
        public int flush() {
            for (int length : staged) {
                if (length == 1514) {
                    rejected++;
                    droppedBytes += length;
                } else {
                    sentFrames++;
                    sentBytes += length;
                }
            }
            staged.clear();
            return SENT;
        }

        @Override
        public boolean drain(long timeoutNs) {
            return staged.isEmpty();
        }

        @Override
        public void close() {
            discarded += staged.size();
            staged.forEach(length -> droppedBytes += length);
            staged.clear();
        }

        @Override
        public long rejected() {
            return rejected;
        }

        @Override
        public long discarded() {
            return discarded;
        }

        @Override
        public long droppedBytes() {
            return droppedBytes;
        }

        @Override
        public String describe() {
            return "dropping-batches";
        }
    }

    @Test
    void shouldNotCountTheBytesOfFramesTheOutputDroppedAfterTakingThem() throws InterruptedException {
        final DroppingBatches output = new DroppingBatches();
        final SendLoop loop = new SendLoop("dropping", SIZES, output, SendLoop.UNPACED, 99, 1514).start();
        assertTrue(loop.await(Duration.ofSeconds(10)));
        loop.close();
        assertEquals(66, output.sentFrames, "the 60- and 590-byte frames went out");
        assertEquals(output.sentFrames, loop.sent());
        assertEquals(output.sentBytes, loop.bytes(), "the bytes of the frames sent: not those refused in a batch");
    }

    @Test
    void shouldNotCountTheBytesOfFramesTheOutputDiscardedStagedAtTheClose() throws InterruptedException {
        final SendLoop loop = new SendLoop("stuck", FRAMES, new Stuck(), SendLoop.UNPACED, 100, 60).start();
        assertTrue(loop.await(Duration.ofSeconds(10)));
        loop.close();
        assertEquals(0, loop.sent());
        assertEquals(0, loop.bytes(), "no frame left: no byte either");
    }

    @Test
    void shouldReportNoSendingTimeWhenNotStarted() {
        assertEquals(0, new SendLoop("idle", FRAMES, TAKING, SendLoop.UNPACED, 1, 60).elapsedNanos());
    }
}
