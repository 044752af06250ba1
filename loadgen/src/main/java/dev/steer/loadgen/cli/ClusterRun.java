package dev.steer.loadgen.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import dev.steer.actors.SteerEngine;
import dev.steer.cluster.ClusterNode;
import dev.steer.cluster.ClusterSettings;
import dev.steer.cluster.ListenFailedException;
import dev.steer.cluster.RemoteProgramSpec;
import dev.steer.cluster.config.Deployment;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.program.Programs;
import dev.steer.engine.program.Verdict;
import dev.steer.ingress.config.ConfigCheck;

/**
 * One node of a cluster deployment for {@code steer run}: starts the engine as a Pekko Cluster node with the
 * deployment's address, seeds, transport and downing, waits for every node of the file to be up, places this
 * node's entries through the cluster map owner, and waits until the whole map of the file is in place, so
 * traffic starts on a complete map. See docs/cluster.md.
 */
final class ClusterRun {
    /** How long a node waits for the other nodes of its file and for the map. */
    static final Duration FORM_TIMEOUT = Duration.ofSeconds(120);
    /** How often the waits look whether the run was asked to stop (a signal). */
    private static final Duration STOP_CHECK = Duration.ofMillis(100);
    /** The message of the exception that ends a start stopped by a signal. */
    static final String STOPPED = "stopped by a signal while waiting for the cluster; no traffic was run";

    private ClusterRun() {
    }

    /**
     * Starts this node.
     *
     * @param stopRequested true once the run was asked to stop (SIGINT, SIGTERM): the waits end then, within
     *                      {@link #STOP_CHECK}, instead of holding the signal's hook until its timeout, when the JVM
     *                      would exit without closing the embedded media driver (its directory left in /dev/shm)
     * @throws IllegalStateException when the cluster does not form or the map cannot be placed in time, or the run was
     *                               asked to stop ({@link #STOPPED}); the node is shut down first
     */
    static ClusterNode start(Deployment deployment, SteerEngine.Builder builder, Consumer<String> progress,
                             BooleanSupplier stopRequested) {
        final Deployment.ClusterSettings cluster = deployment.cluster();
        final Deployment.NodeAddress self = deployment.address().orElseThrow(() -> new IllegalArgumentException(
            deployment.source() + ": node " + deployment.node().name() + " is not in steer.cluster.nodes"));
        // Exactly what the loader validated: address, seeds, transport with every TLS setting, roles, every downing
        // setting and the link settings, in the loader's one translation (docs/config.md). On a signal the run
        // leaves the cluster and drains itself (RunJob.requestStop), so Pekko's own JVM hooks are off (Artery's
        // would close the transport under the leave); its logger keeps the noise of a failed bind and of a graceful
        // leave off the terminal (DemotingSlf4jLogger).
        final ClusterSettings settings = deployment.clusterNodeSettings(ClusterSettings.DEFAULT_SYSTEM_NAME)
            .extraConfig(RunJob.PEKKO_SETTINGS);
        // The map spans the cluster: keys are global, a key's CPU belongs to its node. The program steers over
        // every key of the file; the local CPU set keeps this machine's usable CPUs.
        final CpuSet machine = CpuSet.fromMachine();
        final int maxEntries = deployment.map().maxEntries();
        final int[] keys = deployment.map().entries().stream().mapToInt(Deployment.MapSettings.Entry::key).toArray();
        builder.cpus(CpuSet.of(Math.max(maxEntries, machine.limit()), machine.usableCpus())).maxEntries(maxEntries)
            .program(Programs.create(deployment.engine().program(), keys, Verdict.DROP));
        progress.accept("joining the cluster as " + deployment.node().name() + " (" + self.host() + ":" + self.port()
            + ", seeds " + cluster.seedNodes() + ", transport " + cluster.transport() + ")");
        final ClusterNode node;
        try {
            node = ClusterNode.start(settings, builder);
        } catch (ListenFailedException ex) {
            // The address alone left the user to find where the file sets it: the port when it is taken, else the host.
            final String name = deployment.node().name();
            final Optional<Deployment.Place> place = ex.setting() == ListenFailedException.Setting.PORT
                ? cluster.portPlace(name) : cluster.hostPlace(name);
            throw new IllegalStateException(ex.getMessage() + " (" + place.map(ClusterRun::named)
                .orElse("steer.cluster.nodes") + ")", ex);
        }
        try {
            final int members = cluster.nodes().size();
            progress.accept("waiting for the " + members + " nodes of " + deployment.source() + " to be up");
            if (!await(() -> node.awaitMembers(members, STOP_CHECK), stopRequested)) {
                throw new IllegalStateException(notFormed(deployment, node.members()));
            }
            final List<String> refused = new ArrayList<>();
            for (Deployment.MapSettings.Entry entry : deployment.localEntries()) {
                final RemoteProgramSpec program = entry.remoteProgram()
                    .map(name -> new RemoteProgramSpec(name, deployment.remoteProgramTargets(entry))).orElse(null);
                final MapResult result = place(node, entry, program, progress, stopRequested);
                if (result != MapResult.OK) {
                    refused.add(refusal(deployment, entry, result));
                }
            }
            if (!refused.isEmpty()) {
                throw new IllegalStateException("the cluster map owner refused this node's entries: "
                    + String.join("; ", refused));
            }
            progress.accept("waiting for the cluster map: " + keys.length + " entries");
            for (Deployment.MapSettings.Entry entry : deployment.map().entries()) {
                if (!await(() -> node.awaitEntry(entry.key(), entry.qsize(), STOP_CHECK), stopRequested)) {
                    throw new IllegalStateException(entryMissing(deployment, entry));
                }
            }
            return node;
        } catch (RuntimeException ex) {
            node.shutdown();
            throw ex;
        }
    }

