package dev.steer.cluster.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import dev.steer.cluster.ClusterTls;
import dev.steer.cluster.TlsStores;
import dev.steer.ingress.config.ConfigCheck;

/**
 * Reads and validates {@code steer.cluster}. Unknown keys are reported always; the values only when the
 * cluster is enabled, so a disabled block may keep placeholders. In an enabled cluster a {@code tls} block is an
 * error unless the transport is {@code tls-tcp}, and its values are checked whatever the transport. Start-up only.
 */
final class ClusterReader {
    static final Set<String> CLUSTER_KEYS = Set.of("enabled", "nodes", "seed-nodes", "transport", "tls", "downing", "frame-batch",
        "max-in-flight", "ack-timeout", "drain-timeout", "leave-timeout");
    static final Duration MIN_TIMEOUT = dev.steer.cluster.ClusterSettings.MIN_TIMEOUT;
    static final Duration MAX_DRAIN_TIMEOUT = Duration.ofHours(1);
    static final Set<String> NODE_KEYS = Set.of("name", "host", "port");
    static final Set<String> TLS_KEYS = Set.of("key-store", "trust-store", "key-store-password", "trust-store-password",
        "key-password", "protocol");
    static final Set<String> DOWNING_KEYS = Set.of("strategy", "stable-after", "quorum-size");
    static final Duration MIN_STABLE_AFTER = Duration.ofSeconds(1);
    static final Duration MAX_STABLE_AFTER = Duration.ofHours(1);

    private ClusterReader() {
    }

