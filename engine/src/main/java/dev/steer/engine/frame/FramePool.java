package dev.steer.engine.frame;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

import dev.steer.engine.ring.ManyToOneRing;

/**
 * Fixed set of {@link Frame}s carved from one preallocated off-heap region: the analogue of a NIC
 * queue's page pool. Leasing from an empty pool returns null and counts an exhaustion; the pool never
 * grows and never allocates after construction.
 *
 * <p>Thread contract: {@link #lease()} from one thread at a time (the owning ingress); release from any
 * thread. Leases come from a small thread-local cache refilled in batches from a many-to-one ring of
 * free frames, so a lease costs a few loads and a release costs one compare-and-set per run of frames.
 *
 * <p>Checked mode ({@link Context#checked(boolean)}, on by default when assertions are enabled, as in
 * test builds) keeps each frame's lease state with a compare-and-set, so a second release of the same
 * lease is refused, counted in {@link #doubleReturns()} and reported as {@link #DOUBLE_RETURN} instead
 * of corrupting the pool. Unchecked mode does the same bookkeeping with plain stores and trusts the caller.
 */
public final class FramePool {
    /** Release result: the frame is back in the pool. */
    public static final int OK = 0;
    /** Release result: the frame was not leased (a second release); refused and counted. Checked mode only. */
    public static final int DOUBLE_RETURN = -1;
    /** Release result: the frame belongs to another pool; refused and counted. */
    public static final int FOREIGN_FRAME = -2;

    /** Frames leased from the free ring per refill of the lease cache. */
    static final int LEASE_BATCH = 64;

    private static final VarHandle RETURNS;
    private static final VarHandle DOUBLE_RETURNS;
    private static final VarHandle LEASES;
    private static final VarHandle EXHAUSTED;
    private static final VarHandle CACHED;

