package dev.steer.engine.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.BitSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The entry ring: exact capacity, FIFO, batch claims, and the many-producer one-consumer contract. */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ManyToOneRingTest {
    private static final int PRODUCERS = 2;
    private static final int BATCH = 8;

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 5, 1000, 16_384})
    void shouldHoldExactlyCapacityElementsWhenCapacityIsNotAPowerOfTwo(int capacity) {
        final ManyToOneRing ring = new ManyToOneRing(capacity);
        assertEquals(capacity, ring.capacity());
        for (int i = 0; i < capacity; i++) {
            assertTrue(ring.offer(i), "offer " + i);
        }
        assertFalse(ring.offer(999), "one past capacity");
        assertEquals(0, ring.offer(new int[] {998, 997}, 0, 2), "a batch past capacity");
        assertEquals(capacity, ring.size());
        assertEquals(0, ring.remainingCapacity());

        assertEquals(0, ring.poll());
        assertTrue(ring.offer(capacity), "one slot freed, one slot taken");
        assertFalse(ring.offer(999));
        for (int i = 1; i <= capacity; i++) {
            assertEquals(i, ring.poll());
        }
        assertEquals(ManyToOneRing.EMPTY, ring.poll());
    }

    @Test
    void shouldReturnElementsInOfferOrderWhenPolled() {
        final ManyToOneRing ring = new ManyToOneRing(10);
        assertEquals(ManyToOneRing.EMPTY, ring.poll());
        ring.offer(1);
        ring.offer(new int[] {9, 2, 3}, 1, 2);
        ring.offer(4);
        assertEquals(1, ring.poll());
        assertEquals(2, ring.poll());
        assertEquals(3, ring.poll());
        assertEquals(4, ring.poll());
        assertEquals(ManyToOneRing.EMPTY, ring.poll());
    }

    @Test
    void shouldTakeTheLongestPrefixThatFitsWhenABatchIsOffered() {
        final ManyToOneRing ring = new ManyToOneRing(5);
        ring.offer(100);
        ring.offer(101);
        final int[] source = {0, 1, 2, 3, 4, 5, 6, 7, 8};
        assertEquals(3, ring.offer(source, 1, 8));
        assertEquals(0, ring.offer(source, 4, 5), "full: nothing taken");
        assertEquals(0, ring.offer(source, 0, 0), "empty batch");
        assertEquals(0, ring.offer(source, 0, -3), "negative count");
        final int[] drained = new int[8];
        assertEquals(5, ring.drain(drained, 8));
        assertArrayEquals(new int[] {100, 101, 1, 2, 3, 0, 0, 0}, drained);
    }

    @Test
    void shouldStopAtTheLimitAndTheTargetLengthWhenDraining() {
        final ManyToOneRing ring = new ManyToOneRing(16);
        for (int i = 0; i < 10; i++) {
            ring.offer(i);
        }
        final int[] small = new int[4];
        assertEquals(4, ring.drain(small, 100), "the target's length bounds the drain");
        assertArrayEquals(new int[] {0, 1, 2, 3}, small);
        final int[] large = new int[16];
        assertEquals(2, ring.drain(large, 2), "the limit bounds the drain");
        assertEquals(4, large[0]);
        assertEquals(5, large[1]);
        assertEquals(0, large[2]);
        assertEquals(0, ring.drain(large, 0));
        assertEquals(4, ring.drain(large, 16));
        assertEquals(9, large[3]);
        assertEquals(0, ring.drain(large, 16));
        assertTrue(ring.isEmpty());
    }

    @Test
    void shouldFillFromTheOffsetAndStopAtTheTargetsEndWhenDrainingIntoAnOffset() {
        final ManyToOneRing first = new ManyToOneRing(8);
        final ManyToOneRing second = new ManyToOneRing(8);
        for (int i = 0; i < 5; i++) {
            first.offer(10 + i);
            second.offer(20 + i);
        }
        final int[] batch = new int[6];
        assertEquals(3, first.drain(batch, 0, 3));
        assertEquals(3, second.drain(batch, 3, 100), "the room left after the offset bounds the drain");
        assertArrayEquals(new int[] {10, 11, 12, 20, 21, 22}, batch, "two rings, one array, each in its order");
        assertEquals(0, second.drain(batch, 6, 4), "no room left");
        assertEquals(2, first.drain(batch, 4, 8));
        assertArrayEquals(new int[] {10, 11, 12, 20, 13, 14}, batch);
        assertTrue(first.isEmpty());
    }

    @Test
    void shouldCarryZeroAndTheLargestValueWhenElementsAreAtTheBounds() {
        final ManyToOneRing ring = new ManyToOneRing(2);
        ring.offer(0);
        ring.offer(ManyToOneRing.MAX_VALUE);
        assertEquals(0, ring.poll(), "0 is an element, not an empty slot");
        assertEquals(ManyToOneRing.MAX_VALUE, ring.poll());
        assertEquals(ManyToOneRing.EMPTY, ring.poll());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void shouldSeeAnEmptySlotOnEveryLapWhenSlotsAreNeverClearedByTheConsumer(int capacity) {
        // The consumer leaves old values in place; only the lap bit tells a fresh value from last lap's.
        final ManyToOneRing ring = new ManyToOneRing(capacity);
        final int[] out = new int[capacity];
        for (int lap = 0; lap < 1000; lap++) {
            final int element = lap % 2 == 0 ? 0 : ManyToOneRing.MAX_VALUE;
            assertEquals(ManyToOneRing.EMPTY, ring.poll(), "lap " + lap + ": last lap's value is not taken again");
            assertEquals(0, ring.drain(out, capacity), "lap " + lap);
            for (int i = 0; i < capacity; i++) {
                assertTrue(ring.offer(element));
            }
            assertFalse(ring.offer(element), "lap " + lap + ": full");
            assertEquals(element, ring.poll());
            assertEquals(capacity - 1, ring.drain(out, capacity));
            for (int i = 0; i < capacity - 1; i++) {
                assertEquals(element, out[i]);
            }
        }
    }

    @Test
    void shouldTellWhetherElementsFitAndSeeRoomTheConsumerFreedWhenAsked() {
        final ManyToOneRing ring = new ManyToOneRing(4);
        assertTrue(ring.hasRoomFor(4));
        assertFalse(ring.hasRoomFor(5));
        ring.offer(new int[] {1, 2, 3}, 0, 3);
        assertTrue(ring.hasRoomFor(1));
        assertFalse(ring.hasRoomFor(2));
        assertEquals(2, ring.drain(new int[2], 2));
        assertTrue(ring.hasRoomFor(3), "the cached limit is refreshed from the consumer's index");
        assertFalse(ring.hasRoomFor(4));
        assertEquals(3, ring.offer(new int[] {4, 5, 6}, 0, 3));
        assertFalse(ring.hasRoomFor(1));
        assertEquals(0, ring.remainingCapacity());
    }

    @Test
    void shouldKeepFifoOrderWhenIndicesWrapAroundManyTimes() {
        final ManyToOneRing ring = new ManyToOneRing(5);
        final int[] batch = new int[3];
        final int[] out = new int[5];
        int next = 0;
        int expected = 0;
        for (int round = 0; round < 20_000; round++) {
            for (int i = 0; i < batch.length; i++) {
                batch[i] = next + i;
            }
            next += ring.offer(batch, 0, batch.length);
            final int n = ring.drain(out, 2 + round % 3);
            for (int i = 0; i < n; i++) {
                assertEquals(expected++, out[i]);
            }
            assertTrue(ring.size() <= 5);
        }
        assertTrue(next > 20_000, "the indices went round the 8 slots thousands of times");
    }

    @Test
    void shouldReportSizeEmptinessAndRemainingCapacityWhenFillingAndDraining() {
        final ManyToOneRing ring = new ManyToOneRing(3);
        assertTrue(ring.isEmpty());
        assertEquals(0, ring.size());
        assertEquals(3, ring.remainingCapacity());
        ring.offer(1);
        assertFalse(ring.isEmpty());
        assertEquals(1, ring.size());
        assertEquals(2, ring.remainingCapacity());
        ring.offer(new int[] {2, 3}, 0, 2);
        assertEquals(3, ring.size());
        assertEquals(0, ring.remainingCapacity());
        ring.poll();
        assertEquals(2, ring.size());
        assertEquals(1, ring.remainingCapacity());
        ring.drain(new int[4], 4);
        assertTrue(ring.isEmpty());
        assertEquals(3, ring.remainingCapacity());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE, ManyToOneRing.MAX_CAPACITY + 1, Integer.MAX_VALUE})
    void shouldRejectCapacityNamingTheValueWhenOutOfRange(int capacity) {
        final IllegalArgumentException error =
            assertThrows(IllegalArgumentException.class, () -> new ManyToOneRing(capacity));
        assertTrue(error.getMessage().contains("capacity=" + capacity), error.getMessage());
        assertTrue(error.getMessage().contains(String.valueOf(ManyToOneRing.MAX_CAPACITY)), error.getMessage());
    }

    @Test
    void shouldDeliverEveryItemOnceInPerProducerOrderWhenTwoProducersRetryRejectedSuffixes() throws Exception {
        final int perProducer = 1_000_000;
        final ManyToOneRing ring = new ManyToOneRing(1000);
        final Run run = new Run(ring, perProducer, true);
        run.start();
        final int[] batch = new int[64];
        final int[] next = new int[PRODUCERS];
        long received = 0;
        try {
            while (received < (long) PRODUCERS * perProducer && run.error.get() == null) {
                final int n = ring.drain(batch, batch.length);
                for (int i = 0; i < n; i++) {
                    final int producer = batch[i] >>> 30;
                    final int seq = batch[i] & 0x3FFF_FFFF;
                    if (seq != next[producer]) {
                        fail("producer " + producer + ": got " + seq + ", expected " + next[producer]);
                    }
                    next[producer]++;
                }
                received += n;
                if (n == 0) {
                    Thread.yield();
                }
            }
        } finally {
            run.stop = true;
        }
        run.join();
        for (int p = 0; p < PRODUCERS; p++) {
            assertEquals(perProducer, next[p]);
            assertEquals(perProducer, run.accepted[p], "retried until accepted");
            assertEquals(perProducer, run.accepted[p] + run.rejected[p]);
        }
        assertEquals(ManyToOneRing.EMPTY, ring.poll());
        assertTrue(ring.isEmpty());
    }

    @Test
    void shouldCountEveryDropExactlyWhenASlowConsumerKeepsTheRingFull() throws Exception {
        final int perProducer = 200_000;
        final ManyToOneRing ring = new ManyToOneRing(7);
        final Run run = new Run(ring, perProducer, false);
        run.start();
        final int[] batch = new int[2];
        // Start draining only once the ring has refused something, so that drops are certain, not likely.
        assertTrue(run.firstRejection.await(20, TimeUnit.SECONDS), "no producer ever found the ring full");
        final int[] last = {-1, -1};
        final long[] received = new long[PRODUCERS];
        final BitSet[] seen = {new BitSet(perProducer), new BitSet(perProducer)};
        try {
            while (run.error.get() == null) {
                final boolean done = run.finished.getCount() == 0;
                // Two at a time with a yield after each: producers outrun the consumer and often find the ring full.
                final int n = ring.drain(batch, batch.length);
                for (int i = 0; i < n; i++) {
                    final int producer = batch[i] >>> 30;
                    final int seq = batch[i] & 0x3FFF_FFFF;
                    if (seq <= last[producer] || seen[producer].get(seq)) {
                        fail("producer " + producer + ": " + seq + " after " + last[producer]);
                    }
                    last[producer] = seq;
                    seen[producer].set(seq);
                    received[producer]++;
                }
                if (n == 0 && done) {
                    break;
                }
                Thread.yield();
            }
        } finally {
            run.stop = true;
        }
        run.join();
        for (int p = 0; p < PRODUCERS; p++) {
            assertEquals(perProducer, received[p] + run.rejected[p], "received + dropped == offered");
            assertEquals(run.accepted[p], received[p]);
            assertEquals(run.acceptedSet[p], seen[p], "exactly the accepted items arrived");
        }
        assertTrue(run.rejected[0] + run.rejected[1] >= 1);
    }

    /** Two producer threads offering sequence-numbered items in batches of {@link #BATCH}. */
    private static final class Run {
        final ManyToOneRing ring;
        final int perProducer;
        final boolean retry;
        final long[] accepted = new long[PRODUCERS];
        final long[] rejected = new long[PRODUCERS];
        final BitSet[] acceptedSet = new BitSet[PRODUCERS];
        final CountDownLatch finished = new CountDownLatch(PRODUCERS);
        final CountDownLatch firstRejection = new CountDownLatch(1);
        final AtomicReference<Throwable> error = new AtomicReference<>();
        final Thread[] threads = new Thread[PRODUCERS];
        volatile boolean stop;

        Run(ManyToOneRing ring, int perProducer, boolean retry) {
            this.ring = ring;
            this.perProducer = perProducer;
            this.retry = retry;
            for (int p = 0; p < PRODUCERS; p++) {
                final int producer = p;
                acceptedSet[p] = new BitSet(perProducer);
                threads[p] = new Thread(() -> produce(producer), "producer-" + p);
                threads[p].setDaemon(true);
                threads[p].setUncaughtExceptionHandler((t, e) -> error.compareAndSet(null, e));
            }
        }

        void start() {
            for (Thread thread : threads) {
                thread.start();
            }
        }

        /** Each producer writes only its own slots of the arrays; join() publishes them. */
        private void produce(int producer) {
            final int[] batch = new int[BATCH];
            int seq = 0;
            while (seq < perProducer && !stop) {
                final int count = Math.min(BATCH, perProducer - seq);
                for (int i = 0; i < count; i++) {
                    batch[i] = producer << 30 | (seq + i);
                }
                final int taken = ring.offer(batch, 0, count);
                accepted[producer] += taken;
                acceptedSet[producer].set(seq, seq + taken);
                if (retry) {
                    seq += taken; // the rejected suffix is offered again next time round
                    if (taken == 0) {
                        Thread.yield();
                    }
                } else {
                    rejected[producer] += count - taken;
                    if (taken < count) {
                        firstRejection.countDown();
                    }
                    seq += count;
                }
            }
            finished.countDown();
        }

        void join() throws InterruptedException {
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(20));
                assertFalse(thread.isAlive(), thread.getName() + " did not finish");
            }
            if (error.get() != null) {
                throw new AssertionError("producer failed", error.get());
            }
        }
    }
}
