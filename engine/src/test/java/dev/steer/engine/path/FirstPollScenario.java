package dev.steer.engine.path;

import org.agrona.concurrent.UnsafeBuffer;

import dev.steer.engine.frame.FramePool;
import dev.steer.engine.map.Capabilities;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryLifecycle;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.stats.PathCounters;

/**
 * An engine's data path as it stands before its first frame: the constructor builds an entry, its consumer's path and
 * an ingress path, as an engine's start does; {@link #run()} carries the first frames through them, ingress to
 * handler. Loaded by {@code FirstFrameClassLoadTest}'s own class loader, so that it sees which classes the first
 * frames load.
 */
public final class FirstPollScenario implements Runnable {
    private final IngressPath ingress;
    private final ConsumerPath consumer;
    private final Feed feed;
    private int handled;

    /** Builds the paths, as an engine's start does: the pool, the map with one entry, the consumer's and the ingress' path. */
    public FirstPollScenario() {
        final FramePool pool = new FramePool(new FramePool.Context().id("first").frameCount(256));
        final CpuMap map = CpuMap.create(1, 0, CpuSet.all(1), Capabilities.admin(), EntryLifecycle.NONE).map();
        if (map.update(0, EntryValue.of(64), CpuMap.ANY) != MapResult.OK) {
            throw new IllegalStateException("entry 0 not created");
        }
        consumer = new ConsumerPath(map.snapshot().entry(0), map, batch -> handled += batch.size(),
            ConsumerPath.DEFAULT_BATCH, HandlerBatch.ErrorSink.IGNORE);
        ingress = new IngressPath(1, 0, pool, TestPackets.INGRESS, map, FrameHandler.NO_OP, 8,
            IngressPath.DEFAULT_BUDGET, false, new PathCounters("ingress-0", 1), HandlerBatch.ErrorSink.IGNORE);
        final UnsafeBuffer packet = new UnsafeBuffer(TestPackets.redirect(0, 0, 1));
        feed = new Feed() {
            @Override
            public int poll(FrameSink sink, int budget) {
                for (int i = 0; i < 16; i++) {
                    sink.onFrame(packet, 0, packet.capacity(), i);
                }
                return 16;
            }

            @Override
            public String name() {
                return "first";
            }
        };
    }

    /** The first frames: one poll of 16 frames to the entry, and the consumer's drain of them to the handler. */
    @Override
    public void run() {
        ingress.poll(feed);
        consumer.doWork();
        if (handled != 16) {
            throw new IllegalStateException("handled " + handled + " of 16 frames");
        }
    }
}
