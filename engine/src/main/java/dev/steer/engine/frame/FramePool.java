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
 * thread. Leases pop a stack of free frames that the leasing thread owns; releases put frames into a
 * many-to-one ring (one compare-and-set per run of frames), which the leasing thread moves onto its stack
 * every {@value #REFILL_PERIOD} leases, newest on top. Reuse is therefore last in, first out, as in a page
 * pool's cache: the frames a busy ingress leases are the ones that were in use a moment ago, still in the
 * CPU cache, instead of the whole pool in turn.
 *
 * <p>Checked mode ({@link Context#checked(boolean)}, on by default when assertions are enabled, as in
 * test builds) keeps each frame's lease state with a compare-and-set, so a second release of the same
 * lease is refused, counted in {@link #doubleReturns()} and reported as {@link #DOUBLE_RETURN} instead
 * of corrupting the pool. Unchecked mode does the same bookkeeping with plain stores and trusts the caller.
 */
public final class FramePool extends FramePoolLeaseSide {
    /** Release result: the frame is back in the pool. */
    public static final int OK = 0;
    /** Release result: the frame was not leased (a second release); refused and counted. Checked mode only. */
    public static final int DOUBLE_RETURN = -1;
    /** Release result: the frame belongs to another pool; refused and counted. */
    public static final int FOREIGN_FRAME = -2;

    private static final VarHandle DOUBLE_RETURNS;

    static {
        try {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            DOUBLE_RETURNS = lookup.findVarHandle(FramePool.class, "doubleReturns", long.class);
        } catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** Most pools that can exist at once (each ingress has one). */
    public static final int MAX_POOLS = 512;
    /** Leases between two moves of returned frames onto the leasing thread's stack. */
    static final int REFILL_PERIOD = 64;
    /** Most returned frames moved onto the stack at once. */
    static final int REFILL = 256;
    /** Most frames in one pool. */
    public static final int MAX_FRAMES = 1 << 22;
    private static final int INDEX_BITS = 22;
    private static final int INDEX_MASK = MAX_FRAMES - 1;
    /** {@link FramePoolRegistry#POOLS}, read here without indirection by the handle lookups of the hot path. */
    private static final FramePool[] REGISTRY = FramePoolRegistry.POOLS;

    private final String id;
    private final int poolId;
    private final int frameSize;
    private final int headroom;
    private final boolean checked;
    private final Frame[] frames;
    private final ManyToOneRing free;
    /** Free frames the leasing thread holds, most recently returned on top: leases reuse the frames still in cache. */
    private final int[] stack;

    // Written by any releasing thread, atomically; only on a refused release. Returns are counted by the free
    // ring's claim index, so that a release costs one locked instruction (the claim) per run of frames.
    private volatile long doubleReturns;

    /**
     * Builds the pool and its off-heap memory from a concluded context.
     *
     * @throws IllegalArgumentException for bad settings (see {@link Context#conclude()})
     * @throws IllegalStateException    when the direct memory cannot be had, or {@value #MAX_POOLS} pools exist
     */
    public FramePool(Context context) {
        context.conclude();
        this.id = context.id;
        this.frameSize = context.frameSize;
        this.headroom = context.headroom;
        this.checked = context.checked;
        final int count = context.frameCount;
        final ByteBuffer memory;
        try {
            memory = ByteBuffer.allocateDirect(count * frameSize + 64).alignedSlice(64);
        } catch (OutOfMemoryError ex) {
            // The JDK refused to reserve the direct memory (-XX:MaxDirectMemorySize): nothing was allocated, and the
            // caller can go on; as an Error, Pekko would take it as fatal and exit the JVM.
            throw new IllegalStateException("frame pool " + id + ": " + context.frameCountName + "=" + count + " x "
                + context.frameSizeName + "=" + frameSize + " = " + ((long) count * frameSize) + " bytes of direct"
                + " memory cannot be had (" + ex.getMessage() + "): use fewer or smaller frames, or raise"
                + " -XX:MaxDirectMemorySize");
        }
        this.frames = new Frame[count];
        // Room for every frame (all of them may come back before the leasing thread next moves them onto its
        // stack), twice over: a ring near full would make every release re-read the index that the leasing
        // thread writes, bouncing that cache line between the cores; with the slack the releasers' cached
        // limit holds.
        this.free = new ManyToOneRing(Math.min(ManyToOneRing.MAX_CAPACITY, 2 * count));
        this.stack = new int[count];
        // Registered only once the memory exists, so an allocation failure leaks no registry slot.
        this.poolId = FramePoolRegistry.register(this);
        for (int i = 0; i < count; i++) {
            frames[i] = new Frame(this, i, memory, i * frameSize, frameSize, headroom);
            stack[count - 1 - i] = frames[i].handle(); // frame 0 on top: first leases in index order
        }
        TOP.setRelease(this, count);
    }

    /** Pools open in this process now: registered and not yet closed. For leak checks; takes a lock. */
    public static int openPools() {
        return FramePoolRegistry.open();
    }

    /** The handle of frame {@code index} of pool {@code poolId}. */
    static int handle(int poolId, int index) {
        return poolId << INDEX_BITS | index;
    }

    /**
     * The frame a handle stands for; any thread that received the handle through a ring (which publishes
     * it). Two array loads, no allocation.
     */
    public static Frame frame(int handle) {
        return REGISTRY[handle >>> INDEX_BITS].frames[handle & INDEX_MASK];
    }

    /**
     * Closes the pool and frees its id, when every frame is back; a pool with frames still out stays open,
     * so that no handle can ever name the frame of a different pool.
     *
     * @return true when the pool is closed
     */
    public boolean close() {
        return FramePoolRegistry.close(this);
    }

    /** Name of the pool, for counters and messages. */
    public String name() {
        return id;
    }

    /** Number of the pool in the process, 0 to {@value #MAX_POOLS} - 1, part of every frame handle. */
    public int poolId() {
        return poolId;
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
        final Frame frame = take();
        if (frame != null) {
            frame.resetForLease();
        }
        return frame;
    }

    /**
     * Leases a frame for a packet of {@code length} bytes with its origin: the same as {@link #lease()} followed by
     * {@link Frame#length(int)} and {@link Frame#origin}, each field written once. Owning thread only.
     *
     * @return the frame, or null when the pool is empty (counted in {@link #exhausted()})
     */
    public Frame lease(int length, int feedId, int queueIndex, long timestampNs) {
        final Frame frame = take();
        if (frame != null) {
            frame.resetForLease(length, feedId, queueIndex, timestampNs);
        }
        return frame;
    }

    /** Pops a free frame and counts the lease (or the exhaustion); its fields are left for the caller to reset. */
    private Frame take() {
        int t = top;
        if (--untilRefill <= 0 || t == 0) {
            t = refill(t);
            if (t == 0) {
                EXHAUSTED.setOpaque(this, (long) EXHAUSTED.getOpaque(this) + 1);
                return null;
            }
        }
        final int handle = stack[--t];
        TOP.setOpaque(this, t);
        final Frame frame = frames[handle & INDEX_MASK];
        if (checked && !frame.casState(Frame.FREE, Frame.LEASED)) {
            throw new IllegalStateException("frame pool " + id + " corrupted: free-list frame " + frame.index()
                + " is already leased");
        }
        LEASES.setOpaque(this, (long) LEASES.getOpaque(this) + 1);
        return frame;
    }

    /**
     * Moves frames returned since the last refill from the free ring onto the stack, newest on top, so that the
     * next leases take the frames that left the cache least long ago (a FIFO would walk the whole pool). Every
     * {@value #REFILL_PERIOD} leases, and when the stack is empty; at most {@value #REFILL} frames at a time.
     */
    private int refill(int t) {
        untilRefill = REFILL_PERIOD;
        final int moved = free.drain(stack, t, Math.min(REFILL, stack.length - t));
        if (moved > 0) {
            TOP.setOpaque(this, t + moved);
        }
        return t + moved;
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
        while (!free.offer(frame.handle())) {
            Thread.onSpinWait(); // room is guaranteed; only a claim contended past its bound ends up here
        }
        return OK;
    }

    /**
     * Returns the frames of {@code handles[from..to)} to their pools, one claim per run of handles from the
     * same pool; any thread. The array is reordered in place (refused handles are dropped from each run).
     *
     * @return how many of the frames were refused as double returns (0 in unchecked mode)
     */
    public static int releaseAll(int[] handles, int from, int to) {
        int refused = 0;
        int start = from;
        while (start < to) {
            final int poolId = handles[start] >>> INDEX_BITS;
            int end = start + 1;
            while (end < to && handles[end] >>> INDEX_BITS == poolId) {
                end++;
            }
            refused += REGISTRY[poolId].releaseRun(handles, start, end);
            start = end;
        }
        return refused;
    }

    private int releaseRun(int[] run, int from, int to) {
        int kept = to;
        if (checked) {
            kept = from;
            for (int i = from; i < to; i++) {
                final int handle = run[i];
                if (markFree(frames[handle & INDEX_MASK])) {
                    run[kept++] = handle;
                }
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
        if (refused > 0) {
            DOUBLE_RETURNS.getAndAdd(this, (long) refused);
        }
        return refused;
    }

    /** Checked mode only: the lease state; unchecked mode writes nothing to the frame, so a release stays read-only. */
    private boolean markFree(Frame frame) {
        return !checked || frame.casState(Frame.LEASED, Frame.FREE);
    }

    /** Frames leased since construction. */
    public long leases() {
        return (long) LEASES.getOpaque(this);
    }

    /** Frames returned since construction (refused returns not included): what the free ring took. */
    public long returns() {
        return free.taken();
    }

    /** Leases refused because the pool was empty. */
    public long exhausted() {
        return (long) EXHAUSTED.getOpaque(this);
    }

    /** Releases refused: double returns (checked mode) and frames of another pool. */
    public long doubleReturns() {
        return (long) DOUBLE_RETURNS.getVolatile(this);
    }

    /**
     * Frames in the pool now. Exact once the leasing thread has stopped (as when {@link #close()} asks); while it
     * runs, a snapshot that can be off either way by the frames that moved between its two reads.
     */
    public int available() {
        // The stack first: a refill between the two reads moves frames the ring count no longer has and the stack
        // count did not yet have, so it errs low; a frame leased off the stack and returned to the ring between
        // them is counted twice (capped at the capacity). Neither can happen with the leasing thread stopped.
        final int stacked = (int) TOP.getOpaque(this);
        return Math.min(capacity(), stacked + free.size());
    }

    /** Frames leased and not yet returned: {@code leases() - returns()}, a snapshot. */
    public long inUse() {
        return leases() - returns();
    }

    /** Frame of the given index in this pool; for diagnostics and tests. */
    public Frame frameAt(int index) {
        return frames[index];
    }

    @Override
    public String toString() {
        return "FramePool{name=" + id + ", poolId=" + poolId + ", capacity=" + capacity() + ", frameSize=" + frameSize + ", headroom="
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
        /** Every slot size accepted is a multiple of this. */
        public static final int FRAME_SIZE_MULTIPLE = 64;
        /** Largest pool in bytes, frames times slot size: with 64 bytes of alignment it must fit one direct buffer. */
        public static final int MAX_POOL_BYTES = Integer.MAX_VALUE - 64;
        /** How the messages name {@link #frameCount(int)} unless {@link #sizeNames} says otherwise. */
        private static final String DEFAULT_FRAME_COUNT_NAME = "pool.frameCount";
        /** How the messages name {@link #frameSize(int)} unless {@link #sizeNames} says otherwise. */
        private static final String DEFAULT_FRAME_SIZE_NAME = "pool.frameSize";
        /** How the messages name {@link #headroom(int)} unless {@link #sizeNames} says otherwise. */
        private static final String DEFAULT_HEADROOM_NAME = "pool.headroom";

        /**
         * The rule {@link #conclude()} applies to the slot size, for callers that check it in their own words: a
         * multiple of {@value #FRAME_SIZE_MULTIPLE} from {@value #MIN_FRAME_SIZE} to {@value #MAX_FRAME_SIZE}. Any
         * thread; no allocation.
         */
        public static boolean validFrameSize(int frameSize) {
            return frameSize >= MIN_FRAME_SIZE && frameSize <= MAX_FRAME_SIZE && frameSize % FRAME_SIZE_MULTIPLE == 0;
        }

        /**
         * The rule {@link #conclude()} applies to the headroom, for callers that check it in their own words: at least
         * {@link Frame#MIN_REDIRECT_HEADROOM}, at most {@code frameSize - 64}. Any thread; no allocation.
         */
        public static boolean validHeadroom(int headroom, int frameSize) {
            return headroom >= Frame.MIN_REDIRECT_HEADROOM && headroom <= frameSize - 64;
        }

        /**
         * The rule {@link #conclude()} applies to the pool's size, for callers that check it in their own words:
         * {@code frameCount * frameSize} at most {@value #MAX_POOL_BYTES}. Any thread; no allocation.
         */
        public static boolean fitsOnePool(int frameCount, int frameSize) {
            return (long) frameCount * frameSize <= MAX_POOL_BYTES;
        }

        private String id = "pool";
        private int frameCount = DEFAULT_FRAME_COUNT;
        private int frameSize = DEFAULT_FRAME_SIZE;
        private int headroom = DEFAULT_HEADROOM;
        private boolean checked = FramePool.class.desiredAssertionStatus();
        private String frameCountName = DEFAULT_FRAME_COUNT_NAME;
        private String frameSizeName = DEFAULT_FRAME_SIZE_NAME;
        private String headroomName = DEFAULT_HEADROOM_NAME;

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

        /**
         * Size of each slot in bytes, {@value #MIN_FRAME_SIZE} to {@value #MAX_FRAME_SIZE}, a multiple of
         * {@value #FRAME_SIZE_MULTIPLE} ({@link #validFrameSize}).
         */
        public Context frameSize(int frameSize) {
            this.frameSize = frameSize;
            return this;
        }

        /** Headroom of a fresh frame, at least {@link Frame#MIN_REDIRECT_HEADROOM}, leaving room for data. */
        public Context headroom(int headroom) {
            this.headroom = headroom;
            return this;
        }

        /**
         * The names the pool's user sets the number of frames and the slot size by, for the messages of
         * {@link #conclude()} and of a pool whose direct memory cannot be had: a builder's own setting names
         * ({@code poolFrames}, {@code frameSize}) rather than this context's, which its user never wrote. Default
         * {@code pool.frameCount} and {@code pool.frameSize}.
         *
         * @throws IllegalArgumentException naming the parameter that is null; neither name is then changed
         */
        public Context sizeNames(String frameCountName, String frameSizeName) {
            if (frameCountName == null || frameSizeName == null) {
                throw new IllegalArgumentException("frame pool sizeNames: " + (frameCountName == null
                    ? "frameCountName" : "frameSizeName") + "=null: must be the name of the setting");
            }
            this.frameCountName = frameCountName;
            this.frameSizeName = frameSizeName;
            return this;
        }

        /**
         * As {@link #sizeNames(String, String)}, and the name the pool's user sets the headroom by, for the messages of
         * {@link #conclude()} (default {@code pool.headroom}).
         *
         * @throws IllegalArgumentException naming the parameter that is null; no name is then changed
         */
        public Context sizeNames(String frameCountName, String frameSizeName, String headroomName) {
            if (headroomName == null) {
                throw new IllegalArgumentException("frame pool sizeNames: headroomName=null: must be the name of the"
                    + " setting");
            }
            sizeNames(frameCountName, frameSizeName);
            this.headroomName = headroomName;
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
            if (frameCount < 1 || frameCount > MAX_FRAMES) {
                errors.append("\n  ").append(frameCountName).append('=').append(frameCount).append(": must be 1 to ")
                    .append(MAX_FRAMES);
            }
            if (!validFrameSize(frameSize)) {
                errors.append("\n  ").append(frameSizeName).append('=').append(frameSize)
                    .append(": must be a multiple of ")
                    .append(FRAME_SIZE_MULTIPLE).append(" from ").append(MIN_FRAME_SIZE).append(" to ")
                    .append(MAX_FRAME_SIZE);
            }
            if (!validHeadroom(headroom, frameSize)) {
                errors.append("\n  ").append(headroomName).append('=').append(headroom).append(": must be ")
                    .append(Frame.MIN_REDIRECT_HEADROOM).append(" to ").append(frameSizeName).append(" - 64 (")
                    .append(frameSize - 64).append(')');
            }
            if (frameCount >= 1 && !fitsOnePool(frameCount, frameSize)) {
                errors.append("\n  ").append(frameCountName).append('=').append(frameCount).append(" x ")
                    .append(frameSizeName).append('=').append(frameSize).append(": must not exceed ")
                    .append(MAX_POOL_BYTES).append(" bytes in one pool");
            }
            if (!errors.isEmpty()) {
                throw new IllegalArgumentException("invalid frame pool settings:" + errors);
            }
            return this;
        }
    }
}

/** Padding in front of the leasing thread's fields: superclass fields are laid out first, whatever their size. */
abstract class FramePoolPad0 {
    /** Fills the gap after the object header, where HotSpot would otherwise put a subclass' int. */
    int p;
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}

/**
 * What the leasing thread writes on every lease, on cache lines of its own: in one class with the pool's final
 * fields, HotSpot would pack the {@code int}s next to the references every release reads ({@code free},
 * {@code frames}), and each release on another core would take the line the next lease writes.
 */
abstract class FramePoolLeaseFields extends FramePoolPad0 {
    static final VarHandle LEASES;
    static final VarHandle EXHAUSTED;
    static final VarHandle TOP;

    static {
        try {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            LEASES = lookup.findVarHandle(FramePoolLeaseFields.class, "leases", long.class);
            EXHAUSTED = lookup.findVarHandle(FramePoolLeaseFields.class, "exhausted", long.class);
            TOP = lookup.findVarHandle(FramePoolLeaseFields.class, "top", int.class);
        } catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    // Two longs and two ints: no 4-byte gap that a subclass field could fill.
    volatile long leases;
    volatile long exhausted;
    /** Free frames on the leasing thread's stack; written by it, read by any thread as a snapshot. */
    volatile int top;
    /** Leases left before returned frames are next moved onto the stack. */
    int untilRefill;
}

/** Padding behind the leasing thread's fields. */
abstract class FramePoolLeaseSide extends FramePoolLeaseFields {
    long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;
}
