package dev.steer.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.cluster.typed.Unsubscribe;

import dev.steer.actors.DataPath;
import dev.steer.cluster.config.RemotePrograms;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.MapResult;

/**
 * The one writer of the cluster's map, run as a Pekko cluster singleton (on the oldest node): applies the
 * cpumap contract's checks to every update in arrival order, gives each accepted change a new version, and
 * publishes the whole map to the {@link MapAgent} of every member. A member that is removed from the cluster
 * (it left, or the split-brain resolver downed it when it became unreachable) has its entries removed here,
 * which every node then applies with the usual quiescence and drain-then-stop.
 *
 * <p>Each change goes out in steps ({@link PublicationOrder}), one change at a time, so that no frame in flight
 * meets a node without its entry: the node a key is placed on applies it and answers {@link Applied} before any
 * other node forwards to it; a node that gives a key up (deleted, or moved to another node) gets the change only
 * after every other node has answered, that is, has drained its forwarding entry of the key into it. Each step
 * waits at most its step timeout; the caller's reply does not wait for the rollout.
 *
 * <p>When the singleton moves (its node left or crashed), the new one starts from its node's last published copy,
 * asks every member which version it is at ({@link MapAgent#PROBE}), and takes the first version of the incarnation
 * after the highest it was told of ({@link #firstVersion(long)}), above every version of an earlier owner even where
 * a node applied a change this node missed ({@link OwnedMap}), less the entries of nodes that are no longer members (checked at the start and
 * at every republication, as their removal may have happened before this owner subscribed; a member of its own the
 * cluster's state has not shown for a {@link #REPUBLISH} is taken for removed, and one it shows up that the owner does
 * not have is added, see {@link OwnedMap#republish}). It republishes {@link #REPUBLISH} after its last republication
 * so that a member that missed a publication catches up.
 *
 * <p>An exception that escapes the owner (a bug), also while it starts, restarts it, after {@link #RESTART_MIN_BACKOFF}
 * and longer, up to {@link #RESTART_MAX_BACKOFF}, while failures follow each other; messages that arrive meanwhile wait
 * for the restarted owner. It does not resume with the state it had: the failure may have left that half changed
 * (entries changed without a new version, a step without its timer), and nothing could tell. The restarted owner starts
 * as a new owner does, from its node's last published copy, asking every member its version and taking the next
 * incarnation, so the members take its map (changes accepted but not yet rolled out are lost, as at an owner move; so
 * are updates a starting owner held). Membership events of a failed start's subscription, on their way at the failure,
 * are dropped: each start subscribes through a child of its own, and the restarted owner takes its members from its
 * cluster state and its own subscription's replay, as a new owner does. (They used to come to it: a stale
 * {@code MemberUp} of a node's earlier incarnation, one the failed owner never saw go, replaced the member now at that
 * address, and that incarnation's {@code MemberLeft} or {@code MemberRemoved} then removed its entries.) The node
 * incarnations seen go ({@link MemberIncarnations.Retired}) outlive the restart, kept by the actor. Pekko's default for
 * a singleton, stopping, left the cluster without an owner until the node left: every update and delete timed out, and
 * no departed member's entries were removed. Off the hot path; allocation per operation is fine.
 */
public final class MapOwner {
    /**
     * Period of the full republication (a fixed delay: ticks queued while the owner is busy come a moment apart), and
     * how long a member the cluster's state does not show is kept ({@link OwnedMap#republish}).
     */
    static final Duration REPUBLISH = Duration.ofSeconds(2);

    private MapOwner() {
    }

    /** The owner's protocol. */
    public interface Command {
    }

