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

import dev.steer.actors.DataPath;
import dev.steer.engine.frame.FramePool;
import dev.steer.engine.map.ConsumerWakeup;
import dev.steer.engine.map.CpuMapEntry;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;

/**
 * The link from this node to one other node: drains the rings of every forwarding entry placed on that node
 * into shared {@link ForwardBatch}es (one segment per key, at most {@code batchFrames} frames a batch) and sends
 * them to the node's {@link FrameReceiver}. Per target node, not per entry, as the kernel's bulk queue is per
 * target CPU: ten keys on one node make one stream of full batches, not ten streams of small ones.
 *
 * <p>At most {@code maxInFlight} batches wait for their {@link BatchAck} at a time, for the whole node: a slow
 * or silent link stops the draining, the rings fill, and the ingresses drop and count {@code ring_full}; nothing
 * buffers without bound. The window is a congestion window within that: each batch given up at the ack timeout
 * halves it (down to one batch), each acknowledgement of a waiting batch widens it by one (up to
 * {@code maxInFlight}). A batch given up frees its credit but may still sit in Artery's send queue; without the
 * halving, a node that stays reachable but drains slower than the link sends (congestion, a starved receiver)
 * was sent {@code maxInFlight} more batches every ack timeout, each held in that queue until it overflows. Rings
 * are drained round-robin, starting one entry further every batch, so no key starves the others.
 *
 * <p>Counters (each entry's own): RECEIVED when taken from the ring; FORWARDED when acknowledged (those frames
 * are counted on the receiving node from then on); REMOTE_RING_FULL for acknowledged frames the receiver
 * dropped on a full ring (informational); {@code unreachable} drops for the entry's frames in unacknowledged
 * batches and in its ring once the node is removed from the cluster, or when its drain-then-stop outlasts the
 * drain timeout, and for the frames of a batch not acknowledged within the ack timeout (Artery delivers at most
 * once: a batch lost on a link that stays up would otherwise hold its credit for good).
 *
 * <p>Entries come and go with {@link Attach} and {@link Detach} from their {@link RemoteForwarder}s, which keep
 * the supervisor's lifecycle; the link stays for the life of the actor system (one per node ever placed on).
 * Runs on the default dispatcher; nothing blocks. Per batch: one message; the batch arrays are pooled by the
 * {@link BatchWriter}, which owns the wire layout (one per in-flight slot, reused once acknowledged). Per frame: a
 * copy, no allocation.
 */
final class NodeLink extends AbstractBehavior<NodeLink.Command> {
    /** The link's protocol. */
    interface Command {
    }

    /**
     * Serve {@code entry}'s ring from now on.
     *
     * @param entry     a forwarding entry placed on the link's node
     * @param forwarder the entry's consumer actor, told {@link Detached} when the link is done with the entry
     */
    record Attach(CpuMapEntry entry, ActorRef<RemoteForwarder.Command> forwarder) implements Command {
    }

    /**
     * Drain-then-stop for {@code entry}: forward what is left in its ring, wait for its last acknowledgement,
     * then let go of it and answer {@link Detached}. With {@code giveUp}, count all of that {@code unreachable}
     * instead and answer at once: the bound on a drain.
     */
    record Detach(CpuMapEntry entry, boolean giveUp) implements Command {
    }

    /** The answer to {@link Detach}: the link holds nothing of the entry any more and counts nothing for it. */
    record Detached(CpuMapEntry entry) implements RemoteForwarder.Command {
    }

    private enum Run implements Command {
        INSTANCE
    }

    private enum Tick implements Command {
        INSTANCE
    }

    private record Membership(ClusterEvent.MemberEvent event) implements Command {
    }

    private record Reachability(ClusterEvent.ReachabilityEvent event) implements Command {
    }

    /** Sends one Run per wake-up burst, whichever entry's producer wakes it; allocation-free for the producer. */
    private static final class Wakeup implements ConsumerWakeup {
        private final AtomicBoolean armed = new AtomicBoolean();
        private final ActorRef<Command> self;

