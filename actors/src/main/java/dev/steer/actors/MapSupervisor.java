package dev.steer.actors;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

import dev.steer.engine.frame.FramePool;
import dev.steer.engine.map.Capabilities;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuMapEntry;
import dev.steer.engine.map.EntryLifecycle;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.path.Feed;
import dev.steer.engine.path.IngressPath;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters;
import dev.steer.engine.stats.PathStats;
import dev.steer.engine.stats.PoolStats;

/**
 * Owns the {@link CpuMap} and everything that runs on it: the ingress actors, one consumer actor per entry,
 * and the lifecycle that replaces the kernel's RCU grace periods and refcounts.
 *
 * <p>A replaced or deleted entry is retired in four steps: (1) the new snapshot is already published when
 * the map returns; (2) a quiescence barrier: every ingress and consumer acknowledges it between two units
 * of work, after which none of them can reach the old entry; (3) drain-then-stop: the old consumer delivers
 * every frame in its ring and stops; (4) its termination is watched, and its counters are folded into the
 * key's totals. {@link Shutdown} stops the ingresses first, then closes the map, which runs the same steps
 * for every entry, and replies with the final stats.
 *
 * <p>Map operations are typed messages whose replies carry the contract's {@link MapResult}; the supervisor
 * is the only writer of the map, so operations are applied one at a time, in arrival order.
 */
public final class MapSupervisor extends AbstractBehavior<MapSupervisor.Command> implements EntryLifecycle {
    /** The supervisor's protocol. */
    public interface Command {
    }

    /**
     * Creates or replaces the entry of {@code key}; replies with the contract's result.
     *
     * @param key     the CPU
     * @param value   qsize (0 deletes) and optional remote program
     * @param flags   {@link CpuMap#ANY}, {@link CpuMap#NOEXIST} or {@link CpuMap#EXIST}
     * @param replyTo receives the result
     */
    public record Update(int key, EntryValue value, long flags, ActorRef<MapReply> replyTo) implements Command {
    }

    /** Empties the slot of {@code key}; replies with the result. */
    public record Delete(int key, ActorRef<MapReply> replyTo) implements Command {
    }

    /** Looks up {@code key}; replies with its value or none. */
    public record Lookup(int key, ActorRef<LookupReply> replyTo) implements Command {
    }

    /** Asks for the key after {@code key} ({@link CpuMap#NO_KEY} for the first). */
    public record NextKey(int key, ActorRef<NextKeyReply> replyTo) implements Command {
    }

    /** Asks for a statistics snapshot. */
    public record GetStats(ActorRef<EngineStats> replyTo) implements Command {
    }

    /** Asks whether every feed has ended. */
    public record GetFeedsEnded(ActorRef<Boolean> replyTo) implements Command {
    }

    /** Stops feeds, drains and stops every entry, then replies with the final stats and stops. */
    public record Shutdown(ActorRef<EngineStats> replyTo) implements Command {
    }

    /**
     * Adds a producer that is not an ingress, such as a cluster node's frame receiver: it takes part in every
     * quiescence barrier (so it must acknowledge {@link DataPath.Quiesce} between two units of work and read
     * the map snapshot afresh after), its counters are reported as an ingress row (its RECEIVED are frames
     * entering this node), its pool is reported and closed at shutdown, and {@link Shutdown} stops it (with
     * {@link DataPath.Stop}) before the map is closed. The supervisor watches it.
     *
     * @param name     name of the producer, for errors
     * @param ref      the producer actor
     * @param counters its counters, written by it only
     * @param pool     the pool it leases frames from, or null
     */
    public record AttachProducer(String name, ActorRef<DataPath.Command> ref, PathCounters counters, FramePool pool)
        implements Command {
    }

    /** Result of an update or delete. */
    public record MapReply(MapResult result) {
    }

    /** Result of a lookup: the value, or null when the key has none. */
    public record LookupReply(EntryValue value) {
    }

    /** Result of a next-key request. */
    public record NextKeyReply(MapResult result, int key) {
    }

    private record Acknowledged(DataPath.Quiesced ack) implements Command {
    }

    private record ConsumerStopped(CpuMapEntry entry, ActorRef<DataPath.Command> ref) implements Command {
    }