    /**
     * Why the wait for the cluster ended, as this node's view shows each node of the file: its status and whether it is
     * reachable, or that it is not a member. The count of up members alone misled: a node that joined while another
     * member was unreachable stays {@code Joining} or {@code WeaklyUp} (the leader moves no one up without every member
     * reachable), and a node whose own wait ended first has left by the time another's ends, so two nodes of one run
     * reported "(2 up)" and "(1 up)". Each node is named with its address in this node's file, and a node that is not a
     * member may run with other addresses: a seed port wrong in one node's copy of the file left both nodes saying
     * "not a member ... are the other nodes running?" although both ran. A node that is not the first seed and not a
     * member is told that only the first seed forms a new cluster.
     *
     * @param members this node's view ({@link ClusterNode#members()})
     */
    static String notFormed(Deployment deployment, List<ClusterNode.MemberView> members) {
        final List<Deployment.NodeAddress> nodes = deployment.cluster().nodes();
        int up = 0;
        for (ClusterNode.MemberView member : members) {
            if (member.status().equals("Up")) {
                up++;
            }
        }
        final StringBuilder text = new StringBuilder("the cluster did not reach ").append(nodes.size())
            .append(" up members within ").append(FORM_TIMEOUT.toSeconds()).append(" s (").append(up)
            .append(" up); as ").append(deployment.node().name()).append(" sees them, at the addresses of ")
            .append(deployment.source()).append(": ");
        final List<ClusterNode.MemberView> unmatched = new ArrayList<>(members);
        boolean waiting = false;
        boolean absent = false;
        boolean selfMember = false;
        for (int i = 0; i < nodes.size(); i++) {
            final Deployment.NodeAddress file = nodes.get(i);
            ClusterNode.MemberView seen = null;
            for (ClusterNode.MemberView member : unmatched) {
                if (member.address().endsWith("@" + file.host() + ":" + file.port())) {
                    seen = member;
                    break;
                }
            }
            unmatched.remove(seen);
            final boolean self = file.name().equals(deployment.node().name());
            text.append(i == 0 ? "" : ", ").append(file.name()).append(self ? " (this node, " : " (")
                .append(file.host()).append(':').append(file.port()).append(") ");
            if (seen == null) {
                text.append("not a member");
                absent = true;
            } else {
                selfMember |= self;
                text.append(seen.status()).append(seen.reachable() ? "" : " unreachable");
                waiting |= seen.status().equals("Joining") || seen.status().equals("WeaklyUp");
            }
        }
        for (ClusterNode.MemberView other : unmatched) {
            text.append(", ").append(other.address()).append(" (not in the file) ").append(other.status())
                .append(other.reachable() ? "" : " unreachable");
        }
        if (absent) {
            // The addresses are this node's file's: a node started with another copy (a port changed in one) runs,
            // but not where this node looks for it, and the only trace of that was in Pekko's warnings.
            text.append("; a node that is not a member is not running, or runs with other addresses than these: every"
                + " node must load the same file (the same nodes and seed-nodes)");
        }
        final List<String> seeds = deployment.cluster().seedNodes();
        if (!selfMember && !seeds.isEmpty() && !seeds.get(0).equals(deployment.node().name())) {
            // Pekko's first seed joins itself when no other seed is in a cluster; every other node only joins a seed
            // that is in one, so without the first seed no cluster forms.
            final Deployment.NodeAddress first = nodes.stream().filter(n -> n.name().equals(seeds.get(0))).findFirst()
                .orElseThrow();
            text.append("; only the first seed, ").append(first.name()).append(" (").append(first.host()).append(':')
                .append(first.port()).append("), forms a new cluster: this node joins through a seed that is in one,"
                + " so it waits for ").append(first.name()).append(" at that address (or another seed in a cluster)");
        }
        if (waiting) {
            text.append(" (the leader moves a Joining or WeaklyUp member up only once every member is reachable:"
                + " an unreachable one blocks it until it is downed or comes back)");
        }
        return text.toString();
    }

