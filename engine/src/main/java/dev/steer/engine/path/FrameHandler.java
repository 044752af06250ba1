package dev.steer.engine.path;

/**
 * The user's code that receives frames: the analogue of the network stack that the cpumap kthread feeds
 * with {@code netif_receive_skb_core}. Called once per batch, never with an empty one.
 *
 * <p>Contract: read (or copy) what is needed during the call; the frames go back to their pools when it
 * returns, so keep no reference to them, and do not {@link dev.steer.engine.frame.Frame#release() release}
 * them: the caller returns each one itself, so a release here returns it twice. A pool in checked mode refuses
 * and counts the second return only while the frame has not been leased again, which the ingress may do at
 * once; an unchecked pool (the default without {@code -ea}) is corrupted. Do not block: the caller is a pinned
 * data-path thread. An exception counts the whole batch as {@code handler_error} drops and the caller goes on.
 *
 * <p>Thread contract: called on one thread at a time per path (the entry's consumer, or the ingress for
 * locally passed frames); one handler instance may serve several paths, so shared state must be thread-safe.
 */
@FunctionalInterface
public interface FrameHandler {
    /** A handler that does nothing with the frames. */
    FrameHandler NO_OP = batch -> { };

    /**
     * Handles one batch.
     *
     * @param batch the frames, 1 to the batch size; valid only during the call
     */
    void onFrames(FrameBatch batch);
}
