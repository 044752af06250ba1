package dev.steer.engine.ring;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Bounded, lock-free, many-producer one-consumer ring of non-negative {@code int}s (frame handles) with
 * batch claims: the analogue of the kernel's {@code ptr_ring} behind a cpumap entry. It holds ints, not
 * references, so that moving a frame through it costs no GC write barrier (with G1 a reference store into
 * a long-lived array can cost a StoreLoad fence).
 *
 * <p>Capacity is exact (not rounded): at most {@link #capacity()} elements are ever held, so a full
 * ring refuses the rest and the caller drops and counts them. A producer claims room for a whole batch
 * with one compare-and-set, then publishes each slot with a release store; the consumer takes a batch
 * with acquire loads and publishes its progress once per batch. No method allocates, locks or blocks;
 * a claim retries its compare-and-set at most {@link #MAX_CLAIM_ATTEMPTS} times.
 *
 * <p>Thread contract: {@code offer} from any thread; {@code poll}, {@code drain} from one consumer
 * thread at a time (a consumer handing over to another must publish the hand-over, e.g. through an
 * actor message). {@code size}, {@code isEmpty} from any thread, as a snapshot.
 *
 * <p>Elements must be 0 to {@link #MAX_VALUE}. A slot holds the element with its top bit set to the lap of the
 * index that wrote it (set on even laps, clear on odd ones; the array starts zeroed, which reads as not
 * written on lap 0). The consumer takes a slot when its lap bit is the one expected for its index, so it only
 * reads the slots and never writes them back: a slot's cache line moves once per lap from producer to consumer
 * instead of back and forth. A producer can only claim an index one lap ahead of a slot the consumer has
 * passed, so a slot never holds a value two laps old.
 */
public final class ManyToOneRing extends ManyToOneRingConsumerFields {
    /** Largest capacity a ring accepts. */
    public static final int MAX_CAPACITY = 1 << 30;
    /** Bound on compare-and-set attempts of one claim; contended past it, the offer takes nothing. */
    public static final int MAX_CLAIM_ATTEMPTS = 1024;

    /** Largest element the ring holds. */
    public static final int MAX_VALUE = Integer.MAX_VALUE - 1;
    /** What {@link #poll()} returns when nothing is published. */
    public static final int EMPTY = -1;

    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(int[].class);
    private static final int LAP_BIT = Integer.MIN_VALUE;
    private static final int MAX_VALUE_MASK = Integer.MAX_VALUE;

    private final int[] slots;
    private final int mask;
    private final int lapShift;
    private final int capacity;

    /**
     * @param capacity exact number of elements the ring holds, 1 to {@link #MAX_CAPACITY}
     * @throws IllegalArgumentException when capacity is out of range
     */
    public ManyToOneRing(int capacity) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity=" + capacity + ": must be 1.." + MAX_CAPACITY);
        }
        this.capacity = capacity;
        final int length = 1 << (32 - Integer.numberOfLeadingZeros(capacity - 1));
        this.slots = new int[Math.max(length, 1)];
        this.mask = slots.length - 1;
        this.lapShift = Integer.numberOfTrailingZeros(slots.length);
        producerLimitRelease(capacity);
    }

    /** Exact number of elements the ring holds when full. */
    public int capacity() {
        return capacity;
    }

    /** Elements in the ring now; a snapshot that may be stale by the time it is read. */
    public int size() {
        long consumer = consumerIndexAcquire();
        long producer = producerIndexVolatile();
        // A consistent pair needs the consumer index unchanged around the producer read; a few tries are
        // plenty, and past them the clamped estimate is still a valid snapshot.
        for (int attempt = 0; attempt < 8; attempt++) {
            final long consumerAfter = consumerIndexAcquire();
            if (consumer == consumerAfter) {
                break;
            }
            consumer = consumerAfter;
            producer = producerIndexVolatile();
        }
        return (int) Math.max(0, Math.min(capacity, producer - consumer));
    }

    /**
     * Elements the ring has taken since construction: the producers' claim index. A claimed element may still be
     * on its way into its slot; a snapshot, any thread.
     */
    public long taken() {
        return producerIndexVolatile();
    }

    /** True when no element has been claimed beyond what the consumer took. */
    public boolean isEmpty() {
        return producerIndexVolatile() == consumerIndexAcquire();
    }

    /** Free room now, as seen from a producer; a snapshot. */
    public int remainingCapacity() {
        return capacity - size();
    }

    /**
     * Producer side: whether {@code count} more elements would fit now. Answered from the producers' cached limit
     * while it allows, so a producer that asks before every element does not read the consumer's index (a cache
     * line the consumer writes) each time; when the cached limit says no, the consumer's index is read and the
     * limit refreshed. A snapshot, as {@link #remainingCapacity()}: other producers may take the room first.
     */
    public boolean hasRoomFor(int count) {
        final long producer = producerIndexVolatile();
        if (producer + count <= producerLimitAcquire()) {
            return true;
        }
        final long limit = consumerIndexAcquire() + capacity;
        producerLimitRelease(limit);
        return producer + count <= limit;
    }

    /**
     * Offers one element, 0 to {@link #MAX_VALUE}.
     *
     * @return true when the ring took it; false when it is full (the caller keeps the element)
     */
    public boolean offer(int element) {
        final long claimed = claimUpTo(1);
        if (claimed < 0) {
            return false;
        }
        SLOTS.setRelease(slots, (int) claimed & mask, stamp(claimed, element));
        return true;
    }

    /**
     * Offers {@code count} elements of {@code source} starting at {@code from}, with one claim: the ring
     * takes the longest prefix that fits and the caller keeps the rest.
     *
     * @return how many elements, from {@code from} on, the ring took: 0 to {@code count}
     */
    public int offer(int[] source, int from, int count) {
        if (count <= 0) {
            return 0;
        }
        // Checked before the claim: a claimed slot that is never written would stall the consumer for good.
        if (from < 0 || from + count > source.length || from + count < 0) {
            throw new IndexOutOfBoundsException("offer of [" + from + ", " + from + "+" + count + ") from an array of "
                + source.length);
        }
        final long first = claimUpTo(count);
        if (first < 0) {
            return 0;
        }
        final int taken = (int) (first >>> 32);
        final long start = first & 0xFFFF_FFFFL;
        for (int i = 0; i < taken; i++) {
            SLOTS.setRelease(slots, (int) (start + i) & mask, stamp(start + i, source[from + i]));
        }
        return taken;
    }

    /** Consumer only: takes the oldest element, or {@link #EMPTY} when there is none published yet. */
    public int poll() {
        final long index = consumerIndexPlain();
        final int slot = (int) index & mask;
        final int stored = (int) SLOTS.getAcquire(slots, slot);
        if (((stored ^ lapBit(index)) & LAP_BIT) != 0) {
            return EMPTY;
        }
        consumerIndexRelease(index + 1);
        return stored & MAX_VALUE_MASK;
    }

    /**
     * Consumer only: moves up to {@code limit} published elements, oldest first, into {@code target}
     * from index 0. Stops early at a slot that a producer has claimed but not yet written.
     *
     * @return how many elements were moved
     */
    public int drain(int[] target, int limit) {
        return drain(target, 0, limit);
    }

    /**
     * Consumer only: as {@link #drain(int[], int)}, into {@code target} from index {@code offset}; several rings
     * can be drained into one array this way (a node link's batch).
     *
     * @return how many elements were moved
     */
    public int drain(int[] target, int offset, int limit) {
        final long start = consumerIndexPlain();
        final int max = Math.min(limit, target.length - offset);
        int n = 0;
        while (n < max) {
            final long index = start + n;
            final int stored = (int) SLOTS.getAcquire(slots, (int) index & mask);
            if (((stored ^ lapBit(index)) & LAP_BIT) != 0) {
                break;
            }
            target[offset + n++] = stored & MAX_VALUE_MASK;
        }
        if (n > 0) {
            consumerIndexRelease(start + n);
        }
        return n;
    }

    /** The lap bit of {@code index}: set on even laps, so that the zeroed array reads as unwritten on lap 0. */
    private int lapBit(long index) {
        return ~(int) (index >>> lapShift) << 31;
    }

    /** What a producer stores for {@code element} at {@code index}: the element with its lap bit. */
    private int stamp(long index, int element) {
        return element & MAX_VALUE_MASK | lapBit(index);
    }

    /**
     * Claims room for up to {@code count} slots. Returns -1 when there is none, else the number claimed
     * in the high 32 bits and the low 32 bits of the first claimed index (slots are index & mask, and
     * mask &lt; 2^31, so 32 bits of the index are enough to address them).
     */
    private long claimUpTo(int count) {
        for (int attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
            final long producer = producerIndexVolatile();
            long limit = producerLimitAcquire();
            if (producer + count > limit) {
                limit = consumerIndexAcquire() + capacity;
                if (producer >= limit) {
                    return -1;
                }
                producerLimitRelease(limit);
            }
            final int taken = (int) Math.min(count, limit - producer);
            if (casProducerIndex(producer, producer + taken)) {
                return ((long) taken << 32) | (producer & 0xFFFF_FFFFL);
            }
        }
        return -1;
    }
}

abstract class ManyToOneRingPad0 {
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}

abstract class ManyToOneRingProducerFields extends ManyToOneRingPad0 {
    private static final VarHandle PRODUCER_INDEX;
    private static final VarHandle PRODUCER_LIMIT;

    static {
        try {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            PRODUCER_INDEX = lookup.findVarHandle(ManyToOneRingProducerFields.class, "producerIndex", long.class);
            PRODUCER_LIMIT = lookup.findVarHandle(ManyToOneRingProducerFields.class, "producerLimit", long.class);
        } catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private volatile long producerIndex;
    private volatile long producerLimit;

    final long producerIndexVolatile() {
        return producerIndex;
    }

    final boolean casProducerIndex(long expected, long value) {
        return PRODUCER_INDEX.compareAndSet(this, expected, value);
    }

    final long producerLimitAcquire() {
        return (long) PRODUCER_LIMIT.getAcquire(this);
    }

    /** Raises the cached limit; a stale lower value written by a slower producer only costs a re-read. */
    final void producerLimitRelease(long limit) {
        PRODUCER_LIMIT.setRelease(this, limit);
    }
}

abstract class ManyToOneRingPad1 extends ManyToOneRingProducerFields {
    long p16, p17, p18, p19, p20, p21, p22, p23, p24, p25, p26, p27, p28, p29, p30, p31;
}

abstract class ManyToOneRingConsumerFields extends ManyToOneRingPad1 {
    private static final VarHandle CONSUMER_INDEX;

    static {
        try {
            CONSUMER_INDEX = MethodHandles.lookup()
                .findVarHandle(ManyToOneRingConsumerFields.class, "consumerIndex", long.class);
        } catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private volatile long consumerIndex;
    long p32, p33, p34, p35, p36, p37, p38, p39, p40, p41, p42, p43, p44, p45, p46, p47;

    final long consumerIndexPlain() {
        return (long) CONSUMER_INDEX.get(this);
    }

    final long consumerIndexAcquire() {
        return (long) CONSUMER_INDEX.getAcquire(this);
    }

    final void consumerIndexRelease(long value) {
        CONSUMER_INDEX.setRelease(this, value);
    }
}