    private record IngressStopped(int index) implements Command {
    }

    private record AttachedStopped(ActorRef<DataPath.Command> ref) implements Command {
    }

    private record IngressEnded(IngressActor.FeedEnded ended) implements Command {
    }

    /** A quiescence barrier waiting for acknowledgements, and the entries it retires. */
    private record Barrier(long epoch, Set<ActorRef<DataPath.Command>> waiting, List<CpuMapEntry> entries) {
    }

    private static final class Ingress {
        final IngressPath path;
        final FramePool pool;
        final IngressActor.Settings settings;
        DataPath.Participant participant;
        boolean ended;

        Ingress(IngressPath path, FramePool pool, IngressActor.Settings settings) {
            this.path = path;
            this.pool = pool;
            this.settings = settings;
        }
    }

    /** A producer added with {@link AttachProducer}. */
    private static final class Attached {
        final AttachProducer producer;
        DataPath.Participant participant;

        Attached(AttachProducer producer) {
            this.producer = producer;
            this.participant = new DataPath.Participant(producer.name(), producer.ref(), new ControlSignal());
        }
    }

    private static final String PINNED_DISPATCHER = "steer.pinned-dispatcher";

    private final SteerEngine.Builder config;
    private final CpuMap map;
    private final List<Ingress> ingresses = new ArrayList<>();
    private final List<Attached> attached = new ArrayList<>();
    private final Map<CpuMapEntry, DataPath.Participant> consumers = new IdentityHashMap<>();
    private final Set<CpuMapEntry> draining = Collections.newSetFromMap(new IdentityHashMap<>());
    private final PathStats[] retiredByKey;
    private final List<CpuMapEntry> pendingRetire = new ArrayList<>();
    private final Map<Long, Barrier> barriers = new LinkedHashMap<>();
    private final ActorRef<DataPath.Quiesced> ackAdapter;
    private final ActorRef<IngressActor.FeedEnded> endedAdapter;
    private final Map<CpuMapEntry, Integer> respawns = new IdentityHashMap<>();
    private final Set<CpuMapEntry> failed = Collections.newSetFromMap(new IdentityHashMap<>());
    private final PathCounters reclaimed;
    private final List<ActorRef<EngineStats>> shutdownReplyTos = new ArrayList<>();
    private long epoch;
    private boolean shuttingDown;
    private boolean mapClosed;

    /** Respawns of one entry's consumer after unexpected stops before the entry is given up. */
    static final int MAX_RESPAWNS = 10;

    /** The supervisor of an engine built from a concluded builder; starts everything in its setup. */
    static Behavior<Command> create(SteerEngine.Builder config, SteerEngine.Shared shared) {
        return Behaviors.setup(context -> {
            try {
                return new MapSupervisor(context, config, shared);
            } catch (RuntimeException ex) {
                config.startFailure(ex);
                throw ex;
            }
        });
    }

    private MapSupervisor(ActorContext<Command> context, SteerEngine.Builder config, SteerEngine.Shared shared) {
        super(context);
        this.config = config;
        this.ackAdapter = context.messageAdapter(DataPath.Quiesced.class, Acknowledged::new);
        this.endedAdapter = context.messageAdapter(IngressActor.FeedEnded.class, IngressEnded::new);
        final CpuMap.Creation creation = CpuMap.create(config.maxEntries(), 0, config.cpus(), Capabilities.admin(), this);
        if (!creation.result().isOk()) {
            throw new IllegalStateException("cannot create the map: " + creation.result() + " ("
                + creation.result().description() + ")");
        }
        this.map = creation.map();
        shared.map = map;
        this.retiredByKey = new PathStats[map.maxEntries()];
        this.reclaimed = new PathCounters("supervisor", map.maxEntries());
        for (Map.Entry<Integer, EntryValue> entry : config.entries().entrySet()) {
            final MapResult result = map.update(entry.getKey(), entry.getValue(), CpuMap.ANY);
            if (!result.isOk()) {
                throw new IllegalStateException("cannot create the entry of key " + entry.getKey() + ": " + result
                    + " (" + result.description() + ")");
            }
        }
        // Every ingress' pool and path first (user code and direct memory, either of which can fail), then the
        // actors: a start that fails closes the pools it made, which no ingress thread can be using yet.
        final List<Feed> feeds = config.feeds();
        try {
            for (int i = 0; i < feeds.size(); i++) {
                ingresses.add(prepareIngress(i, feeds.get(i)));
            }
        } catch (RuntimeException ex) {
            ingresses.forEach(ingress -> ingress.pool.close());
            throw ex;
        }
        for (int i = 0; i < ingresses.size(); i++) {
            spawnIngress(i, ingresses.get(i));
        }
    }

