package dev.steer.cluster;

import java.util.function.Supplier;

import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.agrona.concurrent.UnsafeBuffer;

import dev.steer.actors.DataPath;
import dev.steer.engine.frame.Frame;
import dev.steer.engine.frame.FramePool;
import dev.steer.engine.map.BulkQueue;
import dev.steer.engine.map.CpuMapEntry;
import dev.steer.engine.map.MapSnapshot;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;

/**
 * One per node, at {@value #PATH}: the entry point of frames that other nodes forward. For each
 * {@link ForwardBatch} it reads the map snapshot, copies every frame into a frame of its own pool and
 * enqueues it into the local entry's ring through a {@link BulkQueue} (one more producer of the MPSC ring),
 * then acknowledges the batch with what became of its frames. A full ring drops and counts {@code ring_full}
 * here, in this node's stats; a key without a local entry counts {@code no_entry}; an exhausted pool
 * {@code pool_exhausted}; a packet larger than a frame {@code oversize}.
 *
 * <p>It is a producer in the supervisor's sense ({@link dev.steer.actors.MapSupervisor.AttachProducer}):
 * its counters are an ingress row (RECEIVED = frames that entered this node from others), and it takes part
 * in every quiescence barrier. It holds no entry between two messages, so it acknowledges a barrier as soon
 * as the barrier reaches its mailbox, and reads the snapshot afresh for the next batch.
 *
 * <p>Per batch: no allocation besides the acknowledgement; per frame: a lease and a copy.
 */
final class FrameReceiver extends AbstractBehavior<DataPath.Command> {
    /** Path of the receiver under the node's address. */
    static final String PATH = "/system/steer-receiver";
    /** Actor name of the receiver. */
    static final String NAME = "steer-receiver";

    private final FramePool pool;
    private final PathCounters counters;
    private final BulkQueue queue;
    private final UnsafeBuffer source = new UnsafeBuffer(new byte[0]);
    private Supplier<MapSnapshot> snapshots;

    static Behavior<DataPath.Command> create(FramePool pool, PathCounters counters) {
        return Behaviors.setup(context -> new FrameReceiver(context, pool, counters));
    }

    private FrameReceiver(ActorContext<DataPath.Command> context, FramePool pool, PathCounters counters) {
        super(context);
        this.pool = pool;
        this.counters = counters;
        this.queue = new BulkQueue(counters);
    }

    @Override
    public Receive<DataPath.Command> createReceive() {
        return newReceiveBuilder()
            .onMessage(ForwardBatch.class, this::onBatch)
            .onMessage(DataPath.MapView.class, view -> {
                snapshots = view.snapshots();
                return this;
            })
            .onMessage(DataPath.Quiesce.class, quiesce -> {
                quiesce.replyTo().tell(new DataPath.Quiesced(quiesce.epoch(), getContext().getSelf()));
                return this;
            })
            .onMessageEquals(DataPath.Stop.INSTANCE, Behaviors::stopped)
            .build();
    }

    private Behavior<DataPath.Command> onBatch(ForwardBatch batch) {
        final int frames = batch.frames();
        counters.add(PathCounters.Counter.RECEIVED, frames);
        counters.increment(PathCounters.Counter.POLLS);
        final CpuMapEntry entry = snapshots == null ? null : snapshots.get().entry(batch.key());
        if (entry == null || entry.isRemote()) {
            // Not (or no longer) ours: the sender's map is behind this node's. Counted here, where it arrived.
            counters.drop(DropReason.NO_ENTRY, frames);
            batch.replyTo().tell(new BatchAck(batch.sequence(), 0, 0, frames));
            return this;
        }
        source.wrap(batch.bytes(), 0, batch.length());
        queue.bind(entry);
        int offset = 0;
        int ringFull = 0;
        int other = 0;
        for (int i = 0; i < frames; i++) {
            final int length = offset + Integer.BYTES <= batch.length() ? source.getInt(offset) : -1;
            if (length < 0 || offset + Integer.BYTES + length > batch.length()) {
                // A corrupt batch: what is left of it is counted, nothing is guessed.
                counters.drop(DropReason.FEED_TRUNCATED, frames - i);
                other += frames - i;
                break;
            }
            offset += Integer.BYTES;
            if (length > pool.maxDataLength()) {
                counters.drop(DropReason.OVERSIZE, 1);
                other++;
            } else {
                final Frame frame = pool.lease();
                if (frame == null) {
                    counters.drop(DropReason.POOL_EXHAUSTED, 1);
                    other++;
                } else {
                    frame.buffer().putBytes(frame.dataOffset(), source, offset, length);
                    frame.length(length);
                    ringFull += queue.enqueue(frame);
                }
            }
            offset += length;
        }
        ringFull += queue.flush();
        entry.wake();
        final int accepted = frames - ringFull - other;
        counters.add(PathCounters.Counter.REDIRECTED, accepted + ringFull);
        batch.replyTo().tell(new BatchAck(batch.sequence(), accepted, ringFull, other));
        return this;
    }
}
