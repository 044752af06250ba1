package dev.steer.loadgen.cli;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Stream;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;

import dev.steer.cluster.config.DeploymentLoader;
import dev.steer.ingress.config.ConfigCheck;
import dev.steer.ingress.config.Substitutions;

/**
 * The settings of a command, merged from its layers, highest first: the options given on the command line,
 * {@code --config FILE}, {@code --scenario} (the defaults are applied by each block's reader). {@code steer run} and
 * {@code steer loadgen} both merge and check their settings through this, so that they do it alike.
 *
 * <p>An option overrides the file's value of its key but does not hide it silently. {@link #check} runs a command's
 * checks on the merged settings and again on the file's values at the keys options override; a problem of such a key
 * is a warning, with the file's line and key, followed by {@code (OPTION overrides it; the file's value is not used)}.
 * It is not an error: options adapt a file to a machine (a capture or a bind host of another machine, CPUs this one
 * lacks), and the run uses the option's value, so the file's value does not stop it.
 *
 * <p>Made and used on the command's thread before anything starts; a command's checks run twice when an option
 * overrides a key of the file, once otherwise, so a check with an effect must keep it from happening twice
 * ({@link RunPlan} opens a deployment's TLS stores once for both).
 *
 * @param merged     command line over config file over scenario, resolved
 * @param asWritten  the same with the config file's values where options override them, resolved, or null when no
 *                   option overrides a key of the file
 * @param overridden each key of the config file that an option overrides, with the option
 * @param substitutions          the values of {@code merged} that environment variables gave, for messages
 * @param asWrittenSubstitutions those of {@code asWritten}
 */