    private Ingress prepareIngress(int index, Feed feed) {
        final String name = "ingress-" + index;
        final FramePool pool = new FramePool(new FramePool.Context().id(name + "-pool")
            .frameCount(config.poolFrames()).frameSize(config.frameSize()).headroom(config.headroom()));
        try {
            final PathCounters counters = new PathCounters(name, map.maxEntries());
            final IngressPath path = new IngressPath(index + 1, 0, pool, config.program(), map, config.localHandler(),
                config.passBatch(), config.budget(), config.lossless(), counters, config.errorHandler()::onError);
            final int[] cpus = config.ingressCpus();
            final IngressActor.Settings settings = new IngressActor.Settings(path, feed, cpus[index % cpus.length],
                config.pinning(), config.idleMode(), config.errorHandler(), new ControlSignal(), endedAdapter,
                new AtomicBoolean(), config.feedRestarts());
            return new Ingress(path, pool, settings);
        } catch (RuntimeException ex) {
            pool.close();
            throw new IllegalStateException(name + ": " + ex.getMessage(), ex);
        }
    }

    private void spawnIngress(int index, Ingress ingress) {
        final String name = ingress.path.counters().name();
        final ActorRef<DataPath.Command> ref = getContext().spawn(IngressActor.create(ingress.settings), name,
            DispatcherSelector.fromConfig(PINNED_DISPATCHER));
        getContext().watchWith(ref, new IngressStopped(index));
        ingress.participant = new DataPath.Participant(name, ref, ingress.settings.signal());
    }

    @Override
    public boolean start(CpuMapEntry entry) {
        try {
            // The consumer builds its own program instance on its thread; try it here first, so that a remote
            // program whose per-thread instance cannot be had fails the update (ENOMEM) instead of every spawn.
            if (entry.value().remoteProgram() != null) {
                entry.value().remoteProgram().forIngress();
            }
            spawnConsumer(entry);
            return true;
        } catch (Throwable ex) {
            // User code (an AssertionError in forIngress, say) must not take the supervisor, the guardian, down.
            report("supervisor", ex);
            return false;
        }
    }

    private void spawnConsumer(CpuMapEntry entry) {
        final String name = "consumer-" + entry.key() + "-" + entry.generation();
        final ControlSignal signal = new ControlSignal();
        if (entry.isRemote()) {
            if (config.remoteConsumers() == null) {
                throw new IllegalStateException("entry " + entry.key() + " is located on node "
                    + entry.value().location().node() + " but the engine has no remote consumer factory");
            }
            final ActorRef<DataPath.Command> ref = getContext().spawn(
                config.remoteConsumers().create(entry, signal), "forwarder-" + entry.key() + "-" + entry.generation()
                    + "-" + System.nanoTime(), DispatcherSelector.defaultDispatcher());
            getContext().watchWith(ref, new ConsumerStopped(entry, ref));
            consumers.put(entry, new DataPath.Participant(name, ref, signal));
            return;
        }
        final ConsumerActor.Settings settings = new ConsumerActor.Settings(entry, map, config.handler(),
            config.consumerBatch(), config.idleMode(), config.pinning(), config.consumerFailure(),
            config.errorHandler(), signal, ConsumerActor.PARK_NANOS);
        final ActorRef<DataPath.Command> ref = getContext().spawn(ConsumerActor.create(settings),
            name + "-" + System.nanoTime(), DispatcherSelector.fromConfig(PINNED_DISPATCHER));
        getContext().watchWith(ref, new ConsumerStopped(entry, ref));
        consumers.put(entry, new DataPath.Participant(name, ref, signal));
    }

