package dev.steer.actors;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Supplier;

import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

import dev.steer.engine.frame.FramePool;
import dev.steer.engine.map.Capabilities;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuMapEntry;
import dev.steer.engine.map.EntryLifecycle;
import dev.steer.engine.path.EngineWarning;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;
import dev.steer.engine.stats.PathStats;

/**
 * The {@link EntryLifecycle} of the map supervisor, by quiescence barrier instead of RCU and refcounts: it starts
 * one consumer actor per new entry and retires a replaced or deleted one in four steps: (1) the new snapshot is
 * already published when the map returns; (2) a quiescence barrier: every producer the supervisor names, and every
 * consumer that can write into a ring (one with a remote program, or a remote consumer), acknowledges it between two
 * units of work, after which none of them can reach the old entry; (3) drain-then-stop: the old consumer delivers
 * every frame in its ring and stops; (4) its termination is watched, and its counters are folded into the key's
 * totals. A consumer that stops unexpectedly is respawned on the same ring, at most {@link #MAX_RESPAWNS} times
 * within {@link #RESPAWN_WINDOW}; then the entry is deleted and, once no producer can reach it, its frames are
 * reclaimed and counted as {@link DropReason#CONSUMER_FAILED} in a {@code supervisor} row.
 *
 * <p>Thread contract: the supervisor's actor thread only; it spawns and watches in the supervisor's context, and
 * the messages it has the supervisor watch for ({@link Acknowledged}, {@link ConsumerStopped}) come back to it.
 */
final class BarrierLifecycle implements EntryLifecycle {
    /** A participant's acknowledgement of a barrier, adapted into the supervisor's protocol. */
    record Acknowledged(DataPath.Quiesced ack) implements MapSupervisor.Command {
    }

    /** A consumer actor has terminated. */
    record ConsumerStopped(CpuMapEntry entry, ActorRef<DataPath.Command> ref) implements MapSupervisor.Command {
    }

    /** The timeout of the {@link MapSupervisor.AwaitRetired} wait {@code id} of {@code replyTo} has passed. */
    record RetiredWaitExpired(ActorRef<MapSupervisor.Retired> replyTo, long id) implements MapSupervisor.Command {
    }

    /** A wait for the entries in {@code waitFor}, dropped by {@code expiry} if they have not all been released. */
    private record RetiredWaiter(long id, Set<CpuMapEntry> waitFor, Cancellable expiry) {
    }

    /** A quiescence barrier waiting for acknowledgements, and the entries it retires. */
    private record Barrier(long epoch, Set<ActorRef<DataPath.Command>> waiting, List<CpuMapEntry> entries) {
    }

    /**
     * Respawns within {@link #RESPAWN_WINDOW} of one entry's consumer after unexpected stops before the entry is given
     * up: a window, as Pekko's restart limit, so that a long-lived entry with a failure now and then is kept.
     */
    static final int MAX_RESPAWNS = 10;
    static final Duration RESPAWN_WINDOW = Duration.ofMinutes(1);

    /**
     * The respawns of one entry's consumer in the window that began with the first of them; a respawn after the window
     * has passed begins a new one.
     */
    private static final class Respawns {
        private long windowStart;
        private int count;

        /** Counts a respawn at {@code now} (nanoTime); false when it is one past {@link #MAX_RESPAWNS} in the window. */
        boolean allow(long now, long windowNanos) {
            if (count == 0 || now - windowStart > windowNanos) {
                windowStart = now;
                count = 0;
            }
            return ++count <= MAX_RESPAWNS;
        }
    }

    /** {@link MapSupervisor.AwaitRetired} waits held at once; one beyond them is refused. */
    static final int MAX_RETIRED_WAITERS = 1024;

    static final String PINNED_DISPATCHER = "steer.pinned-dispatcher";