    static Deployment.ClusterSettings read(ConfigCheck check, Config steer, String self, Path baseDir, String source,
                                           Function<ClusterTls, TlsStores.Checked> stores) {
        final ConfigObject block = steer.getObject("steer.cluster");
        check.unknownKeys(block, "steer.cluster", CLUSTER_KEYS);
        for (String sub : List.of("tls", "downing")) {
            final ConfigValue value = block.get(sub);
            if (value != null && value.valueType() == ConfigValueType.OBJECT) {
                check.unknownKeys((ConfigObject) value, "steer.cluster." + sub, sub.equals("tls") ? TLS_KEYS : DOWNING_KEYS);
            } else if (value != null) {
                check.error(steer, "steer.cluster." + sub, "must be a block { ... }, is " + ConfigCheck.render(value));
                return disabled();
            }
        }
        final boolean enabled = check.bool(steer, "steer.cluster.enabled", false);
        if (!enabled) {
            // Entries of a disabled cluster's nodes list are still checked for unknown keys: a typo there
            // would otherwise surface only on the day the cluster is switched on.
            if (block.get("nodes") != null) {
                ConfigKeys.objects(check, block.get("nodes"), "steer.cluster.nodes", "{ name = \"node-1\", host = \"127.0.0.1\", port = 25520 }",
                    (own, item) -> {
                        own.unknownKeys(item.object(), item.dotted(), NODE_KEYS);
                        return null;
                    });
            }
            return disabled();
        }
        final List<Deployment.NodeAddress> nodes = nodes(check, steer);
        if (nodes.isEmpty()) {
            final ConfigValue value = steer.getValue("steer.cluster.nodes");
            // Absent from the file, the empty list comes from the shipped defaults: point at the file instead.
            final boolean shipped = DeploymentLoader.DEFAULTS_RESOURCE.equals(value.origin().resource());
            check.error((shipped ? source + ": " : ConfigCheck.where(value)) + "steer.cluster.nodes: "
                + (shipped ? "missing" : "is empty") + ": an enabled cluster lists every node as { name, host, port }");
        }
        final List<String> names = nodes.stream().map(Deployment.NodeAddress::name).distinct().toList();
        if (!nodes.isEmpty() && !names.contains(self)) {
            check.error(steer, "steer.node.name", "'" + self + "' is not a node of steer.cluster.nodes ("
                + String.join(", ", names) + "): pick this process' node with --node NAME");
        }
        // Every node by default: the first forms the cluster at a fresh start (Pekko's first seed joins itself only when
        // no other seed is in a cluster), and any node that restarts joins through the others. With the first node as
        // the only seed, a restarted first node formed a cluster of its own beside the running one.
        List<String> seeds = names;
        if (steer.hasPath("steer.cluster.seed-nodes")) {
            try {
                seeds = List.copyOf(steer.getStringList("steer.cluster.seed-nodes"));
                for (String seed : seeds) {
                    if (!names.contains(seed)) {
                        check.error(steer, "steer.cluster.seed-nodes", "'" + seed + "' is not a declared node: must be names from steer.cluster.nodes ("
                            + String.join(", ", names) + ")");
                    }
                }
                if (seeds.isEmpty()) {
                    check.error(steer, "steer.cluster.seed-nodes", "is empty: must name at least one node of steer.cluster.nodes");
                }
            } catch (ConfigException ex) {
                check.error(steer, "steer.cluster.seed-nodes", "must be a list of node names such as [\"node-1\"], is "
                    + ConfigCheck.render(steer.getValue("steer.cluster.seed-nodes")));
            }
        }
        final int before = check.errors().size();
        final String transport = check.oneOf(steer, "steer.cluster.transport", "tcp", Deployment.ClusterSettings.TRANSPORTS);
        final boolean transportValid = check.errors().size() == before;
        Optional<Deployment.TlsSettings> tls = Optional.empty();
        if ("tls-tcp".equals(transport)) {
            if (block.get("tls") == null) {
                check.error(steer, "steer.cluster.transport", "tls-tcp needs a steer.cluster.tls block with key-store, trust-store, "
                    + "key-store-password and trust-store-password");
            } else {
                tls = tls(check, steer, baseDir, stores);
            }
        } else if (block.get("tls") != null && transportValid) {
            // A tls block beside another transport was ignored without a word: the user asked for TLS and got plain
            // text. Refuse it, and check its values all the same, so that one run shows every problem of the block.
            check.error(steer, "steer.cluster.tls", "tls is set but transport is " + transport + " ("
                + ("aeron-udp".equals(transport) ? "Artery has no TLS over Aeron UDP" : "plain text: the block would be ignored")
                + "): set transport = tls-tcp, or remove the tls block");
            tls(check, steer, baseDir, stores);
        }
        final String strategy = check.oneOf(steer, "steer.cluster.downing.strategy", "keep-majority",
            Deployment.Downing.STRATEGIES);
        final long stableAfter = check.nanosIn(steer, "steer.cluster.downing.stable-after",
            Deployment.Downing.DEFAULT_STABLE_AFTER.toNanos(), MIN_STABLE_AFTER.toNanos(), MAX_STABLE_AFTER.toNanos());
        int quorum = 0;
        if ("static-quorum".equals(strategy)) {
            if (!steer.hasPath("steer.cluster.downing.quorum-size")) {
                check.error(steer, "steer.cluster.downing.strategy", "static-quorum needs steer.cluster.downing.quorum-size, 1.."
                    + Math.max(1, names.size()) + " (the number of nodes)");
            } else {
                quorum = check.intIn(steer, "steer.cluster.downing.quorum-size", 1, 1, Math.max(1, names.size()));
            }
        }
        final int frameBatch = check.intIn(steer, "steer.cluster.frame-batch", Deployment.ClusterSettings.DEFAULT_FRAME_BATCH,
            1, Deployment.ClusterSettings.MAX_FRAME_BATCH);
        final int maxInFlight = check.intIn(steer, "steer.cluster.max-in-flight",
            Deployment.ClusterSettings.DEFAULT_MAX_IN_FLIGHT, 1, Deployment.ClusterSettings.MAX_MAX_IN_FLIGHT);
        final long ackTimeout = check.nanosIn(steer, "steer.cluster.ack-timeout",
            dev.steer.cluster.ClusterSettings.DEFAULT_ACK_TIMEOUT.toNanos(), MIN_TIMEOUT.toNanos(),
            dev.steer.cluster.ClusterSettings.MAX_ACK_TIMEOUT.toNanos());
        final long drainTimeout = check.nanosIn(steer, "steer.cluster.drain-timeout",
            dev.steer.cluster.ClusterSettings.DEFAULT_DRAIN_TIMEOUT.toNanos(), MIN_TIMEOUT.toNanos(),
            MAX_DRAIN_TIMEOUT.toNanos());
        final long leaveTimeout = check.nanosIn(steer, "steer.cluster.leave-timeout",
            dev.steer.cluster.ClusterSettings.DEFAULT_LEAVE_TIMEOUT.toNanos(),
            dev.steer.cluster.ClusterSettings.MIN_LEAVE_TIMEOUT.toNanos(),
            dev.steer.cluster.ClusterSettings.MAX_LEAVE_TIMEOUT.toNanos());
        return new Deployment.ClusterSettings(true, nodes, seeds, transport, tls,
            new Deployment.Downing(strategy, Duration.ofNanos(stableAfter), quorum), frameBatch, maxInFlight,
            Duration.ofNanos(ackTimeout), Duration.ofNanos(drainTimeout), Duration.ofNanos(leaveTimeout),
            places(steer, "port"), places(steer, "host"));
    }