record LayeredSettings(Config merged, Config asWritten, Map<String, String> overridden, Substitutions substitutions,
                       Substitutions asWrittenSubstitutions) {
    /** What may follow a key a problem names: its problem, its value, or a key below it. */
    private static final String KEY_ENDS = ":=[. ";
    /** What may follow a block a problem is about: its problem or its value, not a key below it. */
    private static final String BLOCK_ENDS = ":= ";

    /** Settings resolved by the caller, whose values keep their own origins in messages. */
    LayeredSettings(Config merged, Config asWritten, Map<String, String> overridden) {
        this(merged, asWritten, overridden, Substitutions.NONE, Substitutions.NONE);
    }

    /**
     * A command's checks of its settings.
     *
     * @param <T> what the checks read from the settings
     */
    @FunctionalInterface
    interface Checks<T> {
        /** Checks {@code settings}, adding every problem to {@code check}; returns what they read. */
        T check(Config settings, ConfigCheck check);
    }

    /** The options of a command line as config keys, each with the option that set it, for messages. */
    static final class Options {
        private final Map<String, Object> values = new LinkedHashMap<>();
        private final Map<String, String> optionOfKey = new LinkedHashMap<>();

        /** Puts {@code key} when {@code option} was given ({@code value} not null), recording the option of the key. */
        Options put(String key, String option, Object value) {
            if (value != null) {
                values.put(key, value);
                optionOfKey.put(key, option);
            }
            return this;
        }

        /**
         * Puts the keys of the traffic options given (null = not given), each with its option as
         * {@link TrafficOptions#optionOf} names it.
         *
         * @throws IllegalArgumentException for an option whose syntax is wrong, naming it
         */
        Options traffic(String rate, Integer flows, String sizes, String mix, Integer ipv6, Long seed) {
            final Map<String, Object> traffic = new LinkedHashMap<>();
            TrafficOptions.put(traffic, rate, flows, sizes, mix, ipv6, seed);
            for (Map.Entry<String, Object> key : traffic.entrySet()) {
                put(key.getKey(), TrafficOptions.optionOf(key.getKey()), key.getValue());
            }
            return this;
        }

        private Config config() {
            return ConfigFactory.parseMap(values, DeploymentLoader.COMMAND_LINE);
        }
    }

    /**
     * Merges the layers: {@code options} over {@code file} over {@code scenario}, and, where options override keys
     * the file writes, the file's own values at those keys.
     *
     * @param file     the {@code --config} file, or null
     * @param scenario the {@code --scenario}, or null
     * @throws IllegalArgumentException when the merged settings do not resolve, with the reason
     */
    static LayeredSettings of(Options options, Config file, Config scenario) {
        final Config given = options.config();
        final Config layers = layer(given, file, scenario);
        final Config merged = resolve(layers);
        final Map<String, String> overridden = new LinkedHashMap<>();
        Config notOverriding = given;
        if (file != null) {
            for (Map.Entry<String, String> set : options.optionOfKey.entrySet()) {
                if (inFile(file, set.getKey())) {
                    overridden.put(set.getKey(), set.getValue());
                    notOverriding = notOverriding.withoutPath(set.getKey());
                }
            }
        }
        Config asWritten = null;
        Substitutions asWrittenSubstitutions = Substitutions.NONE;
        if (!overridden.isEmpty()) {
            try {
                final Config writtenLayers = layer(notOverriding, file, scenario);
                asWritten = writtenLayers.resolve();
                asWrittenSubstitutions = Substitutions.find(writtenLayers, layers(notOverriding, file, scenario),
                    asWritten);
            } catch (ConfigException ex) {
                asWritten = null; // the merged settings resolved; what they could not, they name themselves
            }
        }
        return new LayeredSettings(merged, asWritten, Map.copyOf(overridden),
            Substitutions.find(layers, layers(given, file, scenario), merged), asWrittenSubstitutions);
    }

    /**
     * Runs {@code checks} on the merged settings, then on the file's values at the keys options override, passing to
     * {@code warn} once each problem of such a key that the merged settings do not have, with the option named (the
     * run goes on with the option's value). Throws nothing itself: the caller throws the problems of {@code check},
     * the merged settings' only, at once.
     *
     * @return what {@code checks} read from the merged settings
     */
    <T> T check(ConfigCheck check, Consumer<String> warn, Checks<T> checks) {
        final T result = checks.check(merged, check);
        if (asWritten != null && !overridden.isEmpty()) {
            final ConfigCheck file = new ConfigCheck(asWrittenSubstitutions);
            checks.check(asWritten, file);
            final List<String> found = check.errors();
            for (String problem : new LinkedHashSet<>(file.errors())) {
                final String option = optionOf(problem);
                if (option != null && !found.contains(problem)) {
                    warn.accept(problem + " (" + option + " overrides it; the file's value is not used)");
                }
            }
        }
        return result;
    }

    /**
     * The option of the overridden key that {@code problem} names ({@code file:line: key: ...}, {@code key=value: ...}
     * as the traffic block writes it, or a key below it), else of the block above it that the problem is about
     * ({@code traffic.protocol: udp=0, ...} under {@code --mix}, which sets every {@code traffic.protocol.*}); null for
     * none.
     */
    private String optionOf(String problem) {
        for (Map.Entry<String, String> set : overridden.entrySet()) {
            if (names(problem, set.getKey(), KEY_ENDS)) {
                return set.getValue();
            }
        }
        for (Map.Entry<String, String> set : overridden.entrySet()) {
            final String key = set.getKey();
            // Blocks below the top one only: "traffic" or "steer" is the block of every key of its command.
            for (int dot = key.lastIndexOf('.'); dot > key.indexOf('.'); dot = key.lastIndexOf('.', dot - 1)) {
                if (names(problem, key.substring(0, dot), BLOCK_ENDS)) {
                    return set.getValue();
                }
            }
        }
        return null;
    }

    /** Whether {@code problem} names {@code key} after a {@code ": "}, followed by one of {@code ends}. */
    private static boolean names(String problem, String key, String ends) {
        final String named = ": " + key;
        for (int at = problem.indexOf(named); at >= 0; at = problem.indexOf(named, at + 1)) {
            final int next = at + named.length();
            if (next < problem.length() && ends.indexOf(problem.charAt(next)) >= 0) {
                return true;
            }
        }
        return false;
    }

    private static Config layer(Config options, Config file, Config scenario) {
        Config result = options;
        if (file != null) {
            result = ConfigFile.over(result, file);
        }
        if (scenario != null) {
            result = ConfigFile.over(result, scenario);
        }
        return result;
    }

    /** The layers {@link #layer} lays, the highest first: they order a key's writes in several files. */
    private static List<Config> layers(Config options, Config file, Config scenario) {
        return Stream.of(options, file, scenario).filter(Objects::nonNull).toList();
    }

    private static Config resolve(Config settings) {
        try {
            return settings.resolve();
        } catch (ConfigException ex) {
            throw new IllegalArgumentException(ex.getMessage(), ex);
        }
    }

    /** Whether {@code file} writes {@code key} (as a value, or null); false where a block above it is no block. */
    private static boolean inFile(Config file, String key) {
        try {
            return file.hasPathOrNull(key);
        } catch (ConfigException ex) {
            return false;
        }
    }
}
