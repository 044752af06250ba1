package dev.steer.ingress.config;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;

/**
 * Where the substitutions that took a value from an environment variable are written. HOCON gives such a value the
 * origin "env variables", with no file and no line, so a message about a wrong
 * {@code key-store-password = ${?STEER_KEY_STORE_PASSWORD}} named neither; {@link ConfigCheck} names the place
 * found here instead, and the variable ({@code file:28: KEY (from $STEER_KEY_STORE_PASSWORD): ...}).
 *
 * <p>Values keep the origin HOCON gives them: what reads an origin for another purpose (the directory a relative
 * path starts at) sees where the value really comes from. Only environment variables are looked for: a substitution
 * that a key of the settings themselves fills (a system property or the caller's own layer laid over the file, the
 * CLI's {@code --node} in {@code ${steer.node.name}}) takes the value with that key's origin, which names it already.
 *
 * <p>Immutable; found once off the hot path, then read from any thread.
 */
public final class Substitutions {
    /** The substitution of a value: where it is written and the environment variables it took. */
    public record Place(ConfigOrigin origin, List<String> variables) {
        public Place {
            variables = List.copyOf(variables);
        }
    }

    /** No value taken from an environment variable. */
    public static final Substitutions NONE = new Substitutions(Map.of());

    private static final Pattern REFERENCE = Pattern.compile("\\$\\{\\??\\s*([^}]*?)\\s*}");
    private static final Pattern OPTIONAL = Pattern.compile("\\$\\{\\?\\s*([^}]*?)\\s*}");
    private static final ConfigRenderOptions ONE_LINE = ConfigRenderOptions.concise();

    private final Map<String, Place> places;

    private Substitutions(Map<String, Place> places) {
        this.places = Map.copyOf(places);
    }

    /**
     * The places of the values of {@code resolved} that environment variables gave, found in {@code written}, the
     * settings as written (every layer laid over the file, unresolved, without the shipped defaults, which write no
     * substitution): for a key written several times (twice in one file, in a file and a file it includes, in the
     * file and a layer over it) the write that wins. A value is an environment variable's when its substitution names
     * a variable that is set and that no key of {@code resolved} holds (HOCON looks at the settings first). Paths
     * are from the root of {@code written}; a list counts as one value, at its own path.
     */
    public static Substitutions find(Config written, Config resolved) {
        final Map<String, Place> found = new LinkedHashMap<>();
        collect(written.root(), new ArrayList<>(), resolved, found);
        return found.isEmpty() ? NONE : new Substitutions(found);
    }

    /** The place of the substitution that gave the value at {@code path}, or null when no variable gave it. */
    public Place at(String path) {
        return places.get(path);
    }

    /** Every value an environment variable gave, by path. */
    public Map<String, Place> places() {
        return places;
    }

    private static void collect(ConfigObject object, List<String> path, Config resolved, Map<String, Place> found) {
        final Set<Map.Entry<String, ConfigValue>> entries;
        try {
            entries = object.entrySet();
        } catch (ConfigException.NotResolved ex) {
            return; // a block merged with a substitution (block = ${?VAR}): no single value to name
        }
        for (Map.Entry<String, ConfigValue> entry : entries) {
            path.add(entry.getKey());
            final ConfigValue value = entry.getValue();
            if (value instanceof ConfigObject child) {
                collect(child, path, resolved, found);
            } else {
                final Place place = place(value, resolved);
                if (place != null) {
                    found.put(ConfigUtil.joinPath(path), place);
                }
            }
            path.removeLast();
        }
    }

    /**
     * The place of the write of {@code value} that gives the key its value, when environment variables fill it: the
     * last write, or the one before it where the last is a {@code ${?VAR}} that nothing fills (HOCON then keeps the
     * value written before); null when that write is no substitution of a variable.
     */
    private static Place place(ConfigValue value, Config resolved) {
        for (Object written : writes(value)) {
            if (!(written instanceof ConfigValue write)) {
                return null;
            }
            final Matcher optional = OPTIONAL.matcher(write instanceof ConfigList ? "" : rendered(write));
            if (optional.matches() && System.getenv(optional.group(1)) == null && !holds(resolved, optional.group(1))) {
                continue;
            }
            final List<String> variables = new ArrayList<>(new LinkedHashSet<>(variables(write, resolved)));
            return variables.isEmpty() ? null : new Place(write.origin(), variables);
        }
        return null;
    }

    /**
     * The writes of one key, the one that wins first: an unresolved merge's stack. HOCON's API gives only the merge
     * and its origin, which spans every write (the first line, or no file when they are in several), so the stack is
     * read reflectively; when that fails, none, and the message keeps HOCON's origin.
     */
    private static List<?> writes(ConfigValue value) {
        if (!"ConfigDelayedMerge".equals(value.getClass().getSimpleName())) {
            return List.of(value);
        }
        try {
            final Method unmerged = value.getClass().getDeclaredMethod("unmergedValues");
            unmerged.setAccessible(true);
            if (unmerged.invoke(value) instanceof List<?> stack) {
                return stack;
            }
        } catch (ReflectiveOperationException | RuntimeException ex) {
            // a HOCON version without the method: no place found
        }
        return List.of();
    }

    /** {@code value} as written in one line when it holds a substitution; "" when it is resolved. */
    private static String rendered(ConfigValue value) {
        try {
            value.valueType();
            return "";
        } catch (ConfigException.NotResolved ex) {
            return value.render(ONE_LINE);
        }
    }

    /** The environment variables that {@code value}'s substitutions take (in a list, any element's). */
    private static List<String> variables(ConfigValue value, Config resolved) {
        final List<String> out = new ArrayList<>();
        if (value instanceof ConfigList list) {
            for (ConfigValue element : list) {
                out.addAll(variables(element, resolved));
            }
            return out;
        }
        if (value instanceof ConfigObject) {
            return out;
        }
        final Matcher reference = REFERENCE.matcher(rendered(value));
        while (reference.find()) {
            final String name = reference.group(1);
            if (System.getenv(name) != null && !holds(resolved, name)) {
                out.add(name);
            }
        }
        return out;
    }

    private static boolean holds(Config resolved, String path) {
        try {
            return resolved.hasPathOrNull(path);
        } catch (ConfigException ex) {
            return false; // no path expression, so no key of the settings
        }
    }
}
