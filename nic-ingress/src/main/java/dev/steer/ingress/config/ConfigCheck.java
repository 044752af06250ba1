package dev.steer.ingress.config;

import java.math.BigDecimal;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;

/**
 * Reads settings out of a HOCON block and collects every problem instead of stopping at the first: each
 * message names where the value came from (file and line, or "command line"), the key, the bad value and
 * what is allowed. Off the hot path.
 *
 * <p>Thread contract: one thread; one instance per validation.
 */
public final class ConfigCheck {
    private final List<String> errors = new ArrayList<>();
    private final Substitutions substitutions;

    /** A check whose messages name every value by its own origin. */
    public ConfigCheck() {
        this(Substitutions.NONE);
    }

    /**
     * A check whose messages name a value that an environment variable gave by the place of its substitution, with
     * the variable: {@code file:line: path (from $VAR): problem}; see {@link #at}.
     */
    public ConfigCheck(Substitutions substitutions) {
        this.substitutions = substitutions;
    }

    /** The substitutions this check names values by, for a check of a part of the same settings. */
    public Substitutions substitutions() {
        return substitutions;
    }

    /** Records a problem with {@code path} in {@code config}. */
    public void error(Config config, String path, String problem) {
        errors.add(at(config, path) + problem);
    }

    /**
     * How a message about {@code path} starts: {@code file:line: path: }, where the value is written; for a value an
     * environment variable gave, {@code file:line: path (from $VAR): }, where its substitution is written (the value's
     * own origin says only "env variables"). {@code path} is from the root of the settings the substitutions were
     * found in.
     */
    public String at(Config config, String path) {
        final Substitutions.Place place = substitutions.at(path);
        if (place == null) {
            return where(config, path) + path + ": ";
        }
        return where(place.origin()) + path + " (from $" + String.join(" and $", place.variables()) + "): ";
    }

    /**
     * Records that {@code block.key} is missing, located at the block (or the nearest enclosing block written, or
     * the config's root): {@code file:line: block.key: missing: why}.
     */
    public void missing(Config config, String block, String key, String why) {
        String at = block;
        while (!config.hasPathOrNull(at) && at.contains(".")) {
            at = at.substring(0, at.lastIndexOf('.'));
        }
        errors.add(where(config, at) + block + "." + key + ": missing: " + why);
    }

    /** Records a problem not tied to one value. */
    public void error(String problem) {
        errors.add(problem);
    }

    /** Reports every key of {@code block}, a block that takes none, as {@code file:line: path.key: unknown key; why}. */
    public void noKeys(ConfigObject block, String path, String why) {
        for (Map.Entry<String, ConfigValue> entry : block.entrySet()) {
            errors.add(where(entry.getValue()) + path + "." + entry.getKey() + ": unknown key; " + why);
        }
    }

    /** Reports every key of {@code config} that is not in {@code known}; see {@link #unknownKeys(ConfigObject, String, Collection)}. */
    public void unknownKeys(Config config, String block, Collection<String> known) {
        unknownKeys(config.root(), block, known);
    }

    /**
     * Reports every key of {@code block} not in {@code known} as {@code file:line: path.key: unknown key; did you
     * mean x?}, or with the known keys listed when none is close enough to be a typo.
     *
     * @param path the block's path, prefixed to each key ("" for the root)
     */
    public void unknownKeys(ConfigObject block, String path, Collection<String> known) {
        for (Map.Entry<String, ConfigValue> entry : block.entrySet()) {
            final String key = entry.getKey();
            if (!known.contains(key)) {
                final String hint = nearest(key, known);
                errors.add(where(entry.getValue()) + (path.isEmpty() ? key : path + "." + key) + ": unknown key; "
                    + (hint != null ? "did you mean " + hint + "?"
                    : "known keys: " + String.join(", ", known.stream().sorted().toList())));
            }
        }
    }

