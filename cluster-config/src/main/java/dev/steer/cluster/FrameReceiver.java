package dev.steer.cluster;

import java.time.Duration;
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
 * {@link ForwardBatch} it reads the map snapshot once, and for each of the batch's key segments copies every
 * frame into a frame of its own pool and enqueues it into that key's local ring through a {@link BulkQueue}
 * (one more producer of the MPSC ring), then acknowledges the batch with what became of each segment. A full ring drops and counts {@code ring_full}
 * here, in this node's stats; a key without a local entry counts {@code no_entry}; an exhausted pool
 * {@code pool_exhausted}; a packet larger than a frame {@code oversize}.
 *
 * <p>It is a producer in the supervisor's sense ({@link dev.steer.actors.MapSupervisor.AttachProducer}):
 * its counters are an ingress row (RECEIVED = frames that entered this node from others), and it takes part
 * in every quiescence barrier. It holds no entry between two messages, so it acknowledges a barrier as soon
 * as the barrier reaches its mailbox, and reads the snapshot afresh for the next batch.
 *
 * <p>A batch whose {@link ForwardBatch#target()} names another incarnation of this node's address is not taken: not in
 * the ingress row, not acknowledged, counted in {@link ReceiverStats} and logged (at most one warning per
 * {@link #REFUSAL_LOG_PERIOD}). It was sent to a node that died here before this one started, and Artery delivers by
 * address: taken, its frames would meet no entry in this node's map (not placed yet) and be counted {@code no_entry}
 * here and {@code forwarded} on a sender whose frames never reached the node they were for. Unacknowledged, they count
 * {@code unreachable} on the sender, as every other frame sent to the dead node does.
 *
 * <p>Per batch: the acknowledgement and its two per-segment arrays; per frame: a lease and a copy.
 */
final class FrameReceiver extends AbstractBehavior<DataPath.Command> {
    /** Path of the receiver under the node's address. */
    static final String PATH = "/system/steer-receiver";
    /** Actor name of the receiver. */
    static final String NAME = "steer-receiver";

    /** At most one warning about batches for another incarnation per this period; the others are counted in it. */
    static final Duration REFUSAL_LOG_PERIOD = Duration.ofSeconds(10);

    private final FramePool pool;
    private final PathCounters counters;
    /** This node's incarnation: the uid of its unique address. */
    private final long incarnation;
    private final WarningLimit refusals = new WarningLimit(REFUSAL_LOG_PERIOD);
    private final ReceiverStats stats;
    private final BulkQueue queue;
    private final UnsafeBuffer source = new UnsafeBuffer(new byte[0]);
    private Supplier<MapSnapshot> snapshots;

    /**
     * A receiver of the node whose incarnation is {@code incarnation}: it takes the batches for it and those for
     * {@link ForwardBatch#ANY_INCARNATION}, which a link sends while its node's view has shown no member at the
     * receiver's address yet, and counts the others it refuses in {@code stats}. With {@code incarnation}
     * {@link ForwardBatch#ANY_INCARNATION} it is the receiver of no incarnation in particular and takes every batch;
     * a node passes its own uid.
     */
    static Behavior<DataPath.Command> create(FramePool pool, PathCounters counters, long incarnation,
                                             ReceiverStats stats) {
        return Behaviors.setup(context -> new FrameReceiver(context, pool, counters, incarnation, stats));
    }

    private FrameReceiver(ActorContext<DataPath.Command> context, FramePool pool, PathCounters counters,
                          long incarnation, ReceiverStats stats) {
        super(context);
        this.stats = stats;
        this.pool = pool;
        this.counters = counters;
        this.incarnation = incarnation;
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
        if (batch.target() != ForwardBatch.ANY_INCARNATION && batch.target() != incarnation
            && incarnation != ForwardBatch.ANY_INCARNATION) {
            return onOtherIncarnation(batch);
        }
        final int frames = batch.frames();
        final int segments = batch.segments();
        if (frames < 0 || frames > ClusterSettings.MAX_BATCH_FRAMES || segments < 0 || segments > frames
            || batch.length() < 0 || batch.length() > batch.bytes().length) {
            return onImpossibleHeader(batch);
        }
        counters.add(PathCounters.Counter.RECEIVED, frames);
        counters.increment(PathCounters.Counter.POLLS);
        // At least one slot: frames with no segment to carry them are still counted against something.
        final int[] ringFull = new int[Math.max(1, segments)];
        final int[] other = new int[Math.max(1, segments)];
        final MapSnapshot snapshot = snapshots == null ? null : snapshots.get();
        // The receive stamp of every frame of the batch, on this node's clock: the sender's stamp does not travel
        // (another JVM's nanoTime has another origin), and the receiver is this node's ingress for these frames.
        final long received = System.nanoTime();
        source.wrap(batch.bytes(), 0, batch.length());
        int offset = 0;
        int left = frames;
        for (int segment = 0; segment < segments && left > 0; segment++) {
            final boolean header = offset + BatchWriter.SEGMENT_HEADER <= batch.length();
            final int key = header ? source.getInt(offset, BatchWriter.ORDER) : -1;
            final int count = header ? source.getInt(offset + Integer.BYTES, BatchWriter.ORDER) : -1;
            if (count <= 0 || count > left) {
                // A corrupt batch: what is left of it is counted, nothing is guessed.
                counters.drop(DropReason.FEED_TRUNCATED, left);
                other[segment] += left;
                left = 0;
                break;
            }
            offset += BatchWriter.SEGMENT_HEADER;
            left -= count;
            final CpuMapEntry entry = snapshot == null ? null : snapshot.entry(key);
            if (entry == null || entry.isRemote()) {
                // Not (or no longer) ours: the sender's map is behind this node's. Counted here, where it arrived.
                counters.drop(DropReason.NO_ENTRY, count);
                other[segment] += count;
                final int skipped = skip(offset, count, batch.length());
                if (skipped < 0) {
                    counters.drop(DropReason.FEED_TRUNCATED, left);
                    other[segment] += left;
                    left = 0;
                    break;
                }
                offset = skipped;
                continue;
            }
            offset = enqueue(entry, segment, offset, count, batch.length(), received, ringFull, other);
            if (offset < 0) {
                counters.drop(DropReason.FEED_TRUNCATED, left);
                other[segment] += left;
                left = 0;
                break;
            }
        }
        if (left > 0) {
            // Fewer segments than the header said frames: the rest is counted against the last one.
            counters.drop(DropReason.FEED_TRUNCATED, left);
            other[Math.max(0, segments - 1)] += left;
        }
        int forwardedHere = frames;
        for (int segment = 0; segment < other.length; segment++) {
            forwardedHere -= other[segment];
        }
        counters.add(PathCounters.Counter.REDIRECTED, forwardedHere);
        batch.replyTo().tell(new BatchAck(batch.sequence(), ringFull, other));
        return this;
    }

    /** A batch sent to an earlier node at this address: see the class comment. */
    private Behavior<DataPath.Command> onOtherIncarnation(ForwardBatch batch) {
        // As many frames as it claims, within what a batch holds (the serializer refuses more from the wire).
        stats.refused(Math.max(0, Math.min(ClusterSettings.MAX_BATCH_FRAMES, batch.frames())));
        if (refusals.warnNow(System.nanoTime())) {
            getContext().getLog().warn("a batch of {} frames from {} for incarnation {} of this address, this node is"
                + " incarnation {}: not taken (sent to a node that ran here before this one; its sender counts the"
                + " frames unreachable); {} more refused since the last warning", batch.frames(),
                batch.replyTo().path().address(), batch.target(), incarnation, refusals.heldBefore());
        }
        return this;
    }

    /**
     * A batch whose header no sender writes: more frames than a batch holds or fewer than none, more segments than
     * frames, a length past its array. The serializer refuses such a message from the wire; one that reaches the
     * receiver another way (in this JVM) is not read: its frames, as many as it claims within 0 and a batch's
     * {@value ClusterSettings#MAX_BATCH_FRAMES}, are counted received and {@code feed_truncated}, and answered with
     * one segment that holds them all. Why not read: a length past the array would stop the receiver with an
     * exception, a segment count of up to 2^31 - 1 would size the acknowledgement's arrays, and a frame count of up
     * to 2^31 - 1 would be counted received.
     */
    private Behavior<DataPath.Command> onImpossibleHeader(ForwardBatch batch) {
        final int frames = Math.max(0, Math.min(ClusterSettings.MAX_BATCH_FRAMES, batch.frames()));
        counters.add(PathCounters.Counter.RECEIVED, frames);
        counters.increment(PathCounters.Counter.POLLS);
        counters.drop(DropReason.FEED_TRUNCATED, frames);
        batch.replyTo().tell(new BatchAck(batch.sequence(), new int[1], new int[] {frames}));
        return this;
    }

    /**
     * Copies one segment's {@code count} packets from {@code offset} into frames of this node's pool and enqueues
     * them into {@code entry}'s ring.
     *
     * @return the offset after the segment, or -1 when the batch is corrupt (the segment's frames not taken are
     *         counted here)
     */
    private int enqueue(CpuMapEntry entry, int segment, int offset, int count, int length, long receivedNs,
                        int[] ringFull, int[] other) {
        queue.bind(entry);
        int at = offset;
        for (int i = 0; i < count; i++) {
            final int size = at + Integer.BYTES <= length ? source.getInt(at, BatchWriter.ORDER) : -1;
            if (size < 0 || size > length - at - Integer.BYTES) {
                counters.drop(DropReason.FEED_TRUNCATED, count - i);
                other[segment] += count - i;
                at = -1;
                break;
            }
            at += Integer.BYTES;
            if (size > pool.maxDataLength()) {
                counters.drop(DropReason.OVERSIZE, 1);
                other[segment]++;
            } else {
                final Frame frame = pool.lease(size, 0, 0, receivedNs);
                if (frame == null) {
                    counters.drop(DropReason.POOL_EXHAUSTED, 1);
                    other[segment]++;
                } else {
                    frame.copyData(source, at);
                    ringFull[segment] += queue.enqueue(frame);
                }
            }
            at += size;
        }
        ringFull[segment] += queue.flush();
        entry.wake();
        return at;
    }

    /** The offset after {@code count} packets from {@code offset}, or -1 when they run past {@code length}. */
    private int skip(int offset, int count, int length) {
        int at = offset;
        for (int i = 0; i < count; i++) {
            final int size = at + Integer.BYTES <= length ? source.getInt(at, BatchWriter.ORDER) : -1;
            if (size < 0 || size > length - at - Integer.BYTES) {
                return -1;
            }
            at += Integer.BYTES + size;
        }
        return at;
    }
}
