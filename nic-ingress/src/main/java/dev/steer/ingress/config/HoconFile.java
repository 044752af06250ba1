package dev.steer.ingress.config;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigIncludeContext;
import com.typesafe.config.ConfigIncluder;
import com.typesafe.config.ConfigIncluderClasspath;
import com.typesafe.config.ConfigIncluderFile;
import com.typesafe.config.ConfigIncluderURL;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;

/**
 * Reads a HOCON settings file more strictly than HOCON does, for the two mistakes HOCON lets pass in silence:
 * <ul>
 *   <li>an {@code include} of a file that is not there (HOCON drops a missing include unless it is written
 *       {@code required(...)}, and then reports it without the including file or line): each is a problem
 *       {@code file:line: include "name": no such file (looked for PATH): an included file must exist};</li>
 *   <li>a key given twice in one file (HOCON keeps the last): see {@link DuplicateKeys}.</li>
 * </ul>
 * and refuses, with its line, a file whose blocks and lists nest deeper than {@value #MAX_NESTING} levels, on which
 * the parser would overflow its stack instead of giving a message.
 * Both are collected into a {@link ConfigCheck} with the file's other problems; a syntax error is still a
 * {@link ConfigException} naming file and line. Off the hot path; any thread.
 */
public final class HoconFile {
    /** Levels of nested blocks and lists read; a deeper file is refused before the parser sees it. */
    public static final int MAX_NESTING = 100;

    private HoconFile() {
    }

    /**
     * Parses {@code file}; substitutions are left for the caller to resolve. Problems go to {@code check}, which
     * the caller throws with the rest.
     *
     * @throws ConfigException for a file that does not parse (the message names file and line)
     */
    public static Config parse(Path file, ConfigCheck check) {
        final String text;
        try {
            // Decoded as HOCON decodes it, a byte that is no UTF-8 (a Latin-1 comment) replaced, not refused: with
            // Files.readString such a file skipped every check below in silence.
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException ex) {
            // Parsed below all the same: the parser gives its own message for a file it cannot read.
            return ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
        }
        final int tooDeep = lineDeeperThan(text, MAX_NESTING);
        if (tooDeep > 0) {
            // The HOCON parser recurses per level: thousands of levels would overflow its stack, not give a message.
            check.error(file + ":" + tooDeep + ": blocks and lists nest deeper than " + MAX_NESTING
                + " levels here: at most " + MAX_NESTING + " are read");
            return ConfigFactory.empty();
        }
        final CheckingIncluder includer = new CheckingIncluder(file);
        final Config config = ConfigFactory.parseFile(file.toFile(),
            ConfigParseOptions.defaults().setAllowMissing(false).setIncluder(includer));
        final Map<Path, String[]> texts = new HashMap<>();
        texts.put(file, text.split("\r?\n", -1));
        final Set<String> reported = new LinkedHashSet<>();
        for (Missing missing : includer.missing) {
            final int line = missing.in().file() == null ? 0
                : includeLine(texts.computeIfAbsent(missing.in().file(), HoconFile::lines), missing.name(), missing.nth());
            reported.add(missing.in().name() + (line > 0 ? ":" + line : "") + ": include \"" + missing.name()
                + "\": no such file (looked for " + missing.lookedFor() + "): an included file must exist");
        }
        reported.forEach(check::error);
        for (DuplicateKeys.Duplicate d : DuplicateKeys.find(text)) {
            check.error(file + ":" + d.line() + ": " + d.path() + ": " + d.value() + " is given twice (also at line "
                + d.firstLine() + ", " + d.firstValue() + "): a key may be set once per file");
        }
        return config;
    }

    /**
     * The line where {@code { [ ( }} brackets outside strings and comments first nest deeper than {@code max}, or 0.
     * Counts every opening bracket, so it may see more levels than HOCON does, never fewer.
     */
    static int lineDeeperThan(String text, int max) {
        int depth = 0;
        int line = 1;
        int i = 0;
        final int n = text.length();
        while (i < n) {
            final char c = text.charAt(i);
            if (c == '\n') {
                line++;
            } else if (c == '"') {
                if (text.startsWith("\"\"\"", i)) {
                    final int end = text.indexOf("\"\"\"", i + 3);
                    final int stop = end < 0 ? n : end + 3;
                    for (int j = i; j < stop; j++) {
                        if (text.charAt(j) == '\n') {
                            line++;
                        }
                    }
                    i = stop;
                    continue;
                }
                i++;
                while (i < n && text.charAt(i) != '"' && text.charAt(i) != '\n') {
                    i += text.charAt(i) == '\\' && i + 1 < n && text.charAt(i + 1) != '\n' ? 2 : 1;
                }
                if (i < n && text.charAt(i) == '"') {
                    i++;
                }
                continue;
            } else if (c == '#' || c == '/' && i + 1 < n && text.charAt(i + 1) == '/') {
                while (i < n && text.charAt(i) != '\n') {
                    i++;
                }
                continue;
            } else if (c == '{' || c == '[' || c == '(') {
                if (++depth > max) {
                    return line;
                }
            } else if ((c == '}' || c == ']' || c == ')') && depth > 0) {
                depth--;
            }
            i++;
        }
        return 0;
    }

