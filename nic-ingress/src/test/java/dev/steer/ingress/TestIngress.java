package dev.steer.ingress;

import java.util.ArrayList;
import java.util.List;

import dev.steer.engine.frame.Frame;
import dev.steer.engine.frame.FramePool;
import dev.steer.engine.map.Capabilities;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryLifecycle;
import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameBatch;
import dev.steer.engine.path.HandlerBatch;
import dev.steer.engine.path.IngressPath;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;

/**
 * A real ingress data path (pool, program, counters) whose program passes every frame to a local handler
 * that keeps a copy of each frame's bytes; driven by calling {@link #poll} on the test thread.
 */
public final class TestIngress implements AutoCloseable {
    /** Copies of the frames delivered, in order. */
    public final List<byte[]> frames = new ArrayList<>();
    /** The ingress' pool. */
    public final FramePool pool;
    /** The ingress data path; poll feeds through it. */
    public final IngressPath path;
    /** Whether delivered frames are copied into {@link #frames} (off for long runs). */
    public boolean keep = true;
    /** Frames delivered so far. */
    public long delivered;
    /** Failures reported to the path's error sink, as {@code where: error}. */
    public final List<String> errors = new ArrayList<>();

    public TestIngress(int poolFrames, int frameSize, int passBatch, boolean lossless) {
        pool = new FramePool(new FramePool.Context().id("test-ingress").frameCount(poolFrames).frameSize(frameSize)
            .headroom(64).checked(true));
        final CpuMap map = CpuMap.create(1, 0, CpuSet.all(1), Capabilities.admin(), EntryLifecycle.NONE).map();
        path = new IngressPath(0, 0, pool, packet -> Verdict.of(Verdict.PASS), map, this::onFrames, passBatch,
            64, lossless, new PathCounters("test-ingress", 1), (where, error) -> errors.add(where + ": " + error));
    }

    public TestIngress() {
        this(256, 2048, 8, false);
    }

    private void onFrames(FrameBatch batch) {
        for (int i = 0; i < batch.size(); i++) {
            delivered++;
            if (keep) {
                final Frame frame = batch.frame(i);
                final byte[] copy = new byte[frame.length()];
                frame.buffer().getBytes(frame.dataOffset(), copy);
                frames.add(copy);
            }
        }
    }

    public int poll(Feed feed) {
        return path.poll(feed);
    }

    /** Polls until the feed ends, at most {@code maxPolls} times; returns the polls made. */
    public int drain(Feed feed, int maxPolls) {
        for (int i = 1; i <= maxPolls; i++) {
            if (poll(feed) == Feed.END) {
                return i;
            }
        }
        throw new AssertionError("feed did not end within " + maxPolls + " polls");
    }

    public long get(PathCounters.Counter counter) {
        return path.counters().get(counter);
    }

    public long dropped(DropReason reason) {
        return path.counters().dropped(reason);
    }

    @Override
    public void close() {
        pool.close();
    }
}
