package dev.steer.loadgen.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import dev.steer.cluster.ClusterTls;
import dev.steer.cluster.TlsStores;
import dev.steer.cluster.config.Deployment;
import dev.steer.cluster.config.DeploymentException;
import dev.steer.cluster.config.DeploymentLoader;
import dev.steer.engine.map.CpuSet;
import dev.steer.ingress.config.ConfigCheck;
import dev.steer.loadgen.traffic.TrafficProfile;

/**
 * Everything a run needs, validated at once: the deployment ({@code steer { }}), the run block and the
 * synthetic traffic of the merged settings.
 *
 * @param run        run settings
 * @param deployment what runs: engine, map, feed, cluster, stats
 * @param traffic    synthetic traffic (used when this process generates traffic)
 */
record RunPlan(RunSettings run, Deployment deployment, TrafficProfile traffic) {
    private static final Set<String> BLOCKS = Set.of("steer", "run", "traffic");

    /**
     * Validates every block and reports every problem at once.
     *
     * @param settings the merged settings
     * @param node     the node of a cluster file this process is, or null for the file's own
     * @param source   where the settings came from, for messages
     * @param baseDir  directory relative paths of the deployment (TLS stores) resolve against
     * @throws IllegalArgumentException listing each problem with where it came from, the key, the value and what is allowed
     */
    static RunPlan from(Config settings, String node, String source, Path baseDir) {
        return from(new LayeredSettings(settings, null, Map.of()), node, source, baseDir, warning -> { });
    }

    /**
     * Validates every block of the merged settings, as {@link #from(Config, String, String, Path)}, and also the values
     * of a config file that options override ({@link LayeredSettings#check}): each problem of those goes to
     * {@code warn} ({@code --duration 2s} over the file's {@code run.duration = 5}), as the run uses the option's value.
     *
     * @throws IllegalArgumentException listing each problem with where it came from, the key, the value and what is allowed
     */
    static RunPlan from(LayeredSettings settings, String node, String source, Path baseDir, Consumer<String> warn) {
        return from(settings, node, source, baseDir, warn, TlsStores::open);
    }

    /** {@link #from(LayeredSettings, String, String, Path, Consumer)} opening TLS stores with {@code stores} (tests). */
    static RunPlan from(LayeredSettings settings, String node, String source, Path baseDir, Consumer<String> warn,
                        Function<ClusterTls, TlsStores.Checked> stores) {
        final ConfigCheck check = new ConfigCheck(settings.substitutions());
        // The checks run twice when an option overrides a key of the file: the stores, which no option sets, are
        // the same both times and are opened once (a key derivation each, and a file read).
        final Map<ClusterTls, TlsStores.Checked> opened = new HashMap<>();
        final DeploymentLoader loader = new DeploymentLoader(CpuSet.fromMachine(),
            tls -> opened.computeIfAbsent(tls, stores));
        final RunPlan plan = settings.check(check, warn,
            (config, problems) -> check(config, node, source, baseDir, loader, problems));
        check.throwIfAny("invalid settings");
        return plan;
    }

    /** The checks of {@link #from}: problems go to {@code check}; the plan's parts are null where they had some. */
    private static RunPlan check(Config settings, String node, String source, Path baseDir, DeploymentLoader loader,
                                 ConfigCheck check) {
        check.unknownKeys(settings, "", BLOCKS);
        final RunSettings run = RunSettings.from(block(settings, "run", check), check);
        final TrafficProfile traffic = traffic(settings, check);
        Deployment deployment = null;
        try {
            deployment = loader.parse(settings.withOnlyPath("steer").withFallback(
                ConfigFactory.parseString("steer {}")), node, source, baseDir, check.substitutions());
        } catch (DeploymentException ex) {
            check.addAll(ex.problems());
        }
        if (traffic != null && deployment != null && generatesTraffic(run, deployment) && !traffic.unpaced()
            && traffic.rate() < deployment.feed().queues()) {
            check.error(settings, "traffic.rate", traffic.rate() + " packets/s over " + deployment.feed().queues()
                + " feed queues: the rate is the total over every queue, at least 1 packet/s each: must be max or at"
                + " least " + deployment.feed().queues());
        }
        return new RunPlan(run, deployment, traffic);
    }

    /**
     * The {@code traffic} block of {@code settings} (the defaults without one), or null with its problems added to
     * {@code check}, so that they are listed with those of the other blocks.
     */
    static TrafficProfile traffic(Config settings, ConfigCheck check) {
        try {
            return settings.hasPath("traffic") ? TrafficProfile.fromConfig(settings) : TrafficProfile.defaults();
        } catch (IllegalArgumentException ex) {
            // The profile's message is a title line and one problem per line; keep the problems.
            final java.util.List<String> lines = ex.getMessage().lines().map(String::strip).toList();
            check.addAll(lines.size() > 1 ? lines.subList(1, lines.size()) : lines);
            return null;
        }
    }

    /** True when this process makes the traffic: a synthetic feed, or a sender into an Aeron or UDP feed. */
    static boolean generatesTraffic(RunSettings run, Deployment deployment) {
        final String type = deployment.feed().type();
        return run.traffic() && ("synthetic".equals(type) || "aeron".equals(type) || "udp".equals(type));
    }

    /** Block {@code name} of {@code settings} (empty without one), or empty with a problem when it is not a block. */
    static Config block(Config settings, String name, ConfigCheck check) {
        if (!settings.hasPath(name)) {
            return ConfigFactory.empty();
        }
        try {
            return settings.getConfig(name);
        } catch (com.typesafe.config.ConfigException ex) {
            check.error(settings, name, "must be a block { ... }");
            return ConfigFactory.empty();
        }
    }
}