    /**
     * Why the owner refused {@code entry}, where the file writes it, and what to do. The owner checks a placement
     * against its own node's map: a file that differs from the owner's (another {@code max-entries}) is refused there,
     * and the owner is the oldest node, whichever file that node loaded. "[key 3: E2BIG]" alone named no file, line
     * or setting.
     */
    static String refusal(Deployment deployment, Deployment.MapSettings.Entry entry, MapResult result) {
        final Deployment.MapSettings map = deployment.map();
        final String sameFile = ": every node must load the same file (the same steer.map)";
        final String what = switch (result) {
            // This node's value is named with where it is set, which need not be this file (the command line).
            case E2BIG -> "not below the owner's map size, which is the steer.map.max-entries of the oldest node (the"
                + " owner); this node's is " + map.maxEntries() + " (" + map.maxEntriesAt()
                .map(place -> ConfigCheck.location(place.origin()))
                .orElse("its default: the highest key + 1, at least this machine's CPU limit") + ")"
                + sameFile;
            case EINVAL -> "the owner finds the entry invalid (its key, qsize or remote program and targets, checked"
                + " against the owner's map)" + sameFile;
            case ENODEV -> "the owner did not see this node up within " + FORM_TIMEOUT.toSeconds() + " s";
            case EBUSY -> "the owner's queue of changes stayed full for " + FORM_TIMEOUT.toSeconds() + " s";
            default -> result.description();
        };
        return keyPlace(map, entry.key()) + ": " + entry.key() + ": " + result + ": " + what;
    }

    /**
     * Where the file writes the entry of {@code key}, {@code FILE:LINE: steer.map.entries[i].key}, or
     * {@code steer.map entry of key KEY} for an entry no file wrote.
     */
    private static String keyPlace(Deployment.MapSettings map, int key) {
        return map.keyPlace(key).map(ClusterRun::named).orElse("steer.map entry of key " + key);
    }

