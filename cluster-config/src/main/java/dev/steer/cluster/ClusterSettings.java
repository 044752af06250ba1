package dev.steer.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import dev.steer.engine.frame.FramePool;
import dev.steer.ingress.aeron.AeronMedia;

/**
 * Settings of one cluster node, with defaults; {@link #conclude()} validates them all at once and names every
 * bad setting, its value and what is allowed. {@link #toConfig()} turns them into the Pekko configuration of
 * the node's actor system (cluster provider, Artery transport and TLS, roles, split-brain resolver, Kryo
 * binding): the one place where a node's Pekko keys are written. A deployment file's settings reach it through
 * {@code dev.steer.cluster.config.PekkoClusterConfig#settings}.
 *
 * <p>Not thread-safe; configure on one thread, then hand to {@link ClusterNode#start}, which concludes them: a setting
 * changed after an earlier {@link #conclude()} is validated there with the others.
 */
public final class ClusterSettings {
    /** Artery's transports. */
    public enum Transport {
        /** Plain TCP: the default. */
        TCP("tcp"),
        /** TCP with TLS and mutual authentication: needs a key store and a trust store. */
        TLS_TCP("tls-tcp"),
        /** Aeron UDP: needs the Aeron media driver on the class path (Artery embeds one). */
        AERON_UDP("aeron-udp");

        private final String artery;

        Transport(String artery) {
            this.artery = artery;
        }

        /** The value of {@code pekko.remote.artery.transport}. */
        public String artery() {
            return artery;
        }
    }

    /** Default actor system name; every node of a cluster must use the same. */
    public static final String DEFAULT_SYSTEM_NAME = "steer";
    /** Default host to bind and advertise. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** Default port: 0 picks a free one. */
    public static final int DEFAULT_PORT = 0;
    /** Default frames per forwarded batch. */
    public static final int DEFAULT_BATCH_FRAMES = 64;
    /** Largest batch: with 2 KiB frames it stays well below the Artery frame size set by {@link #toConfig()}. */
    public static final int MAX_BATCH_FRAMES = 256;
    /** Default unacknowledged batches per target node (one window for all the keys placed there). */
    public static final int DEFAULT_MAX_IN_FLIGHT = 8;
    /** Largest in-flight window. */
    public static final int MAX_IN_FLIGHT = 1024;
    /** Default bound on a forwarding entry's drain-then-stop. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(5);
    /** Default time a forwarded batch may go unacknowledged before it is counted lost and its credit freed. */
    public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(5);
    /**
     * Shortest ack and drain timeouts: a link checks its batches' ack timeouts every 100 ms, and a shorter timeout
     * gives up batches whose acknowledgements are on their way, so frames the other node received are counted
     * {@code unreachable} here as well.
     */
    public static final Duration MIN_TIMEOUT = Duration.ofMillis(100);
    /** Longest ack timeout. */
    public static final Duration MAX_ACK_TIMEOUT = Duration.ofDays(1);
    /**
     * Default bound on the graceful leave of {@link ClusterNode#shutdown()} (and {@code close()}): how long the node waits
     * to be removed before it drains anyway. A leave cannot complete while another member is unreachable and not yet
     * downed, so past {@link #DEFAULT_DOWN_AFTER} plus failure detection, 30 s drains a node whose leave is stuck.
     */
    public static final Duration DEFAULT_LEAVE_TIMEOUT = Duration.ofSeconds(30);
    /** Shortest leave timeout: Pekko gossips once a second by default, so a leave takes at least a few rounds. */
    public static final Duration MIN_LEAVE_TIMEOUT = Duration.ofSeconds(1);
    /** Longest leave timeout. */
    public static final Duration MAX_LEAVE_TIMEOUT = Duration.ofHours(1);
    /** Default frames in the receiver's pool. */
    public static final int DEFAULT_RECEIVER_FRAMES = 16_384;
    /**
     * Default time the membership must be stable before the split-brain resolver decides ({@code stable-after}): 20 s,
     * Pekko's own default, and the same as a deployment file's. Pekko's guidance: never shorter than the membership
     * dissemination time, which grows with the cluster (its recommended minimum is 7 s for 5 nodes, 20 s for 100), and
     * well above the failure detector's time to notice a node (heartbeat interval 1 s plus the acceptable pause,
     * {@link #DEFAULT_HEARTBEAT_PAUSE}, about 5 s), or a node that only paused is downed. Lower it for small clusters.
     */
    public static final Duration DEFAULT_DOWN_AFTER = Duration.ofSeconds(20);
    /** Default heartbeat pause the failure detector accepts before a node is unreachable. */
    public static final Duration DEFAULT_HEARTBEAT_PAUSE = Duration.ofSeconds(3);
    /** Default split-brain resolver strategy. */
    public static final String DEFAULT_DOWNING_STRATEGY = "keep-majority";
    /** The split-brain resolver strategies; {@code static-quorum} also needs {@link #quorumSize(int)}. */
    public static final List<String> DOWNING_STRATEGIES = List.of("keep-majority", "keep-oldest", "static-quorum",
        "down-all", "lease-majority");
    /** Prefix Pekko keeps for its data-center roles: a role of a node must not start with it. */
    public static final String RESERVED_ROLE_PREFIX = "dc-";
    /** Artery's maximum frame size set by {@link #toConfig()}. */
    public static final int MAX_FRAME_BYTES = 1 << 20;
    /** Largest frame batch: Artery's frame size less room for the envelope and the batch header. */
    public static final int MAX_BATCH_BYTES = MAX_FRAME_BYTES - 4096;

