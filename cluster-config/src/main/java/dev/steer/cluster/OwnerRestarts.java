package dev.steer.cluster;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Unsubscribe;

/**
 * The restarts of one {@link MapOwner} actor's behavior: supervises it so that an exception that escapes it restarts
 * it, after {@link MapOwner#RESTART_MIN_BACKOFF} and longer, up to {@link MapOwner#RESTART_MAX_BACKOFF} (see
 * {@link MapOwner} for why), and keeps what outlives those restarts, made once per actor: the node incarnations seen
 * go ({@link MemberIncarnations.Retired}), whether
 * a start already ran (a later one is a restart, counted), and the membership subscriber of the last start (ended by
 * the next). What the owner does at a start, {@link MapOwner} decides. The actor's thread only.
 */
final class OwnerRestarts {
    /** The node incarnations seen go, by this owner or by one before it on this actor. */
    final MemberIncarnations.Retired retired = new MemberIncarnations.Retired();
    private final AtomicLong restarts;
    /** A start of the behavior has run (a later one is a restart). */
    private boolean started;
    /** The membership subscriber of the last start, null: none yet. */
    private ActorRef<ClusterEvent.MemberEvent> subscribed;

    private OwnerRestarts(AtomicLong restarts) {
        this.restarts = restarts;
    }

    /**
     * The owner's behavior, {@code owner} made with this actor's {@code OwnerRestarts}, restarted with a backoff at
     * every exception that escapes it.
     *
     * @param restarts counts the restarts after a failure, in a message or in a start
     */
    static Behavior<MapOwner.Command> supervise(AtomicLong restarts,
                                                Function<OwnerRestarts, Behavior<MapOwner.Command>> owner) {
        // Made once per actor, outside the supervised behavior: what must outlive its restarts.
        return Behaviors.setup(actor -> {
            final OwnerRestarts lasting = new OwnerRestarts(restarts);
            return Behaviors.supervise(owner.apply(lasting))
                .onFailure(Exception.class, SupervisorStrategy.restartWithBackoff(MapOwner.RESTART_MIN_BACKOFF,
                    MapOwner.RESTART_MAX_BACKOFF, 0.2));
        });
    }

    /**
     * A start of the owner's behavior, before it subscribes: counts it when it is a restart, and ends the
     * subscription of the start before it. Pekko signals {@code PreRestart} to a behavior that failed in a message or
     * a signal, not to one that failed while it started: the start after any failure does this.
     */
    void starting(Cluster cluster) {
        if (started) {
            restarts.incrementAndGet();
        }
        started = true;
        if (subscribed != null) {
            cluster.subscriptions().tell(new Unsubscribe<>(subscribed));
        }
    }

    /** This start subscribed {@code memberEvents} to the membership events: the next start ends that subscription. */
    void subscribed(ActorRef<ClusterEvent.MemberEvent> memberEvents) {
        subscribed = memberEvents;
    }
}
