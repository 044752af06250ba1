package dev.steer.loadgen.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import dev.steer.actors.SteerEngine;
import dev.steer.cluster.ClusterNode;
import dev.steer.cluster.ClusterSettings;
import dev.steer.cluster.RemoteProgramSpec;
import dev.steer.cluster.config.Deployment;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.program.Programs;
import dev.steer.engine.program.Verdict;

/**
 * One node of a cluster deployment for {@code steer run}: starts the engine as a Pekko Cluster node with the
 * deployment's address, seeds, transport and downing, waits for every node of the file to be up, places this
 * node's entries through the cluster map owner, and waits until the whole map of the file is in place, so
 * traffic starts on a complete map. See docs/cluster.md.
 */
final class ClusterRun {
    /** How long a node waits for the other nodes of its file and for the map. */
    static final Duration FORM_TIMEOUT = Duration.ofSeconds(120);

    private ClusterRun() {
    }

    /**
     * Starts this node.
     *
     * @throws IllegalStateException when the cluster does not form or the map cannot be placed in time
     */
    static ClusterNode start(Deployment deployment, SteerEngine.Builder builder, Consumer<String> progress) {
        final Deployment.ClusterSettings cluster = deployment.cluster();
        final Deployment.NodeAddress self = deployment.address().orElseThrow(() -> new IllegalArgumentException(
            deployment.source() + ": node " + deployment.node().name() + " is not in steer.cluster.nodes"));
        // Exactly what the loader validated: address, seeds, transport with every TLS setting, roles, every downing
        // setting and the link settings, in the loader's one translation (docs/config.md). On a signal the run
        // leaves the cluster and drains itself (RunJob.requestStop), so Pekko's own JVM hook is off.
        final ClusterSettings settings = deployment.clusterNodeSettings(ClusterSettings.DEFAULT_SYSTEM_NAME)
            .extraConfig(RunJob.NO_PEKKO_SHUTDOWN_HOOK);
        // The map spans the cluster: keys are global, a key's CPU belongs to its node. The program steers over
        // every key of the file; the local CPU set keeps this machine's usable CPUs.
        final CpuSet machine = CpuSet.fromMachine();
        final int maxEntries = deployment.map().maxEntries();
        final int[] keys = deployment.map().entries().stream().mapToInt(Deployment.MapSettings.Entry::key).toArray();
        builder.cpus(CpuSet.of(Math.max(maxEntries, machine.limit()), machine.usableCpus())).maxEntries(maxEntries)
            .program(Programs.create(deployment.engine().program(), keys, Verdict.DROP));
        progress.accept("joining the cluster as " + deployment.node().name() + " (" + self.host() + ":" + self.port()
            + ", seeds " + cluster.seedNodes() + ", transport " + cluster.transport() + ")");
        final ClusterNode node = ClusterNode.start(settings, builder);
        try {
            final int members = cluster.nodes().size();
            progress.accept("waiting for the " + members + " nodes of " + deployment.source() + " to be up");
            if (!node.awaitMembers(members, FORM_TIMEOUT)) {
                throw new IllegalStateException("the cluster did not reach " + members + " up members within "
                    + FORM_TIMEOUT.toSeconds() + " s (" + node.upMembers() + " up); are the other nodes running?");
            }
            final List<String> refused = new ArrayList<>();
            for (Deployment.MapSettings.Entry entry : deployment.localEntries()) {
                final RemoteProgramSpec program = entry.remoteProgram()
                    .map(name -> new RemoteProgramSpec(name, deployment.remoteProgramTargets(entry))).orElse(null);
                final MapResult result = node.update(entry.key(), entry.qsize(), node.address(), entry.cpu(), program,
                    CpuMap.ANY);
                if (result != MapResult.OK) {
                    refused.add("key " + entry.key() + ": " + result);
                }
            }
            if (!refused.isEmpty()) {
                throw new IllegalStateException("the cluster map refused this node's entries: " + refused);
            }
            progress.accept("waiting for the cluster map: " + keys.length + " entries");
            for (Deployment.MapSettings.Entry entry : deployment.map().entries()) {
                if (!node.awaitEntry(entry.key(), entry.qsize(), FORM_TIMEOUT)) {
                    throw new IllegalStateException("the entry of key " + entry.key() + " (node " + entry.node()
                        + ") did not appear within " + FORM_TIMEOUT.toSeconds() + " s");
                }
            }
            return node;
        } catch (RuntimeException ex) {
            node.shutdown();
            throw ex;
        }
    }
}