    /** Whether a batch of {@code batchFrames} frames of {@code frameSize} bytes fits one Artery frame. */
    public static boolean batchFits(int batchFrames, int frameSize) {
        return (long) batchFrames * (frameSize + Integer.BYTES) <= MAX_BATCH_BYTES;
    }

    /** The most frames of {@code frameSize} bytes a batch can hold in one Artery frame. */
    public static int maxBatchFrames(int frameSize) {
        return MAX_BATCH_BYTES / (frameSize + Integer.BYTES);
    }

    /**
     * Owner of Artery's embedded Aeron driver directory, followed by the system name: with {@code aeron-udp}
     * {@link #toConfig()} names it {@code steer-aeron-PID-artery-SYSTEM-RANDOM} (see {@link AeronMedia#newDirectory}).
     */
    public static final String ARTERY_DRIVER_OWNER = "artery-";

    private String systemName = DEFAULT_SYSTEM_NAME;
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private final List<String> seeds = new ArrayList<>();
    private Transport transport = Transport.TCP;
    private ClusterTls tls;
    private TlsStores.Checked tlsOpened;
    private List<String> roles = new ArrayList<>();
    private final Map<String, String> nodeNames = new LinkedHashMap<>();
    private int quorumSize;
    private int maxEntries = -1;
    private int batchFrames = DEFAULT_BATCH_FRAMES;
    private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
    private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
    private Duration ackTimeout = DEFAULT_ACK_TIMEOUT;
    private Duration leaveTimeout = DEFAULT_LEAVE_TIMEOUT;
    private int receiverFrames = DEFAULT_RECEIVER_FRAMES;
    private int frameSize = FramePool.Context.DEFAULT_FRAME_SIZE;
    private int headroom = FramePool.Context.DEFAULT_HEADROOM;
    private Duration downAfter = DEFAULT_DOWN_AFTER;
    private Duration heartbeatPause = DEFAULT_HEARTBEAT_PAUSE;
    private String downingStrategy = DEFAULT_DOWNING_STRATEGY;
    private Config extraConfig = ConfigFactory.empty();
    private boolean concluded;

    /** Name of the actor system; the same on every node. */
    public ClusterSettings systemName(String systemName) {
        this.systemName = systemName;
        return changed();
    }

    /** Host to bind and advertise. */
    public ClusterSettings host(String host) {
        this.host = host;
        return changed();
    }

    /** Port to bind; 0 for a free one. */
    public ClusterSettings port(int port) {
        this.port = port;
        return changed();
    }

    /** Adds a seed node address ({@code pekko://system@host:port}); with none the node starts a new cluster. */
    public ClusterSettings seed(String address) {
        seeds.add(address);
        return changed();
    }

    /**
     * The Artery transport. With {@link #tls} given, only {@link Transport#TLS_TCP}: {@link #conclude()} refuses TLS
     * settings beside another transport rather than run in plain text.
     */
    public ClusterSettings transport(Transport transport) {
        this.transport = transport;
        return changed();
    }

    /**
     * TLS with one password for the key store, its key and the trust store, and {@value ClusterTls#DEFAULT_PROTOCOL};
     * selects {@link Transport#TLS_TCP}. See {@link #tls(ClusterTls)} for separate passwords and the protocol.
     */
    public ClusterSettings tls(Path keyStore, Path trustStore, String storePassword) {
        return tls(new ClusterTls(keyStore, storePassword, storePassword, trustStore, storePassword,
            ClusterTls.DEFAULT_PROTOCOL));
    }

    /** TLS with every setting of its own; selects {@link Transport#TLS_TCP}. */
    public ClusterSettings tls(ClusterTls tls) {
        this.transport = Transport.TLS_TCP;
        this.tls = tls;
        this.tlsOpened = null;
        return changed();
    }

