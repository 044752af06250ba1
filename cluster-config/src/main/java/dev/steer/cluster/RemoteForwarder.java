package dev.steer.cluster;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.cluster.typed.Unsubscribe;
import org.agrona.concurrent.UnsafeBuffer;

import dev.steer.actors.DataPath;
import dev.steer.engine.frame.Frame;
import dev.steer.engine.frame.FramePool;
import dev.steer.engine.map.ConsumerWakeup;
import dev.steer.engine.map.CpuMapEntry;
import dev.steer.engine.ring.ManyToOneRing;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;

/**
 * The consumer of a forwarding entry (an entry located on another node): drains the entry's ring in batches,
 * copies the frames into one {@link ForwardBatch} per batch, releases them locally, and sends the batch to
 * the owning node's {@link FrameReceiver}. At most {@code maxInFlight} batches wait for their
 * {@link BatchAck} at a time: a slow or silent link stops the draining, the ring fills, and the ingresses
 * drop and count {@code ring_full} here; nothing buffers without bound.
 *
 * <p>Counters (the entry's): RECEIVED when taken from the ring; FORWARDED when acknowledged (those frames are
 * counted on the receiving node from then on); REMOTE_RING_FULL for acknowledged frames the receiver dropped
 * on a full ring (informational); {@code unreachable} drops for frames in unacknowledged batches and in the
 * ring once the owning node is removed from the cluster, or when a drain-then-stop outlasts the drain timeout.
 *
 * <p>Runs on the default dispatcher; every message is handled without blocking. Wake-ups from producers send
 * at most one {@link DataPath.Run} until it is handled. Per batch: one message; the batch arrays are pooled
 * (one per in-flight slot, reused once acknowledged).
 */
final class RemoteForwarder extends AbstractBehavior<DataPath.Command> {
    private enum Tick implements DataPath.Command {
        INSTANCE
    }

    private enum DrainTimeout implements DataPath.Command {
        INSTANCE
    }

    private record Removed(ClusterEvent.MemberRemoved event) implements DataPath.Command {
    }

    private record Reachability(ClusterEvent.ReachabilityEvent event) implements DataPath.Command {
    }

    /** Sends one Run per wake-up burst; allocation-free for the producer. */
    private static final class Wakeup implements ConsumerWakeup {
        private final AtomicBoolean armed = new AtomicBoolean();
        private final ActorRef<DataPath.Command> self;

        Wakeup(ActorRef<DataPath.Command> self) {
            this.self = self;
        }

        @Override
        public void wake() {
            if (!armed.get() && armed.compareAndSet(false, true)) {
                self.tell(DataPath.Run.INSTANCE);
            }
        }
    }

    private static final Duration TICK = Duration.ofMillis(100);

