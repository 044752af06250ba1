package dev.steer.ingress.config;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every write of each key in a HOCON file and in the files it includes, in the order HOCON applies them (an included
 * file's writes where its include stands), read from the text by {@link DuplicateKeys} and {@link PropertiesKeys}.
 * The last write of a key is the one that wins, which HOCON's API does not tell: the origin it gives a key written
 * several times spans the writes (the first line, or no file when they are in several files).
 *
 * <p>Includes are followed as {@link HoconFile} reads them: {@code include "name"} beside the including file (a name
 * without extension as {@code name.conf}, {@code name.json} and {@code name.properties}), {@code include file("name")}
 * as given. An include whose files are not read here (a URL, the class path, a name not beside the file, where HOCON
 * would look on the class path) leaves the keys of its block unknown. Off the hot path; reads a file once per include
 * of it; any thread, an instance on one.
 */
final class KeyWrites {
    /** A write of a key: the file as HOCON names it, the line, the value as written ({@link DuplicateKeys.Write}). */
    record Write(String file, int line, String value, boolean block) {
    }

    /** HOCON refuses includes nested deeper; deeper ones are not followed here. */
    private static final int MAX_INCLUDES = 50;
    /** Files read at most, however they include each other (a file changed since HOCON parsed it may loop). */
    private static final int MAX_FILES = 1_000;
    private static final List<String> EXTENSIONS = List.of(".conf", ".json", ".properties");
    private static final Pattern INCLUDE = Pattern.compile(
        "include\\s+(required\\(\\s*)?(?:(file|url|classpath)\\(\\s*)?\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final Map<String, List<Write>> writes = new HashMap<>();
    private final Set<String> files = new LinkedHashSet<>();
    // Blocks an include that is not followed may write keys of ("" for the root).
    private final List<String> unknown = new ArrayList<>();
    private int reads;

    private KeyWrites() {
    }

    /** The writes of {@code file}, named as HOCON names it (an origin's {@code filename()}), and of its includes. */
    static KeyWrites read(String file) {
        final KeyWrites found = new KeyWrites();
        if (!found.readFile(file, "", false, 0)) {
            found.unknown.add("");
        }
        return found;
    }

    /** The files read: the file and those it includes, as HOCON names them. */
    Set<String> files() {
        return files;
    }

    /**
     * The writes of the key {@code path} (as {@link com.typesafe.config.ConfigUtil#joinPath} writes it), the one
     * that wins last; null when an include not followed may write it too.
     */
    List<Write> of(String path) {
        for (String block : unknown) {
            if (block.isEmpty() || path.equals(block) || path.startsWith(block + ".")) {
                return null;
            }
        }
        return writes.getOrDefault(path, List.of());
    }

    /** Reads {@code file} into the block {@code prefix}; false when it cannot be read. */
    private boolean readFile(String file, String prefix, boolean properties, int depth) {
        if (++reads > MAX_FILES) {
            return false;
        }
        final String text;
        try {
            // Decoded as HOCON decodes it, as HoconFile reads it.
            text = new String(Files.readAllBytes(new File(file).toPath()), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException ex) {
            return false;
        }
        files.add(file);
        if (properties) {
            PropertiesKeys.writes(text).forEach(w -> add(file, prefix, w));
            return true;
        }
        for (DuplicateKeys.Step step : DuplicateKeys.steps(text)) {
            switch (step) {
                case DuplicateKeys.Write w -> add(file, prefix, w);
                case DuplicateKeys.Include include -> {
                    final String block = join(prefix, include.prefix());
                    if (depth >= MAX_INCLUDES || !include(file, block, include.statement(), depth)) {
                        unknown.add(block);
                    }
                }
            }
        }
        return true;
    }

    private void add(String file, String prefix, DuplicateKeys.Write w) {
        writes.computeIfAbsent(join(prefix, w.path()), p -> new ArrayList<>())
            .add(new Write(file, w.line(), w.value(), w.block()));
    }

    private static String join(String prefix, String path) {
        return prefix.isEmpty() ? path : path.isEmpty() ? prefix : prefix + "." + path;
    }

    /** Follows the include {@code statement} of {@code in} into {@code block}; false when it is not followed. */
    private boolean include(String in, String block, String statement, int depth) {
        final Matcher m = INCLUDE.matcher(statement);
        if (!m.lookingAt()) {
            return false;
        }
        final String kind = m.group(2);
        final String name = m.group(3).replaceAll("\\\\(.)", "$1");
        final File named;
        if ("file".equals(kind)) {
            named = new File(name);
        } else if (kind != null || HoconFile.url(name) != null) {
            return false;
        } else {
            // Beside the including file, named as HOCON names it; a file named without a directory has none, and
            // HoconFile looks for its includes at the absolute name.
            final File parent = new File(in).getParentFile();
            named = new File(name).isAbsolute() ? new File(name)
                : parent == null ? new File(name).getAbsoluteFile() : new File(parent, name);
        }
        final boolean byExtension = "file".equals(kind) || EXTENSIONS.stream().noneMatch(name::endsWith);
        final List<String> parsed = EXTENSIONS.stream().noneMatch(name::endsWith)
            ? EXTENSIONS.stream().map(e -> named.getPath() + e).filter(f -> new File(f).isFile()).toList()
            : new File(named.getPath()).isFile() ? List.of(named.getPath()) : List.of();
        if (parsed.isEmpty()) {
            return false; // HOCON looks on the class path next
        }
        for (String file : parsed) {
            if (!readFile(file, block, byExtension && file.endsWith(".properties"), depth + 1)) {
                return false;
            }
        }
        return true;
    }
}
