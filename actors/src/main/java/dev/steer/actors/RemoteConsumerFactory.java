package dev.steer.actors;

import org.apache.pekko.actor.typed.Behavior;

import dev.steer.engine.map.CpuMapEntry;

/**
 * Makes the consumer of an entry whose location is another node ({@link CpuMapEntry#isRemote()}): an actor
 * that drains the entry's ring and forwards the frames, installed by a cluster layer with
 * {@link SteerEngine.Builder#remoteConsumers(RemoteConsumerFactory)}.
 *
 * <p>The behavior takes part in the supervisor's protocol like a {@link ConsumerActor}: it acknowledges
 * {@link DataPath.Quiesce} between two batches, and on {@link DataPath.Stop} it empties the ring (forwarding
 * or counting every frame in the entry's counters), then stops. The supervisor runs it on the default
 * dispatcher: forwarding is message passing, not a pinned busy loop. Called on the supervisor's thread while
 * the map holds its update lock; must not block.
 */
@FunctionalInterface
public interface RemoteConsumerFactory {
    /**
     * The consumer of {@code entry}.
     *
     * @param entry  a remote entry, not yet published
     * @param signal raised when the supervisor sends a control message (an actor that loops may poll it)
     * @return the behavior; an exception fails the map update with ENOMEM
     */
    Behavior<DataPath.Command> create(CpuMapEntry entry, ControlSignal signal);
}
