package dev.steer.cluster.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigOrigin;

import dev.steer.actors.IdleMode;
import dev.steer.actors.SteerEngine;
import dev.steer.cluster.ClusterTls;
import dev.steer.cluster.TlsStores;
import dev.steer.engine.map.CpuSet;
import dev.steer.ingress.config.FeedConfig;

/**
 * A validated deployment: what one Steer process runs, read from a {@code steer { }} HOCON block by
 * {@link DeploymentLoader}. Immutable; every value has passed validation, so nothing here throws for bad
 * settings except {@link #pekkoConfig(String)} on a deployment without a cluster.
 *
 * <p>The map is the same on every node of a cluster: each {@link MapSettings.Entry} names the node and the
 * CPU that serves its key. {@link #localEntries()} are the ones this process runs.
 *
 * <p>Thread contract: immutable and thread-safe; the methods allocate and are meant for start-up.
 *
 * @param source  where the deployment came from (a file path, or a description such as "command line")
 * @param node    this process' node
 * @param engine  settings of the local engine
 * @param map     the cpumap: size and entries of the whole deployment
 * @param feed    the validated feed block; open it with {@link FeedConfig#open(FeedConfig.Plan)}
 * @param cluster the Pekko Cluster, or a disabled one for a single node
 * @param stats   statistics reporting
 */
