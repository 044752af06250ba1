package dev.steer.ingress.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;

/**
 * Reads settings out of a HOCON block and collects every problem instead of stopping at the first: each
 * message names where the value came from (file and line, or "command line"), the key, the bad value and
 * what is allowed. Off the hot path.
 *
 * <p>Thread contract: one thread; one instance per validation.
 */
public final class ConfigCheck {
    private final List<String> errors = new ArrayList<>();

    /** Records a problem with {@code path} in {@code config}. */
    public void error(Config config, String path, String problem) {
        errors.add(where(config, path) + path + ": " + problem);
    }

    /** Records a problem not tied to one value. */
    public void error(String problem) {
        errors.add(problem);
    }

    /** Reports every key of {@code config} that is not in {@code known}, naming the block. */
    public void unknownKeys(Config config, String block, Set<String> known) {
        for (var entry : config.root().entrySet()) {
            if (!known.contains(entry.getKey())) {
                errors.add(where(entry.getValue()) + block + "." + entry.getKey() + ": unknown key; known keys: "
                    + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }

    /** A string, or {@code fallback} when absent. */
    public String string(Config config, String path, String fallback) {
        if (!config.hasPath(path)) {
            return fallback;
        }
        try {
            return config.getString(path);
        } catch (ConfigException ex) {
            error(config, path, "must be a string, is " + render(config, path));
            return fallback;
        }
    }

    /** One of {@code allowed} (case-insensitive), or {@code fallback} when absent. */
    public String oneOf(Config config, String path, String fallback, List<String> allowed) {
        final String value = string(config, path, fallback);
        if (value != null && allowed.stream().noneMatch(value::equalsIgnoreCase)) {
            error(config, path, "'" + value + "' is not one of " + String.join(" | ", allowed));
            return fallback;
        }
        return value == null ? null : value.toLowerCase(java.util.Locale.ROOT);
    }

    /** An int in {@code min..max}, or {@code fallback} when absent. */
    public int intIn(Config config, String path, int fallback, int min, int max) {
        if (!config.hasPath(path)) {
            return fallback;
        }
        try {
            final int value = config.getInt(path);
            if (value < min || value > max) {
                error(config, path, value + " is out of range: must be " + min + ".." + max);
                return fallback;
            }
            return value;
        } catch (ConfigException ex) {
            error(config, path, "must be an integer " + min + ".." + max + ", is " + render(config, path));
            return fallback;
        }
    }

    /** A size in bytes ({@code 4m}, {@code 65536}) in {@code min..max}, or {@code fallback} when absent. */
    public long bytesIn(Config config, String path, long fallback, long min, long max) {
        if (!config.hasPath(path)) {
            return fallback;
        }
        try {
            final long value = config.getBytes(path);
            if (value < min || value > max) {
                error(config, path, value + " bytes is out of range: must be " + min + ".." + max);
                return fallback;
            }
            return value;
        } catch (ConfigException ex) {
            error(config, path, "must be a size such as 64k or 4m, is " + render(config, path));
            return fallback;
        }
    }

    /** A duration in nanoseconds ({@code 10s}, {@code 250ms}) in {@code min..max}, or {@code fallback}. */
    public long nanosIn(Config config, String path, long fallback, long min, long max) {
        if (!config.hasPath(path)) {
            return fallback;
        }
        try {
            final long value = config.getDuration(path, TimeUnit.NANOSECONDS);
            if (value < min || value > max) {
                error(config, path, render(config, path) + " is out of range: must be " + describe(min) + ".." + describe(max));
                return fallback;
            }
            return value;
        } catch (ConfigException ex) {
            error(config, path, "must be a duration such as 10s or 250ms, is " + render(config, path));
            return fallback;
        }
    }

    /** A boolean, or {@code fallback} when absent. */
    public boolean bool(Config config, String path, boolean fallback) {
        if (!config.hasPath(path)) {
            return fallback;
        }
        try {
            return config.getBoolean(path);
        } catch (ConfigException ex) {
            error(config, path, "must be true or false, is " + render(config, path));
            return fallback;
        }
    }

    /** A double in {@code min..max}, or {@code fallback} when absent. */
    public double doubleIn(Config config, String path, double fallback, double min, double max) {
        if (!config.hasPath(path)) {
            return fallback;
        }
        try {
            final double value = config.getDouble(path);
            if (!(value >= min && value <= max)) {
                error(config, path, value + " is out of range: must be " + min + ".." + max);
                return fallback;
            }
            return value;
        } catch (ConfigException ex) {
            error(config, path, "must be a number " + min + ".." + max + ", is " + render(config, path));
            return fallback;
        }
    }

    /** True when nothing was wrong. */
    public boolean ok() {
        return errors.isEmpty();
    }

    /** Every problem so far. */
    public List<String> errors() {
        return List.copyOf(errors);
    }

    /** Adds the problems of another check. */
    public void addAll(List<String> more) {
        errors.addAll(more);
    }

    /**
     * Throws when anything was wrong.
     *
     * @throws IllegalArgumentException with every problem, one per line, under {@code title}
     */
    public void throwIfAny(String title) {
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(title + ":\n  " + String.join("\n  ", errors));
        }
    }

    private static String where(Config config, String path) {
        try {
            return where(config.getValue(path));
        } catch (ConfigException ex) {
            return where(config.root());
        }
    }

    private static String where(ConfigValue value) {
        final var origin = value.origin();
        String file = origin.filename() != null ? origin.filename()
            : origin.resource() != null ? origin.resource() : origin.description();
        if (origin.lineNumber() > 0) {
            // A description already ends in ": LINE"; the file:line form is what editors and terminals link.
            final String suffix = ": " + origin.lineNumber();
            if (file.endsWith(suffix)) {
                file = file.substring(0, file.length() - suffix.length());
            }
            return file + ":" + origin.lineNumber() + ": ";
        }
        return file + ": ";
    }

    private static String render(Config config, String path) {
        return config.getValue(path).render(com.typesafe.config.ConfigRenderOptions.concise());
    }

    private static String describe(long nanos) {
        return nanos % 1_000_000_000L == 0 ? nanos / 1_000_000_000L + "s" : nanos / 1_000_000L + "ms";
    }
}
