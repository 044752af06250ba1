package dev.steer.cluster.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import dev.steer.ingress.config.ConfigCheck;

/**
 * Small helpers of the deployment validation that {@link ConfigCheck} does not have: unknown keys with a
 * nearest-match hint, origins in ConfigCheck's format ({@code file:line: }), list items named
 * {@code path[i]}, CPU lists. Start-up only.
 */
final class ConfigKeys {
    private ConfigKeys() {
    }

    /**
     * Reports every key of {@code block} not in {@code known} as
     * {@code file:line: path.key: unknown key; did you mean x?} (or the known keys when nothing is close).
     */
    static void unknownKeys(ConfigCheck check, ConfigObject block, String path, Collection<String> known) {
        for (Map.Entry<String, ConfigValue> entry : block.entrySet()) {
            final String key = entry.getKey();
            if (!known.contains(key)) {
                final String hint = nearest(key, known);
                check.error(where(entry.getValue()) + (path.isEmpty() ? key : path + "." + key) + ": unknown key; "
                    + (hint != null ? "did you mean " + hint + "?" : "known keys: " + String.join(", ", known.stream().sorted().toList())));
            }
        }
    }

    /** The known key closest to {@code key} in edit distance, when close enough to be a typo; else null. */
    static String nearest(String key, Collection<String> known) {
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
    static int distance(String a, String b) {
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

    /** Where a value was written, as ConfigCheck prints it: {@code file:line: } or {@code description: }. */
    static String where(ConfigValue value) {
        final ConfigOrigin origin = value.origin();
        final String file = origin.filename() != null ? origin.filename()
            : origin.resource() != null ? origin.resource() : origin.description();
        return origin.lineNumber() > 0 ? file + ":" + origin.lineNumber() + ": " : file + ": ";
    }

    /** A value in one line, as written. */
    static String render(ConfigValue value) {
        return value.render(ConfigRenderOptions.concise());
    }

    /**
     * Reads the items of a list of objects with a ConfigCheck of their own, so that each message names the
     * item as {@code path[i].key}; items that are not objects are reported.
     *
     * @param reader reads one item from a Config whose path {@code path.i} is the item; null results are left out
     */
    static <T> List<T> objects(ConfigCheck check, ConfigValue list, String path, String example,
                               BiFunction<ConfigCheck, ItemPath, T> reader) {
        final List<T> out = new ArrayList<>();
        if (list.valueType() != ConfigValueType.LIST) {
            check.error(where(list) + path + ": must be a list such as [ " + example + " ], is " + render(list));
            return out;
        }
        final ConfigList items = (ConfigList) list;
        for (int i = 0; i < items.size(); i++) {
            final ConfigValue item = items.get(i);
            final String label = path + "[" + i + "]";
            if (item.valueType() != ConfigValueType.OBJECT) {
                check.error(where(item) + label + ": must be an object such as " + example + ", is " + render(item));
                continue;
            }
            final String dotted = path + "." + i;
            final ConfigCheck own = new ConfigCheck();
            final T value = reader.apply(own, new ItemPath(ConfigFactory.empty().withValue(dotted, item), dotted, label,
                (ConfigObject) item, i));
            for (String problem : own.errors()) {
                check.error(problem.replace(dotted + ".", label + ".").replace(dotted + ":", label + ":"));
            }
            if (value != null) {
                out.add(value);
            }
        }
        return out;
    }

    /**
     * One item of a list being read.
     *
     * @param config a Config in which {@code dotted} is the item
     * @param dotted the item's path in {@code config} ({@code a.b.3}), for ConfigCheck's getters
     * @param label  the item's name in messages ({@code a.b[3]})
     * @param object the item
     * @param index  its position in the list
     */
    record ItemPath(Config config, String dotted, String label, ConfigObject object, int index) {
        /** The path of a key of the item in {@link #config()}. */
        String key(String key) {
            return dotted + "." + key;
        }
    }

    /** A CPU list in the Linux form, {@code 0-3,6}. */
    static String cpuList(int[] cpus) {
        final StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < cpus.length) {
            int j = i;
            while (j + 1 < cpus.length && cpus[j + 1] == cpus[j] + 1) {
                j++;
            }
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(cpus[i]);
            if (j > i) {
                out.append('-').append(cpus[j]);
            }
            i = j + 1;
        }
        return out.isEmpty() ? "none" : out.toString();
    }
}
