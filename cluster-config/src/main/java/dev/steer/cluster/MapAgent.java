package dev.steer.cluster;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

import dev.steer.actors.DataPath;
import dev.steer.actors.MapSupervisor;
import dev.steer.cluster.config.RemotePrograms;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.EntryLocation;
import dev.steer.engine.map.EntryValue;

/**
 * One per node, at {@value #PATH}: receives the {@link MapOwner}'s publications and applies the difference
 * to the node's own {@link MapSupervisor}, which runs the usual lifecycle (publish, quiescence barrier,
 * drain-then-stop) for every replaced or deleted entry. An entry placed on this node becomes a local entry
 * pinned to its CPU; an entry placed elsewhere becomes a forwarding entry whose consumer is a
 * {@link RemoteForwarder}. Only the map owner's publications apply, the owner as this node's cluster view names it;
 * of those, the ones not newer than the node's copy of the same owner incarnation are ignored ({@link OwnerCheck}).
 * Each publication is counted in {@link PublicationStats}. When a publication names
 * the owner to answer ({@link Publish#replyTo()}), the agent answers {@link MapOwner.Applied} once the supervisor
 * has applied it and every entry it replaced or deleted has drained: the owner's cue for the next step of the
 * change (see {@link PublicationOrder}).
 */
public final class MapAgent {
    /**
     * The version of a {@link Publish} that asks the agent which version it is at: it answers {@link MapOwner.Applied}
     * with its version (-1 before the first) at once and applies nothing. A new map owner asks every member before it
     * picks its incarnation, and asks again at every republication.
     */
    public static final long PROBE = -1;

    /** Path of the agent under the node's address. */
    public static final String PATH = "/system/steer-map-agent";

    private MapAgent() {
    }

    /** The agent's protocol. */
    public interface Command {
    }

    /**
     * The whole map at one version.
     *
     * @param version increases with every change the owner accepts
     * @param entries key to placement
     * @param replyTo told {@link MapOwner.Applied} once this node has applied the publication and every entry it
     *                replaced or deleted has drained (null: no answer, as for the owner's republications)
     * @param sender  the address of the member that sent it, as the receiving node read it: the sending node's
     *                serializer writes its own address in place of whatever this holds, so no code above the
     *                serializer can publish in another member's name; null when the publication did not leave its
     *                node (this node's own owner). In the node's copy of the map, the member it came from.
     * @throws IllegalArgumentException when {@code entries} is null
     */
    public record Publish(long version, Map<Integer, Placement> entries, ActorRef<MapOwner.Applied> replyTo,
                          String sender) implements Command, ClusterMessage {
        /** Refuses null {@code entries}: the agent threw reading them. */
        public Publish {
            DataPath.require(entries, "Publish", "entries", "the map's entries, key to placement (empty for none)");
        }

        /** A publication that wants no answer. */
        public Publish(long version, Map<Integer, Placement> entries) {
            this(version, entries, null, null);
        }

        /** A publication whose answer goes to {@code replyTo}. */
        public Publish(long version, Map<Integer, Placement> entries, ActorRef<MapOwner.Applied> replyTo) {
            this(version, entries, replyTo, null);
        }
    }

    /**
     * The supervisor's answer to the {@code change}-th change this agent sent for {@code key}; a null reply when none
     * came within {@link #ANSWER_TIMEOUT}.
     */
    private record Applied(int key, long change, boolean update, MapSupervisor.MapReply reply) implements Command {
    }

    /**
     * The supervisor's answer to the wait for the retirements of a publication the owner wants an answer to; a null
     * outcome when none came within the ask's timeout.
     */
    private record Settled(long version, ActorRef<MapOwner.Applied> replyTo, MapSupervisor.Retired.Outcome outcome)
        implements Command {
    }