    static {
        try {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            RETURNS = lookup.findVarHandle(FramePool.class, "returns", long.class);
            DOUBLE_RETURNS = lookup.findVarHandle(FramePool.class, "doubleReturns", long.class);
            LEASES = lookup.findVarHandle(FramePool.class, "leases", long.class);
            EXHAUSTED = lookup.findVarHandle(FramePool.class, "exhausted", long.class);
            CACHED = lookup.findVarHandle(FramePool.class, "cached", int.class);
        } catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final String id;
    private final int frameSize;
    private final int headroom;
    private final boolean checked;
    private final Frame[] frames;
    private final ManyToOneRing<Frame> free;

    // Written by the leasing thread only.
    private final Frame[] cache = new Frame[LEASE_BATCH];
    private int cacheCount;
    private long p0, p1, p2, p3, p4, p5, p6, p7;
    private volatile long leases;
    private volatile long exhausted;
    private volatile int cached;
    private long p8, p9, p10, p11, p12, p13, p14, p15;
    // Written by any releasing thread, atomically.
    private volatile long returns;
    private volatile long doubleReturns;

    /** Builds the pool and its off-heap memory from a concluded context. */
    public FramePool(Context context) {
        context.conclude();
        this.id = context.id;
        this.frameSize = context.frameSize;
        this.headroom = context.headroom;
        this.checked = context.checked;
        final int count = context.frameCount;
        final ByteBuffer memory = ByteBuffer.allocateDirect(count * frameSize + 64).alignedSlice(64);
        this.frames = new Frame[count];
        this.free = new ManyToOneRing<>(count);
        for (int i = 0; i < count; i++) {
            frames[i] = new Frame(this, i, memory, i * frameSize, frameSize, headroom);
            free.offer(frames[i]);
        }
    }

    /** Name of the pool, for counters and messages. */
    public String id() {
        return id;
    }

    /** Number of frames in the pool. */
    public int capacity() {
        return frames.length;
    }

    /** Size of each frame's slot in bytes. */
    public int frameSize() {
        return frameSize;
    }

    /** Headroom of a freshly leased frame. */
    public int headroom() {
        return headroom;
    }

    /** Largest packet a freshly leased frame holds: frame size minus headroom. */
    public int maxDataLength() {
        return frameSize - headroom;
    }

    /** Whether releases are checked for double returns. */
    public boolean checked() {
        return checked;
    }

    /**
     * Leases a frame, reset to the default headroom with length 0. Call from the owning thread only.
     *
     * @return the frame, or null when the pool is empty (counted in {@link #exhausted()})
     */
    public Frame lease() {
        int count = cacheCount;
        if (count == 0) {
            count = free.drain(cache, LEASE_BATCH);
            if (count == 0) {
                EXHAUSTED.setOpaque(this, (long) EXHAUSTED.getOpaque(this) + 1);
                return null;
            }
        }
        final Frame frame = cache[--count];
        cache[count] = null;
        cacheCount = count;
        CACHED.setOpaque(this, count);
        if (checked) {
            if (!frame.casState(Frame.FREE, Frame.LEASED)) {
                throw new IllegalStateException("frame pool " + id + " corrupted: free-list frame " + frame.index()
                    + " is already leased");
            }
        } else {
            frame.setStateRelaxed(Frame.LEASED);
        }
        frame.resetForLease();
        LEASES.setOpaque(this, (long) LEASES.getOpaque(this) + 1);
        return frame;
    }

    /**
     * Returns one frame to this pool; any thread.
     *
     * @return {@link #OK}, {@link #DOUBLE_RETURN} (checked mode) or {@link #FOREIGN_FRAME}; refusals are counted
     */
    public int release(Frame frame) {
        if (frame.pool() != this) {
            DOUBLE_RETURNS.getAndAdd(this, 1L);
            return FOREIGN_FRAME;
        }
        if (!markFree(frame)) {
            DOUBLE_RETURNS.getAndAdd(this, 1L);
            return DOUBLE_RETURN;
        }
        while (!free.offer(frame)) {
            Thread.onSpinWait(); // room is guaranteed; only a claim contended past its bound ends up here
        }
        RETURNS.getAndAdd(this, 1L);
        return OK;
    }

    /**
     * Returns {@code frames[from..to)} to their pools, one claim per run of frames from the same pool;
     * any thread. The array slots are left as they are (the caller clears or overwrites them).
     *
     * @return how many of the frames were refused as double returns (0 in unchecked mode)
     */
    public static int releaseAll(Frame[] frames, int from, int to) {
        int refused = 0;
        int start = from;
        while (start < to) {
            final FramePool pool = frames[start].pool();
            int end = start + 1;
            while (end < to && frames[end].pool() == pool) {
                end++;
            }
            refused += pool.releaseRun(frames, start, end);
            start = end;
        }
        return refused;
    }

    private int releaseRun(Frame[] run, int from, int to) {
        int kept = from;
        for (int i = from; i < to; i++) {
            final Frame frame = run[i];
            if (markFree(frame)) {
                run[kept++] = frame;
            }
        }
        final int refused = to - kept;
        int offset = from;
        while (offset < kept) {
            final int taken = free.offer(run, offset, kept - offset);
            if (taken == 0) {
                Thread.onSpinWait(); // room is guaranteed; see release(Frame)
            }
            offset += taken;
        }
        if (kept > from) {
            RETURNS.getAndAdd(this, (long) (kept - from));
        }
        if (refused > 0) {
            DOUBLE_RETURNS.getAndAdd(this, (long) refused);
        }
        return refused;
    }

    private boolean markFree(Frame frame) {
        if (checked) {
            return frame.casState(Frame.LEASED, Frame.FREE);
        }
        frame.setStateRelaxed(Frame.FREE);
        return true;
    }

    /** Frames leased since construction. */
    public long leases() {
        return (long) LEASES.getOpaque(this);
    }

    /** Frames returned since construction (refused returns not included). */
    public long returns() {
        return (long) RETURNS.getVolatile(this);
    }

    /** Leases refused because the pool was empty. */
    public long exhausted() {
        return (long) EXHAUSTED.getOpaque(this);
    }

    /** Releases refused: double returns (checked mode) and frames of another pool. */
    public long doubleReturns() {
        return (long) DOUBLE_RETURNS.getVolatile(this);
    }

    /** Frames in the pool now, free ring and lease cache together; a snapshot. */
    public int available() {
        return free.size() + (int) CACHED.getOpaque(this);
    }

    /** Frames leased and not yet returned: {@code leases() - returns()}, a snapshot. */
    public long inUse() {
        return leases() - returns();
    }

    /** Frame of the given index; for diagnostics and tests. */
    public Frame frame(int index) {
        return frames[index];
    }

    @Override
    public String toString() {
        return "FramePool{id=" + id + ", capacity=" + capacity() + ", frameSize=" + frameSize + ", headroom="
            + headroom + ", available=" + available() + '}';
    }

    /** Settings of a pool, with defaults; {@link #conclude()} validates them all at once. */
    public static final class Context {
        /** Default number of frames. */
        public static final int DEFAULT_FRAME_COUNT = 8192;
        /** Default slot size: 2048 bytes, as an XDP frame's half page. */
        public static final int DEFAULT_FRAME_SIZE = 2048;
        /** Default headroom: 256 bytes, as XDP_PACKET_HEADROOM. */
        public static final int DEFAULT_HEADROOM = 256;
        /** Smallest slot size accepted. */
        public static final int MIN_FRAME_SIZE = 128;
        /** Largest slot size accepted: a jumbo frame plus headroom. */
        public static final int MAX_FRAME_SIZE = 65_536;

        private String id = "pool";
        private int frameCount = DEFAULT_FRAME_COUNT;
        private int frameSize = DEFAULT_FRAME_SIZE;
        private int headroom = DEFAULT_HEADROOM;
        private boolean checked = FramePool.class.desiredAssertionStatus();

        /** Name used in counters and messages. */
        public Context id(String id) {
            this.id = id;
            return this;
        }

        /** Number of frames, at least 1. */
        public Context frameCount(int frameCount) {
            this.frameCount = frameCount;
            return this;
        }

        /** Size of each slot in bytes, {@value #MIN_FRAME_SIZE} to {@value #MAX_FRAME_SIZE}, a multiple of 64. */
        public Context frameSize(int frameSize) {
            this.frameSize = frameSize;
            return this;
        }

        /** Headroom of a fresh frame, at least {@link Frame#MIN_REDIRECT_HEADROOM}, leaving room for data. */
        public Context headroom(int headroom) {
            this.headroom = headroom;
            return this;
        }

        /** Whether releases are checked for double returns (compare-and-set per frame). */
        public Context checked(boolean checked) {
            this.checked = checked;
            return this;
        }

        /** The configured number of frames. */
        public int frameCount() {
            return frameCount;
        }

        /** The configured slot size. */
        public int frameSize() {
            return frameSize;
        }

        /** The configured headroom. */
        public int headroom() {
            return headroom;
        }

        /**
         * Validates every setting and reports all problems in one exception.
         *
         * @throws IllegalArgumentException naming each bad setting, its value and what is allowed
         */
        public Context conclude() {
            final StringBuilder errors = new StringBuilder();
            if (id == null || id.isBlank()) {
                errors.append("\n  pool.id='").append(id).append("': must not be blank");
            }
            if (frameCount < 1) {
                errors.append("\n  pool.frameCount=").append(frameCount).append(": must be at least 1");
            }
            if (frameSize < MIN_FRAME_SIZE || frameSize > MAX_FRAME_SIZE || frameSize % 64 != 0) {
                errors.append("\n  pool.frameSize=").append(frameSize).append(": must be a multiple of 64 from ")
                    .append(MIN_FRAME_SIZE).append(" to ").append(MAX_FRAME_SIZE);
            }
            if (headroom < Frame.MIN_REDIRECT_HEADROOM || headroom > frameSize - 64) {
                errors.append("\n  pool.headroom=").append(headroom).append(": must be ")
                    .append(Frame.MIN_REDIRECT_HEADROOM).append(" to frameSize - 64 (").append(frameSize - 64)
                    .append(')');
            }
            if (frameCount >= 1 && (long) frameCount * frameSize > Integer.MAX_VALUE - 64) {
                errors.append("\n  pool.frameCount=").append(frameCount).append(" x pool.frameSize=")
                    .append(frameSize).append(": must not exceed ").append(Integer.MAX_VALUE - 64)
                    .append(" bytes in one pool");
            }
            if (!errors.isEmpty()) {
                throw new IllegalArgumentException("invalid frame pool settings:" + errors);
            }
            return this;
        }
    }
}