    /**
     * Creates or replaces the entry of {@code key}, located on {@code node}'s CPU {@code cpu}, whose consumer runs
     * {@code program} first (null: none); qsize 0 deletes.
     *
     * @param flags   {@link CpuMap#ANY}, {@link CpuMap#NOEXIST} or {@link CpuMap#EXIST}
     * @param replyTo receives the contract's result (ENODEV when {@code node} is not an up member, EINVAL for a
     *                program that is not one of {@link RemotePrograms#names()} or whose targets are wrong, EBUSY when
     *                it would change the map while {@link #MAX_QUEUED} changes wait for their rollout)
     * @throws IllegalArgumentException when {@code replyTo} is null
     */
    public record Update(int key, int qsize, String node, int cpu, RemoteProgramSpec program, long flags,
                         ActorRef<Reply> replyTo) implements Command, ClusterMessage {
        /**
         * Refuses a null {@code replyTo}, wrong use of the API, where the request is built: every update is answered,
         * and sent, it made the owner throw at its answer and restart (the wire refuses such a message already:
         * {@link KryoSerializer}).
         */
        public Update {
            DataPath.require(replyTo, "Update", "replyTo", "the ActorRef that receives the Reply");
        }

        /** An update without a remote program. */
        public Update(int key, int qsize, String node, int cpu, long flags, ActorRef<Reply> replyTo) {
            this(key, qsize, node, cpu, null, flags, replyTo);
        }
    }

    /**
     * Empties the slot of {@code key}: EINVAL at or above max entries, EBUSY as for {@link Update}, else OK.
     *
     * @throws IllegalArgumentException when {@code replyTo} is null
     */
    public record Delete(int key, ActorRef<Reply> replyTo) implements Command, ClusterMessage {
        /** Refuses a null {@code replyTo}, as {@link Update} does. */
        public Delete {
            DataPath.require(replyTo, "Delete", "replyTo", "the ActorRef that receives the Reply");
        }
    }

    /** Result of an update or delete. */
    public record Reply(MapResult result) implements ClusterMessage {
    }

    /**
     * A node's answer to a publication: it is at {@code version} or later, and every entry it replaced or deleted to
     * get there has drained (a forwarding entry's last frame acknowledged by the node it forwarded to).
     *
     * @param version the version the node has applied
     * @param node    the node's address
     */
    public record Applied(long version, String node) implements Command, ClusterMessage {
    }

    /**
     * A member's answer to a probe ({@link MapAgent#PROBE}), through its own reply-to: the agent answers a probe at
     * once, before what it replaced has drained, so such an answer must not confirm a step of a rollout.
     */
    private record Probed(Applied answer) implements Command {
    }

    /**
     * One of the {@link #MEMBER_EVENTS}, passed on by {@code subscriber}, the subscriber of one start of the owner's
     * behavior ({@link #subscriber}).
     */
    private record MemberChanged(ActorRef<ClusterEvent.MemberEvent> subscriber, ClusterEvent.MemberEvent event)
        implements Command {
    }

    /**
     * The membership events the owner subscribes to, each handled by {@link #memberEvent}. {@code MemberExited} as
     * well as {@code MemberLeft}: a member already exiting when the owner subscribes is replayed to it as exited
     * only, its leaving not at all.
     */
    static final List<Class<? extends ClusterEvent.MemberEvent>> MEMBER_EVENTS = List.of(
        ClusterEvent.MemberUp.class, ClusterEvent.MemberLeft.class, ClusterEvent.MemberExited.class,
        ClusterEvent.MemberRemoved.class);

    private enum Republish implements Command {
        INSTANCE
    }

    /** A new owner's wait for the members' versions is over. */
    private enum ProbeTimeout implements Command {
        INSTANCE
    }

    /** Step {@code step} of the rollout of {@code version} waited its {@link #stepTimeout} out. */
    record StepTimeout(long version, int step) implements Command {
    }

    /**
     * How long the owner waits for the nodes of one step of a rollout before it goes on without the ones that have
     * not answered: a node's answer waits for its old entries to drain, which a forwarding entry does within
     * {@code drainTimeout}, plus a margin for the messages.
     */
    static Duration stepTimeout(Duration drainTimeout) {
        return drainTimeout.plus(STEP_MARGIN);
    }

    /** Bits of a version below its owner incarnation: a change counter of this width. */
    static final int INCARNATION_SHIFT = 32;