    /** The known key closest to {@code key} in edit distance, when close enough to be a typo; else null. */
    public static String nearest(String key, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known.stream().sorted().toList()) {
            // A shortened or lengthened key ("stable" for "stable-after") counts as one edit away.
            final boolean prefix = Math.min(key.length(), candidate.length()) >= 3
                && (candidate.startsWith(key) || key.startsWith(candidate));
            final int distance = prefix ? 1 : distance(key, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        // A third of the key's length (at least 2 edits) separates typos from different words.
        return best != null && bestDistance <= Math.max(2, key.length() / 3) ? best : null;
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                final int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            final int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
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

    /**
     * {@code value}, the string at {@code path}, as the path {@code toPath} makes of it ({@code Path::of}, or a
     * directory's {@code resolve}); null when it cannot be one (a NUL in it), recorded as {@code path: "value" is not a
     * path (reason): must be allowed}, the value rendered as written (escaped), never printed raw.
     */
    public Path path(Config config, String path, String value, Function<String, Path> toPath, String allowed) {
        try {
            return toPath.apply(value);
        } catch (InvalidPathException ex) {
            error(config, path, render(config, path) + " is not a path (" + ex.getReason() + "): must be " + allowed);
            return null;
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
        return intIn(config, path, fallback, min, max, null);
    }

    /**
     * An int in {@code min..max}, or {@code fallback} when absent; {@code why} (may be null) says where the bounds
     * come from and follows the range in every message, for a value out of range and one that is no int at all.
     */
    public int intIn(Config config, String path, int fallback, int min, int max, String why) {
        if (!config.hasPath(path)) {
            return fallback;
        }
        final String range = min + ".." + max + (why == null ? "" : " (" + why + ")");
        try {
            final int value = config.getInt(path);
            if (!whole(config.getNumber(path))) {
                // getInt cuts a fraction off without a word (qsize = 100.9 ran with 100, and so did "100.9", which HOCON
                // reads as the number): no integer, like a word.
                error(config, path, "must be an integer " + range + ", is " + render(config, path));
                return fallback;
            }
            if (value < min || value > max) {
                error(config, path, value + " is out of range: must be " + range);
                return fallback;
            }
            return value;
        } catch (ConfigException ex) {
            error(config, path, "must be an integer " + range + ", is " + render(config, path));
            return fallback;
        }
    }

    /** Whether a number HOCON read (from a number or a string such as "12") is whole; false for NaN. */
    public static boolean whole(Number number) {
        return !(number instanceof Double d) || d == Math.rint(d);
    }

    /**
     * Whether the size at {@code path}, which {@code getBytes} read, is a whole number of bytes: {@code getBytes} cuts
     * the fraction off a number (65536.7, quoted or not, is 65536) and off a number times its unit (1.0001k is 1024),
     * while a fraction of a unit that comes to whole bytes (1.5k, 1536 bytes) is what it says.
     */
    private static boolean wholeBytes(Config config, String path) {
        try {
            return whole(config.getNumber(path));
        } catch (ConfigException.WrongType ex) {
            // A number and a unit; getBytes took both, so both parse, as HOCON splits them: the trailing letters.
        }
        final String text = config.getString(path).strip();
        int end = text.length();
        while (end > 0 && Character.isLetter(text.charAt(end - 1))) {
            end--;
        }
        final BigDecimal unit = BigDecimal.valueOf(ConfigFactory.empty()
            .withValue("unit", ConfigValueFactory.fromAnyRef("1 " + text.substring(end))).getBytes("unit"));
        return new BigDecimal(text.substring(0, end).strip()).multiply(unit).stripTrailingZeros().scale() <= 0;
    }

    /**
     * A size in bytes ({@code 4m}, {@code 65536}: a bare number is bytes) in {@code min..max}, or {@code fallback} when
     * absent.
     */
    public long bytesIn(Config config, String path, long fallback, long min, long max) {
        return bytesIn(config, path, fallback, min, max, min + ".." + max);
    }

    /**
     * A size in bytes in {@code min..max}, or {@code fallback} when absent; {@code allowed} describes the allowed values
     * in the message for a value that is no size at all (a negative number, a word), where the range is named too.
     */
    public long bytesIn(Config config, String path, long fallback, long min, long max, String allowed) {
        if (!config.hasPath(path)) {
            return fallback;
        }
        try {
            final long value = config.getBytes(path);
            if (!wholeBytes(config, path)) {
                error(config, path, "must be a whole number of bytes, " + allowed + ", is " + render(config, path));
                return fallback;
            }
            if (value < min || value > max) {
                error(config, path, value + " bytes is out of range: must be " + allowed);
                return fallback;
            }
            return value;
        } catch (ConfigException ex) {
            error(config, path, "must be a size in bytes, " + allowed + ", as a number of bytes or with a unit such as"
                + " 64k or 4m, is " + render(config, path));
            return fallback;
        }
    }

    /**
     * A duration in nanoseconds ({@code 10s}, {@code 250ms}) in {@code min..max}, or {@code fallback}. A duration needs a
     * unit: HOCON would read a bare number as milliseconds, which {@code interval = 5} did not mean, so one is refused
     * with the units to choose from (a bare 0 is 0 in every unit and is taken).
     */
    public long nanosIn(Config config, String path, long fallback, long min, long max) {
        if (!config.hasPath(path)) {
            return fallback;
        }
        final String bare = unitless(config.getValue(path));
        if (bare != null) {
            error(config, path, render(config, path) + " has no unit (HOCON would read it as " + bare + " ms): write one,"
                + " such as " + bare + "s or " + bare + "ms: must be " + describe(min) + ".." + describe(max));
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

    /**
     * The number written, when {@code value} is a positive duration without a unit ({@code 5}, {@code "2.5"}); else
     * null (0 and negative numbers are then out of range or not, as their value says). Off the hot path.
     */
    public static String unitless(ConfigValue value) {
        final String text = switch (value.valueType()) {
            case NUMBER, STRING -> String.valueOf(value.unwrapped()).strip();
            default -> null;
        };
        if (text == null || !text.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
            return null;
        }
        return new java.math.BigDecimal(text).signum() > 0 ? text : null;
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
        } catch (ConfigException.Null ex) {
            // Written as null (pcap = null): no value, but a place in the file, which the exception carries. The root's
            // origin would be the merge of every layer (the command line, the file, the jar's defaults).
            return where(ex.origin() != null ? ex.origin() : config.root().origin());
        } catch (ConfigException ex) {
            return where(config.root());
        }
    }

    /** Where {@code value} was written, as every message starts: {@code file:line: } or {@code description: }. */
    public static String where(ConfigValue value) {
        return where(value.origin());
    }

    /** Where {@code origin} points, as every message starts: {@code file:line: } or {@code description: }. */
    public static String where(ConfigOrigin origin) {
        return location(origin) + ": ";
    }

    /** Where {@code origin} points, as a message names it inside its text: {@code file:line} or {@code description}. */
    public static String location(ConfigOrigin origin) {
        String file = origin.filename() != null ? origin.filename()
            : origin.resource() != null ? origin.resource() : origin.description();
        if (origin.lineNumber() > 0) {
            // A description already ends in ": LINE"; the file:line form is what editors and terminals link.
            final String suffix = ": " + origin.lineNumber();
            if (file.endsWith(suffix)) {
                file = file.substring(0, file.length() - suffix.length());
            }
            return file + ":" + origin.lineNumber();
        }
        return file;
    }

    private static String render(Config config, String path) {
        return render(config.getValue(path));
    }

    /** A value in one line, as written. */
    public static String render(ConfigValue value) {
        return value.render(ConfigRenderOptions.concise());
    }

    private static String describe(long nanos) {
        return nanos % 1_000_000_000L == 0 ? nanos / 1_000_000_000L + "s" : nanos / 1_000_000L + "ms";
    }
}
