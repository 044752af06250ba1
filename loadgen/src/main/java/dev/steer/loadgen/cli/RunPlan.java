package dev.steer.loadgen.cli;

import java.util.Set;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import dev.steer.engine.map.CpuSet;
import dev.steer.ingress.config.ConfigCheck;
import dev.steer.ingress.config.FeedConfig;
import dev.steer.loadgen.traffic.TrafficProfile;

/**
 * Everything a run needs, validated at once: the run, feed and traffic blocks of the merged settings.
 *
 * @param run     run settings
 * @param feed    feed plan
 * @param traffic synthetic traffic (used when this process generates traffic)
 */
record RunPlan(RunSettings run, FeedConfig.Plan feed, TrafficProfile traffic) {
    private static final Set<String> BLOCKS = Set.of("run", "feed", "traffic");

    /**
     * Validates every block and reports every problem at once.
     *
     * @throws IllegalArgumentException listing each problem with where it came from, the key, the value and what is allowed
     */
    static RunPlan from(Config settings) {
        final ConfigCheck check = new ConfigCheck();
        check.unknownKeys(settings, "settings", BLOCKS);
        final RunSettings run = RunSettings.from(block(settings, "run", check), CpuSet.fromMachine(), check);
        final FeedConfig.Plan feed = FeedConfig.plan(block(settings, "feed", check), check);
        TrafficProfile traffic = null;
        try {
            traffic = settings.hasPath("traffic") ? TrafficProfile.fromConfig(settings) : TrafficProfile.defaults();
        } catch (IllegalArgumentException ex) {
            check.error(ex.getMessage().replace("\n  ", "\n  traffic: "));
        }
        check.throwIfAny("invalid settings");
        return new RunPlan(run, feed, traffic);
    }

    private static Config block(Config settings, String name, ConfigCheck check) {
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