    private final CpuMapEntry entry;
    private final ManyToOneRing ring;
    private final PathCounters counters;
    private final String node;
    private final ActorRef<DataPath.Command> target;
    private final ActorRef<DataPath.Command> self;
    private final ClusterSettings settings;
    private final TimerScheduler<DataPath.Command> timers;
    private final Wakeup wakeup;
    private final int[] handles;
    private final long[] inFlightSequences;
    private final int[] inFlightFrames;
    private final byte[][] inFlightBuffers;
    private final byte[][] spareBuffers;
    private int spares;
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[0]);
    private final ActorRef<ClusterEvent.MemberRemoved> removedAdapter;
    private final ActorRef<ClusterEvent.ReachabilityEvent> reachabilityAdapter;
    private int inFlight;
    private long nextSequence;
    private boolean paused;
    private boolean down;
    private boolean draining;

    static Behavior<DataPath.Command> create(CpuMapEntry entry, ClusterSettings settings) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new RemoteForwarder(context, timers, entry,
            settings)));
    }

    private RemoteForwarder(ActorContext<DataPath.Command> context, TimerScheduler<DataPath.Command> timers,
                            CpuMapEntry entry, ClusterSettings settings) {
        super(context);
        this.entry = entry;
        this.ring = entry.ring();
        this.counters = entry.counters();
        this.node = entry.value().location().node();
        this.settings = settings;
        this.timers = timers;
        this.self = context.getSelf();
        this.target = ActorRefResolver.get(context.getSystem()).resolveActorRef(node + FrameReceiver.PATH);
        this.handles = new int[settings.batchFrames()];
        this.inFlightSequences = new long[settings.maxInFlight()];
        this.inFlightFrames = new int[settings.maxInFlight()];
        this.inFlightBuffers = new byte[settings.maxInFlight()][];
        this.spareBuffers = new byte[settings.maxInFlight()][];
        final Cluster cluster = Cluster.get(context.getSystem());
        this.removedAdapter = context.messageAdapter(ClusterEvent.MemberRemoved.class, Removed::new);
        this.reachabilityAdapter = context.messageAdapter(ClusterEvent.ReachabilityEvent.class, Reachability::new);
        cluster.subscriptions().tell(Subscribe.create(removedAdapter, ClusterEvent.MemberRemoved.class));
        cluster.subscriptions().tell(Subscribe.create(reachabilityAdapter, ClusterEvent.ReachabilityEvent.class));
        for (Member member : cluster.state().getUnreachable()) {
            if (member.address().toString().equals(node)) {
                paused = true;
            }
        }
        this.wakeup = new Wakeup(self);
        entry.wakeup(wakeup);
        timers.startTimerWithFixedDelay(Tick.INSTANCE, TICK);
        self.tell(DataPath.Run.INSTANCE);
    }

    @Override
    public Receive<DataPath.Command> createReceive() {
        return newReceiveBuilder()
            .onMessageEquals(DataPath.Run.INSTANCE, () -> {
                wakeup.armed.set(false);
                return pump();
            })
            .onMessageEquals(Tick.INSTANCE, this::pump)
            .onMessage(BatchAck.class, this::onAck)
            .onMessage(DataPath.Quiesce.class, quiesce -> {
                // Between two messages this actor holds no frame outside the ring: a quiescence point.
                quiesce.replyTo().tell(new DataPath.Quiesced(quiesce.epoch(), self));
                return this;
            })
            .onMessageEquals(DataPath.Stop.INSTANCE, () -> {
                draining = true;
                timers.startSingleTimer(DrainTimeout.INSTANCE, settings.drainTimeout());
                return pump();
            })
            .onMessageEquals(DrainTimeout.INSTANCE, () -> {
                // From now on every frame left is counted, never sent: the stop is bounded.
                down = true;
                giveUp();
                return finishIfDrained();
            })
            .onMessage(Removed.class, removed -> {
                if (removed.event().member().address().toString().equals(node)) {
                    down = true;
                    giveUp();
                }
                return finishIfDrained();
            })
            .onMessage(Reachability.class, event -> {
                if (event.event().member().address().toString().equals(node)) {
                    paused = event.event() instanceof ClusterEvent.UnreachableMember;
                }
                return pump();
            })
            .onSignal(PostStop.class, stop -> {
                // Stopped with batches unacknowledged (a failure; a drain waits for them): their acks would go to
                // dead letters, so count them here rather than leave them in flight for ever.
                for (int i = 0; i < inFlight; i++) {
                    counters.drop(DropReason.UNREACHABLE, inFlightFrames[i]);
                }
                inFlight = 0;
                entry.wakeup(ConsumerWakeup.NONE);
                final Cluster cluster = Cluster.get(getContext().getSystem());
                cluster.subscriptions().tell(new Unsubscribe<>(removedAdapter));
                cluster.subscriptions().tell(new Unsubscribe<>(reachabilityAdapter));
                return this;
            })
            .build();
    }

    /** Sends batches while credits last; once the node is gone, empties the ring as unreachable drops. */
    private Behavior<DataPath.Command> pump() {
        if (down) {
            dropRing();
            return finishIfDrained();
        }
        while (!paused && inFlight < inFlightSequences.length) {
            final int n = ring.drain(handles, handles.length);
            if (n == 0) {
                break;
            }
            counters.add(PathCounters.Counter.RECEIVED, n);
            counters.increment(PathCounters.Counter.POLLS);
            send(n);
        }
        return finishIfDrained();
    }

    private void send(int n) {
        int bytes = 0;
        for (int i = 0; i < n; i++) {
            bytes += Integer.BYTES + FramePool.frame(handles[i]).length();
        }
        final byte[] data = buffer(bytes);
        out.wrap(data);
        int offset = 0;
        for (int i = 0; i < n; i++) {
            final Frame frame = FramePool.frame(handles[i]);
            final int length = frame.length();
            out.putInt(offset, length);
            out.putBytes(offset + Integer.BYTES, frame.buffer(), frame.dataOffset(), length);
            offset += Integer.BYTES + length;
        }
        FramePool.releaseAll(handles, 0, n);
        final long sequence = nextSequence++;
        inFlightSequences[inFlight] = sequence;
        inFlightFrames[inFlight] = n;
        inFlightBuffers[inFlight] = data;
        inFlight++;
        target.tell(new ForwardBatch(entry.key(), sequence, n, data, bytes, self));
    }

    private Behavior<DataPath.Command> onAck(BatchAck ack) {
        for (int i = 0; i < inFlight; i++) {
            if (inFlightSequences[i] == ack.sequence()) {
                // The receiver's count is authoritative: it says how many frames of the batch it counted.
                counters.add(PathCounters.Counter.FORWARDED, inFlightFrames[i]);
                counters.add(PathCounters.Counter.REMOTE_RING_FULL, ack.ringFull());
                // Acknowledged means received, so Artery has long serialised the batch: its array is free again.
                if (spares < spareBuffers.length) {
                    spareBuffers[spares++] = inFlightBuffers[i];
                }
                inFlight--;
                inFlightSequences[i] = inFlightSequences[inFlight];
                inFlightFrames[i] = inFlightFrames[inFlight];
                inFlightBuffers[i] = inFlightBuffers[inFlight];
                inFlightBuffers[inFlight] = null;
                return pump();
            }
        }
        // Already counted unreachable (node removed or drain timeout): the late ack changes nothing.
        return this;
    }

    /**
     * A batch array of at least {@code bytes}: a spare one returned by an acknowledgement, or a new one sized for
     * a full batch of full frames, so that in steady state the forwarder allocates no batch array at all.
     */
    private byte[] buffer(int bytes) {
        while (spares > 0) {
            final byte[] spare = spareBuffers[--spares];
            spareBuffers[spares] = null;
            if (spare.length >= bytes) {
                return spare;
            }
        }
        return new byte[Math.max(bytes, handles.length * (Integer.BYTES + settings.frameSize()))];
    }

    /**
     * Counts every unacknowledged batch and every frame in the ring as unreachable. Their arrays are not reused:
     * Artery may still hold a batch that was never acknowledged.
     */
    private void giveUp() {
        for (int i = 0; i < inFlight; i++) {
            counters.drop(DropReason.UNREACHABLE, inFlightFrames[i]);
            inFlightBuffers[i] = null;
        }
        inFlight = 0;
        dropRing();
    }

    /** Drops at most one ring's worth per call, so that producers still filling it cannot keep this actor busy. */
    private void dropRing() {
        int n;
        int budget = ring.capacity();
        while (budget > 0 && (n = ring.drain(handles, Math.min(handles.length, budget))) > 0) {
            budget -= n;
            counters.add(PathCounters.Counter.RECEIVED, n);
            counters.drop(DropReason.UNREACHABLE, n);
            FramePool.releaseAll(handles, 0, n);
        }
    }

    private Behavior<DataPath.Command> finishIfDrained() {
        if (draining && inFlight == 0 && ring.isEmpty()) {
            return Behaviors.stopped();
        }
        return this;
    }
}
