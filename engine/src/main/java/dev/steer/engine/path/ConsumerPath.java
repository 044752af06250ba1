package dev.steer.engine.path;

import dev.steer.engine.frame.Frame;
import dev.steer.engine.frame.FramePool;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuMapEntry;
import dev.steer.engine.program.PacketView;
import dev.steer.engine.program.SteeringProgram;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.CpumapKthreadEvent;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;

/**
 * The data path of one entry's consumer, the analogue of the cpumap kthread: {@link #doWork()} takes a
 * drain of up to {@link #BATCHES_PER_WORK} batches from the entry's ring, runs the entry's remote program on each
 * frame when there is one (PASS to the handler, DROP counted, REDIRECT to another entry through this thread's own
 * bulk queues), hands the passed frames to the handler in batches of {@code batchSize}, and returns them to their
 * pools.
 *
 * <p>Counters go to the entry's {@link CpuMapEntry#counters()}: RECEIVED is what was taken from the ring
 * (the tracepoint's {@code processed}), POLLS the non-empty drains (one per {@link #doWork()} that took frames, of
 * up to {@link #BATCHES_PER_WORK} batches), SCHED the idle transitions reported
 * with {@link #idle()}; REMOTE_PASS, REMOTE_DROP and REMOTE_REDIRECT the remote program's verdicts. While JFR
 * records it, a {@link CpumapKthreadEvent} per batch of up to {@code batchSize} frames taken from the ring (the
 * kernel's kthread loop) counts outcomes instead, as the kernel's tracepoint does (see docs/runtime.md).
 *
 * <p>Thread contract: one consumer thread at a time. Between two {@code doWork} calls nothing is queued,
 * which makes the gap a quiescence point. Allocation-free and lock-free.
 */
public final class ConsumerPath {
    /** Default frames per batch, as CPUMAP_BATCH. */
    public static final int DEFAULT_BATCH = 8;
    /**
     * Handler batches one {@link #doWork()} takes from the ring at most: 8, so 64 frames with the default batch,
     * as an ingress' NAPI budget. One ring access and one return to the pool serve them all.
     */
    public static final int BATCHES_PER_WORK = 8;

    private final CpuMapEntry entry;
    private final PathCounters counters;
    private final SteeringProgram remoteProgram;
    private final Redirector redirector;
    private final HandlerBatch handlerBatch;
    private final int batchSize;
    private final int[] batch;
    private final PacketView view = new PacketView();
    private final HandlerBatch.ErrorSink errors;
    private int sched;
    /** Traced drains with a remote program: per ring batch, where its passed frames end in the handler batch. */
    private final int[] handedEnd = new int[BATCHES_PER_WORK];
    /** Traced drains with a remote program: per ring batch, the frames it redirected into a bulk queue. */
    private final int[] redirects = new int[BATCHES_PER_WORK];

