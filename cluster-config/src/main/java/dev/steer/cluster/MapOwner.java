package dev.steer.cluster;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

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
 * <p>When the singleton moves (its node left or crashed), the new one starts from its node's last published copy,
 * so the version keeps increasing, less the entries of nodes that are no longer members (checked at the start and
 * at every republication, as their removal may have happened before this owner subscribed). It republishes every
 * {@link #REPUBLISH} so that a member that missed a publication catches up. Off the hot path; allocation per
 * operation is fine.
 */
public final class MapOwner {
    /** Period of the full republication. */
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
     *                program that is not one of {@link RemotePrograms#names()} or whose targets are wrong)
     */
    public record Update(int key, int qsize, String node, int cpu, RemoteProgramSpec program, long flags,
                         ActorRef<Reply> replyTo) implements Command, ClusterMessage {
        /** An update without a remote program. */
        public Update(int key, int qsize, String node, int cpu, long flags, ActorRef<Reply> replyTo) {
            this(key, qsize, node, cpu, null, flags, replyTo);
        }
    }

    /** Empties the slot of {@code key}: EINVAL at or above max entries, else OK. */
    public record Delete(int key, ActorRef<Reply> replyTo) implements Command, ClusterMessage {
    }

    /** Result of an update or delete. */
    public record Reply(MapResult result) implements ClusterMessage {
    }

    private record MemberUp(ClusterEvent.MemberUp event) implements Command {
    }

    private record MemberRemoved(ClusterEvent.MemberRemoved event) implements Command {
    }

    private record MemberLeft(ClusterEvent.MemberLeft event) implements Command {
    }

    private enum Republish implements Command {
        INSTANCE
    }

    /**
     * The owner's behavior.
     *
     * @param maxEntries slots of the map, the same on every node
     * @param lastKnown  this node's last published map, the starting state
     */
    static Behavior<Command> create(int maxEntries, AtomicReference<MapAgent.Publish> lastKnown) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            final Cluster cluster = Cluster.get(context.getSystem());
            final ActorRefResolver resolver = ActorRefResolver.get(context.getSystem());
            final MapAgent.Publish start = lastKnown.get();
            final TreeMap<Integer, Placement> entries = new TreeMap<>(start == null ? Map.of() : start.entries());
            final long[] version = {start == null ? 0 : start.version()};
            final Set<String> members = new HashSet<>();
            for (Member member : cluster.state().getMembers()) {
                if (member.status() == MemberStatus.up()) {
                    members.add(member.address().toString());
                }
            }
            cluster.subscriptions().tell(Subscribe.create(
                context.messageAdapter(ClusterEvent.MemberUp.class, MemberUp::new), ClusterEvent.MemberUp.class));
            cluster.subscriptions().tell(Subscribe.create(
                context.messageAdapter(ClusterEvent.MemberRemoved.class, MemberRemoved::new),
                ClusterEvent.MemberRemoved.class));
            cluster.subscriptions().tell(Subscribe.create(
                context.messageAdapter(ClusterEvent.MemberLeft.class, MemberLeft::new), ClusterEvent.MemberLeft.class));
            timers.startTimerWithFixedDelay(Republish.INSTANCE, REPUBLISH);

            final Runnable publishAll = () -> {
                final MapAgent.Publish publish = new MapAgent.Publish(version[0], new TreeMap<>(entries));
                for (String member : members) {
                    final ActorRef<MapAgent.Command> agent = resolver.resolveActorRef(member + MapAgent.PATH);
                    agent.tell(publish);
                }
            };
            // The map this singleton starts from may place entries on nodes that are gone: the node that ran the
            // previous owner crashed, say, and was removed before this one started (so no MemberRemoved comes).
            final Runnable pruneGone = () -> {
                final Set<String> present = new HashSet<>();
                for (Member member : cluster.state().getMembers()) {
                    if (member.status() != MemberStatus.down() && member.status() != MemberStatus.removed()) {
                        present.add(member.address().toString());
                    }
                }
                if (entries.values().removeIf(p -> !present.contains(p.node()))) {
                    version[0]++;
                }
            };
            pruneGone.run();
            // Members that joined before this singleton started learn the map now.
            publishAll.run();

            return Behaviors.receive(Command.class)
                .onMessage(Update.class, update -> {
                    // The subscription may lag the gossip: a node this node already sees up is a member too.
                    final Set<String> up = new HashSet<>();
                    for (Member member : cluster.state().getMembers()) {
                        if (member.status() == MemberStatus.up()) {
                            members.add(member.address().toString());
                            up.add(member.address().toString());
                        }
                    }
                    final MapResult result = check(update, maxEntries, up);
                    if (result == MapResult.OK) {
                        final Placement placement = new Placement(update.qsize(), update.node(), update.cpu(), update.program());
                        if (update.qsize() == 0 ? entries.remove(update.key()) != null
                            : !placement.equals(entries.put(update.key(), placement))) {
                            version[0]++;
                            publishAll.run();
                        }
                    }
                    update.replyTo().tell(new Reply(result));
                    return Behaviors.same();
                })
                .onMessage(Delete.class, delete -> {
                    if (Integer.compareUnsigned(delete.key(), maxEntries) >= 0) {
                        delete.replyTo().tell(new Reply(MapResult.EINVAL));
                        return Behaviors.same();
                    }
                    if (entries.remove(delete.key()) != null) {
                        version[0]++;
                        publishAll.run();
                    }
                    delete.replyTo().tell(new Reply(MapResult.OK));
                    return Behaviors.same();
                })
                .onMessage(MemberUp.class, up -> {
                    final String address = up.event().member().address().toString();
                    if (members.add(address)) {
                        resolver.<MapAgent.Command>resolveActorRef(address + MapAgent.PATH)
                            .tell(new MapAgent.Publish(version[0], new TreeMap<>(entries)));
                    }
                    return Behaviors.same();
                })
                .onMessage(MemberRemoved.class, removed -> {
                    final String address = removed.event().member().address().toString();
                    members.remove(address);
                    if (entries.values().removeIf(p -> p.node().equals(address))) {
                        version[0]++;
                        publishAll.run();
                    }
                    return Behaviors.same();
                })
                .onMessage(MemberLeft.class, left -> {
                    // A leaving node still answers: remove its entries now, so that senders drain to it with
                    // acknowledgements instead of counting the rest unreachable once it is gone. It keeps
                    // getting publications (it stays in members) until it is removed.
                    final String address = left.event().member().address().toString();
                    if (entries.values().removeIf(p -> p.node().equals(address))) {
                        version[0]++;
                        publishAll.run();
                    }
                    return Behaviors.same();
                })
                .onMessageEquals(Republish.INSTANCE, () -> {
                    pruneGone.run(); // a removal this owner did not see as an event
                    publishAll.run();
                    return Behaviors.same();
                })
                .build();
        }));
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
