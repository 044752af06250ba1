package dev.steer.cluster;

import static dev.steer.cluster.ClusterSettings.DOWNING_STRATEGIES;
import static dev.steer.cluster.ClusterSettings.MAX_ACK_TIMEOUT;
import static dev.steer.cluster.ClusterSettings.MAX_BATCH_BYTES;
import static dev.steer.cluster.ClusterSettings.MAX_BATCH_FRAMES;
import static dev.steer.cluster.ClusterSettings.MAX_IN_FLIGHT;
import static dev.steer.cluster.ClusterSettings.MAX_LEAVE_TIMEOUT;
import static dev.steer.cluster.ClusterSettings.MIN_LEAVE_TIMEOUT;
import static dev.steer.cluster.ClusterSettings.MIN_TIMEOUT;
import static dev.steer.cluster.ClusterSettings.RESERVED_ROLE_PREFIX;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.typesafe.config.Config;

import dev.steer.engine.frame.FramePool;

/**
 * The rules of {@link ClusterSettings#conclude()}: each group of settings is checked by one method, and every bad
 * setting adds a line naming it, its value and what is allowed. The settings call the groups in a fixed order, so
 * the lines of one {@code conclude()} keep that order.
 *
 * <p>Not thread-safe; one per {@code conclude()}. Start-up only.
 */
final class ClusterSettingsCheck {
    /** What an address of a node looks like: {@code pekko://system@host:port}. */
    private static final String ADDRESS = "pekko://[a-zA-Z0-9][a-zA-Z0-9_-]*@[^:]+:\\d+";

    private final List<String> errors = new ArrayList<>();

    /** Every problem found so far, in the order found. */
    List<String> errors() {
        return errors;
    }

    /** The actor system's name, the host and port to bind, and the seed addresses. */
    void address(String systemName, String host, int port, List<String> seeds) {
        if (systemName == null || !systemName.matches("[a-zA-Z0-9][a-zA-Z0-9_-]*")) {
            errors.add("systemName='" + systemName + "': must be letters, digits, '-' and '_'");
        }
        if (host == null || host.isBlank()) {
            errors.add("host='" + host + "': must be a host name or address");
        }
        if (port < 0 || port > 65_535) {
            errors.add("port=" + port + ": must be 0..65535 (0 picks a free port)");
        }
        for (String seed : seeds) {
            if (seed == null || !seed.matches(ADDRESS)) {
                errors.add("seed='" + seed + "': must be pekko://system@host:port");
            }
        }
    }

    /**
     * The transport, and TLS only with {@code tls-tcp} (its values are checked whatever the transport); {@code opened}
     * is its stores opened before, or null.
     */
    void transport(ClusterSettings.Transport transport, ClusterTls tls, TlsStores.Checked opened) {
        if (transport == null) {
            errors.add("transport=null: must be one of tcp, tls-tcp, aeron-udp");
        } else if (transport == ClusterSettings.Transport.TLS_TCP && tls == null) {
            errors.add("tls=null: tls-tcp needs key and trust stores (tls(...))");
        } else if (transport == ClusterSettings.Transport.TLS_TCP) {
            tls.check(errors, opened);
        } else if (tls != null) {
            // transport(TCP) after tls(...) used to drop the TLS settings without a word: the node ran in plain text.
            errors.add("tls=" + tls + ": tls is set but transport is " + transport.artery() + " ("
                + (transport == ClusterSettings.Transport.AERON_UDP ? "Artery has no TLS over Aeron UDP"
                : "plain text: tls would be ignored")
                + "): set transport(TLS_TCP), or leave tls unset");
            tls.check(errors, opened);
        }
    }

    /** The node's roles, and the names given to node addresses. */
    void names(List<String> roles, Map<String, String> nodeNames) {
        if (roles == null) {
            errors.add("roles=null: must be a list of roles (empty for none)");
        }
        for (String role : roles == null ? List.<String>of() : roles) {
            if (role == null || role.isBlank() || role.startsWith(RESERVED_ROLE_PREFIX)) {
                errors.add("roles=" + roles + ": each role must be a non-blank string not starting with '"
                    + RESERVED_ROLE_PREFIX + "' (Pekko's data-center roles)");
                break;
            }
        }
        for (Map.Entry<String, String> node : nodeNames.entrySet()) {
            if (node.getKey() == null || !node.getKey().matches(ADDRESS) || node.getValue() == null
                || node.getValue().isBlank()) {
                errors.add("nodeName('" + node.getKey() + "', '" + node.getValue()
                    + "'): must be an address pekko://system@host:port and a non-blank name");
            }
        }
    }

