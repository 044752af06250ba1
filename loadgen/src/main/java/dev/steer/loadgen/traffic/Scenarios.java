package dev.steer.loadgen.traffic;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;

import dev.steer.ingress.config.ConfigCheck;
import dev.steer.ingress.config.HoconFile;

/**
 * The scenario files shipped in {@value #RESOURCE_DIR} and the loader of any scenario file. A scenario is a
 * HOCON file with a {@code traffic { }} block ({@link TrafficProfile#fromConfig}) and optionally a
 * {@code run { }} block for the {@code steer} command; no other top-level key is allowed. Off the hot path.
 */
public final class Scenarios {
    /** Class-path directory of the shipped scenarios. */
    public static final String RESOURCE_DIR = "dev/steer/loadgen/scenarios/";
    /** Names of the shipped scenarios. */
    public static final List<String> SHIPPED = List.of("flood-64", "imix", "many-flows", "churn");

    private Scenarios() {
    }

    /**
     * Loads a shipped scenario by name ({@code flood-64}) or a scenario file by path. A file is read by
     * {@link HoconFile}, as a deployment file is: an include of a missing file, a key given twice and blocks nested
     * too deep are problems with the others.
     *
     * @throws IllegalArgumentException when neither exists, the file does not parse, or the blocks are
     *     invalid: one message with every problem, each with file and line
     */
    public static Scenario load(String nameOrPath) {
        if (nameOrPath == null || nameOrPath.isBlank()) {
            throw new IllegalArgumentException("scenario '" + nameOrPath + "': must be one of " + SHIPPED + " or a file path");
        }
        final ConfigParseOptions options = ConfigParseOptions.defaults().setAllowMissing(false);
        final Config config;
        final String source;
        // A missing include, a key given twice, nesting too deep: problems with the rest, as in a deployment file.
        final ConfigCheck fileCheck = new ConfigCheck();
        try {
            if (SHIPPED.contains(nameOrPath)) {
                source = RESOURCE_DIR + nameOrPath + ".conf";
                config = ConfigFactory.parseResources(Scenarios.class.getClassLoader(), source, options).resolve();
            } else {
                final Path path = Path.of(nameOrPath).toAbsolutePath();
                if (!Files.isRegularFile(path)) {
                    throw new IllegalArgumentException("scenario '" + nameOrPath + "': not a shipped scenario " + SHIPPED
                        + " and no file " + path);
                }
                source = path.toString();
                config = HoconFile.parse(path, fileCheck).resolve();
            }
        } catch (ConfigException ex) {
            throw new IllegalArgumentException("scenario '" + nameOrPath + "': " + ex.getMessage(), ex);
        }
        final List<String> problems = new ArrayList<>(fileCheck.errors());
        for (Map.Entry<String, ConfigValue> entry : config.root().entrySet()) {
            if (!entry.getKey().equals("traffic") && !entry.getKey().equals("run")) {
                problems.add(ConfigCheck.where(entry.getValue()) + entry.getKey()
                    + ": unknown block; allowed: traffic, run");
            }
        }
        TrafficProfile traffic = null;
        try {
            traffic = TrafficProfile.fromConfig(config);
        } catch (IllegalArgumentException ex) {
            problems.add(ex.getMessage());
        }
        final Config run = config.hasPath("run") && config.getValue("run") instanceof com.typesafe.config.ConfigObject o
            ? o.toConfig() : ConfigFactory.empty();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("scenario '" + nameOrPath + "' (" + source + "):\n  "
                + String.join("\n  ", problems));
        }
        return new Scenario(nameOrPath, source, traffic, run, config);
    }
}
