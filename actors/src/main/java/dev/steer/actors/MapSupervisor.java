package dev.steer.actors;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

import dev.steer.engine.frame.FramePool;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters;
import dev.steer.engine.stats.PathStats;
import dev.steer.engine.stats.PoolStats;

/**
 * Owns the {@link CpuMap} and everything that runs on it: the ingress actors, one consumer actor per entry,
 * and the lifecycle that replaces the kernel's RCU grace periods and refcounts.
 *
 * <p>A replaced or deleted entry is retired in four steps: (1) the new snapshot is already published when
 * the map returns; (2) a quiescence barrier: every ingress and attached producer, and every consumer that can
 * write into a ring, acknowledges it between two units of work, after which none of them can reach the old
 * entry; (3) drain-then-stop: the old consumer delivers every frame in its ring and stops; (4) its termination
 * is watched, and its counters are folded into the key's totals. The consumers and those steps are the
 * package-private {@code BarrierLifecycle}'s, the producers (ingresses and attached producers) the package-private
 * {@code Producers}'; this class answers the protocol and orders shutdown.
 * {@link Shutdown} stops the producers first, then closes the map, which runs the same steps for every entry,
 * and replies with the final stats; the supervisor (the guardian) does not stop then, so that the actor system
 * terminates when its CoordinatedShutdown ends rather than in its middle.
 *
 * <p>Map operations are typed messages whose replies carry the contract's {@link MapResult}; the supervisor
 * is the only writer of the map, so operations are applied one at a time, in arrival order.
 */
public final class MapSupervisor extends AbstractBehavior<MapSupervisor.Command> {
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
     * @throws IllegalArgumentException when {@code replyTo} is null
     */
    public record Update(int key, EntryValue value, long flags, ActorRef<MapReply> replyTo) implements Command {
        /** Refuses a null {@code replyTo}: every update is answered, and the supervisor threw at the answer. */
        public Update {
            DataPath.require(replyTo, "Update", "replyTo", "the ActorRef that receives the MapReply");
        }
    }

    /** Empties the slot of {@code key}; replies with the result. Refuses a null {@code replyTo}, as {@link Update}. */
    public record Delete(int key, ActorRef<MapReply> replyTo) implements Command {
        /** Refuses a null {@code replyTo}. */
        public Delete {
            DataPath.require(replyTo, "Delete", "replyTo", "the ActorRef that receives the MapReply");
        }
    }

    /** Looks up {@code key}; replies with its value or none. Refuses a null {@code replyTo}, as {@link Update}. */
    public record Lookup(int key, ActorRef<LookupReply> replyTo) implements Command {
        /** Refuses a null {@code replyTo}. */
        public Lookup {
            DataPath.require(replyTo, "Lookup", "replyTo", "the ActorRef that receives the LookupReply");
        }
    }

    /**
     * Asks for the key after {@code key} ({@link CpuMap#NO_KEY} for the first). Refuses a null {@code replyTo}, as
     * {@link Update}.
     */
    public record NextKey(int key, ActorRef<NextKeyReply> replyTo) implements Command {
        /** Refuses a null {@code replyTo}. */
        public NextKey {
            DataPath.require(replyTo, "NextKey", "replyTo", "the ActorRef that receives the NextKeyReply");
        }
    }

    /** Asks for a statistics snapshot. Refuses a null {@code replyTo}, as {@link Update}. */
    public record GetStats(ActorRef<EngineStats> replyTo) implements Command {
        /** Refuses a null {@code replyTo}. */
        public GetStats {
            DataPath.require(replyTo, "GetStats", "replyTo", "the ActorRef that receives the EngineStats");
        }
    }

    /** Asks whether every feed has ended. Refuses a null {@code replyTo}, as {@link Update}. */
    public record GetFeedsEnded(ActorRef<Boolean> replyTo) implements Command {
        /** Refuses a null {@code replyTo}. */
        public GetFeedsEnded {
            DataPath.require(replyTo, "GetFeedsEnded", "replyTo", "the ActorRef that receives the answer");
        }
    }

    /**
     * Replies {@link Retired} once every entry replaced or deleted before this message has drained and stopped
     * (at once when none is retiring). Map operations are applied in arrival order, so after an {@link Update} or
     * {@link Delete} it answers when the old entry is gone: for a forwarding entry, once the other node has
     * acknowledged its last frame. A cluster node's map agent uses it to tell the map owner that no frame of this
     * node can reach the old entry's node any more. Not answered when the engine shuts down first.
     *
     * <p>Bounded: the supervisor holds a wait for at most {@code timeout}, then drops it and answers
     * {@link Retired.Outcome#TIMED_OUT} (an entry whose handler never returns never retires; give the wait the
     * timeout of the ask that sends it, or a little less, so that its answer is the ask's); and it holds at most
     * {@value BarrierLifecycle#MAX_RETIRED_WAITERS} waits, answering a wait beyond them at once with
     * {@link Retired.Outcome#REFUSED}. A second wait of the same {@code replyTo} replaces the first, which it covers.
     *
     * @param replyTo receives the answer
     * @param timeout how long the supervisor holds the wait: above zero, at most {@link #MAX_TIMEOUT}
     * @throws IllegalArgumentException naming the timeout when it is null, not above zero, or above a day, and naming
     *                                  {@code replyTo} when it is null
     */
    public record AwaitRetired(ActorRef<Retired> replyTo, Duration timeout) implements Command {
        /** The timeout of {@link #AwaitRetired(ActorRef)}: the engine's default ask timeout. */
        public static final Duration DEFAULT_TIMEOUT = EngineSettings.DEFAULT_ASK_TIMEOUT;
        /** The longest timeout allowed, the engine's own (Pekko's scheduler's bound). */
        public static final Duration MAX_TIMEOUT = SteerEngine.Builder.MAX_TIMEOUT;