    private final ActorContext<MapSupervisor.Command> context;
    private final SteerEngine.Builder config;
    private final Supplier<List<DataPath.Participant>> producers;
    private final CpuMap map;
    private final Map<CpuMapEntry, DataPath.Participant> consumers = new IdentityHashMap<>();
    private final Set<CpuMapEntry> draining = Collections.newSetFromMap(new IdentityHashMap<>());
    private final PathStats[] retiredByKey;
    private final List<CpuMapEntry> pendingRetire = new ArrayList<>();
    private final Map<Long, Barrier> barriers = new LinkedHashMap<>();
    private final ActorRef<DataPath.Quiesced> ackAdapter;
    private final Map<CpuMapEntry, Respawns> respawns = new IdentityHashMap<>();
    private final Set<CpuMapEntry> failed = Collections.newSetFromMap(new IdentityHashMap<>());
    private final PathCounters reclaimed;
    /** The keys the default handler of a consumer has warned about: once per key for the engine's life. */
    private final AtomicIntegerArray defaultHandlerWarned;
    /** Entries the map has retired and that are not released yet (pending, in a barrier, draining, given up). */
    private final Set<CpuMapEntry> retiring = Collections.newSetFromMap(new IdentityHashMap<>());
    /**
     * Who waits for which of {@link #retiring} (a copy taken when asked): answered once it is empty, or dropped at its
     * timeout; at most {@link #MAX_RETIRED_WAITERS}.
     */
    private final Map<ActorRef<MapSupervisor.Retired>, RetiredWaiter> retiredWaiters = new LinkedHashMap<>();
    private long retiredWaiterIds;
    private long epoch;

    /**
     * Creates the map with this lifecycle as its owner: the map calls {@link #start} and {@link #retire} back, so
     * the two are made together.
     *
     * @param producers the live producers (ingresses, attached producers) every barrier must also wait for
     */
    BarrierLifecycle(ActorContext<MapSupervisor.Command> context, SteerEngine.Builder config,
                     Supplier<List<DataPath.Participant>> producers) {
        this.context = context;
        this.config = config;
        this.producers = producers;
        this.ackAdapter = context.messageAdapter(DataPath.Quiesced.class, Acknowledged::new);
        final CpuMap.Creation creation = CpuMap.create(config.maxEntries(), 0, config.cpus(), Capabilities.admin(), this);
        if (!creation.result().isOk()) {
            throw new IllegalStateException("cannot create the map: " + creation.result() + " ("
                + creation.result().description() + ")");
        }
        this.map = creation.map();
        this.retiredByKey = new PathStats[map.maxEntries()];
        this.reclaimed = new PathCounters("supervisor", map.maxEntries());
        this.defaultHandlerWarned = DefaultConsumerHandler.newWarnedKeys(map.maxEntries());
    }

    /** The map whose entries this lifecycle runs. */
    CpuMap map() {
        return map;
    }