    /** The map's size and the forwarding links: batch, window, drain, ack and leave timeouts. */
    void links(int maxEntries, int batchFrames, int maxInFlight, Duration drainTimeout, Duration ackTimeout,
               Duration leaveTimeout) {
        if (maxEntries == 0 || maxEntries < -1) {
            errors.add("maxEntries=" + maxEntries + ": must be at least 1 (or unset for the engine's)");
        }
        range("batchFrames", batchFrames, 1, MAX_BATCH_FRAMES);
        range("maxInFlight", maxInFlight, 1, MAX_IN_FLIGHT);
        positive("drainTimeout", drainTimeout);
        positive("ackTimeout", ackTimeout);
        notBelowMinimum("drainTimeout", drainTimeout);
        notBelowMinimum("ackTimeout", ackTimeout);
        if (ackTimeout != null && ackTimeout.compareTo(MAX_ACK_TIMEOUT) > 0) {
            errors.add("ackTimeout=" + ackTimeout + ": must be at most " + MAX_ACK_TIMEOUT);
        }
        if (leaveTimeout == null || leaveTimeout.compareTo(MIN_LEAVE_TIMEOUT) < 0
            || leaveTimeout.compareTo(MAX_LEAVE_TIMEOUT) > 0) {
            errors.add("leaveTimeout=" + leaveTimeout + ": must be 1 s..1 h (how long shutdown() waits for the graceful"
                + " leave before it drains anyway)");
        }
    }

    /** The failure detector and the split-brain resolver. */
    void downing(Duration downAfter, Duration heartbeatPause, String downingStrategy, int quorumSize) {
        positive("downAfter", downAfter);
        positive("heartbeatPause", heartbeatPause);
        if (!DOWNING_STRATEGIES.contains(downingStrategy)) {
            errors.add("downingStrategy='" + downingStrategy + "': must be one of " + String.join(", ", DOWNING_STRATEGIES));
        }
        final boolean staticQuorum = "static-quorum".equals(downingStrategy);
        if (quorumSize < 0 || staticQuorum && quorumSize < 1) {
            errors.add("quorumSize=" + quorumSize + (staticQuorum
                ? ": static-quorum needs the number of members that make a quorum, at least 1"
                : ": must be at least 1 (or unset for strategies other than static-quorum)"));
        }
    }

    /** The receiver's pool, and whether a batch of its frames fits one Artery frame. */
    void receiver(int receiverFrames, int frameSize, int headroom, int batchFrames) {
        try {
            new FramePool.Context().frameCount(receiverFrames).frameSize(frameSize).headroom(headroom)
                .sizeNames(ClusterNode.RECEIVER_FRAMES, ClusterNode.RECEIVER_FRAME_SIZE,
                    ClusterNode.RECEIVER_HEADROOM).conclude();
        } catch (IllegalArgumentException ex) {
            errors.add("receiver pool: " + ex.getMessage().replace("\n  ", " "));
        }
        if (!ClusterSettings.batchFits(batchFrames, frameSize)) {
            errors.add("batchFrames=" + batchFrames + " with frameSize=" + frameSize + ": a batch must be at most "
                + MAX_BATCH_BYTES + " bytes (batchFrames x (frameSize + 4))");
        }
    }

    /** The user's own Pekko settings. */
    void extraConfig(Config extraConfig) {
        if (extraConfig == null) {
            errors.add("extraConfig=null: must be a Config (ConfigFactory.empty() for none)");
        }
    }

    private void range(String name, int value, int min, int max) {
        if (value < min || value > max) {
            errors.add(name + "=" + value + ": must be " + min + ".." + max);
        }
    }

    private void positive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            errors.add(name + "=" + value + ": must be positive");
        }
    }

    /** A positive timeout below {@link ClusterSettings#MIN_TIMEOUT}; a non-positive one is {@link #positive}'s to name. */
    private void notBelowMinimum(String name, Duration value) {
        if (value != null && value.isPositive() && value.compareTo(MIN_TIMEOUT) < 0) {
            errors.add(name + "=" + value + ": must be at least " + MIN_TIMEOUT.toMillis() + " ms");
        }
    }
}
