package dev.steer.cluster;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;

import com.typesafe.config.ConfigFactory;

/** An actor test kit whose system serializes the cluster's messages with {@link KryoSerializer}, as a node does. */
final class KryoTestKit {
    private KryoTestKit() {
    }

    /**
     * A kit named {@code name} binding {@link ClusterMessage} to {@link KryoSerializer}; local sends are not serialized
     * ({@code serialize-messages = off}): a test serializes what it means to.
     */
    static ActorTestKit create(String name) {
        return ActorTestKit.create(name, ConfigFactory.parseString("""
            pekko.actor.serializers.steer-kryo = "dev.steer.cluster.KryoSerializer"
            pekko.actor.serialization-bindings { "dev.steer.cluster.ClusterMessage" = steer-kryo }
            pekko.actor.serialize-messages = off
            """));
    }
}
