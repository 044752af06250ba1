package dev.steer.cluster;

/**
 * Marker of every Steer message that crosses the network: bound to {@link KryoSerializer} in the node's Pekko
 * configuration ({@code pekko.actor.serialization-bindings}), so that no message falls back to Java
 * serialization (which Pekko refuses by default).
 */
public interface ClusterMessage {
}
