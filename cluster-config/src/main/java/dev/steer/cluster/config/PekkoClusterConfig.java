package dev.steer.cluster.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * The Pekko configuration of a node's actor system in a Steer cluster: cluster provider, Artery's canonical
 * address and transport, seed nodes, roles, the TLS engine for {@code tls-tcp} and the split-brain resolver.
 * Keys as in Pekko 1.7's {@code reference.conf} of pekko-remote and pekko-cluster. The result has no
 * fallback: give it to {@code ActorSystem.create} over {@code ConfigFactory.load()} (or the engine's
 * {@code actorConfig}).
 *
 * <p>Thread contract: any thread; allocates, start-up only.
 */
public final class PekkoClusterConfig {
    /** Pekko's split-brain resolver. */
    public static final String SBR_PROVIDER = "org.apache.pekko.cluster.sbr.SplitBrainResolverProvider";
    /** Artery's TLS engine provider configured from {@code pekko.remote.artery.ssl.config-ssl-engine}. */
    public static final String SSL_ENGINE_PROVIDER = "org.apache.pekko.remote.artery.tcp.ConfigSSLEngineProvider";

    private PekkoClusterConfig() {
    }

    /**
     * The configuration of {@code deployment}'s node.
     *
     * @param systemName the actor system's name, the same on every node ({@code [a-zA-Z0-9][a-zA-Z0-9_-]*})
     * @throws IllegalStateException    when the cluster is not enabled
     * @throws IllegalArgumentException for a bad system name
     */
    public static Config of(Deployment deployment, String systemName) {
        final Deployment.ClusterSettings cluster = deployment.cluster();
        if (!cluster.enabled()) {
            throw new IllegalStateException("deployment " + deployment.source()
                + ": steer.cluster.enabled = false: a single node has no cluster configuration");
        }
        if (systemName == null || !systemName.matches("[a-zA-Z0-9][a-zA-Z0-9_-]*")) {
            throw new IllegalArgumentException("systemName='" + systemName + "': must be letters, digits, '-' and '_'");
        }
        final Deployment.NodeAddress self = deployment.address().orElseThrow(() -> new IllegalStateException(
            "node " + deployment.node().name() + " is not in steer.cluster.nodes"));
        final Map<String, Object> map = new LinkedHashMap<>();
        map.put("pekko.actor.provider", "cluster");
        map.put("pekko.remote.artery.enabled", "on");
        map.put("pekko.remote.artery.transport", cluster.transport());
        map.put("pekko.remote.artery.canonical.hostname", self.host());
        map.put("pekko.remote.artery.canonical.port", self.port());
        map.put("pekko.cluster.seed-nodes", cluster.seedNodes().stream()
            .map(name -> cluster.address(name).orElseThrow())
            .map(a -> "pekko://" + systemName + "@" + a.host() + ":" + a.port())
            .toList());
        map.put("pekko.cluster.roles", List.copyOf(deployment.node().roles()));
        map.put("pekko.cluster.downing-provider-class", SBR_PROVIDER);
        final Deployment.Downing downing = cluster.downing();
        map.put("pekko.cluster.split-brain-resolver.active-strategy", downing.strategy());
        map.put("pekko.cluster.split-brain-resolver.stable-after", downing.stableAfter().toMillis() + "ms");
        if ("static-quorum".equals(downing.strategy())) {
            map.put("pekko.cluster.split-brain-resolver.static-quorum.quorum-size", downing.quorumSize());
        }
        cluster.tls().ifPresent(tls -> {
            final String p = "pekko.remote.artery.ssl.config-ssl-engine.";
            map.put("pekko.remote.artery.ssl.ssl-engine-provider", SSL_ENGINE_PROVIDER);
            map.put(p + "key-store", tls.keyStore().toString());
            map.put(p + "trust-store", tls.trustStore().toString());
            map.put(p + "key-store-password", tls.keyStorePassword());
            map.put(p + "trust-store-password", tls.trustStorePassword());
            map.put(p + "key-password", tls.keyPassword());
            map.put(p + "protocol", tls.protocol());
            if ("TLSv1.2".equals(tls.protocol())) {
                // Pekko's default suites are TLSv1.3 ones, which a TLSv1.2 engine cannot use.
                map.put(p + "enabled-algorithms", List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"));
            }
        });
        return ConfigFactory.parseMap(map, "steer deployment " + deployment.source() + " (node " + self.name() + ")");
    }
}
