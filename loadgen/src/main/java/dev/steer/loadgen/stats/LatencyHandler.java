package dev.steer.loadgen.stats;

import java.util.Objects;

import dev.steer.engine.path.FrameBatch;
import dev.steer.engine.path.FrameHandler;

/**
 * A {@link FrameHandler} that records each frame's ingress-to-handler latency, then hands the batch to the
 * wrapped handler. The clock is read once per batch ({@link System#nanoTime()}) and each frame's latency is
 * that reading minus its {@code timestampNs()}, the receive stamp the feed gave it.
 *
 * <p>Thread contract: one instance may serve every consumer and ingress at once (the engine shares the
 * handler); the recorder takes concurrent writers. Cost per frame: two array loads, a subtraction and one
 * wait-free histogram increment; nothing is allocated. An exception of the wrapped handler propagates,
 * so the engine still counts the batch as {@code handler_error}; its latencies are recorded already.
 */
public final class LatencyHandler implements FrameHandler {
    private final LatencyRecorder recorder;
    private final FrameHandler delegate;

    /**
     * @param recorder where latencies go
     * @param delegate the handler that gets every batch afterwards; {@link FrameHandler#NO_OP} for none
     */
    public LatencyHandler(LatencyRecorder recorder, FrameHandler delegate) {
        this.recorder = Objects.requireNonNull(recorder, "recorder");
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The recorder this handler writes to. */
    public LatencyRecorder recorder() {
        return recorder;
    }

    @Override
    public void onFrames(FrameBatch batch) {
        final long now = System.nanoTime();
        final int size = batch.size();
        for (int i = 0; i < size; i++) {
            recorder.record(now - batch.frame(i).timestampNs());
        }
        delegate.onFrames(batch);
    }
}