    /**
     * @param entry     the entry whose ring this path drains
     * @param map       the map remote-program redirects go to
     * @param handler   the user's handler; its batches carry the entry's key and CPU ({@link FrameBatch#key()})
     * @param batchSize frames per handler call, at least 1; a drain takes up to {@link #BATCHES_PER_WORK} batches
     * @param errors    where handler and remote-program exceptions are reported
     * @throws IllegalStateException when the entry's remote program gives no instance ({@code forIngress()} null)
     */
    public ConsumerPath(CpuMapEntry entry, CpuMap map, FrameHandler handler, int batchSize,
                        HandlerBatch.ErrorSink errors) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size=" + batchSize + ": must be at least 1");
        }
        this.entry = entry;
        this.counters = entry.counters();
        this.errors = errors;
        // Refuses a null instance: the entry would otherwise pass every frame as if it had no remote program.
        this.remoteProgram = entry.remoteInstance();
        this.redirector = new Redirector(map, counters, DropReason.REMOTE_DROP, DropReason.REMOTE_ABORTED);
        this.handlerBatch = new HandlerBatch(batchSize, batchSize * BATCHES_PER_WORK, entry.key(), entry.cpu(), handler,
            counters, errors);
        this.batchSize = batchSize;
        this.batch = new int[batchSize * BATCHES_PER_WORK];
        // Here, not in the first drain: the first frames of a run would wait for the loading.
        PathClasses.initialize();
    }

    /**
     * Takes up to {@link #BATCHES_PER_WORK} batches from the ring with one drain, hands them to the handler one
     * batch at a time, then returns every frame to its pool with one claim per pool. While JFR records the
     * {@link CpumapKthreadEvent}, commits one per batch of up to {@code batchSize} frames of the drain.
     *
     * @return frames taken; 0 when the ring was empty
     */
    public int doWork() {
        // Read once per drain; unrecorded, the drain does no more than count.
        final boolean traced = CpumapKthreadEvent.ENABLED.isEnabled();
        if (traced) {
            handlerBatch.clearRefusals();
        }
        final int n;
        if (remoteProgram == null) {
            // Straight from the ring into the handler's batch: one reference store per frame fewer.
            n = handlerBatch.drainFrom(entry.ring());
            if (n == 0) {
                return 0;
            }
            counters.add(PathCounters.Counter.RECEIVED, n);
        } else {
            n = entry.ring().drain(batch, batch.length);
            if (n == 0) {
                return 0;
            }
            counters.add(PathCounters.Counter.RECEIVED, n);
            redirector.refresh();
            if (traced) {
                runRemoteProgramByBatch(n);
            } else {
                for (int i = 0; i < n; i++) {
                    runRemoteProgram(FramePool.frame(batch[i]));
                }
            }
            redirector.flush();
        }
        counters.increment(PathCounters.Counter.POLLS);
        handlerBatch.deliver();
        if (traced) {
            emitKthreads(n);
        }
        // Reset untraced too, so that an idle before a recording started is not reported by its first drain.
        sched = 0;
        return n;
    }

    /**
     * Runs the remote program as the untraced loop does, noting per ring batch of {@code batchSize} frames where its
     * passed frames end in the handler batch and how many it redirected. The handler batch is empty when a drain
     * starts and holds a whole drain without returning frames (its capacity is the drain's), so positions in it
     * are the drain's.
     */
    private void runRemoteProgramByBatch(int n) {
        long redirected = counters.get(PathCounters.Counter.REDIRECTED);
        for (int b = 0, from = 0; from < n; b++, from += batchSize) {
            final int to = Math.min(n, from + batchSize);
            for (int i = from; i < to; i++) {
                runRemoteProgram(FramePool.frame(batch[i]));
            }
            handedEnd[b] = handlerBatch.count();
            final long now = counters.get(PathCounters.Counter.REDIRECTED);
            redirects[b] = (int) (now - redirected);
            redirected = now;
        }
    }

    /**
     * Emits one event per ring batch of the drain, with the kernel's meanings: {@code processed} the batch's frames;
     * {@code drops} those of its frames the handler refused (the stack's refusal in the kernel, not the program's
     * XDP_DROP), found from the handler calls that threw, since with a remote program one call may hold the passed
     * frames of several batches; {@code sched} on the first batch only; {@code pass} its frames handed to the
     * handler, a missing key's PASS fallback included; {@code redirect} those that reached a bulk queue (a ring_full
     * at its flush is the CpumapEnqueue event's); {@code drop} the rest, since every frame a remote program saw ended
     * in exactly one of the three. Without a remote program the three are 0, as the kernel's stats without a program.
     */
    private void emitKthreads(int n) {
        final long refusals = handlerBatch.refusals();
        int handedFrom = 0;
        for (int b = 0, from = 0; from < n; b++, from += batchSize) {
            final int processed = Math.min(batchSize, n - from);
            final int handedTo = remoteProgram == null ? from + processed : handedEnd[b];
            final int drops = refusedIn(refusals, handedFrom, handedTo);
            final int pass = remoteProgram == null ? 0 : handedTo - handedFrom;
            final int redirect = remoteProgram == null ? 0 : redirects[b];
            final int drop = remoteProgram == null ? 0 : processed - pass - redirect;
            CpumapKthreadEvent.emit(entry.mapId(), entry.cpu(), processed, drops, b == 0 ? sched : 0, pass, drop,
                redirect);
            handedFrom = handedTo;
        }
    }

    /** Frames of the handler batch's {@code [from, to)} that were in a refused handler call. */
    private int refusedIn(long refusals, int from, int to) {
        int refused = 0;
        for (long calls = refusals; calls != 0; calls &= calls - 1) {
            final int call = Long.numberOfTrailingZeros(calls);
            final int overlap = Math.min(to, (call + 1) * batchSize) - Math.max(from, call * batchSize);
            if (overlap > 0) {
                refused += overlap;
            }
        }
        return refused;
    }

    private void runRemoteProgram(Frame frame) {
        final long verdict = GuardedProgram.run(remoteProgram, view, frame, counters, errors);
        final int action = Verdict.action(verdict);
        if (action == Verdict.PASS) {
            counters.increment(PathCounters.Counter.REMOTE_PASS);
        } else if (action == Verdict.REDIRECT) {
            counters.increment(PathCounters.Counter.REMOTE_REDIRECT);
            if (!frame.countRemoteRedirect()) {
                // A cycle of remote programs: counted where it is cut, the frame goes back to its pool.
                frame.release();
                counters.drop(DropReason.REDIRECT_LOOP, 1);
                return;
            }
        } else {
            counters.increment(PathCounters.Counter.REMOTE_DROP);
        }
        if (redirector.steer(frame, verdict) == Redirector.PASS) {
            handlerBatch.add(frame);
        }
    }

    /** Records that the consumer found its ring empty and went idle (the tracepoint's {@code sched}). */
    public void idle() {
        sched = 1;
        counters.increment(PathCounters.Counter.SCHED);
    }

    /** True when the ring holds nothing. */
    public boolean isEmpty() {
        return entry.ring().isEmpty();
    }

    /** The entry this path drains. */
    public CpuMapEntry entry() {
        return entry;
    }

    /** The entry's counters. */
    public PathCounters counters() {
        return counters;
    }
}