    @Override
    public void retire(CpuMapEntry entry) {
        pendingRetire.add(entry);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
            .onMessage(Update.class, this::onUpdate)
            .onMessage(Delete.class, this::onDelete)
            .onMessage(Lookup.class, m -> {
                m.replyTo().tell(new LookupReply(map.lookup(m.key())));
                return this;
            })
            .onMessage(NextKey.class, m -> {
                final CpuMap.NextKey next = map.nextKey(m.key());
                m.replyTo().tell(new NextKeyReply(next.result(), next.key()));
                return this;
            })
            .onMessage(GetStats.class, m -> {
                m.replyTo().tell(stats());
                return this;
            })
            .onMessage(GetFeedsEnded.class, m -> {
                m.replyTo().tell(ingresses.stream().allMatch(i -> i.ended || i.participant == null));
                return this;
            })
            .onMessage(Shutdown.class, this::onShutdown)
            .onMessage(AttachProducer.class, this::onAttach)
            .onMessage(AttachedStopped.class, this::onAttachedStopped)
            .onMessage(Acknowledged.class, this::onAcknowledged)
            .onMessage(ConsumerStopped.class, this::onConsumerStopped)
            .onMessage(IngressStopped.class, this::onIngressStopped)
            .onMessage(IngressEnded.class, m -> {
                ingresses.stream().filter(i -> i.path.counters().name().equals(m.ended().name()))
                    .forEach(i -> i.ended = true);
                return this;
            })
            .build();
    }

    private Behavior<Command> onUpdate(Update update) {
        update.replyTo().tell(new MapReply(map.update(update.key(), update.value(), update.flags())));
        startBarrierIfNeeded();
        return this;
    }

    private Behavior<Command> onDelete(Delete delete) {
        delete.replyTo().tell(new MapReply(map.delete(delete.key())));
        startBarrierIfNeeded();
        return this;
    }

    private void startBarrierIfNeeded() {
        if (pendingRetire.isEmpty()) {
            return;
        }
        // A HashSet, not identity: the ref an actor sends as itself is a different object that equals its spawn ref.
        final Barrier barrier = new Barrier(++epoch, new HashSet<>(), List.copyOf(pendingRetire));
        pendingRetire.clear();
        final List<DataPath.Participant> participants = new ArrayList<>(consumers.values());
        for (Ingress ingress : ingresses) {
            if (ingress.participant != null) {
                participants.add(ingress.participant);
            }
        }
        for (Attached producer : attached) {
            if (producer.participant != null) {
                participants.add(producer.participant);
            }
        }
        barriers.put(barrier.epoch(), barrier);
        for (DataPath.Participant participant : participants) {
            barrier.waiting().add(participant.ref());
        }
        for (DataPath.Participant participant : participants) {
            participant.send(new DataPath.Quiesce(barrier.epoch(), ackAdapter));
        }
        if (barrier.waiting().isEmpty()) {
            completeBarrier(barrier);
        }
    }

    private Behavior<Command> onAcknowledged(Acknowledged acknowledged) {
        final Barrier barrier = barriers.get(acknowledged.ack().epoch());
        if (barrier != null) {
            barrier.waiting().remove(acknowledged.ack().from());
            if (barrier.waiting().isEmpty()) {
                completeBarrier(barrier);
            }
        }
        return finishShutdownIfDone();
    }

    /** Every participant has passed a quiescence point: no one can reach the retired entries now. */
    private void completeBarrier(Barrier barrier) {
        barriers.remove(barrier.epoch());
        for (CpuMapEntry entry : barrier.entries()) {
            final DataPath.Participant consumer = consumers.get(entry);
            if (consumer != null && draining.add(entry)) {
                consumer.send(DataPath.Stop.INSTANCE);
            } else if (consumer == null && failed.remove(entry)) {
                // Its consumer was given up; now that no producer can reach the ring, return what it holds.
                reclaim(entry);
            }
        }
    }

