package dev.steer.cluster.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;

import dev.steer.actors.SteerEngine;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.ingress.config.ConfigCheck;

/**
 * Reads and validates {@code steer.map}: the size, the entries and their cross-checks against this node,
 * the cluster and the CPUs of this machine. Start-up only.
 */
final class MapReader {
    static final Set<String> MAP_KEYS = Set.of("max-entries", "default-qsize", "entries");
    static final Set<String> ENTRY_KEYS = Set.of("key", "node", "cpu", "qsize", "remote-program");
    private static final String EXAMPLE = "{ key = 0, node = \"node-1\", cpu = 0, qsize = 2048 }";

    private final CpuSet cpus;
    private final String self;
    private final Deployment.ClusterSettings cluster;
    private final String source;

    MapReader(CpuSet cpus, String self, Deployment.ClusterSettings cluster, String source) {
        this.cpus = cpus;
        this.self = self;
        this.cluster = cluster;
        this.source = source;
    }

    /** An entry as written, before the checks that need the whole map. */
    private record Raw(Deployment.MapSettings.Entry entry, ConfigKeys.ItemPath item, boolean hasCpu) {
    }

    Deployment.MapSettings read(ConfigCheck check, Config steer) {
        final ConfigObject block = steer.getObject("steer.map");
        check.unknownKeys(block, "steer.map", MAP_KEYS);
        final int defaultQsize = check.intIn(steer, "steer.map.default-qsize", SteerEngine.Builder.DEFAULT_QSIZE, 1, CpuMap.MAX_QSIZE);
        final int limit = cluster.enabled() ? Deployment.MapSettings.MAX_CLUSTER_ENTRIES : cpus.limit();
        final String limitWhy = cluster.enabled() ? "the largest cluster map" : "the CPU limit of this machine";

        ConfigValue entriesValue = block.get("entries");
        final boolean refused = cluster.enabled() && entriesValue != null
            && entriesValue.origin().description().startsWith(DeploymentLoader.COMMAND_LINE);
        if (refused) {
            // --cpus writes entries without nodes, one per CPU of this machine, over the file's whole map.
            check.error(ConfigCheck.where(entriesValue) + "steer.map.entries: --cpus cannot be used with a cluster file:"
                + " it sets one entry per CPU of this machine and would replace the map of " + source + ", which every"
                + " node shares and where each entry names its node and CPU; leave --cpus out and place entries in the"
                + " file");
            entriesValue = null;
        }
        final List<Raw> raws = new ArrayList<>();
        if (entriesValue != null) {
            raws.addAll(ConfigKeys.objects(check, entriesValue, "steer.map.entries", EXAMPLE,
                (own, item) -> entry(own, item, defaultQsize)));
        }
        final int highestKey = raws.stream().mapToInt(r -> r.entry().key()).max().orElse(-1);
        int maxEntries = cluster.enabled() ? Math.max(cpus.limit(), highestKey + 1) : cpus.limit();
        // The allowed range goes into every message, also for a value that is no int at all (99999999999).
        maxEntries = check.intIn(steer, "steer.map.max-entries", maxEntries, 1, limit, limitWhy);

        final List<Deployment.MapSettings.Entry> entries = new ArrayList<>();
        if (entriesValue == null) {
            if (refused) {
                // Reported above; the map of the file is not read.
            } else if (cluster.enabled()) {
                check.error(source + ": steer.map.entries: missing: a cluster map lists its entries, each with its node, "
                    + "such as [ " + EXAMPLE + " ]");
            } else {
                for (int cpu : cpus.usableCpus()) {
                    if (cpu < maxEntries) {
                        entries.add(new Deployment.MapSettings.Entry(cpu, self, cpu, defaultQsize, Optional.empty()));
                    }
                }
            }
        } else {
            crossCheck(check, raws, maxEntries);
            raws.forEach(r -> entries.add(r.entry()));
            entries.sort(Comparator.comparingInt(Deployment.MapSettings.Entry::key));
        }
        // Where each key and max-entries are written: a node whose placement the owner refuses names them.
        final Map<Integer, Deployment.Place> keyPlaces = new HashMap<>();
        for (Raw raw : raws) {
            keyPlaces.putIfAbsent(raw.entry().key(), new Deployment.Place(
                raw.item().config().getValue(raw.item().key("key")).origin(), raw.item().label() + ".key"));
        }
        final Optional<Deployment.Place> maxEntriesAt = Optional.ofNullable(block.get("max-entries"))
            .map(value -> new Deployment.Place(value.origin(), "steer.map.max-entries"));
        return new Deployment.MapSettings(maxEntries, defaultQsize, List.copyOf(entries), Map.copyOf(keyPlaces),
            maxEntriesAt);
    }