    /** The lines of an included file, read as the parser read it; none if it cannot be read now. */
    private static String[] lines(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\r?\n", -1);
        } catch (IOException | RuntimeException ex) {
            return new String[0];
        }
    }

    /**
     * The line of the {@code nth} (from 1) include statement naming {@code name} in {@code lines}, or 0 when there is
     * no such statement: HOCON includes in the order written, so the nth missing include of a name is its nth statement.
     */
    private static int includeLine(String[] lines, String name, int nth) {
        final Pattern statement = Pattern.compile("(?:^|[{,])\\s*include\\s+(?:required\\(\\s*)?"
            + "(?:(?:file|url|classpath)\\(\\s*)?\"" + Pattern.quote(name) + "\"");
        int seen = 0;
        for (int i = 0; i < lines.length; i++) {
            if (statement.matcher(lines[i]).find() && ++seen == nth) {
                return i + 1;
            }
        }
        return 0;
    }

    /**
     * A file being parsed, as messages name it; {@code file} is null when it is no file here (a class path resource,
     * a URL), and then its lines are unknown. Each inclusion of a file is a holder of its own.
     */
    private record Holder(String name, Path file) {
    }

    /** An include of {@code name} that found nothing: the {@code nth} of that name in the file {@code in}. */
    private record Missing(Holder in, String name, int nth, String lookedFor) {
    }

    /**
     * Includes as HOCON does, except that a missing file is recorded (and included as empty, so that parsing goes
     * on and every problem is reported at once) instead of being ignored. The parser calls it for the includes of the
     * included files too, while it parses them, so a stack of the files being parsed tells which file holds each
     * include: a missing include in an included file used to be reported at line 1 of the main file, looked for
     * beside the main file.
     */
    private static final class CheckingIncluder implements ConfigIncluder, ConfigIncluderFile, ConfigIncluderURL,
        ConfigIncluderClasspath {
        private final ConfigIncluder fallback;
        private final List<Missing> missing;
        private final Deque<Holder> parsing;
        // Keyed by identity: two inclusions of one file are two holders, whose includes are counted apart.
        private final Map<Holder, Map<String, Integer>> seen;

        /** @param main the main file, where relative includes start */
        CheckingIncluder(Path main) {
            this(null, new ArrayList<>(), new ArrayDeque<>(List.of(new Holder(main.toString(), main))),
                new IdentityHashMap<>());
        }

        private CheckingIncluder(ConfigIncluder fallback, List<Missing> missing, Deque<Holder> parsing,
                                 Map<Holder, Map<String, Integer>> seen) {
            this.fallback = fallback;
            this.missing = missing;
            this.parsing = parsing;
            this.seen = seen;
        }

        @Override
        public ConfigIncluder withFallback(ConfigIncluder newFallback) {
            return fallback == null ? new CheckingIncluder(newFallback, missing, parsing, seen) : this;
        }

        private static ConfigIncludeContext strict(ConfigIncludeContext context) {
            return context.setParseOptions(context.parseOptions().setAllowMissing(false));
        }

        /**
         * Parses {@code what} as {@code next} (pushed while it is parsed, so that its own includes name it); a missing
         * one is recorded against the file that includes it, looked for at {@code lookedFor}.
         */
        private ConfigObject including(String name, Holder next, String lookedFor, Supplier<ConfigObject> parse) {
            final Holder in = parsing.peek();
            final int nth = seen.computeIfAbsent(in, h -> new HashMap<>()).merge(name, 1, Integer::sum);
            parsing.push(next);
            try {
                return parse.get();
            } catch (ConfigException.IO ex) {
                missing.add(new Missing(in, name, nth, lookedFor));
                return ConfigFactory.empty().root();
            } finally {
                parsing.pop();
            }
        }

        @Override
        public ConfigObject include(ConfigIncludeContext context, String what) {
            // Relative to the including file's directory, as HOCON looks first (then on the class path too; the file
            // beside the including one is what the user meant).
            final Path in = parsing.peek().file();
            final Path sibling = sibling(in, what);
            final Path found = sibling == null ? null : existing(sibling);
            final Holder next = found != null ? new Holder(found.toString(), found) : new Holder(what, null);
            // HOCON resolves a relative include against the including file's parent, and a file named without a
            // directory (steer run --config deploy.conf) has none: HOCON found nothing. The absolute name is what it
            // would have looked for; the file itself is parsed as named, so that messages name it as the user did.
            final String name = found != null && in.getParent() == null ? sibling.toAbsolutePath().toString() : what;
            return including(what, next, sibling == null ? "the class path" : sibling.toAbsolutePath().toString(),
                () -> fallback.include(strict(context), name));
        }

        /** {@code what} beside {@code in}; null when {@code in} is no file or {@code what} cannot be a path. */
        private static Path sibling(Path in, String what) {
            try {
                return in == null ? null : in.resolveSibling(what).normalize();
            } catch (InvalidPathException ex) {
                return null;
            }
        }

        /** {@code path}, or it with the extension HOCON tries for a name without one, if such a file exists. */
        private static Path existing(Path path) {
            for (String extension : List.of("", ".conf", ".json", ".properties")) {
                final Path candidate = path.resolveSibling(path.getFileName() + extension);
                if (Files.isRegularFile(candidate)) {
                    return candidate;
                }
            }
            return null;
        }

        @Override
        public ConfigObject includeFile(ConfigIncludeContext context, File what) {
            return including(what.getPath(), new Holder(what.getPath(), what.toPath()), what.getAbsolutePath(),
                () -> ((ConfigIncluderFile) fallback).includeFile(strict(context), what));
        }

        @Override
        public ConfigObject includeURL(ConfigIncludeContext context, URL what) {
            return including(what.toString(), new Holder(what.toString(), null), what.toString(),
                () -> ((ConfigIncluderURL) fallback).includeURL(strict(context), what));
        }

        @Override
        public ConfigObject includeResources(ConfigIncludeContext context, String what) {
            return including(what, new Holder(what, null), "the class path",
                () -> ((ConfigIncluderClasspath) fallback).includeResources(strict(context), what));
        }
    }
}