        public AwaitRetired {
            if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
                throw new IllegalArgumentException("AwaitRetired timeout=" + timeout
                    + ": must be above zero and at most " + MAX_TIMEOUT);
            }
            // A null replyTo: the supervisor threw at its answer, at once or when the wait's timeout passed.
            DataPath.require(replyTo, "AwaitRetired", "replyTo", "the ActorRef that receives the Retired");
        }

        /** A wait held for at most {@link #DEFAULT_TIMEOUT}. */
        public AwaitRetired(ActorRef<Retired> replyTo) {
            this(replyTo, DEFAULT_TIMEOUT);
        }
    }

    /**
     * The answer to {@link AwaitRetired}.
     *
     * @param outcome {@link Outcome#RETIRED} when the entries retired before the wait have all been released
     */
    public record Retired(Outcome outcome) {
        /** What became of a wait. */
        public enum Outcome {
            /** The entries retired before the wait have all been released. */
            RETIRED,
            /** Its timeout passed first: some entry retired before it has not been released (still draining). */
            TIMED_OUT,
            /** Not held: as many waits as the supervisor holds were pending already. */
            REFUSED
        }

        /** True for {@link Outcome#RETIRED}. */
        public boolean isRetired() {
            return outcome == Outcome.RETIRED;
        }
    }

    /**
     * Stops feeds, drains and stops every entry, then replies with the final stats. The supervisor then stays,
     * drained, until the actor system terminates: it answers a later {@code Shutdown} with the same stats.
     *
     * @throws IllegalArgumentException when {@code replyTo} is null
     */
    public record Shutdown(ActorRef<EngineStats> replyTo) implements Command {
        /** Refuses a null {@code replyTo}: the supervisor threw at the end of the drain, answering every caller. */
        public Shutdown {
            DataPath.require(replyTo, "Shutdown", "replyTo", "the ActorRef that receives the final EngineStats");
        }
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
     * @throws IllegalArgumentException when {@code ref} or {@code counters} is null
     */
    public record AttachProducer(String name, ActorRef<DataPath.Command> ref, PathCounters counters, FramePool pool)
        implements Command {
        /** Refuses what the supervisor needs: it sends to and watches {@code ref}, and reads {@code counters}. */
        public AttachProducer {
            DataPath.require(ref, "AttachProducer", "ref", "the producer's ActorRef");
            DataPath.require(counters, "AttachProducer", "counters", "the producer's PathCounters");
        }
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

    /** Asks how many {@link AwaitRetired} waiters the supervisor holds: a test hook, package-private. */
    record GetRetiredWaiters(ActorRef<Integer> replyTo) implements Command {
        GetRetiredWaiters {
            DataPath.require(replyTo, "GetRetiredWaiters", "replyTo", "the ActorRef that receives the count");
        }
    }

    private final BarrierLifecycle entries;
    private final Producers producers;
    private final CpuMap map;
    private final List<ActorRef<EngineStats>> shutdownReplyTos = new ArrayList<>();
    private final SharedState shared;
    private boolean shuttingDown;
    private boolean mapClosed;

    /** The supervisor of an engine built from a concluded builder; starts everything in its setup. */
    static Behavior<Command> create(SteerEngine.Builder config, SharedState shared) {
        return Behaviors.setup(context -> {
            try {
                return new MapSupervisor(context, config, shared);
            } catch (RuntimeException ex) {
                config.startFailure(ex);
                throw ex;
            }
        });
    }

    private MapSupervisor(ActorContext<Command> context, SteerEngine.Builder config, SharedState shared) {
        super(context);
        this.shared = shared;
        this.entries = new BarrierLifecycle(context, config, this::liveProducers);
        this.producers = new Producers(context, config, entries);
        this.map = entries.map();
        shared.map = map;
        for (Map.Entry<Integer, EntryValue> entry : config.entries().entrySet()) {
            final MapResult result = map.update(entry.getKey(), entry.getValue(), CpuMap.ANY);
            if (!result.isOk()) {
                throw new IllegalStateException("cannot create the entry of key " + entry.getKey() + ": " + result
                    + " (" + result.description() + ")");
            }
        }
        producers.startIngresses();
    }

    /** The live producers, in the order barriers reach them: ingresses, then attached producers. */
    private List<DataPath.Participant> liveProducers() {
        return producers.participants();
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
                m.replyTo().tell(producers.feedsEnded());
                return this;
            })
            .onMessage(AwaitRetired.class, m -> {
                entries.awaitRetired(m.replyTo(), m.timeout());
                return this;
            })
            .onMessage(BarrierLifecycle.RetiredWaitExpired.class, m -> {
                entries.onRetiredWaitExpired(m);
                return this;
            })
            .onMessage(GetRetiredWaiters.class, m -> {
                m.replyTo().tell(entries.retiredWaiters());
                return this;
            })
            .onMessage(Shutdown.class, this::onShutdown)
            .onMessage(AttachProducer.class, m -> {
                producers.attach(m, shuttingDown);
                return this;
            })
            .onMessage(Producers.AttachedStopped.class, m -> {
                producers.onAttachedStopped(m);
                return finishShutdownIfDone();
            })
            .onMessage(BarrierLifecycle.Acknowledged.class, m -> {
                entries.onAcknowledged(m);
                return finishShutdownIfDone();
            })
            .onMessage(BarrierLifecycle.ConsumerStopped.class,
                m -> entries.onConsumerStopped(m) ? finishShutdownIfDone() : this)
            .onMessage(Producers.IngressStopped.class, m -> {
                producers.onIngressStopped(m, shuttingDown);
                return finishShutdownIfDone();
            })
            .onMessage(Producers.IngressEnded.class, m -> {
                producers.onIngressEnded(m);
                return this;
            })
            .build();
    }

    private Behavior<Command> onUpdate(Update update) {
        update.replyTo().tell(new MapReply(map.update(update.key(), update.value(), update.flags())));
        entries.startBarrierIfNeeded();
        return this;
    }

    private Behavior<Command> onDelete(Delete delete) {
        delete.replyTo().tell(new MapReply(map.delete(delete.key())));
        entries.startBarrierIfNeeded();
        return this;
    }

    private Behavior<Command> onShutdown(Shutdown shutdown) {
        // Every caller gets the final stats, when the last entry has drained.
        shutdownReplyTos.add(shutdown.replyTo());
        if (shuttingDown) {
            return this;
        }
        shuttingDown = true;
        producers.stopAll();
        return finishShutdownIfDone();
    }

    private Behavior<Command> finishShutdownIfDone() {
        if (!shuttingDown || shutdownReplyTos.isEmpty()) {
            return this;
        }
        if (producers.anyLive()) {
            return this;
        }
        if (!mapClosed) {
            mapClosed = true;
            map.close();
            entries.startBarrierIfNeeded();
        }
        if (!entries.allReleased()) {
            return this;
        }
        final EngineStats last = stats();
        producers.closePools();
        // Published before the replies and the stop: a shutdown() whose wait timed out (the drain outlived the close
        // timeout) finds them on its next call, although no one is left to ask.
        shared.finalStats = last;
        shutdownReplyTos.forEach(replyTo -> replyTo.tell(last));
        shutdownReplyTos.clear();
        return drained(last);
    }

    /**
     * What the supervisor is once drained: it stays until the actor system terminates instead of stopping. It is
     * the guardian, and its stop terminated the system at once, in the middle of the CoordinatedShutdown whose
     * {@code steer-drain} task (service-stop) drained it: a cluster node's Artery transport then shut down before
     * the node had left (its peers saw it vanish while exiting), and the last node of a cluster, stopped right
     * after, could find its own Artery shutdown waiting for ever on an offer to the vanished peer (a Pekko 1.x flaw,
     * docs/cluster.md), its actor system never terminating. The system now terminates in CoordinatedShutdown's last
     * phase, which {@code terminate()} runs, after every earlier phase. Answers {@link Shutdown} and
     * {@link GetStats} with the final stats; anything else is left unhandled, as it went to dead letters before.
     */
    private static Behavior<Command> drained(EngineStats last) {
        return Behaviors.receive(Command.class)
            .onMessage(Shutdown.class, m -> answer(m.replyTo(), last))
            .onMessage(GetStats.class, m -> answer(m.replyTo(), last))
            .build();
    }

    /** Replies the final stats, and stays drained. */
    private static Behavior<Command> answer(ActorRef<EngineStats> replyTo, EngineStats last) {
        replyTo.tell(last);
        return Behaviors.same();
    }

    /**
     * Live stats, read while the data path runs. The consumers are read before the ingresses: a frame is received
     * at an ingress before a consumer delivers or drops it, and counters only grow, so every frame this snapshot
     * counts as ended is in its received count too, and its in flight is never negative.
     */
    private EngineStats stats() {
        final List<PathStats> consumerRows = entries.consumerRows();
        final List<PathStats> ingressRows = new ArrayList<>();
        final List<PoolStats> pools = new ArrayList<>();
        producers.addStats(ingressRows, pools);
        return EngineStats.of(ingressRows, consumerRows, pools, map.snapshot().size(), map.snapshot().version());
    }
}