    /**
     * TLS whose stores {@link TlsStores#open} has opened (a deployment file's, opened when it was loaded); selects
     * {@link Transport#TLS_TCP}. {@link #conclude()} checks it as {@link #tls(ClusterTls)}'s, but reports that
     * opening's problems instead of opening the stores again.
     */
    public ClusterSettings tls(TlsStores.Checked opened) {
        tls(opened.tls());
        this.tlsOpened = opened;
        return changed();
    }

    /** Pekko Cluster roles of this node (replacing any given before); default none. */
    public ClusterSettings roles(List<String> roles) {
        this.roles = roles == null ? null : new ArrayList<>(roles);
        return changed();
    }

    /**
     * The name of the node at {@code address} ({@code pekko://system@host:port}), for {@link LinkStats#node()};
     * a node without one is named by its address.
     */
    public ClusterSettings nodeName(String address, String name) {
        nodeNames.put(address, name);
        return changed();
    }

    /** Slots of the cluster map, the same on every node; default the engine's max entries. */
    public ClusterSettings maxEntries(int maxEntries) {
        this.maxEntries = maxEntries;
        return changed();
    }

    /** Frames per forwarded batch, 1 to {@value #MAX_BATCH_FRAMES}. */
    public ClusterSettings batchFrames(int batchFrames) {
        this.batchFrames = batchFrames;
        return changed();
    }

    /** Unacknowledged batches per target node, shared by all the keys placed there, 1 to {@value #MAX_IN_FLIGHT}. */
    public ClusterSettings maxInFlight(int maxInFlight) {
        this.maxInFlight = maxInFlight;
        return changed();
    }

    /**
     * Bound on a forwarding entry's drain-then-stop; past it, what is unacknowledged counts unreachable. At least
     * {@link #MIN_TIMEOUT}.
     */
    public ClusterSettings drainTimeout(Duration drainTimeout) {
        this.drainTimeout = drainTimeout;
        return changed();
    }

    /**
     * How long a forwarded batch may wait for its acknowledgement: then its frames are counted {@code unreachable}
     * and its credit is freed, so that batches lost on a link that stays up (Artery delivers at most once: a
     * connection that breaks and comes back loses what it carried) cannot stop the link for good. At least
     * {@link #MIN_TIMEOUT}, at most {@link #MAX_ACK_TIMEOUT}.
     */
    public ClusterSettings ackTimeout(Duration ackTimeout) {
        this.ackTimeout = ackTimeout;
        return changed();
    }

    /**
     * How long {@link ClusterNode#shutdown()} waits for the graceful leave (this node removed from the cluster) before
     * it drains and stops anyway, {@link #MIN_LEAVE_TIMEOUT} to {@link #MAX_LEAVE_TIMEOUT}; default
     * {@link #DEFAULT_LEAVE_TIMEOUT}. A leave cannot complete while another member is unreachable and not yet downed:
     * give it more than the split-brain resolver's {@link #downAfter} to let the resolver decide first.
     */
    public ClusterSettings leaveTimeout(Duration leaveTimeout) {
        this.leaveTimeout = leaveTimeout;
        return changed();
    }

    /** Frames of the receiver's pool (frames arriving from other nodes). */
    public ClusterSettings receiverFrames(int receiverFrames) {
        this.receiverFrames = receiverFrames;
        return changed();
    }

    /** Frame size and headroom of the receiver's pool; use the engine's. */
    public ClusterSettings receiverFrameSize(int frameSize, int headroom) {
        this.frameSize = frameSize;
        this.headroom = headroom;
        return changed();
    }

    /**
     * How long the membership must be stable before the split-brain resolver acts (Pekko's {@code stable-after});
     * default {@link #DEFAULT_DOWN_AFTER}.
     */
    public ClusterSettings downAfter(Duration downAfter) {
        this.downAfter = downAfter;
        return changed();
    }

    /** Heartbeat pause the failure detector accepts. */
    public ClusterSettings heartbeatPause(Duration heartbeatPause) {
        this.heartbeatPause = heartbeatPause;
        return changed();
    }

    /** Split-brain resolver strategy, one of {@link #DOWNING_STRATEGIES}; static-quorum needs {@link #quorumSize}. */
    public ClusterSettings downingStrategy(String downingStrategy) {
        this.downingStrategy = downingStrategy;
        return changed();
    }

    /** Members that make a quorum for {@code static-quorum}, at least 1; not used by the other strategies. */
    public ClusterSettings quorumSize(int quorumSize) {
        this.quorumSize = quorumSize;
        return changed();
    }