public record Deployment(String source, Node node, EngineSettings engine, MapSettings map, FeedConfig.Plan feed,
                         ClusterSettings cluster, StatsSettings stats) {
    /**
     * This process' node.
     *
     * @param name  unique in the cluster, {@code [a-z0-9-]+}
     * @param roles Pekko Cluster roles of the node
     */
    public record Node(String name, List<String> roles) {
        /** Default node name. */
        public static final String DEFAULT_NAME = "node-1";
        /** Default roles. */
        public static final List<String> DEFAULT_ROLES = List.of("steer");
        /** What a node name may be made of. */
        public static final String NAME_PATTERN = "[a-z0-9-]+";
    }

    /**
     * Settings of the local engine, mapped one to one onto {@link SteerEngine.Builder}.
     *
     * @param program       a built-in program name ({@code dev.steer.engine.program.Programs#names()})
     * @param consumerBatch frames per consumer batch
     * @param passBatch     frames per local handler call
     * @param budget        frames per ingress poll
     * @param idle          what data-path actors do when idle
     * @param pinning       pin data-path threads to their CPUs
     * @param ingressCpus   CPUs of the ingresses, or empty for the engine's default (the usable CPUs)
     * @param poolFrames    frames in each ingress' pool
     * @param frameSize     bytes per frame slot
     * @param headroom      headroom of a fresh frame in bytes
     */
    public record EngineSettings(String program, int consumerBatch, int passBatch, int budget, IdleMode idle,
                                 boolean pinning, List<Integer> ingressCpus, int poolFrames, int frameSize,
                                 int headroom) {
    }

    /**
     * The cpumap of the deployment.
     *
     * @param maxEntries   slots of the map (keys 0..maxEntries-1)
     * @param defaultQsize ring size of entries that give none
     * @param entries      every entry of the deployment, ascending by key
     * @param keyPlaces    where each entry's key is written, by key ({@code steer.map.entries[i].key}); entries no
     *                     file wrote have none
     * @param maxEntriesAt where {@code max-entries} is written, or empty for the default
     */
    public record MapSettings(int maxEntries, int defaultQsize, List<Entry> entries, Map<Integer, Place> keyPlaces,
                              Optional<Place> maxEntriesAt) {
        /** Largest max-entries of a cluster map (a single node's is its CPU limit). */
        public static final int MAX_CLUSTER_ENTRIES = 65_536;

        /** Where the key of the entry of {@code key} is written, for a message; empty when no file did. */
        public Optional<Place> keyPlace(int key) {
            return Optional.ofNullable(keyPlaces.get(key));
        }

        /**
         * One map entry.
         *
         * @param key           map key, 0..maxEntries-1, unique
         * @param node          the node whose consumer serves the key
         * @param cpu           the CPU of that node the consumer runs on
         * @param qsize         ring size in frames
         * @param remoteProgram the program the consumer runs first ({@link RemotePrograms#names()}), if any
         */
        public record Entry(int key, String node, int cpu, int qsize, Optional<String> remoteProgram) {
        }
    }

    /**
     * The Pekko Cluster of a deployment.
     *
     * @param enabled      false for a single node; then the rest is not used
     * @param nodes        every node of the cluster
     * @param seedNodes    names of the nodes a joining node contacts
     * @param transport    Artery transport: {@code tcp}, {@code tls-tcp} or {@code aeron-udp}
     * @param tls          key and trust stores, present exactly when the transport is {@code tls-tcp}
     * @param downing      split-brain resolver
     * @param frameBatch   frames per cross-node message
     * @param maxInFlight  unacknowledged messages per target node
     * @param ackTimeout   how long a message may wait for its acknowledgement before its frames count unreachable
     * @param drainTimeout bound on a forwarding entry's drain-then-stop
     * @param leaveTimeout how long the node's shutdown waits for its graceful leave before it drains anyway
     * @param portPlaces   where each node's port is written ({@code steer.cluster.nodes[i].port}), by node name
     * @param hostPlaces   where each node's host is written ({@code steer.cluster.nodes[i].host}), by node name
     */
    public record ClusterSettings(boolean enabled, List<NodeAddress> nodes, List<String> seedNodes, String transport,
                                  Optional<TlsSettings> tls, Downing downing, int frameBatch, int maxInFlight,
                                  Duration ackTimeout, Duration drainTimeout, Duration leaveTimeout,
                                  Map<String, Place> portPlaces, Map<String, Place> hostPlaces) {
        /** The transports. */
        public static final List<String> TRANSPORTS = List.of("tcp", "tls-tcp", "aeron-udp");
        /** Default frames per cross-node message: bulk delivery, never one frame per message. */
        public static final int DEFAULT_FRAME_BATCH = 64;
        /** Largest frames per cross-node message: what the node's {@code ClusterSettings} accept. */
        public static final int MAX_FRAME_BATCH = dev.steer.cluster.ClusterSettings.MAX_BATCH_FRAMES;
        /** Default unacknowledged messages per target node. */
        public static final int DEFAULT_MAX_IN_FLIGHT = dev.steer.cluster.ClusterSettings.DEFAULT_MAX_IN_FLIGHT;
        /** Largest unacknowledged messages per target node. */
        public static final int MAX_MAX_IN_FLIGHT = dev.steer.cluster.ClusterSettings.MAX_IN_FLIGHT;

        /** Where the port of the node called {@code name} is written, for a message; empty when no file did. */
        public Optional<Place> portPlace(String name) {
            return Optional.ofNullable(portPlaces.get(name));
        }

        /** Where the host of the node called {@code name} is written, for a message; empty when no file did. */
        public Optional<Place> hostPlace(String name) {
            return Optional.ofNullable(hostPlaces.get(name));
        }

        /** The address of the node called {@code name}, if declared. */
        public Optional<NodeAddress> address(String name) {
            return nodes.stream().filter(n -> n.name().equals(name)).findFirst();
        }
    }

    /**
     * Where a setting is written, for a message that points the user at it; the message formats it
     * ({@code ConfigCheck.where} of the origin, then the path).
     *
     * @param origin the file and line (or the description, such as the command line) the value came from
     * @param path   the setting's path from the root, such as {@code steer.map.entries[1].key}
     */
    public record Place(ConfigOrigin origin, String path) {
    }

    /**
     * Where a node's actor system listens.
     *
     * @param name node name
     * @param host host name or address other nodes reach it at
     * @param port Artery port, 1..65535
     */
    public record NodeAddress(String name, String host, int port) {
    }

    /**
     * Settings of Artery's {@code ConfigSSLEngineProvider} for the {@code tls-tcp} transport: the settings the loader
     * opened the stores with ({@link TlsStores.Checked#tls()}), and that opening, without a problem. The node starts
     * with this opening ({@link PekkoClusterConfig#settings}) instead of opening the stores again.
     *
     * @param stores the stores as the loader opened them, with the settings it opened them with
     */
    public record TlsSettings(TlsStores.Checked stores) {
        /** The protocols. */
        public static final List<String> PROTOCOLS = ClusterTls.PROTOCOLS;

        /** Checks that there are stores. */
        public TlsSettings {
            if (stores == null) {
                throw new IllegalArgumentException("stores=null: must be TlsStores.open of the settings");
            }
        }

        /** Readable Java key store of this node. */
        public Path keyStore() {
            return stores.tls().keyStore();
        }

        /** Readable Java trust store. */
        public Path trustStore() {
            return stores.tls().trustStore();
        }

        /** Password of the key store. */
        public String keyStorePassword() {
            return stores.tls().keyStorePassword();
        }

        /** Password of the trust store. */
        public String trustStorePassword() {
            return stores.tls().trustStorePassword();
        }

        /** Password of the key (default the key store's). */
        public String keyPassword() {
            return stores.tls().keyPassword();
        }

        /** {@code TLSv1.3} or {@code TLSv1.2}. */
        public String protocol() {
            return stores.tls().protocol();
        }

        @Override
        public String toString() {
            return "TlsSettings[keyStore=" + keyStore() + ", trustStore=" + trustStore() + ", protocol=" + protocol()
                + ", passwords hidden]";
        }
    }

    /**
     * Pekko's split-brain resolver.
     *
     * @param strategy    {@code keep-majority}, {@code keep-oldest}, {@code down-all} or {@code static-quorum}
     * @param stableAfter how long membership must be stable before the resolver acts
     * @param quorumSize  nodes needed by {@code static-quorum}; 0 for the other strategies
     */
    public record Downing(String strategy, Duration stableAfter, int quorumSize) {
        /** The strategies (Pekko's, without lease-majority, which needs a lease implementation). */
        public static final List<String> STRATEGIES = List.of("keep-majority", "keep-oldest", "down-all", "static-quorum");
        /** Default stable-after: the embedding API's ({@code ClusterSettings.DEFAULT_DOWN_AFTER}), Pekko's 20 s. */
        public static final Duration DEFAULT_STABLE_AFTER = dev.steer.cluster.ClusterSettings.DEFAULT_DOWN_AFTER;
    }

    /**
     * Statistics reporting.
     *
     * @param interval time between live statistics lines
     */
    public record StatsSettings(Duration interval) {
        /** Default interval. */
        public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
    }

    /** True when the entry is served by this process. */
    public boolean isLocal(MapSettings.Entry entry) {
        return entry.node().equals(node.name());
    }

    /** The entries this process serves, ascending by key. */
    public List<MapSettings.Entry> localEntries() {
        return map.entries().stream().filter(this::isLocal).toList();
    }

    /**
     * The CPUs of this machine that this process' entries run on, ascending, each once: on a single node its keys;
     * in a cluster the entries' {@code cpu}, which a global key need not equal (a node's keys 2 and 3 on CPUs 0
     * and 1 give {@code [0, 1]}).
     */
    public int[] localCpus() {
        return localEntries().stream().mapToInt(MapSettings.Entry::cpu).distinct().sorted().toArray();
    }

    /** The entries other nodes serve, ascending by key; empty without a cluster. */
    public List<MapSettings.Entry> remoteEntries() {
        return map.entries().stream().filter(e -> !isLocal(e)).toList();
    }

    /**
     * The keys the remote program of {@code entry} redirects over: for a steering program the other entries of the
     * same node, ascending; none for {@code pass}, {@code drop} or no program. Never the entry itself (the same
     * program would get the same frame again and send it back, for ever) and never another node's (a consumer
     * spreads over its own machine, as the kernel's does).
     */
    public int[] remoteProgramTargets(MapSettings.Entry entry) {
        if (!RemotePrograms.redirects(entry.remoteProgram().orElse(RemotePrograms.PASS))) {
            return new int[0];
        }
        return map.entries().stream().filter(e -> e.node().equals(entry.node()) && e.key() != entry.key())
            .mapToInt(MapSettings.Entry::key).toArray();
    }

    /** This node's address; empty without a cluster. */
    public Optional<NodeAddress> address() {
        return cluster.enabled() ? cluster.address(node.name()) : Optional.empty();
    }

    /**
     * A new engine builder with the local settings of this deployment, over the CPUs of this machine; add a
     * handler and the feeds ({@link FeedConfig#open(FeedConfig.Plan)} of {@link #feed()}) before starting it.
     * See {@link DeploymentApplier#applyTo(Deployment, SteerEngine.Builder)}.
     */
    public SteerEngine.Builder engineBuilder() {
        return engineBuilder(CpuSet.fromMachine());
    }

    /** As {@link #engineBuilder()}, over the given CPUs (the set the deployment was validated against). */
    public SteerEngine.Builder engineBuilder(CpuSet cpus) {
        return DeploymentApplier.applyTo(this, SteerEngine.builder().cpus(cpus));
    }

    /**
     * The settings of this node for {@code ClusterNode.start}: everything of the cluster block, the node's roles
     * and the names of the nodes; see {@link PekkoClusterConfig#settings(Deployment, String)}.
     *
     * @param systemName the actor system's name, the same on every node
     * @throws IllegalStateException when the cluster is not enabled
     */
    public dev.steer.cluster.ClusterSettings clusterNodeSettings(String systemName) {
        return PekkoClusterConfig.settings(this, systemName);
    }

    /**
     * The Pekko configuration of this node's actor system in the cluster; see
     * {@link PekkoClusterConfig#of(Deployment, String)}.
     *
     * @param systemName the actor system's name, the same on every node
     * @throws IllegalStateException when the cluster is not enabled
     */
    public Config pekkoConfig(String systemName) {
        return PekkoClusterConfig.of(this, systemName);
    }
}