    /** The owner incarnation of {@code version}, its bits above {@link #INCARNATION_SHIFT}. */
    static long incarnation(long version) {
        return version >>> INCARNATION_SHIFT;
    }

    /**
     * The last owner incarnation: a new owner does not count a version of it among those it was told of, as the
     * incarnation after it would wrap past {@link Long#MAX_VALUE}. An owner told of a version of the incarnation
     * before it takes it (at one owner move a second, 68 years; else a damaged version), and its members' answers at
     * its own versions confirm its steps ({@link OwnedMap}).
     */
    static final long LAST_INCARNATION = Integer.MAX_VALUE;

    /**
     * Whether a new owner may count {@code version} among those it was told of, or -1 (none): not negative otherwise,
     * and of an incarnation below {@link #LAST_INCARNATION}. A member's copy beyond that is damaged or forged (or, for
     * the last incarnation, of an owner that took it), and a new owner that counted it would start at a negative
     * version.
     */
    static boolean plausible(long version) {
        return version == -1 || version >= 0 && incarnation(version) < LAST_INCARNATION;
    }

    /**
     * The first version of the incarnation after the one of {@code highest} (-1, or any negative: none): what a new
     * owner gives its map, above every version of the incarnations it was told of. A node placed on by the previous
     * owner's last change may be ahead of the new owner's copy; continuing that owner's count would give the new
     * owner's map and next changes versions such a node already has, and it would ignore them, the republication
     * included, until the count passed its own.
     */
    static long firstVersion(long highest) {
        final long incarnation = highest < 0 ? 0 : incarnation(highest);
        return (incarnation + 1) << INCARNATION_SHIFT;
    }

    /**
     * The longest a new owner waits for the members' versions before it publishes ({@link OwnedMap#probeWait()}):
     * half the {@link ClusterNode#ASK_TIMEOUT} of the updates it holds meanwhile.
     */
    static final Duration PROBE_TIMEOUT = ClusterNode.ASK_TIMEOUT.dividedBy(2);

    /** At most one warning about changes refused {@code EBUSY} per this; the others are counted in it. */
    static final Duration BUSY_LOG_PERIOD = Duration.ofSeconds(10);

    /** What a step may take beyond the drain timeout. */
    static final Duration STEP_MARGIN = Duration.ofSeconds(2);
    /**
     * Changes waiting for their rollout at most; beyond, updates and deletes are refused {@code EBUSY}, and a
     * member's departure takes the place of the last waiting change (see {@link Rollouts#changed}).
     */
    static final int MAX_QUEUED = 64;

    /** The wait before the owner restarts after a failure: doubled at each failure that follows soon, see below. */
    static final Duration RESTART_MIN_BACKOFF = Duration.ofMillis(200);

    /** The longest wait before a restart, however often the owner fails. */
    static final Duration RESTART_MAX_BACKOFF = Duration.ofSeconds(10);

    /**
     * The owner's behavior.
     *
     * @param maxEntries  slots of the map, the same on every node
     * @param lastKnown   this node's last published map, the starting state
     * @param stepTimeout how long one step of a rollout waits for its nodes (see {@link #stepTimeout(Duration)})
     * @param refusedBusy counts the updates and deletes this owner refuses {@code EBUSY}
     * @param restarts    counts this owner's restarts after a failure, in a message or in its start (see the class
     *                    comment)
     */
    static Behavior<Command> create(int maxEntries, AtomicReference<MapAgent.Publish> lastKnown, Duration stepTimeout,
                                    AtomicLong refusedBusy, AtomicLong restarts) {
        return create(maxEntries, lastKnown, stepTimeout, refusedBusy, restarts, TestHook.NONE);
    }

    /**
     * As {@link #create(int, AtomicReference, Duration, AtomicLong, AtomicLong)}, calling {@code hook} where a test
     * may make the owner fail.
     */
    static Behavior<Command> create(int maxEntries, AtomicReference<MapAgent.Publish> lastKnown, Duration stepTimeout,
                                    AtomicLong refusedBusy, AtomicLong restarts, TestHook hook) {
        return OwnerRestarts.supervise(restarts,
            lasting -> owner(maxEntries, lastKnown, stepTimeout, refusedBusy, lasting, hook));
    }