        Wakeup(ActorRef<Command> self) {
            this.self = self;
        }

        @Override
        public void wake() {
            if (!armed.get() && armed.compareAndSet(false, true)) {
                self.tell(Run.INSTANCE);
            }
        }
    }

    /** A forwarding entry the link serves. */
    private static final class Served {
        final CpuMapEntry entry;
        final ActorRef<RemoteForwarder.Command> forwarder;
        final PathCounters counters;
        /** Frames of this entry in unacknowledged batches. */
        int inFlight;
        /** Its node was removed while it was attached, or its drain timed out: every frame is counted, none sent. */
        boolean down;
        boolean detaching;

        Served(CpuMapEntry entry, ActorRef<RemoteForwarder.Command> forwarder) {
            this.entry = entry;
            this.forwarder = forwarder;
            this.counters = entry.counters();
        }
    }

    /** One unacknowledged batch: which entry each segment came from, and how many frames. */
    private static final class InFlight {
        long sequence;
        /** {@link System#nanoTime()} when sent. */
        long sentNs;
        byte[] bytes;
        int segments;
        final Served[] from;
        final int[] frames;

        InFlight(int maxSegments) {
            this.from = new Served[maxSegments];
            this.frames = new int[maxSegments];
        }
    }

    /** How often ack timeouts are checked: {@link ClusterSettings#MIN_TIMEOUT}, the shortest one. */
    private static final Duration TICK = ClusterSettings.MIN_TIMEOUT;

    private final String node;
    private final long ackTimeoutNs;
    private final LinkStats stats;
    private final ActorRef<DataPath.Command> target;
    private final ActorRef<BatchAck> ackTo;
    private final Wakeup wakeup;
    private Served[] served;
    private int servedCount;
    private int next;
    private final InFlight[] inFlight;
    private int inFlightCount;
    /** Batches that may wait for their acks now: 1 to {@code inFlight.length}. */
    private int window;
    private final BatchWriter writer;
    private final int[] handles;
    private long nextSequence;
    private boolean paused;
    /**
     * The incarnation of the node at {@link #node} that the entries served now are placed on, as this node's view last
     * named it (the removed one after its removal). Every batch names it: a node restarted at the address takes none
     * meant for the dead one.
     */
    private final LinkIncarnation incarnation = new LinkIncarnation();