    /** Pekko settings laid over the ones {@link #toConfig()} derives (for what these settings do not cover). */
    public ClusterSettings extraConfig(Config extraConfig) {
        this.extraConfig = extraConfig;
        return changed();
    }

    /** Every setter ends here: a value set after {@link #conclude()} is validated by the next one. */
    private ClusterSettings changed() {
        concluded = false;
        return this;
    }

    /**
     * Validates every setting, by the rules of {@link ClusterSettingsCheck}. Settings unchanged since the last
     * successful call are not checked again; a setter called since then (after a loader concluded the settings,
     * say) makes this check them all again.
     *
     * @throws IllegalArgumentException listing every bad setting with its value and what is allowed
     */
    public ClusterSettings conclude() {
        if (concluded) {
            return this;
        }
        final ClusterSettingsCheck check = new ClusterSettingsCheck();
        check.address(systemName, host, port, seeds);
        check.transport(transport, tls, tlsOpened);
        check.names(roles, nodeNames);
        check.links(maxEntries, batchFrames, maxInFlight, drainTimeout, ackTimeout, leaveTimeout);
        check.downing(downAfter, heartbeatPause, downingStrategy, quorumSize);
        check.receiver(receiverFrames, frameSize, headroom, batchFrames);
        check.extraConfig(extraConfig);
        if (!check.errors().isEmpty()) {
            throw new IllegalArgumentException("invalid cluster settings:\n  " + String.join("\n  ", check.errors()));
        }
        concluded = true;
        return this;
    }

    /**
     * The Pekko configuration of the node's actor system; concludes first. With {@link Transport#AERON_UDP} Artery's
     * embedded media driver gets a fresh directory of its own each call ({@link AeronMedia#newDirectory}, owner
     * {@value #ARTERY_DRIVER_OWNER}SYSTEM), which Pekko deletes when the actor system stops; an {@code aeron-dir} in
     * {@link #extraConfig}, or {@code embedded-media-driver = off} there, is left as it is. Built by
     * {@link ArteryConfig}.
     */
    public Config toConfig() {
        conclude();
        return ArteryConfig.of(this, tls, heartbeatPause, extraConfig);
    }

    /** Name of the actor system. */
    public String systemName() {
        return systemName;
    }

    /** The seed addresses. */
    public List<String> seeds() {
        return List.copyOf(seeds);
    }

    /** The transport. */
    public Transport transport() {
        return transport;
    }

    /** Host to bind and advertise. */
    public String host() {
        return host;
    }

    /** Port to bind; 0 for a free one. */
    public int port() {
        return port;
    }

    /** TLS of the {@code tls-tcp} transport; empty for the others. */
    public Optional<ClusterTls> tls() {
        return transport == Transport.TLS_TCP ? Optional.ofNullable(tls) : Optional.empty();
    }

    /** Pekko Cluster roles of this node. */
    public List<String> roles() {
        return roles == null ? List.of() : List.copyOf(roles);
    }

    /** The name of the node at {@code address} given by {@link #nodeName}, else the address itself. */
    public String nodeName(String address) {
        return nodeNames.getOrDefault(address, address);
    }

    /** Split-brain resolver strategy. */
    public String downingStrategy() {
        return downingStrategy;
    }

    /** Members that make a quorum for {@code static-quorum}; 0 when not given. */
    public int quorumSize() {
        return quorumSize;
    }

    /** How long a partition must be stable before the split-brain resolver acts. */
    public Duration downAfter() {
        return downAfter;
    }

    /** Slots of the cluster map, or -1 for the engine's. */
    public int maxEntries() {
        return maxEntries;
    }

    /** Frames per forwarded batch. */
    public int batchFrames() {
        return batchFrames;
    }

    /** Unacknowledged batches per target node. */
    public int maxInFlight() {
        return maxInFlight;
    }

    /** Bound on a forwarding entry's drain-then-stop. */
    public Duration drainTimeout() {
        return drainTimeout;
    }

    /** Time a forwarded batch may wait for its acknowledgement before it is counted lost. */
    public Duration ackTimeout() {
        return ackTimeout;
    }

    /** How long {@link ClusterNode#shutdown()} waits for the graceful leave before it drains anyway. */
    public Duration leaveTimeout() {
        return leaveTimeout;
    }

    /** Frames of the receiver's pool. */
    public int receiverFrames() {
        return receiverFrames;
    }

    /** Frame size of the receiver's pool. */
    public int frameSize() {
        return frameSize;
    }

    /** Headroom of the receiver's pool. */
    public int headroom() {
        return headroom;
    }
}
