package dev.steer.cluster.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;

import dev.steer.cluster.ClusterSettings;
import dev.steer.cluster.ClusterTls;

/**
 * A deployment's cluster block as the settings of its node: {@link #settings} is the one translation of
 * {@code steer.cluster} (with {@code steer.node} and the engine's pool) into a {@link ClusterSettings}, which
 * {@code ClusterNode.start} runs and whose {@link ClusterSettings#toConfig()} writes every Pekko key (cluster
 * provider, Artery's canonical address and transport, roles, the TLS engine for {@code tls-tcp}, the
 * split-brain resolver). Everything the loader validated reaches the node, and nothing else: a node started
 * from a deployment and {@link #of} agree by construction.
 *
 * <p>Thread contract: any thread; allocates, start-up only.
 */
public final class PekkoClusterConfig {
    /** Pekko's split-brain resolver. */
    public static final String SBR_PROVIDER = "org.apache.pekko.cluster.sbr.SplitBrainResolverProvider";
    /** Artery's TLS engine provider configured from {@code pekko.remote.artery.ssl.config-ssl-engine}. */
    public static final String SSL_ENGINE_PROVIDER = ClusterTls.SSL_ENGINE_PROVIDER;

    private PekkoClusterConfig() {
    }

    /**
     * The settings of {@code deployment}'s node, for {@code ClusterNode.start(settings, builder)}: its address;
     * the seeds; the transport with every TLS setting (key store, trust store, their passwords, the key's
     * password, the protocol); its roles; the downing strategy with its stable-after and quorum size; frame
     * batch, in-flight window, ack, drain and leave timeouts; the cluster map's size; a receiver pool shaped like the
     * engine's ingress pools; and the name of every node of the file, which {@code LinkStats} report.
     * Concluded: what the loader accepted, this accepts.
     *
     * @param systemName the actor system's name, the same on every node ({@code [a-zA-Z0-9][a-zA-Z0-9_-]*})
     * @throws IllegalStateException    when the cluster is not enabled
     * @throws IllegalArgumentException for a bad system name
     */
    public static ClusterSettings settings(Deployment deployment, String systemName) {
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
        final Deployment.Downing downing = cluster.downing();
        final Deployment.EngineSettings engine = deployment.engine();
        final ClusterSettings settings = new ClusterSettings().systemName(systemName)
            .host(self.host()).port(self.port())
            .roles(deployment.node().roles())
            .maxEntries(deployment.map().maxEntries())
            .batchFrames(cluster.frameBatch()).maxInFlight(cluster.maxInFlight())
            .ackTimeout(cluster.ackTimeout()).drainTimeout(cluster.drainTimeout()).leaveTimeout(cluster.leaveTimeout())
            .receiverFrames(engine.poolFrames()).receiverFrameSize(engine.frameSize(), engine.headroom())
            .downingStrategy(downing.strategy()).downAfter(downing.stableAfter()).quorumSize(downing.quorumSize());
        for (String seed : cluster.seedNodes()) {
            settings.seed(address(systemName, cluster.address(seed).orElseThrow()));
        }
        for (Deployment.NodeAddress node : cluster.nodes()) {
            settings.nodeName(address(systemName, node), node.name());
        }
        switch (cluster.transport()) {
            // The stores as the loader opened them: the node's settings do not open them a second time.
            case "tls-tcp" -> settings.tls(cluster.tls().orElseThrow().stores());
            case "aeron-udp" -> settings.transport(ClusterSettings.Transport.AERON_UDP);
            default -> settings.transport(ClusterSettings.Transport.TCP);
        }
        return settings.conclude();
    }

    /**
     * The Pekko configuration of {@code deployment}'s node: {@link #settings}' {@link ClusterSettings#toConfig()}
     * with {@code pekko.cluster.seed-nodes} added, so that an actor system started from it alone joins its seeds
     * ({@code ClusterNode} joins them itself). The result has no fallback: give it to {@code ActorSystem.create}
     * over {@code ConfigFactory.load()} (or the engine's {@code actorConfig}).
     *
     * @param systemName the actor system's name, the same on every node ({@code [a-zA-Z0-9][a-zA-Z0-9_-]*})
     * @throws IllegalStateException    when the cluster is not enabled
     * @throws IllegalArgumentException for a bad system name
     */
    public static Config of(Deployment deployment, String systemName) {
        final ClusterSettings settings = settings(deployment, systemName);
        return settings.toConfig().withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(settings.seeds()));
    }

    /** The address of {@code node} in the actor system {@code systemName}: {@code pekko://system@host:port}. */
    static String address(String systemName, Deployment.NodeAddress node) {
        return "pekko://" + systemName + "@" + node.host() + ":" + node.port();
    }
}