    private Behavior<Command> onConsumerStopped(ConsumerStopped stopped) {
        final DataPath.Participant participant = consumers.get(stopped.entry());
        if (participant == null || !participant.ref().equals(stopped.ref())) {
            return this;
        }
        final CpuMapEntry entry = stopped.entry();
        consumers.remove(entry);
        forgetParticipant(stopped.ref());
        if (draining.contains(entry) && entry.ring().isEmpty()) {
            draining.remove(entry);
            release(entry);
        } else if (respawns.merge(entry, 1, Integer::sum) <= MAX_RESPAWNS) {
            // Failed past its restart limit, or died while draining: the ring must keep a consumer until it is
            // empty, so start a fresh one on it (already draining if the entry is retiring).
            report(participant.name(), "consumer stopped unexpectedly; starting a new one on the same ring");
            spawnConsumer(entry);
            if (draining.contains(entry)) {
                consumers.get(entry).send(DataPath.Stop.INSTANCE);
            }
        } else {
            report(participant.name(), "consumer failed " + MAX_RESPAWNS + " respawns; the entry is removed and its"
                + " frames are returned and counted as consumer_failed");
            if (draining.remove(entry)) {
                reclaim(entry); // retiring: quiescence is already done
            } else {
                failed.add(entry);
                if (map.snapshot().entry(entry.key()) == entry) {
                    map.delete(entry.key());
                    startBarrierIfNeeded();
                } else {
                    reclaimIfRetired(entry);
                }
            }
        }
        return finishShutdownIfDone();
    }

    /** An entry that left the map but whose barrier has not completed keeps waiting for it; otherwise reclaim now. */
    private void reclaimIfRetired(CpuMapEntry entry) {
        for (Barrier barrier : barriers.values()) {
            if (barrier.entries().contains(entry)) {
                return;
            }
        }
        if (!pendingRetire.contains(entry) && failed.remove(entry)) {
            reclaim(entry);
        }
    }

    /** Supervisor as the ring's last consumer: returns every frame and counts them; then releases the entry. */
    private void reclaim(CpuMapEntry entry) {
        final int[] handles = new int[256];
        int n;
        while ((n = entry.ring().drain(handles, handles.length)) > 0) {
            reclaimed.drop(DropReason.CONSUMER_FAILED, n);
            FramePool.releaseAll(handles, 0, n);
        }
        release(entry);
    }

    /** Folds a stopped entry's counters into its key's totals. */
    private void release(CpuMapEntry entry) {
        final int key = entry.key();
        final PathStats last = entry.counters().snapshot(PathStats.Kind.CONSUMER, key);
        retiredByKey[key] = retiredByKey[key] == null ? last.renamed("cpu-" + key) : retiredByKey[key].plus(last);
        respawns.remove(entry);
    }

    private void report(String where, String message) {
        report(where, new IllegalStateException(message));
    }

    /** Reports to the error handler; its own failure is counted and must not take the supervisor down. */
    private void report(String where, Throwable error) {
        try {
            config.errorHandler().onError(where, error);
        } catch (Throwable handlerFailure) {
            reclaimed.increment(PathCounters.Counter.ERROR_HANDLER_FAILURES);
        }
    }

    private Behavior<Command> onIngressStopped(IngressStopped stopped) {
        final Ingress ingress = ingresses.get(stopped.index());
        final DataPath.Participant participant = ingress.participant;
        ingress.participant = null;
        if (participant != null) {
            if (!shuttingDown) {
                report(participant.name(), "ingress stopped: its feed failed " + (config.feedRestarts() + 1) + " times");
            }
            // An ingress that gave up never handled Stop: its feed is closed here, after its last poll.
            IngressActor.closeFeed(ingress.settings);
            forgetParticipant(participant.ref());
        }
        return finishShutdownIfDone();
    }

    /** A participant that has stopped can no longer reach anything: it counts as acknowledged everywhere. */
    private void forgetParticipant(ActorRef<DataPath.Command> ref) {
        for (Barrier barrier : List.copyOf(barriers.values())) {
            if (barrier.waiting().remove(ref) && barrier.waiting().isEmpty()) {
                completeBarrier(barrier);
            }
        }
    }

    private Behavior<Command> onAttach(AttachProducer attach) {
        final Attached producer = new Attached(attach);
        if (shuttingDown) {
            producer.participant.send(DataPath.Stop.INSTANCE);
        }
        attached.add(producer);
        attach.ref().tell(new DataPath.MapView(map::snapshot));
        getContext().watchWith(attach.ref(), new AttachedStopped(attach.ref()));
        return this;
    }

