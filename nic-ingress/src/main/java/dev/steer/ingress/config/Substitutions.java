package dev.steer.ingress.config;

import java.net.URL;
import java.util.ArrayList;
import java.util.HashMap;
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
import com.typesafe.config.ConfigOriginFactory;
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
 * <p>The writes of a key are read from the text of the files (with {@link KeyWrites}): HOCON's origin of a key written
 * several times spans the writes, and names the first. Immutable; found once off the hot path, then read from any
 * thread.
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
     * substitution): for a key written several times (twice in one file, in a file and a file it includes) the write
     * that wins, read from the text of the files. A value is an environment variable's when its substitution names
     * a variable that is set and that no key of {@code resolved} holds (HOCON looks at the settings first). Paths
     * are from the root of {@code written}; a list counts as one value, at its own path.
     *
     * <p>A key written with a substitution in layers laid over one another (two files, or the caller's own layer and
     * the file) is not named: their order is not in the files' text, and the value keeps HOCON's origin;
     * {@link #find(Config, List, Config)} is given the order. Reads the files the origins of {@code written} name, and
     * those they include.
     */
    public static Substitutions find(Config written, Config resolved) {
        return find(written, List.of(written), resolved);
    }

    /**
     * As {@link #find(Config, Config)}, for {@code written} laid from {@code layers}, the highest first (each
     * unresolved, as written), whose order orders the writes of a key given in several of them.
     */
    public static Substitutions find(Config written, List<Config> layers, Config resolved) {
        final Map<String, Place> found = new LinkedHashMap<>();
        final List<Layer> bottomFirst = layers.reversed().stream().map(Layer::new).toList();
        collect(written.root(), new ArrayList<>(), bottomFirst, resolved, found);
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

    private static void collect(ConfigObject object, List<String> path, List<Layer> layers, Config resolved,
                                Map<String, Place> found) {
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
                collect(child, path, layers, resolved, found);
            } else if (unresolved(value)) {
                final Place place = place(path, layers, resolved);
                if (place != null) {
                    found.put(ConfigUtil.joinPath(path), place);
                }
            }
            path.removeLast();
        }
    }

    /** A write of a key: where, and its value as written (a list whole); a block when {@code block}. */
    private record Write(ConfigOrigin origin, String value, boolean block) {
    }

    private static final Write BLOCK = new Write(null, "", true);

    /**
     * The place of the write of the key at {@code path} that gives it its value, when environment variables fill it:
     * the last write, or the one before it where the last is a {@code ${?VAR}} that nothing fills (HOCON then keeps
     * the value written before); null when that write is no substitution of a variable, or when the writes are not
     * known.
     */
    private static Place place(List<String> path, List<Layer> layers, Config resolved) {
        final List<Write> writes = new ArrayList<>();
        for (Layer layer : layers) {
            final List<Write> its = layer.writes(path);
            if (its == null) {
                return null;
            }
            writes.addAll(its);
        }
        for (Write write : writes.reversed()) {
            if (write.block()) {
                return null;
            }
            final Matcher optional = OPTIONAL.matcher(write.value());
            if (optional.matches() && System.getenv(optional.group(1)) == null && !holds(resolved, optional.group(1))) {
                continue;
            }
            final List<String> variables = new ArrayList<>();
            for (String name : references(write.value())) {
                if (System.getenv(name) != null && !holds(resolved, name) && !variables.contains(name)) {
                    variables.add(name);
                }
            }
            return variables.isEmpty() ? null : new Place(write.origin(), variables);
        }
        return null;
    }

    /** The file an origin names, as HOCON names it; null for an origin of no one file (a merge, a string, a URL). */
    private static String fileOf(ConfigOrigin origin) {
        final URL url = origin.url();
        return url != null && "file".equals(url.getProtocol()) ? origin.filename() : null;
    }

    /**
     * The names that the substitutions of a value as written take, in order: outside quoted strings, comments and
     * blocks (a block in a list names no variable, as HOCON's value of it does not).
     */
    static List<String> references(String text) {
        final List<String> names = new ArrayList<>();
        int blocks = 0;
        int i = 0;
        final int n = text.length();
        while (i < n) {
            final char c = text.charAt(i);
            if (text.startsWith("\"\"\"", i)) {
                final int end = text.indexOf("\"\"\"", i + 3);
                i = end < 0 ? n : end + 3;
            } else if (c == '"') {
                i++;
                while (i < n && text.charAt(i) != '"' && text.charAt(i) != '\n') {
                    i += text.charAt(i) == '\\' ? 2 : 1;
                }
                i++;
            } else if (c == '#' || c == '/' && text.startsWith("//", i)) {
                while (i < n && text.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '$' && text.startsWith("${", i)) {
                final int end = text.indexOf('}', i);
                if (end < 0) {
                    break;
                }
                final Matcher reference = REFERENCE.matcher(text.substring(i, end + 1));
                if (blocks == 0 && reference.matches()) {
                    names.add(reference.group(1));
                }
                i = end + 1;
            } else {
                blocks += c == '{' ? 1 : c == '}' && blocks > 0 ? -1 : 0;
                i++;
            }
        }
        return names;
    }

    /**
     * One layer of the settings as written, with the writes of its keys in the files its origins name, each read with
     * the files it includes when first asked for, once.
     */
    private static final class Layer {
        private final ConfigObject root;
        private Map<String, KeyWrites> roots;
        private final Map<String, KeyWrites> alone = new HashMap<>();

        Layer(Config layer) {
            this.root = layer.root();
        }

        /**
         * The writes of the key at {@code path} in this layer, the one that wins last: none when it writes none, a
         * block where it writes a block or a value above the key (which hides what lies below); null when not known.
         */
        List<Write> writes(List<String> path) {
            ConfigValue value = root;
            for (String key : path) {
                if (!(value instanceof ConfigObject object)) {
                    return List.of(BLOCK);
                }
                try {
                    value = object.get(key);
                } catch (ConfigException.NotResolved ex) {
                    return null; // a block merged with a substitution: what it holds is not known
                }
                if (value == null) {
                    return List.of();
                }
            }
            if (value instanceof ConfigObject) {
                return List.of(BLOCK);
            }
            if (!unresolved(value)) {
                return List.of(new Write(value.origin(), "", false));
            }
            final ConfigOrigin origin = value.origin();
            final String joined = ConfigUtil.joinPath(path);
            final String file = fileOf(origin);
            if (file != null) {
                // Every write of the key is in this one file: one elsewhere would leave the origin without a file.
                final List<KeyWrites.Write> writes = in(file, joined);
                if (writes != null && writes.stream().anyMatch(w -> w.line() == origin.lineNumber())) {
                    return writes.stream().map(w -> new Write(origin.withLineNumber(w.line()), w.value(), w.block()))
                        .toList();
                }
                return List.of(alone(value));
            }
            if (origin.lineNumber() > 0) {
                return List.of(alone(value)); // no file: a layer without text (the caller's own, from a string)
            }
            // In several files: the one file that holds them all, itself and those it includes, orders them.
            final List<KeyWrites.Write> writes = inOneRoot(joined);
            return writes == null ? null : writes.stream().map(w -> new Write(
                ConfigOriginFactory.newFile(w.file()).withLineNumber(w.line()), w.value(), w.block())).toList();
        }

        /** {@code value} taken as the only write of its key, named by its origin as HOCON gives it. */
        private static Write alone(ConfigValue value) {
            return new Write(value.origin(), value.render(ONE_LINE), false);
        }

        /** The writes of {@code path} in {@code file}, in order; null when not known. */
        private List<KeyWrites.Write> in(String file, String path) {
            KeyWrites holding = null;
            for (KeyWrites read : roots().values()) {
                if (read.files().contains(file)) {
                    holding = read;
                    break;
                }
            }
            if (holding == null) {
                holding = alone.computeIfAbsent(file, KeyWrites::read);
            }
            final List<KeyWrites.Write> all = holding.of(path);
            return all == null ? null : all.stream().filter(w -> w.file().equals(file)).toList();
        }

        /**
         * The writes of {@code path} when the files of one root file, itself and those it includes, hold them all,
         * in more than one file; null when not (no file holds them, several roots do, an include not followed may).
         */
        private List<KeyWrites.Write> inOneRoot(String path) {
            List<KeyWrites.Write> found = null;
            for (KeyWrites read : roots().values()) {
                final List<KeyWrites.Write> writes = read.of(path);
                if (writes == null || !writes.isEmpty() && found != null) {
                    return null;
                }
                if (!writes.isEmpty()) {
                    found = writes;
                }
            }
            return found == null || found.stream().map(KeyWrites.Write::file).distinct().count() < 2 ? null : found;
        }

        /** The files the origins of the layer name that no other of them includes, each read with its includes. */
        private Map<String, KeyWrites> roots() {
            if (roots == null) {
                final Set<String> named = new LinkedHashSet<>();
                files(root, named);
                final Map<String, KeyWrites> read = new LinkedHashMap<>();
                named.forEach(file -> read.put(file, KeyWrites.read(file)));
                for (KeyWrites one : List.copyOf(read.values())) {
                    one.files().stream().skip(1).forEach(read::remove);
                }
                roots = read;
            }
            return roots;
        }

        private static void files(ConfigValue value, Set<String> named) {
            final String file = fileOf(value.origin());
            if (file != null) {
                named.add(file);
            }
            if (value instanceof ConfigObject object) {
                try {
                    object.values().forEach(child -> files(child, named));
                } catch (ConfigException.NotResolved ex) {
                    // a block merged with a substitution: its own origin is all there is
                }
            }
        }
    }

    /** Whether {@code value}, not a block, holds a substitution (a list: in an element not a block). */
    private static boolean unresolved(ConfigValue value) {
        if (value instanceof ConfigList list) {
            return list.stream().anyMatch(Substitutions::unresolved);
        }
        return !(value instanceof ConfigObject) && !rendered(value).isEmpty();
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

    private static boolean holds(Config resolved, String path) {
        try {
            return resolved.hasPathOrNull(path);
        } catch (ConfigException ex) {
            return false; // no path expression, so no key of the settings
        }
    }
}