    @Override
    public boolean start(CpuMapEntry entry) {
        try {
            // The consumer builds its own program instance on its thread; try it here first, so that a remote
            // program whose per-thread instance cannot be had fails the update (ENOMEM) instead of every spawn.
            entry.remoteInstance();
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
                // Steer's condition, not user code's: a warning without a stack trace, worded as start() words it.
                throw new EngineWarning("entry " + entry.key() + ": located on node '"
                    + entry.value().location().node() + "', but no remoteConsumers factory is set to forward its"
                    + " frames there (the cluster layer sets one): the update answers ENOMEM");
            }
            final ActorRef<DataPath.Command> ref = context.spawn(
                config.remoteConsumers().create(entry, signal), "forwarder-" + entry.key() + "-" + entry.generation()
                    + "-" + System.nanoTime(), DispatcherSelector.defaultDispatcher());
            context.watchWith(ref, new ConsumerStopped(entry, ref));
            consumers.put(entry, new DataPath.Participant(name, ref, signal));
            return;
        }
        final ConsumerActor.Settings settings = new ConsumerActor.Settings(entry, map,
            DefaultConsumerHandler.forConsumer(config.handler(), config.errorHandler(), entry.counters(), entry.key(),
                defaultHandlerWarned),
            config.consumerBatch(), config.idleMode(), config.pinning(), config.consumerFailure(),
            config.errorHandler(), signal, ConsumerActor.PARK_NANOS);
        final ActorRef<DataPath.Command> ref = context.spawn(ConsumerActor.create(settings),
            name + "-" + System.nanoTime(), DispatcherSelector.fromConfig(PINNED_DISPATCHER));
        context.watchWith(ref, new ConsumerStopped(entry, ref));
        consumers.put(entry, new DataPath.Participant(name, ref, signal));
    }

    @Override
    public void retire(CpuMapEntry entry) {
        pendingRetire.add(entry);
        retiring.add(entry);
    }

    /**
     * Answers {@code replyTo} once every entry retired so far has been released (at once when none is retiring), or
     * with {@code TIMED_OUT} after {@code timeout}, when the wait is dropped; at once with {@code REFUSED} when
     * {@link #MAX_RETIRED_WAITERS} waits are held already. One wait per asker: a second request of the same ref before
     * the first was answered replaces it and waits for the entries retiring now, which include the first one's.
     */
    void awaitRetired(ActorRef<MapSupervisor.Retired> replyTo, Duration timeout) {
        if (retiring.isEmpty()) {
            replyTo.tell(new MapSupervisor.Retired(MapSupervisor.Retired.Outcome.RETIRED));
            return;
        }
        final RetiredWaiter previous = retiredWaiters.get(replyTo);
        if (previous == null && retiredWaiters.size() >= MAX_RETIRED_WAITERS) {
            replyTo.tell(new MapSupervisor.Retired(MapSupervisor.Retired.Outcome.REFUSED));
            return;
        }
        if (previous != null) {
            previous.expiry().cancel();
        }
        final Set<CpuMapEntry> waitFor = Collections.newSetFromMap(new IdentityHashMap<>());
        waitFor.addAll(retiring);
        final long id = ++retiredWaiterIds;
        final Cancellable expiry = context.scheduleOnce(timeout, context.getSelf(), new RetiredWaitExpired(replyTo, id));
        retiredWaiters.put(replyTo, new RetiredWaiter(id, waitFor, expiry));
    }

    /** Drops the wait whose timeout has passed, answering it {@code TIMED_OUT}; nothing if it was answered or replaced. */
    void onRetiredWaitExpired(RetiredWaitExpired expired) {
        final RetiredWaiter waiter = retiredWaiters.get(expired.replyTo());
        if (waiter != null && waiter.id() == expired.id()) {
            retiredWaiters.remove(expired.replyTo());
            expired.replyTo().tell(new MapSupervisor.Retired(MapSupervisor.Retired.Outcome.TIMED_OUT));
        }
    }

    /** Waiters of {@link #awaitRetired} not answered yet. */
    int retiredWaiters() {
        return retiredWaiters.size();
    }

    /** Starts a barrier for the entries the map has retired since the last one; after every map operation. */
    void startBarrierIfNeeded() {
        if (pendingRetire.isEmpty()) {
            return;
        }
        // A HashSet, not identity: the ref an actor sends as itself is a different object that equals its spawn ref.
        final Barrier barrier = new Barrier(++epoch, new HashSet<>(), List.copyOf(pendingRetire));
        pendingRetire.clear();
        final List<DataPath.Participant> participants = new ArrayList<>();
        consumers.forEach((entry, consumer) -> {
            if (writesIntoRings(entry)) {
                participants.add(consumer);
            }
        });
        participants.addAll(producers.get());
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

    /**
     * Whether the consumer of {@code entry} can write into an entry's ring and so takes part in barriers: a local one
     * only through its remote program's REDIRECT; one made by the remote consumer factory is taken to, since the
     * supervisor cannot see what it does (a cluster forwarder answers at once). Waiting for any other would protect
     * nothing (its own retirement is drain-then-stop) and would let one stuck handler hold up every retirement.
     */
    private static boolean writesIntoRings(CpuMapEntry entry) {
        return entry.isRemote() || entry.value().hasRemoteProgram();
    }

    void onAcknowledged(Acknowledged acknowledged) {
        final Barrier barrier = barriers.get(acknowledged.ack().epoch());
        if (barrier != null) {
            barrier.waiting().remove(acknowledged.ack().from());
            if (barrier.waiting().isEmpty()) {
                completeBarrier(barrier);
            }
        }
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

    /** @return false when the stopped actor is no longer the entry's consumer (one respawned since), and nothing changed */
    boolean onConsumerStopped(ConsumerStopped stopped) {
        final DataPath.Participant participant = consumers.get(stopped.entry());
        if (participant == null || !participant.ref().equals(stopped.ref())) {
            return false;
        }
        final CpuMapEntry entry = stopped.entry();
        consumers.remove(entry);
        if (draining.contains(entry) && entry.ring().isEmpty()) {
            draining.remove(entry);
            release(entry);
        } else if (respawns.computeIfAbsent(entry, e -> new Respawns())
            .allow(System.nanoTime(), config.respawnWindow().toNanos())) {
            // Failed past its restart limit, or died while draining: the ring must keep a consumer until it is
            // empty, so start a fresh one on it (already draining if the entry is retiring).
            report(participant.name(), "consumer stopped unexpectedly; starting a new one on the same ring");
            spawnConsumer(entry);
            if (draining.contains(entry)) {
                consumers.get(entry).send(DataPath.Stop.INSTANCE);
            }
        } else {
            report(participant.name(), "consumer failed " + MAX_RESPAWNS + " respawns within "
                + config.respawnWindow() + "; the entry is removed and its frames are returned and counted as"
                + " consumer_failed");
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
        // Last: the stop may be the answer a barrier was waiting for, and completing it must find the entry's new
        // consumer (to stop it if the entry is retiring) or its failed mark (to reclaim the ring).
        forgetParticipant(stopped.ref());
        return true;
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
        retiredByKey[key] = retiredByKey[key] == null ? last.renamed("key-" + key) : retiredByKey[key].plus(last);
        respawns.remove(entry);
        if (retiring.remove(entry) && !retiredWaiters.isEmpty()) {
            retiredWaiters.entrySet().removeIf(waiter -> {
                final Set<CpuMapEntry> waitFor = waiter.getValue().waitFor();
                waitFor.remove(entry);
                if (waitFor.isEmpty()) {
                    waiter.getValue().expiry().cancel();
                    waiter.getKey().tell(new MapSupervisor.Retired(MapSupervisor.Retired.Outcome.RETIRED));
                    return true;
                }
                return false;
            });
        }
    }

    /** A participant that has stopped can no longer reach anything: it counts as acknowledged everywhere. */
    void forgetParticipant(ActorRef<DataPath.Command> ref) {
        for (Barrier barrier : List.copyOf(barriers.values())) {
            if (barrier.waiting().remove(ref) && barrier.waiting().isEmpty()) {
                completeBarrier(barrier);
            }
        }
    }

    /** Whether every entry has been released: no consumer runs, no barrier waits, no given-up ring is unreclaimed. */
    boolean allReleased() {
        return consumers.isEmpty() && barriers.isEmpty() && failed.isEmpty();
    }

    /** Reports a condition of Steer's own, {@code message}, as an {@link EngineWarning}. */
    void report(String where, String message) {
        report(where, new EngineWarning(message));
    }

    /** Reports to the error handler; its own failure is counted and must not take the supervisor down. */
    void report(String where, Throwable error) {
        try {
            config.errorHandler().onError(where, error);
        } catch (Throwable handlerFailure) {
            reclaimed.increment(PathCounters.Counter.ERROR_HANDLER_FAILURES);
        }
    }

    private static PathStats plusLive(PathStats totals, CpuMapEntry entry) {
        final PathStats live = entry.counters().snapshot(PathStats.Kind.CONSUMER, entry.key());
        return totals == null ? live.renamed("key-" + entry.key()) : totals.plus(live);
    }

    /** One row per key that has had an entry (released, live and given-up ones), then the supervisor's if it dropped or failed a report. */
    List<PathStats> consumerRows() {
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
        // Shown when it has anything to show: frames it reclaimed and dropped, or reports its error handler failed.
        if (supervisor.droppedTotal() > 0 || supervisor.get(PathCounters.Counter.ERROR_HANDLER_FAILURES) > 0) {
            consumerRows.add(supervisor);
        }
        return consumerRows;
    }
}