    private Raw entry(ConfigCheck own, ConfigKeys.ItemPath item, int defaultQsize) {
        own.unknownKeys(item.object(), item.dotted(), ENTRY_KEYS);
        final Config c = item.config();
        final String where = ConfigCheck.where(item.object());
        if (!c.hasPath(item.key("key"))) {
            own.error(where + item.dotted() + ".key: missing: every entry needs its map key, 0..max-entries - 1");
            return null;
        }
        final int key = own.intIn(c, item.key("key"), -1, 0, Deployment.MapSettings.MAX_CLUSTER_ENTRIES - 1);
        String node = self;
        if (c.hasPath(item.key("node"))) {
            node = own.string(c, item.key("node"), self);
        } else if (cluster.enabled()) {
            // The same file runs on every node, so "this node" would mean a different node in each process.
            own.error(where + item.dotted() + ".node: missing: in a cluster every entry names its node ("
                + String.join(", ", cluster.nodes().stream().map(Deployment.NodeAddress::name).distinct().toList()) + ")");
        }
        final boolean hasCpu = c.hasPath(item.key("cpu"));
        final int cpu = hasCpu ? own.intIn(c, item.key("cpu"), -1, 0, Deployment.MapSettings.MAX_CLUSTER_ENTRIES - 1) : key;
        final int qsize = own.intIn(c, item.key("qsize"), defaultQsize, 1, CpuMap.MAX_QSIZE);
        Optional<String> remote = Optional.empty();
        if (c.hasPath(item.key("remote-program"))) {
            final String name = own.string(c, item.key("remote-program"), null);
            if (name != null && !RemotePrograms.names().contains(name)) {
                own.error(c, item.key("remote-program"), "'" + name + "' is not a program: must be one of "
                    + String.join(", ", RemotePrograms.names()));
            } else if (name != null) {
                remote = Optional.of(name);
            }
        }
        if (!cluster.enabled() && !node.equals(self)) {
            own.error(c, item.key("node"), "'" + node + "' is not this node '" + self
                + "': an entry on another node needs steer.cluster.enabled = true");
        } else if (cluster.enabled() && c.hasPath(item.key("node")) && cluster.address(node).isEmpty()
            && !cluster.nodes().isEmpty()) {
            own.error(c, item.key("node"), "'" + node + "' is not a declared node: must be one of steer.cluster.nodes ("
                + String.join(", ", cluster.nodes().stream().map(Deployment.NodeAddress::name).distinct().toList()) + ")");
        }
        // Entries with other problems still take part in the cross-checks, so that every problem shows at once.
        if (key < 0 || cpu < 0) {
            return null;
        }
        return new Raw(new Deployment.MapSettings.Entry(key, node, cpu, qsize, remote), item, hasCpu);
    }

    /**
     * A steering remote program redirects over the other entries of its node ({@link Deployment#remoteProgramTargets}):
     * it needs one, and when every entry of a node runs one, frames only circle between them (each would end as a
     * counted {@code redirect_loop} drop, none in a handler).
     */
    private static void remoteProgramCheck(ConfigCheck check, List<Raw> raws) {
        final Map<String, List<Raw>> byNode = new LinkedHashMap<>();
        raws.forEach(raw -> byNode.computeIfAbsent(raw.entry().node(), n -> new ArrayList<>()).add(raw));
        for (Map.Entry<String, List<Raw>> node : byNode.entrySet()) {
            final List<Raw> steering = node.getValue().stream()
                .filter(raw -> RemotePrograms.redirects(raw.entry().remoteProgram().orElse(RemotePrograms.PASS))).toList();
            if (steering.size() < node.getValue().size()) {
                continue;
            }
            final Raw first = steering.get(0);
            final Config c = first.item().config();
            final String where = ConfigCheck.where(c.getValue(first.item().key("remote-program"))) + first.item().label()
                + ".remote-program: '" + first.entry().remoteProgram().orElseThrow() + "' redirects over the other entries of node "
                + node.getKey();
            check.error(node.getValue().size() == 1 ? where + ", and it has none: use pass or drop, or add entries on that node"
                : where + ", and every entry of that node runs a steering remote program: frames would circle between them"
                    + " and never reach a handler; give at least one entry pass, drop or no remote-program");
        }
    }

    private void crossCheck(ConfigCheck check, List<Raw> raws, int maxEntries) {
        final Map<Integer, Integer> keys = new HashMap<>();
        final Map<String, Integer> nodeCpus = new HashMap<>();
        remoteProgramCheck(check, raws);
        for (Raw raw : raws) {
            final Deployment.MapSettings.Entry e = raw.entry();
            final ConfigKeys.ItemPath item = raw.item();
            final Config c = item.config();
            final String label = item.label();
            final boolean keyInRange = e.key() < maxEntries;
            if (!keyInRange) {
                check.error(ConfigCheck.where(c.getValue(item.key("key"))) + label + ".key: " + e.key()
                    + " is out of range: must be 0.." + (maxEntries - 1) + " (steer.map.max-entries - 1)");
            }
            final Integer first = keys.putIfAbsent(e.key(), item.index());
            if (first != null || !keyInRange) {
                // The key's problem is reported; its CPU's would repeat it on a single node, where key = CPU.
                if (first != null) {
                    check.error(ConfigCheck.where(c.getValue(item.key("key"))) + label + ".key: " + e.key()
                        + " is used twice: keys must be unique (also steer.map.entries[" + first + "])");
                }
                if (!cluster.enabled()) {
                    continue;
                }
            }
            final String where = ConfigCheck.where(raw.hasCpu() ? c.getValue(item.key("cpu")) : c.getValue(item.key("key")));
            final Integer serving = nodeCpus.putIfAbsent(e.node() + "/" + e.cpu(), item.index());
            if (serving != null) {
                check.error(where + label + ".cpu: " + e.cpu() + " of " + e.node()
                    + " already serves steer.map.entries[" + serving + "]: one entry per CPU of a node");
            }
            if (!cluster.enabled() && e.cpu() != e.key()) {
                check.error(where + label + ".cpu: " + e.cpu() + " differs from key " + e.key()
                    + ": on a single node a key is its CPU (leave cpu out, or enable the cluster)");
            } else if (e.node().equals(self) && !cpus.isUsable(e.cpu())) {
                check.error(where + label + ".cpu: " + e.cpu() + " is not a usable CPU of this machine: usable CPUs are "
                    + ConfigKeys.cpuList(cpus.usableCpus()));
            }
        }
    }
}