    /** Where each node's {@code key} (host, port) is written, by name, for a node that cannot listen to name. */
    private static Map<String, Deployment.Place> places(Config steer, String key) {
        final Map<String, Deployment.Place> places = new HashMap<>();
        if (steer.getValue("steer.cluster.nodes") instanceof ConfigList list) {
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i) instanceof ConfigObject node && node.get("name") != null && node.get(key) != null
                    && node.get("name").unwrapped() instanceof String name) {
                    places.putIfAbsent(name,
                        new Deployment.Place(node.get(key).origin(), "steer.cluster.nodes[" + i + "]." + key));
                }
            }
        }
        return Map.copyOf(places);
    }

    private static Deployment.ClusterSettings disabled() {
        return new Deployment.ClusterSettings(false, List.of(), List.of(), "tcp", Optional.empty(),
            new Deployment.Downing("keep-majority", Deployment.Downing.DEFAULT_STABLE_AFTER, 0),
            Deployment.ClusterSettings.DEFAULT_FRAME_BATCH, Deployment.ClusterSettings.DEFAULT_MAX_IN_FLIGHT,
            dev.steer.cluster.ClusterSettings.DEFAULT_ACK_TIMEOUT, dev.steer.cluster.ClusterSettings.DEFAULT_DRAIN_TIMEOUT,
            dev.steer.cluster.ClusterSettings.DEFAULT_LEAVE_TIMEOUT, Map.of(), Map.of());
    }

    private static List<Deployment.NodeAddress> nodes(ConfigCheck check, Config steer) {
        final Map<String, Integer> byName = new HashMap<>();
        final Map<String, String> byAddress = new HashMap<>();
        return ConfigKeys.objects(check, steer.getValue("steer.cluster.nodes"), "steer.cluster.nodes",
            "{ name = \"node-1\", host = \"127.0.0.1\", port = 25520 }", (own, item) -> {
                own.unknownKeys(item.object(), item.dotted(), NODE_KEYS);
                final Config c = item.config();
                final String name = required(own, c, item, "name", "a node name such as \"node-1\"");
                final String host = required(own, c, item, "host", "a host name or address such as \"127.0.0.1\"");
                if (!c.hasPath(item.key("port"))) {
                    own.error(where(item) + item.dotted() + ".port: missing: must be a port 1..65535");
                }
                final int port = c.hasPath(item.key("port")) ? own.intIn(c, item.key("port"), 0, 1, 65_535) : 0;
                if (name != null && !name.matches(Deployment.Node.NAME_PATTERN)) {
                    own.error(c, item.key("name"), "'" + name + "' must be lower-case letters, digits and '-' ("
                        + Deployment.Node.NAME_PATTERN + ")");
                } else if (name != null && byName.containsKey(name)) {
                    own.error(c, item.key("name"), "'" + name + "' is declared twice: node names must be unique (also steer.cluster.nodes["
                        + byName.get(name) + "])");
                } else if (name != null) {
                    byName.put(name, item.index());
                }
                if (host != null && host.isBlank()) {
                    own.error(c, item.key("host"), "is blank: must be a host name or address such as \"127.0.0.1\"");
                } else if (host != null && host.contains(":")) {
                    // A node's address is pekko://system@host:port: an IPv6 literal's colons cannot be told from the port's.
                    own.error(c, item.key("host"), "'" + host + "' is an IPv6 literal: must be a host name or an IPv4 "
                        + "address such as \"127.0.0.1\" (give an IPv6 host a name)");
                }
                if (host != null && port > 0) {
                    final String address = host + ":" + port;
                    if (byAddress.containsKey(address)) {
                        own.error(c, item.key("port"), address + " is already the address of " + byAddress.get(address)
                            + ": every node needs its own host:port");
                    } else {
                        byAddress.put(address, name);
                    }
                }
                // A node with other problems still counts as declared, so that it is not reported again where
                // it is named; the deployment is not built when anything is wrong.
                return name != null ? new Deployment.NodeAddress(name, host, port) : null;
            });
    }

    private static String required(ConfigCheck own, Config c, ConfigKeys.ItemPath item, String key, String allowed) {
        if (!c.hasPath(item.key(key))) {
            own.error(where(item) + item.dotted() + "." + key + ": missing: must be " + allowed);
            return null;
        }
        return own.string(c, item.key(key), null);
    }

    private static String where(ConfigKeys.ItemPath item) {
        return ConfigCheck.where(item.object());
    }

    private static Optional<Deployment.TlsSettings> tls(ConfigCheck check, Config steer, Path baseDir,
                                                        Function<ClusterTls, TlsStores.Checked> opener) {
        final String p = "steer.cluster.tls.";
        final int before = check.errors().size();
        final Path keyStore = store(check, steer, p + "key-store", baseDir);
        final Path trustStore = store(check, steer, p + "trust-store", baseDir);
        final String keyStorePassword = password(check, steer, p + "key-store-password");
        if (keyStorePassword != null && keyStorePassword.isEmpty()) {
            check.error(steer, p + "key-store-password", "is empty: tls-tcp needs the key store's password; write it as "
                + "${?ENV_VARIABLE} to keep it out of the file");
        }
        final String trustStorePassword = password(check, steer, p + "trust-store-password");
        final String keyPassword = steer.hasPath(p + "key-password") ? password(check, steer, p + "key-password") : keyStorePassword;
        final String protocol = check.oneOf(steer, p + "protocol", "TLSv1.3", Deployment.TlsSettings.PROTOCOLS);
        if (keyStore == null || trustStore == null || keyStorePassword == null || trustStorePassword == null
            || keyPassword == null) {
            return Optional.empty();
        }
        // ConfigCheck.oneOf lower-cases; Pekko wants the JSSE spelling.
        final String jsse = Deployment.TlsSettings.PROTOCOLS.stream().filter(x -> x.equalsIgnoreCase(protocol)).findFirst()
            .orElse("TLSv1.3");
        if (check.errors().size() != before) {
            return Optional.empty();
        }
        // Artery opens the stores only at the first connection: a wrong password there made a node log stack
        // traces and wait 120 s for a cluster it could not join. Open them as it will; the node starts with this
        // opening (Deployment.TlsSettings.stores) rather than opening them again.
        final ClusterTls tls = new ClusterTls(keyStore, keyStorePassword, keyPassword, trustStore, trustStorePassword,
            jsse);
        final TlsStores.Checked stores = opener.apply(tls);
        if (stores == null || !tls.equals(stores.tls())) {
            throw new IllegalStateException("stores=" + stores + ": must be TlsStores.open of " + tls);
        }
        report(check, steer, stores.problems());
        return Optional.of(new Deployment.TlsSettings(stores));
    }

    private static void report(ConfigCheck check, Config steer, List<TlsStores.Problem> problems) {
        final String p = "steer.cluster.tls.";
        for (TlsStores.Problem problem : problems) {
            final String reason = problem.reason();
            switch (problem.setting()) {
                case KEY_STORE_PASSWORD -> check.error(steer, p + "key-store-password", reason
                    + ": must be the password of the key store (" + p + "key-store)");
                case TRUST_STORE_PASSWORD -> check.error(steer, p + "trust-store-password", reason
                    + ": must be the password of the trust store (" + p + "trust-store)");
                case KEY_PASSWORD -> {
                    if (steer.hasPath(p + "key-password")) {
                        check.error(steer, p + "key-password", reason + ": must be the password of the key in the key store");
                    } else {
                        check.error(steer, p + "key-store-password", reason + ": key-password is not set, so the key"
                            + " store's password is used for its key: set " + p + "key-password to the key's password");
                    }
                }
                default -> check.error(steer, p + problem.setting().key(), reason);
            }
        }
    }

    private static Path store(ConfigCheck check, Config steer, String path, Path baseDir) {
        if (!steer.hasPath(path)) {
            check.error(ConfigCheck.where(steer.getValue("steer.cluster.tls")) + path
                + ": missing: tls-tcp needs a readable Java key store file (PKCS12 or JKS)");
            return null;
        }
        final String value = check.string(steer, path, null);
        if (value == null) {
            return null;
        }
        // Written in a file: from that file's directory, as a relative pcap.file (DeploymentLoader.feed); a value that
        // no file holds (an environment variable's, the caller's own layer) from baseDir.
        final ConfigValue written = steer.getValue(path);
        final Path file = check.path(steer, path, value, RelativePathBase.of(written, baseDir)::resolve,
            "a Java key store file");
        if (file == null) {
            return null;
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            check.error(steer, path, "'" + value + "' is not a readable file (looked at " + file.toAbsolutePath()
                + "): must be a Java key store file" + RelativePathBase.rule(written, Path.of(value), baseDir));
            return null;
        }
        return file.toAbsolutePath().normalize();
    }

    private static String password(ConfigCheck check, Config steer, String path) {
        if (!steer.hasPath(path)) {
            check.error(ConfigCheck.where(steer.getValue("steer.cluster.tls")) + path
                + ": missing: tls-tcp needs it; write it as ${?ENV_VARIABLE} to keep it out of the file");
            return null;
        }
        return check.string(steer, path, null);
    }
}