    /**
     * Where a test makes the owner fail, the way a bug would: an exception thrown by a method here escapes the owner
     * (in its start or in a message), which is then restarted. The owner's actor thread.
     */
    interface TestHook {
        /** Does nothing: the owner of every node. */
        TestHook NONE = new TestHook() {
        };

        /** In every start of the owner's behavior, once it has subscribed to the membership events. */
        default void started() {
        }

        /** At every periodic republication, before the owner handles it. */
        default void republishing() {
        }
    }

    private static Behavior<Command> owner(int maxEntries, AtomicReference<MapAgent.Publish> lastKnown,
                                           Duration stepTimeout, AtomicLong refusedBusy, OwnerRestarts lasting,
                                           TestHook hook) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            final Cluster cluster = Cluster.get(context.getSystem());
            lasting.starting(cluster); // counts a restart, ends the failed start's subscription
            final ActorRefResolver resolver = ActorRefResolver.get(context.getSystem());
            // A subscriber of this start's own, a child (stopped at a restart): not a message adapter, whose ref is
            // the same in every start, so that the events of a failed start's subscription, on their way at its
            // failure, are told apart from this start's and dropped (see the MemberChanged handler).
            final ActorRef<ClusterEvent.MemberEvent> memberEvents =
                context.spawnAnonymous(subscriber(context.getSelf()));
            lasting.subscribed(memberEvents);
            for (Class<? extends ClusterEvent.MemberEvent> type : MEMBER_EVENTS) {
                subscribe(cluster, memberEvents, type);
            }
            hook.started();
            timers.startTimerWithFixedDelay(Republish.INSTANCE, REPUBLISH);
            final ActorRef<Applied> self = context.getSelf().narrow();
            // Probes are answered to another ref than publications: the two answers are the same message.
            final ActorRef<Applied> probeAnswers = context.messageAdapter(Applied.class, Probed::new);
            final Rollouts.Outbox outbox = new Rollouts.Outbox() {
                @Override
                public void publish(String member, long version, Map<Integer, Placement> entries, boolean answer) {
                    final ActorRef<MapAgent.Command> agent = resolver.resolveActorRef(member + MapAgent.PATH);
                    agent.tell(new MapAgent.Publish(version, entries, answer ? self : null));
                }

                @Override
                public void startStepTimer(long version, int step, Duration after) {
                    timers.startSingleTimer(StepTimeout.class, new StepTimeout(version, step), after);
                }

                @Override
                public void cancelStepTimer() {
                    timers.cancel(StepTimeout.class);
                }

                @Override
                public void probe(String member) {
                    final ActorRef<MapAgent.Command> agent = resolver.resolveActorRef(member + MapAgent.PATH);
                    agent.tell(new MapAgent.Publish(MapAgent.PROBE, Map.of(), probeAnswers));
                }

                @Override
                public void startProbeTimer(Duration after) {
                    timers.startSingleTimer(ProbeTimeout.INSTANCE, after);
                }
            };
            final OwnedMap map = new OwnedMap(maxEntries, lastKnown.get(),
                publishedTo(cluster.state().getMembers()), present(cluster), address -> uidAt(cluster, address),
                lasting.retired, outbox, stepTimeout, context.getLog(), refusedBusy);
            // A new owner asks every member for its version before it publishes (OwnedMap#starting): updates and
            // deletes wait for that here, at most MAX_QUEUED of them; more are refused EBUSY.
            return Behaviors.withStash(MAX_QUEUED, waiting -> {
                final List<Behavior<Command>> running = new ArrayList<>(1);
                final java.util.function.Supplier<Behavior<Command>> next = () -> !map.starting() && !waiting.isEmpty()
                    ? waiting.unstashAll(running.get(0)) : Behaviors.same();
                final java.util.function.Predicate<Command> stash = command -> {
                    if (!map.starting()) {
                        return false;
                    }
                    if (waiting.isFull()) {
                        map.refuseWhileStarting();
                        final ActorRef<Reply> replyTo = command instanceof Update u ? u.replyTo() : ((Delete) command).replyTo();
                        replyTo.tell(new Reply(MapResult.EBUSY));
                    } else {
                        waiting.stash(command);
                    }
                    return true;
                };

                running.add(Behaviors.receive(Command.class)
                    .onMessage(Update.class, update -> {
                        if (stash.test(update)) {
                            return Behaviors.same();
                        }
                        // The subscription may lag the gossip: a node this node already sees up is a member too.
                        update.replyTo().tell(new Reply(map.update(update, up(cluster))));
                        return Behaviors.same();
                    })
                    .onMessage(Delete.class, delete -> {
                        if (stash.test(delete)) {
                            return Behaviors.same();
                        }
                        delete.replyTo().tell(new Reply(map.delete(delete.key())));
                        return Behaviors.same();
                    })
                    .onMessage(Applied.class, applied -> {
                        map.applied(applied);
                        return next.get();
                    })
                    .onMessage(Probed.class, probed -> {
                        map.probed(probed.answer());
                        return next.get();
                    })
                    .onMessageEquals(ProbeTimeout.INSTANCE, () -> {
                        map.probeTimeout();
                        return next.get();
                    })
                    .onMessage(StepTimeout.class, timeout -> {
                        map.stepTimeout(timeout.version(), timeout.step());
                        return Behaviors.same();
                    })
                    .onMessage(MemberChanged.class, changed -> {
                        if (!changed.subscriber().equals(memberEvents)) {
                            // Of a failed start's subscription, published before this start subscribed: what it
                            // tells is in this start's cluster state or in its own subscription's replay, or it is
                            // stale (a node's earlier incarnation, which the failed owner may never have seen go).
                            context.getLog().info("map owner: {} of {} uid {}, from the subscription of a failed start;"
                                + " ignored", changed.event().getClass().getSimpleName(),
                                changed.event().member().address(), changed.event().member().uniqueAddress().longUid());
                            return Behaviors.same();
                        }
                        memberEvent(map, changed.event());
                        return next.get(); // a removal may end a new owner's start
                    })
                    .onMessageEquals(Republish.INSTANCE, () -> {
                        hook.republishing();
                        map.republish(present(cluster), up(cluster), System.nanoTime());
                        return next.get(); // a member taken for removed may end a new owner's start
                    })
                    .onSignal(PreRestart.class, restart -> {
                        // At once rather than at the restarted start, after the backoff: fewer events come meanwhile,
                        // all of them dropped by the restarted owner (which counts the restart).
                        cluster.subscriptions().tell(new Unsubscribe<>(memberEvents));
                        return Behaviors.same();
                    })
                    .build());
                return running.get(0);
            });
        }));
    }

    /** The subscriber of one start: passes each membership event on to {@code owner}, naming itself. */
    private static Behavior<ClusterEvent.MemberEvent> subscriber(ActorRef<Command> owner) {
        return Behaviors.setup(context -> Behaviors.receive(ClusterEvent.MemberEvent.class)
            .onAnyMessage(event -> {
                owner.tell(new MemberChanged(context.getSelf(), event));
                return Behaviors.same();
            })
            .build());
    }

    private static <E extends ClusterEvent.MemberEvent> void subscribe(Cluster cluster,
                                                                       ActorRef<ClusterEvent.MemberEvent> to,
                                                                       Class<E> type) {
        cluster.subscriptions().tell(Subscribe.create(to.<E>narrow(), type));
    }

    /** Hands {@code event}, one of the {@link #MEMBER_EVENTS}, to {@code map}; other events change nothing. */
    static void memberEvent(OwnedMap map, ClusterEvent.MemberEvent event) {
        final String address = event.member().address().toString();
        final long uid = event.member().uniqueAddress().longUid(); // a node restarted at the address has another
        switch (event) {
            case ClusterEvent.MemberUp up -> map.memberUp(address, uid);
            case ClusterEvent.MemberLeft left -> map.memberLeft(address, uid);
            case ClusterEvent.MemberExited exited -> map.memberLeft(address, uid); // a second time changes nothing
            case ClusterEvent.MemberRemoved removed -> map.memberRemoved(address, uid);
            default -> {
            }
        }
    }

    /** The members the cluster's state shows up. */
    private static List<String> up(Cluster cluster) {
        final List<String> up = new ArrayList<>();
        for (Member member : cluster.state().getMembers()) {
            if (member.status() == MemberStatus.up()) {
                up.add(member.address().toString());
            }
        }
        return up;
    }

    /**
     * The members a new owner publishes to from its start: those of {@code members} that are up, leaving or exiting.
     * A leaving or exiting member stays among them until it is removed, as it does for the owner that saw it leave
     * ({@link OwnedMap#memberLeft}): it still forwards by its map until then, and no {@code MemberUp} comes for it.
     * Exiting is the usual case: the singleton hands over when its node's member is exiting, so a new owner most
     * often starts while the node of the previous one still forwards. Its {@code MemberRemoved} ends every wait
     * for it ({@link OwnedMap#memberRemoved}).
     */
    static List<String> publishedTo(Iterable<Member> members) {
        final List<String> to = new ArrayList<>();
        for (Member member : members) {
            final MemberStatus status = member.status();
            if (status == MemberStatus.up() || status == MemberStatus.leaving() || status == MemberStatus.exiting()) {
                to.add(member.address().toString());
            }
        }
        return to;
    }

    /** The uid of the member the cluster's state shows at {@code address}, null: none. */
    private static Long uidAt(Cluster cluster, String address) {
        for (Member member : cluster.state().getMembers()) {
            if (member.address().toString().equals(address)) {
                return member.uniqueAddress().longUid();
            }
        }
        return null;
    }

    /** The members the cluster's state shows neither down nor removed. */
    private static Set<String> present(Cluster cluster) {
        final Set<String> present = new HashSet<>();
        for (Member member : cluster.state().getMembers()) {
            if (member.status() != MemberStatus.down() && member.status() != MemberStatus.removed()) {
                present.add(member.address().toString());
            }
        }
        return present;
    }

    /** The contract's checks, in the kernel's order, with "a CPU of an up member" as the usable-CPU rule. */
    static MapResult check(Update update, int maxEntries, Set<String> members) {
        if (update.flags() < 0 || update.flags() > CpuMap.EXIST) {
            return MapResult.EINVAL;
        }
        if (Integer.compareUnsigned(update.key(), maxEntries) >= 0) {
            return MapResult.E2BIG;
        }
        if (update.flags() == CpuMap.NOEXIST) {
            return MapResult.EEXIST;
        }
        if (Integer.compareUnsigned(update.qsize(), CpuMap.MAX_QSIZE) > 0) {
            return MapResult.EOVERFLOW;
        }
        // Before "qsize 0 deletes", as the kernel and the local map check it.
        if (update.node() == null || !members.contains(update.node()) || update.cpu() < 0) {
            return MapResult.ENODEV;
        }
        if (update.qsize() != 0 && update.program() != null && !validProgram(update.key(), update.program(), maxEntries)) {
            return MapResult.EINVAL;
        }
        return MapResult.OK;
    }

    /**
     * A program every node can make: a known name; a steering program with at least one target, every target a
     * key of the map other than the entry's own (which would send frames back into the ring they came from);
     * {@code pass} and {@code drop} with none.
     */
    private static boolean validProgram(int key, RemoteProgramSpec program, int maxEntries) {
        if (!RemotePrograms.names().contains(program.name())) {
            return false;
        }
        final int n = program.targetCount();
        if (!RemotePrograms.redirects(program.name())) {
            return n == 0;
        }
        if (n == 0) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            final int target = program.target(i);
            if (target == key || Integer.compareUnsigned(target, maxEntries) >= 0) {
                return false;
            }
        }
        return true;
    }
}