    /** How long the agent waits for its supervisor's answer to one change, and how long the supervisor holds a wait. */
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);
    /**
     * The ask of a wait for retirements outlives the wait the supervisor holds ({@link #ANSWER_TIMEOUT}) by this, so
     * that the supervisor's {@code TIMED_OUT} reaches the agent rather than the ask timing out first.
     */
    static final Duration SETTLE_ASK_MARGIN = Duration.ofSeconds(2);

    /** At most one warning about refused publications per this period; the others are counted in it. */
    static final Duration REFUSAL_LOG_PERIOD = Duration.ofSeconds(10);

    /**
     * The agent's behavior.
     *
     * @param self       this node's address
     * @param supervisor the node's map supervisor
     * @param applied    where the last applied publication is kept (the map owner starts from it when the
     *                   singleton moves to this node)
     */
    static Behavior<Command> create(String self, ActorRef<MapSupervisor.Command> supervisor,
                                    AtomicReference<Publish> applied) {
        return create(self, supervisor, applied, () -> false, () -> self, new PublicationStats());
    }

    /**
     * The agent's behavior on a cluster node.
     *
     * @param selfLeaving true once this node leaves the cluster (see {@link #leaving(Cluster)}): a publication that
     *                    removes this node's own entries then leaves them in place for the node's final drain
     * @param owner       the address of the member this node's cluster view names as the map owner, null for none yet
     *                    (see {@link OwnerCheck#owner(Cluster)}); asked once per publication on the agent's thread
     * @param stats       counts what the agent does with each publication
     */
    static Behavior<Command> create(String self, ActorRef<MapSupervisor.Command> supervisor,
                                    AtomicReference<Publish> applied, java.util.function.BooleanSupplier selfLeaving,
                                    Supplier<String> owner, PublicationStats stats) {
        final Map<Integer, Long> changes = new java.util.HashMap<>();
        final Behavior<Command> behavior = Behaviors.setup(context -> {
            final RefusalLog refusals = new RefusalLog(context.getLog());
            // One ask per change, each with its own reply mapping: a message adapter is one per class and actor,
            // so a second one would take over the first's replies and blame the wrong key.
            final class Send {
                void delete(int key) {
                    final long change = changes.merge(key, 1L, Long::sum);
                    context.ask(MapSupervisor.MapReply.class, supervisor, ANSWER_TIMEOUT,
                        replyTo -> new MapSupervisor.Delete(key, replyTo),
                        (reply, failure) -> new Applied(key, change, false, reply));
                }

                void update(int key, EntryValue value) {
                    final long change = changes.merge(key, 1L, Long::sum);
                    context.ask(MapSupervisor.MapReply.class, supervisor, ANSWER_TIMEOUT,
                        replyTo -> new MapSupervisor.Update(key, value, CpuMap.ANY, replyTo),
                        (reply, failure) -> new Applied(key, change, true, reply));
                }
            }
            final Send send = new Send();
            return Behaviors.receive(Command.class)
                .onMessage(Publish.class, publish -> {
                    final Publish last = applied.get();
                    if (publish.version() == PROBE) {
                        // Asks, applies nothing: answered whoever asks (a new owner asks before the views name it).
                        if (publish.replyTo() != null) {
                            publish.replyTo().tell(new MapOwner.Applied(last == null ? -1 : last.version(), self));
                        }
                        return Behaviors.same();
                    }
                    final String sender = publish.sender() == null ? self : publish.sender();
                    final String expected = owner.get();
                    switch (OwnerCheck.verdict(sender, publish.version(), expected, last)) {
                        case REFUSE -> {
                            // Not applied, not answered: whatever its version, it must not hold this node's map.
                            stats.countRefused(sender);
                            refusals.refused(sender, publish.version(), expected);
                            return Behaviors.same();
                        }
                        case NOT_NEWER -> {
                            // Already at this version or past it: answer once what was applied has settled.
                            stats.countNotNewer();
                            settle(context, supervisor, last.version(), publish.replyTo());
                            return Behaviors.same();
                        }
                        case APPLY -> {
                            if (last != null && publish.version() <= last.version()) {
                                context.getLog().info("map version {} from {}: applied over this node's version {}"
                                    + " from {} (another owner or owner incarnation)", publish.version(), sender,
                                    last.version(), last.sender());
                            }
                        }
                    }
                    final Map<Integer, Placement> before = last == null ? Map.of() : last.entries();
                    final boolean leaving = selfLeaving.getAsBoolean();
                    for (Map.Entry<Integer, Placement> entry : before.entrySet()) {
                        if (!publish.entries().containsKey(entry.getKey())) {
                            if (leaving && self.equals(entry.getValue().node())) {
                                // This node's own entry, removed because this node leaves: other nodes still drain
                                // their forwarding entries of the key into it, and what they forward (acknowledged,
                                // counted forwarded there) must meet an entry here. The engine's drain at the end
                                // of the leave stops the receiver first, then drains and stops this entry.
                                context.getLog().debug("map key {}: kept until this node's drain (the node is leaving)",
                                    entry.getKey());
                                continue;
                            }
                            send.delete(entry.getKey());
                        }
                    }
                    for (Map.Entry<Integer, Placement> entry : publish.entries().entrySet()) {
                        final int key = entry.getKey();
                        if (entry.getValue() == null || entry.getValue().node() == null) {
                            // Not from an owner of this build (the serializer refuses it): no entry here.
                            context.getLog().warn("map key {}: a placement without a node; the key has no entry here", key);
                            send.delete(key);
                            continue;
                        }
                        final Placement was = before.get(key);
                        final Placement now = entry.getValue().seenFrom(self);
                        if (was == null || was.node() == null || !was.seenFrom(self).equals(now)) {
                            final EntryValue value;
                            try {
                                value = localValue(self, now);
                            } catch (IllegalArgumentException ex) {
                                // A program this node cannot make (an older build, say): the key gets no entry here.
                                context.getLog().warn("map key {}: this node cannot run the remote program {}: {}; the"
                                    + " key has no entry here", key, now.program(), ex.getMessage());
                                send.delete(key);
                                continue;
                            }
                            send.update(key, value);
                        }
                    }
                    applied.set(new Publish(publish.version(), new TreeMap<>(publish.entries()), null, sender));
                    stats.countApplied();
                    // The supervisor applies its messages in order: this wait starts after every change sent above.
                    settle(context, supervisor, publish.version(), publish.replyTo());
                    return Behaviors.same();
                })
                .onMessage(Settled.class, settled -> {
                    if (settled.outcome() == MapSupervisor.Retired.Outcome.RETIRED) {
                        settled.replyTo().tell(new MapOwner.Applied(settled.version(), self));
                    } else if (settled.outcome() == MapSupervisor.Retired.Outcome.REFUSED) {
                        // The owner goes on without this node's answer after its step timeout.
                        context.getLog().warn("map version {}: the map supervisor refused the wait for the old entries"
                            + " (too many waits pending: entries are not draining); not confirmed to the map owner",
                            settled.version());
                    } else {
                        context.getLog().warn("map version {}: the old entries did not drain within {}; not"
                            + " confirmed to the map owner", settled.version(), ANSWER_TIMEOUT);
                    }
                    return Behaviors.same();
                })
                .onMessage(Applied.class, done -> {
                    if (done.reply() == null) {
                        context.getLog().warn("map key {}: the map supervisor did not answer within {}", done.key(),
                            ANSWER_TIMEOUT);
                        return Behaviors.same();
                    }
                    if (!done.reply().result().isOk()) {
                        context.getLog().warn("map key {}: this node refused the cluster map's entry: {} ({}); the key"
                            + " has no entry here", done.key(), done.reply().result(),
                            done.reply().result().description());
                        if (done.update() && changes.get(done.key()) == done.change()) {
                            // Whatever the key held before is not what the cluster map says: empty it (unless a later
                            // change of the key is already on its way).
                            send.delete(done.key());
                        }
                    }
                    return Behaviors.same();
                })
                .build();
        });
        // A publication no check foresaw must not stop the agent (then no map change would reach this node again):
        // the failure is logged, and the next publication (at the latest the owner's republication) applies.
        return Behaviors.supervise(behavior).onFailure(RuntimeException.class, SupervisorStrategy.resume());
    }

    /**
     * Warns about refused publications at most once per {@link #REFUSAL_LOG_PERIOD}: a member that keeps
     * publishing (a stale owner republishes every 2 s) must not flood the log. A refusal while this node's view
     * names no owner (it is joining) is expected and logged at DEBUG. The agent's thread only.
     */
    private static final class RefusalLog {
        private final org.slf4j.Logger log;
        private final WarningLimit limit = new WarningLimit(REFUSAL_LOG_PERIOD);

        RefusalLog(org.slf4j.Logger log) {
            this.log = log;
        }

        void refused(String sender, long version, String owner) {
            if (owner == null) {
                // This node has no owner in its view yet (it is joining): the owner's republication comes again.
                log.debug("map version {} from {}: refused, this node's view names no map owner yet", version, sender);
                return;
            }
            if (limit.warnNow(System.nanoTime())) {
                log.warn("map version {} from {}: refused, this node's view names {} as the map owner ({} more"
                    + " refused before it since the last warning; see ClusterNode.publications())", version, sender,
                    owner, limit.heldBefore());
            }
        }
    }

    /**
     * Asks the supervisor to answer once every entry retired so far has drained, and then tells {@code replyTo}
     * (nothing when it is null) that this node is at {@code version}: from then on no frame of this node can reach
     * an entry the publication replaced or deleted, and every local entry it placed is in this node's map.
     */
    private static void settle(ActorContext<Command> context, ActorRef<MapSupervisor.Command> supervisor,
                               long version, ActorRef<MapOwner.Applied> replyTo) {
        if (replyTo == null) {
            return;
        }
        // The supervisor drops the wait after ANSWER_TIMEOUT (an entry whose handler hangs never drains), answering
        // TIMED_OUT; the ask lasts a little longer, so that answer is the one that comes.
        context.ask(MapSupervisor.Retired.class, supervisor, ANSWER_TIMEOUT.plus(SETTLE_ASK_MARGIN),
            replyToSupervisor -> new MapSupervisor.AwaitRetired(replyToSupervisor, ANSWER_TIMEOUT),
            (reply, failure) -> new Settled(version, replyTo, reply == null ? null : reply.outcome()));
    }

    /**
     * True once the node of {@code cluster} is on its way out (leaving, exiting, downed or removed): from then on
     * its own entries stay until its engine drains at the end of the leave. Any thread.
     */
    static boolean leaving(Cluster cluster) {
        final MemberStatus status = cluster.selfMember().status();
        return status == MemberStatus.leaving() || status == MemberStatus.exiting() || status == MemberStatus.down()
            || status == MemberStatus.removed();
    }

    /**
     * The entry value this node runs for {@code placement}: with a new instance of its remote program when the
     * consumer is local, without one when it forwards.
     *
     * @throws IllegalArgumentException when the program cannot be made here
     */
    static EntryValue localValue(String self, Placement placement) {
        if (!placement.node().equals(self)) {
            return new EntryValue(placement.qsize(), null, EntryLocation.remote(placement.node(), placement.cpu()));
        }
        final RemoteProgramSpec program = placement.program();
        return new EntryValue(placement.qsize(), program == null ? null
            : RemotePrograms.create(program.name(), program.targets()), EntryLocation.local(placement.cpu()));
    }
}
