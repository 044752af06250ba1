package dev.steer.engine.path;

/**
 * The user's code that receives frames: the analogue of the network stack that the cpumap kthread feeds
 * with {@code netif_receive_skb_core}. Called once per batch, never with an empty one.
 *
 * <p>Reading a frame: the packet is {@link dev.steer.engine.frame.Frame#length() length()} bytes from
 * {@link dev.steer.engine.frame.Frame#dataOffset() dataOffset()} of {@link dev.steer.engine.frame.Frame#buffer()
 * buffer()}, which is the whole slot, headroom first: {@code buffer().getShort(12)} reads headroom, not the Ethernet
 * type. Add {@code dataOffset()}, stay below {@code dataOffset() + length()}, and ask for network order, since
 * Agrona's buffer reads in the machine's ({@code getShort(at, ByteOrder.BIG_ENDIAN)}). Or read through
 * {@link FrameBatch#packet(int)}: a bounds-checked {@link dev.steer.engine.program.PacketView}, offsets from the
 * packet's first byte, network order, -1 outside the packet, the one a steering program sees; the batch's own, so
 * one per consumer thread, as a view must be.
 *
 * <p>Contract: read (or copy) what is needed during the call; the frames go back to their pools when it
 * returns, so keep no reference to them, and do not {@link dev.steer.engine.frame.Frame#release() release}
 * them: the caller returns each one itself, so a release here returns it twice. A pool in checked mode refuses
 * and counts the second return only while the frame has not been leased again, which the ingress may do at
 * once; an unchecked pool (the default without {@code -ea}) is corrupted. The handler may write into the frames'
 * slots during the call (decrypt or rewrite the packet in place before it copies it out, say): each frame is
 * this call's alone, and nothing reads it after the handler; the next lease overwrites it. An exception counts the
 * whole batch as {@code handler_error} drops and the caller goes on.
 *
 * <p>Do not block: the caller is a pinned data-path thread, and while it waits its entry's ring fills (the ingress
 * drops {@code ring_full}, or back-pressures its feed in lossless mode) and the frames it holds stay out of their
 * pool. That includes the engine's map administration: a handler may call {@code update} or {@code delete}, but the
 * call waits for the map supervisor's answer (its turn, and the start of a new entry's consumer thread: milliseconds,
 * tens to hundreds of them when the CPUs are oversubscribed, alike from any thread), during which this consumer
 * takes nothing from its ring. Hand such calls to another thread (an executor), and call {@code shutdown()} only
 * there (here it throws).
 *
 * <p>Calls begin with the engine's start, not with the return of the call that starts it: the consumers and ingresses
 * run (and a busy feed's frames arrive) while that call still waits, so a handler may run before the code that built
 * it holds the engine. A handler that calls the engine reads it from a reference published after the start returns,
 * that every consumer thread is sure to see (an {@code AtomicReference}, or a {@code volatile} field; not a plain
 * one), and skips the call (or remembers what it wanted) while the reference is still null.
 *
 * <p>Thread contract: one handler instance serves every path at once: each entry's consumer calls it on its own
 * (pinned) thread, concurrently with the others, and an ingress' local handler on the ingress thread. So state the
 * handler writes must be per thread (a {@code ThreadLocal} read once per batch) or thread-safe. One path calls it from
 * one thread at a time, but not always the same thread: a consumer that restarts, or the new consumer of a replaced
 * entry, runs on another one, and while an entry is replaced its old consumer drains its ring alongside the new one.
 * {@link FrameBatch#key()} says which entry's consumer called ({@link FrameBatch#LOCAL} at an ingress), so per-entry
 * counts need no thread-local: an atomic add per batch into a slot per key is uncontended but for those overlaps.
 */
@FunctionalInterface
public interface FrameHandler {
    /** A handler that does nothing with the frames. */
    FrameHandler NO_OP = batch -> { };

    /**
     * Handles one batch, on the calling path's thread (see the thread contract).
     *
     * @param batch the frames, 1 to the batch size, with the calling entry's {@link FrameBatch#key() key}; valid only
     *              during the call
     */
    void onFrames(FrameBatch batch);
}
