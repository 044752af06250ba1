package dev.steer.loadgen.cli;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValueType;

import dev.steer.ingress.config.ConfigCheck;
import dev.steer.ingress.config.HoconFile;

/**
 * The HOCON file of a {@code --config} option, read the same way by {@code steer run} and {@code steer loadgen}:
 * a file that is missing, a directory or unreadable, and a file that does not parse, are refused with a message
 * naming the option, the file (with the line, for a syntax error) and the reason; so are an include of a missing
 * file and a key given twice ({@link HoconFile}). Never an empty config for a file that could not be read.
 * Off the hot path; any thread.
 */
final class ConfigFile {
    private ConfigFile() {
    }

    /**
     * Parses {@code file}, given as {@code option}; substitutions are left for the caller to resolve.
     *
     * @throws IllegalArgumentException naming the option, the file and what is wrong with it
     */
    static Config read(String option, File file) {
        final Path path = file.toPath();
        if (Files.isDirectory(path)) {
            throw new IllegalArgumentException(option + " " + file + ": is a directory, not a config file");
        }
        if (!Files.exists(path)) {
            throw new IllegalArgumentException(option + " " + file + ": no such file");
        }
        if (!Files.isReadable(path)) {
            throw new IllegalArgumentException(option + " " + file + ": cannot be read (no read permission)");
        }
        final ConfigCheck check = new ConfigCheck();
        final Config config;
        try {
            config = HoconFile.parse(path, check);
        } catch (ConfigException ex) {
            throw new IllegalArgumentException(option + " " + located(ex, file), ex);
        }
        if (!check.ok()) {
            // An include of a missing file, a key given twice: HOCON would pass over them in silence.
            throw new IllegalArgumentException(option + " " + String.join("\n" + option + " ", check.errors()));
        }
        return config;
    }

    /**
     * {@code upper} over {@code lower}, as {@code upper.withFallback(lower)}, except that a key of {@code upper} inside a
     * block that {@code lower} sets to something other than a block ({@code --duration 1s}, i.e. {@code run.duration},
     * over a file's {@code run = x}) is left out: HOCON would let the option's block hide the file's value, so a
     * malformed block ran on the defaults (or failed on an internal key). Left out, the file's value is what the
     * settings' own check sees and refuses, with file and line. Off the hot path.
     */
    static Config over(Config upper, Config lower) {
        Config result = upper;
        for (String path : upper.entrySet().stream().map(java.util.Map.Entry::getKey).toList()) {
            final java.util.List<String> parts = ConfigUtil.splitPath(path);
            for (int i = 1; i < parts.size(); i++) {
                final String prefix = ConfigUtil.joinPath(parts.subList(0, i));
                if (!lower.hasPath(prefix)) {
                    break;
                }
                if (lower.getValue(prefix).valueType() != ConfigValueType.OBJECT) {
                    // The whole block, not just the key: an empty block left behind would hide the value as well.
                    result = result.withoutPath(prefix);
                    break;
                }
            }
        }
        return result.withFallback(lower);
    }

    /** A config error as {@code file:line: what}, the form the settings' own problems take. */
    static String located(ConfigException ex, File file) {
        final ConfigOrigin origin = ex.origin();
        if (origin == null) {
            return file + ": " + ex.getMessage();
        }
        final String prefix = origin.description() + ": ";
        final String message = ex.getMessage().startsWith(prefix) ? ex.getMessage().substring(prefix.length())
            : ex.getMessage();
        return ConfigCheck.where(origin) + message;
    }
}