    private Behavior<Command> onAttachedStopped(AttachedStopped stopped) {
        for (Attached producer : attached) {
            if (producer.participant != null && producer.participant.ref().equals(stopped.ref())) {
                producer.participant = null;
                forgetParticipant(stopped.ref());
            }
        }
        return finishShutdownIfDone();
    }

    private Behavior<Command> onShutdown(Shutdown shutdown) {
        // Every caller gets the final stats, when the last entry has drained.
        shutdownReplyTos.add(shutdown.replyTo());
        if (shuttingDown) {
            return this;
        }
        shuttingDown = true;
        for (Ingress ingress : ingresses) {
            if (ingress.participant != null) {
                ingress.participant.send(DataPath.Stop.INSTANCE);
            }
        }
        for (Attached producer : attached) {
            if (producer.participant != null) {
                producer.participant.send(DataPath.Stop.INSTANCE);
            }
        }
        return finishShutdownIfDone();
    }

    private Behavior<Command> finishShutdownIfDone() {
        if (!shuttingDown || shutdownReplyTos.isEmpty()) {
            return this;
        }
        if (ingresses.stream().anyMatch(i -> i.participant != null)
            || attached.stream().anyMatch(a -> a.participant != null)) {
            return this;
        }
        if (!mapClosed) {
            mapClosed = true;
            map.close();
            startBarrierIfNeeded();
        }
        if (!consumers.isEmpty() || !barriers.isEmpty() || !failed.isEmpty()) {
            return this;
        }
        final EngineStats last = stats();
        for (Ingress ingress : ingresses) {
            if (!ingress.pool.close()) {
                report(ingress.pool.name(), "pool still has frames out at shutdown; it stays open: "
                    + PoolStats.of(ingress.pool));
            }
        }
        for (Attached producer : attached) {
            final FramePool pool = producer.producer.pool();
            if (pool != null && !pool.close()) {
                report(pool.name(), "pool still has frames out at shutdown; it stays open: " + PoolStats.of(pool));
            }
        }
        shutdownReplyTos.forEach(replyTo -> replyTo.tell(last));
        shutdownReplyTos.clear();
        return Behaviors.stopped();
    }

    private static PathStats plusLive(PathStats totals, CpuMapEntry entry) {
        final PathStats live = entry.counters().snapshot(PathStats.Kind.CONSUMER, entry.key());
        return totals == null ? live.renamed("cpu-" + entry.key()) : totals.plus(live);
    }

    /**
     * Live stats, read while the data path runs. The consumers are read before the ingresses: a frame is received
     * at an ingress before a consumer delivers or drops it, and counters only grow, so every frame this snapshot
     * counts as ended is in its received count too, and its in flight is never negative.
     */
    private EngineStats stats() {
        final PathStats[] byKey = retiredByKey.clone();
        // Live entries, and entries whose consumer was given up and whose frames wait to be reclaimed: what their
        // consumers delivered before they failed is part of the accounting until release() folds it in.
        for (CpuMapEntry entry : consumers.keySet()) {
            byKey[entry.key()] = plusLive(byKey[entry.key()], entry);
        }
        for (CpuMapEntry entry : failed) {
            byKey[entry.key()] = plusLive(byKey[entry.key()], entry);
        }
        final List<PathStats> consumerRows = new ArrayList<>();
        for (PathStats row : byKey) {
            if (row != null) {
                consumerRows.add(row);
            }
        }
        final PathStats supervisor = reclaimed.snapshot(PathStats.Kind.CONSUMER, -1);
        if (supervisor.droppedTotal() > 0) {
            consumerRows.add(supervisor);
        }
        final List<PathStats> ingressRows = new ArrayList<>();
        final List<PoolStats> pools = new ArrayList<>();
        for (Ingress ingress : ingresses) {
            ingressRows.add(ingress.path.counters().snapshot(PathStats.Kind.INGRESS, -1));
            pools.add(PoolStats.of(ingress.pool));
        }
        for (Attached producer : attached) {
            ingressRows.add(producer.producer.counters().snapshot(PathStats.Kind.INGRESS, -1));
            if (producer.producer.pool() != null) {
                pools.add(PoolStats.of(producer.producer.pool()));
            }
        }
        return EngineStats.of(ingressRows, consumerRows, pools, map.snapshot().size(), map.snapshot().version());
    }
}