    static Behavior<Command> create(String node, ClusterSettings settings, LinkStats stats) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new NodeLink(context, timers, node, settings,
            stats)));
    }

    private NodeLink(ActorContext<Command> context, TimerScheduler<Command> timers, String node,
                     ClusterSettings settings, LinkStats stats) {
        super(context);
        this.node = node;
        this.ackTimeoutNs = settings.ackTimeout().toNanos();
        this.stats = stats;
        this.target = ActorRefResolver.get(context.getSystem()).resolveActorRef(node + FrameReceiver.PATH);
        this.ackTo = context.getSelf().narrow();
        this.wakeup = new Wakeup(context.getSelf());
        this.served = new Served[4];
        this.handles = new int[settings.batchFrames()];
        this.inFlight = new InFlight[settings.maxInFlight()];
        this.window = inFlight.length;
        for (int i = 0; i < inFlight.length; i++) {
            // Every segment holds at least one frame.
            inFlight[i] = new InFlight(settings.batchFrames());
        }
        this.writer = new BatchWriter(settings.maxInFlight(), settings.batchFrames(), settings.frameSize());
        final Cluster cluster = Cluster.get(context.getSystem());
        cluster.subscriptions().tell(Subscribe.create(
            context.messageAdapter(ClusterEvent.MemberEvent.class, Membership::new), ClusterEvent.MemberEvent.class));
        for (Member member : cluster.state().getMembers()) {
            if (member.address().toString().equals(node)) {
                incarnation.shown(member.uniqueAddress().longUid());
            }
        }
        cluster.subscriptions().tell(Subscribe.create(
            context.messageAdapter(ClusterEvent.ReachabilityEvent.class, Reachability::new),
            ClusterEvent.ReachabilityEvent.class));
        for (Member member : cluster.state().getUnreachable()) {
            if (member.address().toString().equals(node)) {
                paused = true;
            }
        }
        timers.startTimerWithFixedDelay(Tick.INSTANCE, TICK);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
            .onMessageEquals(Run.INSTANCE, () -> {
                wakeup.armed.set(false);
                return pump();
            })
            .onMessageEquals(Tick.INSTANCE, () -> {
                expire(System.nanoTime());
                return pump();
            })
            .onMessage(BatchAck.class, this::onAck)
            .onMessage(Attach.class, this::onAttach)
            .onMessage(Detach.class, this::onDetach)
            .onMessage(Membership.class, membership -> onMembership(membership.event()))
            .onMessage(Reachability.class, event -> {
                if (event.event().member().address().toString().equals(node)) {
                    paused = event.event() instanceof ClusterEvent.UnreachableMember;
                }
                return pump();
            })
            .onSignal(PostStop.class, stop -> {
                // The actor system is going down with batches unacknowledged: their acks would reach no one.
                for (int i = 0; i < servedCount; i++) {
                    giveUp(served[i]);
                    served[i].entry.wakeup(ConsumerWakeup.NONE);
                }
                return this;
            })
            .build();
    }

    /**
     * A membership event of the node at this link's address. Its removal gives up every entry served (they were placed
     * on it); so does an event of another incarnation there, which stands for the old one's removal (the removal may
     * come after the new one's first events, and the link must not send the old one's frames to the new one
     * meanwhile). A late removal of an incarnation before the one served changes nothing. After a removal the link
     * names the removed incarnation until another one is named ({@link LinkIncarnation}).
     *
     * <p>Assumed: an {@link Attach} of an entry placed on a new incarnation comes after this link's first event of
     * that incarnation, so that every entry served when a new incarnation is named was placed on an older one. Gossip
     * orders it: the owner places on a member that is up, a member is moved up only once every member has seen it
     * join (convergence), and each node publishes that join to its subscribers as it takes in the gossip, while the
     * placement still has to travel from the owner through the map agent and the forwarder to this link. Were an
     * Attach for the new node to come first, its entry would be given up when the new incarnation's event comes: its
     * frames counted {@code unreachable} until the entry is placed again, none sent to the node it is placed on (and
     * until that event, its batches would name the old incarnation and be refused by the new node).
     */
    private Behavior<Command> onMembership(ClusterEvent.MemberEvent event) {
        if (!event.member().address().toString().equals(node)) {
            return this;
        }
        final long uid = event.member().uniqueAddress().longUid();
        if (event instanceof ClusterEvent.MemberRemoved ? incarnation.removed(uid) : incarnation.member(uid)) {
            nodeGone();
        }
        return pump();
    }

    /** The incarnation served is gone: every entry served is given up, and entries attached later start afresh. */
    private void nodeGone() {
        paused = false;
        window = inFlight.length;
        for (int i = 0; i < servedCount; i++) {
            giveUp(served[i]);
        }
        // Every entry is counted now, so every unacknowledged batch is: their acks will never come.
        abandonCountedBatches();
    }

    private Behavior<Command> onAttach(Attach attach) {
        if (servedCount == served.length) {
            // Bounded by the map: at most two generations of each key (one draining, one filling) at once.
            served = java.util.Arrays.copyOf(served, 2 * served.length);
        }
        final Served added = new Served(attach.entry(), attach.forwarder());
        served[servedCount++] = added;
        attach.entry().wakeup(wakeup);
        return pump();
    }

    private Behavior<Command> onDetach(Detach detach) {
        final Served leaving = find(detach.entry());
        if (leaving == null) {
            detach.entry().wakeup(ConsumerWakeup.NONE);
            return this;
        }
        leaving.detaching = true;
        if (detach.giveUp()) {
            giveUp(leaving);
            abandonCountedBatches();
        }
        return pump();
    }

    /** Sends batches while credits last; counts the rings of entries that are down; lets go of drained ones. */
    private Behavior<Command> pump() {
        for (int i = 0; i < servedCount; i++) {
            if (served[i].down) {
                dropRing(served[i]);
            }
        }
        while (!paused && inFlightCount < window && fill(inFlight[inFlightCount])) {
            inFlightCount++;
        }
        releaseDetached();
        return this;
    }

    /**
     * Drains up to a batch of frames, round-robin over the entries, into {@code batch} and sends it.
     *
     * @return false when every ring was empty (nothing sent)
     */
    private boolean fill(InFlight batch) {
        final int first = next;
        int frames = 0;
        int segments = 0;
        int bytes = 0;
        final int max = handles.length;
        // First pass: drain into handles, one run per entry; frames stay in their rings' order.
        final Served[] from = batch.from;
        final int[] counts = batch.frames;
        for (int n = 0; n < servedCount && frames < max && segments < from.length; n++) {
            final Served s = served[(first + n) % servedCount];
            if (s.down) {
                continue;
            }
            final int taken = s.entry.ring().drain(handles, frames, max - frames);
            if (taken > 0) {
                s.counters.add(PathCounters.Counter.RECEIVED, taken);
                s.counters.increment(PathCounters.Counter.POLLS);
                from[segments] = s;
                counts[segments] = taken;
                segments++;
                bytes += BatchWriter.segmentBytes(handles, frames, taken);
                frames += taken;
            }
        }
        if (servedCount > 0) {
            next = (first + 1) % servedCount;
        }
        if (frames == 0) {
            return false;
        }
        final byte[] data = writer.start(bytes);
        int offset = 0;
        int handle = 0;
        for (int segment = 0; segment < segments; segment++) {
            final Served s = from[segment];
            offset = writer.putSegment(offset, s.entry.key(), handles, handle, counts[segment]);
            handle += counts[segment];
            s.inFlight += counts[segment];
        }
        FramePool.releaseAll(handles, 0, frames);
        batch.sequence = nextSequence++;
        batch.sentNs = System.nanoTime();
        batch.bytes = data;
        batch.segments = segments;
        stats.sent(segments, frames, bytes);
        target.tell(new ForwardBatch(batch.sequence, segments, frames, data, bytes, ackTo,
            incarnation.target()));
        return true;
    }

    private Behavior<Command> onAck(BatchAck ack) {
        for (int i = 0; i < inFlightCount; i++) {
            final InFlight batch = inFlight[i];
            if (batch.sequence != ack.sequence()) {
                continue;
            }
            for (int segment = 0; segment < batch.segments; segment++) {
                final Served s = batch.from[segment];
                batch.from[segment] = null;
                if (s.down) {
                    // This entry was given up while the batch waited (node removed or drain timed out): its frames
                    // are counted unreachable already, and the ack changes nothing for them.
                    continue;
                }
                // The receiver counts every frame of an acknowledged batch: from here on they are its frames.
                s.counters.add(PathCounters.Counter.FORWARDED, batch.frames[segment]);
                s.counters.add(PathCounters.Counter.REMOTE_RING_FULL,
                    segment < ack.segments() ? ack.ringFull(segment) : 0);
                s.inFlight -= batch.frames[segment];
            }
            writer.recycle(batch.bytes);
            freeSlot(i);
            // Acknowledged while it waited (also when some of its entries were given up meanwhile): one batch, once.
            stats.acked();
            window = Math.min(inFlight.length, window + 1);
            return pump();
        }
        // A batch given up (timed out, or abandoned with its entries): its frames are counted already.
        stats.lateAck();
        return this;
    }

    /** Answers the detaching entries that hold nothing any more and forgets them. */
    private void releaseDetached() {
        for (int i = 0; i < servedCount; i++) {
            final Served s = served[i];
            if (s.detaching && s.inFlight == 0 && (s.down || s.entry.ring().isEmpty())) {
                if (s.down) {
                    // Producers are gone before a detach (quiescence came first): this empties the ring for good.
                    dropRing(s);
                }
                s.entry.wakeup(ConsumerWakeup.NONE);
                s.forwarder.tell(new Detached(s.entry));
                servedCount--;
                served[i] = served[servedCount];
                served[servedCount] = null;
                if (next >= Math.max(1, servedCount)) {
                    next = 0;
                }
                i--;
            }
        }
    }

    /** Counts the entry's unacknowledged frames and its ring as unreachable; it sends nothing from now on. */
    private void giveUp(Served s) {
        if (!s.down) {
            s.down = true;
            s.counters.drop(DropReason.UNREACHABLE, s.inFlight);
            s.inFlight = 0;
        }
        dropRing(s);
    }

    /**
     * Gives up every batch unacknowledged for the ack timeout: counts its frames {@code unreachable} for their
     * entries (those of entries given up already are counted) and frees its credit, and halves the window. Its
     * array is not reused (Artery may still hold it); an acknowledgement that comes after all finds no sequence and
     * is counted late.
     */
    private void expire(long now) {
        for (int i = 0; i < inFlightCount; i++) {
            final InFlight batch = inFlight[i];
            if (now - batch.sentNs < ackTimeoutNs) {
                continue;
            }
            int frames = 0;
            for (int segment = 0; segment < batch.segments; segment++) {
                final Served s = batch.from[segment];
                batch.from[segment] = null;
                if (!s.down) {
                    frames += batch.frames[segment];
                    s.counters.drop(DropReason.UNREACHABLE, batch.frames[segment]);
                    s.inFlight -= batch.frames[segment];
                }
            }
            stats.timedOut(frames);
            // The node did not answer in time: it may be congested, and whatever is sent now may queue in Artery.
            window = Math.max(1, window / 2);
            freeSlot(i);
            i--;
        }
    }

    /**
     * Frees the credit of every unacknowledged batch whose segments all belong to entries already counted
     * {@code unreachable}: its ack may never come (a lost batch would otherwise hold a credit of the node for good).
     * A late ack then finds no sequence and changes nothing; the array is not reused (Artery may still hold it).
     */
    private void abandonCountedBatches() {
        for (int i = 0; i < inFlightCount; i++) {
            final InFlight batch = inFlight[i];
            boolean counted = true;
            for (int segment = 0; segment < batch.segments && counted; segment++) {
                counted = batch.from[segment].down;
            }
            if (counted) {
                for (int segment = 0; segment < batch.segments; segment++) {
                    batch.from[segment] = null;
                }
                stats.abandon();
                freeSlot(i);
                i--;
            }
        }
    }

    /** Frees the credit of in-flight slot {@code i} (the last slot moves into it) and forgets its batch's array. */
    private void freeSlot(int i) {
        final InFlight batch = inFlight[i];
        batch.bytes = null;
        batch.segments = 0;
        inFlightCount--;
        inFlight[i] = inFlight[inFlightCount];
        inFlight[inFlightCount] = batch;
    }

    /** Drops at most one ring's worth per call, so that producers still filling it cannot keep the link busy. */
    private void dropRing(Served s) {
        int n;
        int budget = s.entry.ring().capacity();
        while (budget > 0 && (n = s.entry.ring().drain(handles, 0, Math.min(handles.length, budget))) > 0) {
            budget -= n;
            s.counters.add(PathCounters.Counter.RECEIVED, n);
            s.counters.drop(DropReason.UNREACHABLE, n);
            FramePool.releaseAll(handles, 0, n);
        }
    }

    private Served find(CpuMapEntry entry) {
        for (int i = 0; i < servedCount; i++) {
            if (served[i].entry == entry) {
                return served[i];
            }
        }
        return null;
    }
}