    /** A setting as a message names it: {@code FILE:LINE: PATH}. */
    private static String named(Deployment.Place place) {
        return ConfigCheck.where(place.origin()) + place.path();
    }

    /**
     * Why the wait for the map ended: {@code entry} did not appear within {@link #FORM_TIMEOUT}, where the file writes
     * it, and, for another node's entry, where to look. Another node's entry is placed by that node: the reason is in
     * its output, which this node cannot see; a copy of the file without the entry (another map) places nothing.
     */
    static String entryMissing(Deployment deployment, Deployment.MapSettings.Entry entry) {
        final String why = entry.node().equals(deployment.node().name()) ? ""
            : ": " + entry.node() + " places it when it starts; see its output (a placement the owner refused, or"
            + " another copy of the file there: every node must load the same file)";
        final String place = keyPlace(deployment.map(), entry.key());
        return "the entry of key " + entry.key() + " (node " + entry.node() + ", " + place + ") did not appear within "
            + FORM_TIMEOUT.toSeconds() + " s" + why;
    }

    /**
     * Places {@code entry} through the map owner. Two answers are passing, and the placement is asked again every
     * {@link #STOP_CHECK}, up to {@link #FORM_TIMEOUT}:
     * <ul>
     *   <li>{@code EBUSY}: 64 changes wait for their rollout and nothing changed; the owner takes the placement once
     *       they have gone out. (Taken as a refusal, it failed the start of a node whose cluster was rolling out other
     *       changes: nodes starting together, or one with many entries.)</li>
     *   <li>{@code ENODEV}: the owner's view does not show this node up yet. This node saw every node up in its own
     *       view, but the leader that moved it up may be another node than the owner's, whose view follows by gossip
     *       a moment later. (Taken as a refusal, it failed the start at random, "[key 1: ENODEV]".)</li>
     * </ul>
     *
     * @return the owner's last answer: anything but {@code EBUSY} and {@code ENODEV}, or one of them at the timeout
     * @throws IllegalStateException ({@link #STOPPED}) when the run was asked to stop
     */
    private static MapResult place(ClusterNode node, Deployment.MapSettings.Entry entry, RemoteProgramSpec program,
                                   Consumer<String> progress, BooleanSupplier stopRequested) {
        final MapResult[] result = new MapResult[1];
        final boolean[] said = new boolean[1];
        await(() -> {
            result[0] = node.update(entry.key(), entry.qsize(), node.address(), entry.cpu(), program, CpuMap.ANY);
            if (result[0] != MapResult.EBUSY && result[0] != MapResult.ENODEV) {
                return true;
            }
            if (!said[0]) {
                progress.accept((result[0] == MapResult.EBUSY
                    ? "the cluster map owner is busy (EBUSY: changes wait for their rollout)"
                    : "the cluster map owner does not see this node up yet (ENODEV)") + "; placing key " + entry.key()
                    + " again");
                said[0] = true;
            }
            try {
                Thread.sleep(STOP_CHECK.toMillis());
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            return false;
        }, stopRequested);
        return result[0];
    }

    /**
     * Waits up to {@link #FORM_TIMEOUT} for {@code condition}, a wait of at most {@link #STOP_CHECK} that says whether
     * what it waited for happened, looking in between whether the run was asked to stop.
     *
     * @return true when the condition was met, false at the timeout
     * @throws IllegalStateException ({@link #STOPPED}) when the run was asked to stop
     */
    private static boolean await(BooleanSupplier condition, BooleanSupplier stopRequested) {
        final long deadline = System.nanoTime() + FORM_TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (stopRequested.getAsBoolean()) {
                throw new IllegalStateException(STOPPED);
            }
            if (Thread.currentThread().isInterrupted()) {
                // The waits return at once on an interrupted thread: looping on would spin until the timeout.
                throw new IllegalStateException("interrupted while waiting for the cluster to form");
            }
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
        }
        return true;
    }
}
