package dev.steer.cluster;

import java.time.Duration;
import java.util.Locale;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;

import dev.steer.ingress.aeron.AeronMedia;

/**
 * Translates concluded {@link ClusterSettings} into the Pekko configuration of the node's actor system: cluster
 * provider, the Kryo serializer for {@link ClusterMessage}s, Artery's transport, address and frame size, the
 * split-brain resolver, TLS, and for {@code aeron-udp} a driver directory of the node's own.
 *
 * <p>Thread contract: stateless; any thread. Off the data path.
 */
final class ArteryConfig {
    private static final String AERON_DIR = "pekko.remote.artery.advanced.aeron.aeron-dir";
    private static final String EMBEDDED_DRIVER = "pekko.remote.artery.advanced.aeron.embedded-media-driver";

    private ArteryConfig() {
    }

    /**
     * The configuration; {@code extraConfig} wins over every key it sets.
     *
     * @param settings       concluded settings
     * @param tls            the TLS settings, used with {@code tls-tcp}
     * @param heartbeatPause the failure detector's acceptable heartbeat pause
     * @param extraConfig    the user's own Pekko settings
     */
    static Config of(ClusterSettings settings, ClusterTls tls, Duration heartbeatPause, Config extraConfig) {
        // Locale.ROOT: the default locale may write other digits (Arabic-Indic under ar-EG), which HOCON cannot read.
        Config config = ConfigFactory.parseString(String.format(Locale.ROOT, """
            pekko {
              actor {
                provider = cluster
                serializers.steer-kryo = "dev.steer.cluster.KryoSerializer"
                serialization-bindings { "dev.steer.cluster.ClusterMessage" = steer-kryo }
              }
              remote.artery {
                advanced.maximum-frame-size = %d
              }
              cluster {
                downing-provider-class = "org.apache.pekko.cluster.sbr.SplitBrainResolverProvider"
                split-brain-resolver.active-strategy = %s
                split-brain-resolver.stable-after = %dms
                failure-detector.acceptable-heartbeat-pause = %dms
                jmx.multi-mbeans-in-same-jvm = on
                log-info = off
              }
              coordinated-shutdown.exit-jvm = off
            }
            """, ClusterSettings.MAX_FRAME_BYTES, settings.downingStrategy(), settings.downAfter().toMillis(),
                heartbeatPause.toMillis()))
            .withValue("pekko.remote.artery.transport", ConfigValueFactory.fromAnyRef(settings.transport().artery()))
            .withValue("pekko.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(settings.host()))
            .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(settings.port()))
            .withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(settings.roles()));
        if ("static-quorum".equals(settings.downingStrategy())) {
            // Pekko's reference.conf has quorum-size = undefined, a string: the cluster daemon dies at start without it.
            config = config.withValue("pekko.cluster.split-brain-resolver.static-quorum.quorum-size",
                ConfigValueFactory.fromAnyRef(settings.quorumSize()));
        }
        if (settings.transport() == ClusterSettings.Transport.TLS_TCP) {
            config = tls.toConfig().withFallback(config);
        }
        if (settings.transport() == ClusterSettings.Transport.AERON_UDP && !extraConfig.hasPath(AERON_DIR)
            && !(extraConfig.hasPath(EMBEDDED_DRIVER) && !extraConfig.getBoolean(EMBEDDED_DRIVER))) {
            // Left empty, Artery's embedded driver runs in /dev/shm/aeron-USER/SYSTEM-UUID: the parent stays after
            // every node, and a killed node's directory names no process, so no sweep can tell it is stale.
            config = config
                .withValue(AERON_DIR, ConfigValueFactory.fromAnyRef(
                    AeronMedia.newDirectory(ClusterSettings.ARTERY_DRIVER_OWNER + settings.systemName()).toString()))
                .withValue("pekko.remote.artery.advanced.aeron.delete-aeron-dir", ConfigValueFactory.fromAnyRef(true));
        }
        return extraConfig.withFallback(config);
    }
}
