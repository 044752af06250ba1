package dev.steer.cluster;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

import dev.steer.actors.DataPath;
import dev.steer.engine.map.CpuMapEntry;

/**
 * The consumer of a forwarding entry (an entry located on another node) in the map supervisor's lifecycle. The
 * frames themselves go through the {@link NodeLink} of the entry's node, which this actor attaches the entry to
 * when it starts: the link drains the rings of all the node's entries into shared batches.
 *
 * <p>On {@link DataPath.Stop} (drain-then-stop) it asks the link to forward what is left and to let go of the
 * entry, and stops when the link says {@link NodeLink.Detached}; after the drain timeout it asks the link to
 * count whatever is left {@code unreachable} instead, so a stop is bounded even when the node is silent. It holds
 * no frame itself, so it acknowledges every quiescence barrier at once. Runs on the default dispatcher.
 */
final class RemoteForwarder extends AbstractBehavior<DataPath.Command> {
    /** Messages for the forwarder besides the data-path protocol. */
    interface Command extends DataPath.Command {
    }

    private enum DrainTimeout implements Command {
        INSTANCE
    }

    private final CpuMapEntry entry;
    private final ActorRef<NodeLink.Command> link;
    private final ClusterSettings settings;
    private final TimerScheduler<DataPath.Command> timers;
    private boolean detached;

    static Behavior<DataPath.Command> create(CpuMapEntry entry, ClusterSettings settings, NodeLinks links) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new RemoteForwarder(context, timers, entry,
            settings, links)));
    }

    private RemoteForwarder(ActorContext<DataPath.Command> context, TimerScheduler<DataPath.Command> timers,
                            CpuMapEntry entry, ClusterSettings settings, NodeLinks links) {
        super(context);
        this.entry = entry;
        this.settings = settings;
        this.timers = timers;
        this.link = links.link(context.getSystem(), entry.value().location().node());
        link.tell(new NodeLink.Attach(entry, context.getSelf().narrow()));
    }

    @Override
    public Receive<DataPath.Command> createReceive() {
        return newReceiveBuilder()
            .onMessage(DataPath.Quiesce.class, quiesce -> {
                quiesce.replyTo().tell(new DataPath.Quiesced(quiesce.epoch(), getContext().getSelf()));
                return this;
            })
            .onMessageEquals(DataPath.Run.INSTANCE, () -> this)
            .onMessageEquals(DataPath.Stop.INSTANCE, () -> {
                link.tell(new NodeLink.Detach(entry, false));
                timers.startSingleTimer(DrainTimeout.INSTANCE, settings.drainTimeout());
                return this;
            })
            .onMessageEquals(DrainTimeout.INSTANCE, () -> {
                // From now on every frame left is counted, never sent: the stop is bounded.
                link.tell(new NodeLink.Detach(entry, true));
                return this;
            })
            .onMessage(NodeLink.Detached.class, done -> {
                detached = true;
                return Behaviors.stopped();
            })
            .onSignal(PostStop.class, stop -> {
                if (!detached) {
                    // Stopped without a drain (a failure, or the actor system going down): the link must not go on
                    // serving an entry whose consumer is gone.
                    link.tell(new NodeLink.Detach(entry, true));
                }
                return this;
            })
            .build();
    }
}
