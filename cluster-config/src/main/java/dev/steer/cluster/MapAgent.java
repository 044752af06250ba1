package dev.steer.cluster;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

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
 * {@link RemoteForwarder}. Publications older than the last applied one are ignored.
 */
public final class MapAgent {
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
     */
    public record Publish(long version, Map<Integer, Placement> entries) implements Command, ClusterMessage {
    }

    /** The supervisor's answer to the {@code change}-th change this agent sent for {@code key}. */
    private record Applied(int key, long change, boolean update, MapSupervisor.MapReply reply) implements Command {
    }

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
        final Map<Integer, Long> changes = new java.util.HashMap<>();
        return Behaviors.setup(context -> Behaviors.receive(Command.class)
            .onMessage(Publish.class, publish -> {
                final Publish last = applied.get();
                if (last != null && publish.version() <= last.version()) {
                    return Behaviors.same();
                }
                final Map<Integer, Placement> before = last == null ? Map.of() : last.entries();
                for (Map.Entry<Integer, Placement> entry : before.entrySet()) {
                    if (!publish.entries().containsKey(entry.getKey())) {
                        final int key = entry.getKey();
                        final long change = changes.merge(key, 1L, Long::sum);
                        supervisor.tell(new MapSupervisor.Delete(key, context.messageAdapter(
                            MapSupervisor.MapReply.class, reply -> new Applied(key, change, false, reply))));
                    }
                }
                for (Map.Entry<Integer, Placement> entry : publish.entries().entrySet()) {
                    final Placement was = before.get(entry.getKey());
                    final Placement now = entry.getValue().seenFrom(self);
                    if (was == null || !was.seenFrom(self).equals(now)) {
                        final int key = entry.getKey();
                        final long change = changes.merge(key, 1L, Long::sum);
                        final ActorRef<MapSupervisor.MapReply> replyTo = context.messageAdapter(
                            MapSupervisor.MapReply.class, reply -> new Applied(key, change, true, reply));
                        final EntryValue value;
                        try {
                            value = localValue(self, now);
                        } catch (IllegalArgumentException ex) {
                            // A program this node cannot make (an older build, say): the key gets no entry here.
                            context.getLog().warn("map key {}: this node cannot run the remote program {}: {}; the key"
                                + " has no entry here", key, now.program(), ex.getMessage());
                            supervisor.tell(new MapSupervisor.Delete(key, replyTo));
                            continue;
                        }
                        supervisor.tell(new MapSupervisor.Update(key, value, CpuMap.ANY, replyTo));
                    }
                }
                applied.set(new Publish(publish.version(), new TreeMap<>(publish.entries())));
                return Behaviors.same();
            })
            .onMessage(Applied.class, done -> {
                if (!done.reply().result().isOk()) {
                    context.getLog().warn("map key {}: this node refused the cluster map's entry: {} ({}); the key"
                        + " has no entry here", done.key(), done.reply().result(), done.reply().result().description());
                    if (done.update() && changes.get(done.key()) == done.change()) {
                        // Whatever the key held before is not what the cluster map says: empty it (unless a later
                        // change of the key is already on its way).
                        final long change = changes.merge(done.key(), 1L, Long::sum);
                        supervisor.tell(new MapSupervisor.Delete(done.key(), context.messageAdapter(
                            MapSupervisor.MapReply.class, reply -> new Applied(done.key(), change, false, reply))));
                    }
                }
                return Behaviors.same();
            })
            .build());
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
