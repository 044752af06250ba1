package dev.steer.ingress.config;

import java.io.File;
import java.io.IOException;
import java.net.MalformedURLException;
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
import java.util.regex.Matcher;
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
 *   <li>a key given twice in one file (HOCON keeps the last): see {@link DuplicateKeys}; each included file is
 *       checked on its own, as the main file, and one the parser reads as properties by its keys as properties
 *       ({@link PropertiesKeys}).</li>
 * </ul>
 * and refuses, with its line, a file whose blocks and lists nest deeper than {@value #MAX_NESTING} levels, on which
 * the parser would overflow its stack instead of giving a message; an included file counts on top of the files that
 * include it (a chain of includes recurses as one file would). Only files are included: an include of a URL or of
 * the class path is a problem {@code file:line: include url("URL"): not read: ...} and is not read.
 * All are collected into a {@link ConfigCheck} with the file's other problems; a syntax error is still a
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
        final Nesting nesting = nesting(text, MAX_NESTING);
        if (nesting.line() > 0) {
            check.error(tooDeep(file, nesting.line(), 0));
            return ConfigFactory.empty();
        }
        final CheckingIncluder includer = new CheckingIncluder(file, text, nesting.deepest());
        final Config config = ConfigFactory.parseFile(file.toFile(),
            ConfigParseOptions.defaults().setAllowMissing(false).setIncluder(includer));
        final Map<Path, String[]> lines = new HashMap<>();
        includer.tooDeep.forEach(check::error);
        final Set<String> reported = new LinkedHashSet<>();
        for (Refused refused : includer.refused) {
            // The text the checks read, not read again: each file is read once by them.
            final int line = includeLine(lines.computeIfAbsent(refused.in().file(),
                f -> includer.text(f).split("\r?\n", -1)), refused.name(), refused.url(), refused.nth());
            reported.add(refused.in().name() + (line > 0 ? ":" + line : "") + ": " + refused.problem());
        }
        reported.forEach(check::error);
        DuplicateKeys.find(text).forEach(d -> check.error(twice(file, d)));
        includer.twice.forEach(check::error);
        return config;
    }

    /** The problem of a key given twice in {@code file}. */
    private static String twice(Path file, DuplicateKeys.Duplicate d) {
        return file + ":" + d.line() + ": " + d.path() + ": " + d.value() + " is given twice (also at line "
            + d.firstLine() + ", " + d.firstValue() + "): a key may be set once per file";
    }

    /**
     * The problem of {@code file}, whose blocks and lists nest deeper than {@value #MAX_NESTING} levels at
     * {@code line}, counting {@code including} levels of the files that include it. The HOCON parser recurses per
     * level: thousands of levels would overflow its stack, not give a message, so such a file must not reach it.
     */
    private static String tooDeep(Path file, int line, int including) {
        return file + ":" + line + ": blocks and lists nest deeper than " + MAX_NESTING + " levels here"
            + (including > 0 ? ", counting the " + including + " levels of the files that include it" : "")
            + ": at most " + MAX_NESTING + " are read";
    }

    /**
     * How deep {@code { [ ( }} brackets outside strings and comments nest in a text: the {@code line} where they first
     * nest deeper than the limit asked for (0 if they do not), and the {@code deepest} level reached up to there.
     */
    record Nesting(int deepest, int line) {
    }

    /**
     * How deep the brackets of {@code text} nest, read up to the first level deeper than {@code max}. Counts every
     * opening bracket, so it may see more levels than HOCON does, never fewer.
     */
    static Nesting nesting(String text, int max) {
        int deepest = 0;
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
                    return new Nesting(depth, line);
                }
                deepest = Math.max(deepest, depth);
            } else if ((c == '}' || c == ']' || c == ')') && depth > 0) {
                depth--;
            }
            i++;
        }
        return new Nesting(deepest, 0);
    }

    /** An included file's text, decoded as the parser decodes it; empty if it cannot be read now. */
    private static String text(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException ex) {
            return "";
        }
    }

    /** An include statement, the name it gives as group 1. */
    private static final Pattern INCLUDE = Pattern.compile("(?:^|[{,])\\s*include\\s+(?:required\\(\\s*)?"
        + "(?:(?:file|url|classpath)\\(\\s*)?\"([^\"]*)\"");

    /**
     * The line of the {@code nth} (from 1) include statement naming {@code name} in {@code lines}, or 0 when there is
     * no such statement: HOCON includes in the order written, so the nth refused include of a name is its nth statement.
     * With {@code url}, {@code name} is a URL as HOCON writes it back, and a statement names it if its name reads as
     * that URL ({@code file:///x} is {@code file:/x}).
     */
    private static int includeLine(String[] lines, String name, boolean url, int nth) {
        int seen = 0;
        for (int i = 0; i < lines.length; i++) {
            final Matcher statement = INCLUDE.matcher(lines[i]);
            while (statement.find()) {
                final String given = statement.group(1);
                final URL asUrl = url ? url(given) : null;
                if ((url ? asUrl != null && asUrl.toString().equals(name) : given.equals(name)) && ++seen == nth) {
                    return i + 1;
                }
            }
        }
        return 0;
    }

    /** {@code name} as the URL HOCON takes it for in {@code include "name"}; null when it is none (a file name). */
    @SuppressWarnings("deprecation") // the constructor HOCON decides with: what it accepts is what would be fetched
    static URL url(String name) {
        try {
            return new URL(name);
        } catch (MalformedURLException | RuntimeException ex) {
            return null;
        }
    }

    /**
     * A file being parsed, as messages name it, and the file (only files are read: a URL or a class path resource is
     * refused before it is parsed). Each inclusion of a file is a holder of its own. {@code levels}: how deep
     * the parser may have to recurse in it, counting the deepest level of each file that includes it (where in them
     * the include stands is not known, so it may be more than the parser does, never less).
     */
    private record Holder(String name, Path file, int levels) {
    }

    /**
     * An include of {@code name} that is not read (a missing file, a URL, the class path): the {@code nth} of that
     * name in the file {@code in}; {@code url} when the name is a URL. {@code problem}: the message after file and line.
     */
    private record Refused(Holder in, String name, boolean url, int nth, String problem) {
    }

    /** What a user is told to include instead of what is refused. */
    private static final String FILES_ONLY = "an include must name a file (include \"name.conf\" beside the including"
        + " file, or include file(\"/path/name.conf\"))";

    /**
     * Includes files as HOCON does, except that a missing file is recorded (and included as empty, so that parsing goes
     * on and every problem is reported at once) instead of being ignored. A URL ({@code url(...)}, or a name that reads
     * as one) and the class path ({@code classpath(...)}, or a name not beside the including file, where HOCON would
     * look next) are refused the same way and not read: a URL is fetched at load time, over the network and unbounded,
     * and what the class path holds depends on the jars installed; neither could be checked as a file is (a URL of
     * 3,000 nested levels overflowed the parser's stack). The parser calls it for the includes of the
     * included files too, while it parses them, so a stack of the files being parsed tells which file holds each
     * include: a missing include in an included file used to be reported at line 1 of the main file, looked for
     * beside the main file. An included file nested too deep is refused as the main file is, before the parser sees it.
     */
    private static final class CheckingIncluder implements ConfigIncluder, ConfigIncluderFile, ConfigIncluderURL,
        ConfigIncluderClasspath {
        /** What HOCON appends to an included name without one of them, in the order it reads the files. */
        private static final List<String> EXTENSIONS = List.of(".conf", ".json", ".properties");

        private final ConfigIncluder fallback;
        private final List<Refused> refused;
        private final List<String> tooDeep;
        // A set: a file included from several places has its keys given twice reported once.
        private final Set<String> twice;
        private final Deque<Holder> parsing;
        // Keyed by identity: two inclusions of one file are two holders, whose includes are counted apart.
        private final Map<Holder, Map<String, Integer>> seen;
        // The text of each file the checks read, so that they read it once however often it is included.
        private final Map<Path, String> texts;

        /**
         * @param main   the main file, where relative includes start
         * @param text   its text, as read
         * @param levels the deepest level of its blocks and lists
         */
        CheckingIncluder(Path main, String text, int levels) {
            this(null, new ArrayList<>(), new ArrayList<>(), new LinkedHashSet<>(),
                new ArrayDeque<>(List.of(new Holder(main.toString(), main, levels))), new IdentityHashMap<>(),
                new HashMap<>(Map.of(main, text)));
        }

        private CheckingIncluder(ConfigIncluder fallback, List<Refused> refused, List<String> tooDeep, Set<String> twice,
                                 Deque<Holder> parsing, Map<Holder, Map<String, Integer>> seen, Map<Path, String> texts) {
            this.fallback = fallback;
            this.refused = refused;
            this.tooDeep = tooDeep;
            this.twice = twice;
            this.parsing = parsing;
            this.seen = seen;
            this.texts = texts;
        }

        @Override
        public ConfigIncluder withFallback(ConfigIncluder newFallback) {
            return fallback == null ? new CheckingIncluder(newFallback, refused, tooDeep, twice, parsing, seen, texts)
                : this;
        }

        /** {@code file}'s text, read the first time it is asked for; empty if it cannot be read. */
        String text(Path file) {
            return texts.computeIfAbsent(file, HoconFile::text);
        }

        private static ConfigIncludeContext strict(ConfigIncludeContext context) {
            return context.setParseOptions(context.parseOptions().setAllowMissing(false));
        }

        /**
         * Parses {@code name} as the file {@code nextName} ({@code nextFile}; pushed while it is parsed, so that its own
         * includes name it); a missing one is recorded against the file that includes it, looked for at
         * {@code lookedFor}. When one of {@code files}, those the parser would read, nests too deep on top of the files
         * that include it, that is recorded and nothing is included; else the keys each of them gives twice are.
         */
        private ConfigObject including(String name, String nextName, Path nextFile, String lookedFor, List<Path> files,
                                       boolean byExtension, Supplier<ConfigObject> parse) {
            final Holder in = parsing.peek();
            final int nth = nth(in, name);
            int deepest = 0;
            for (Path file : files) {
                if (readAsProperties(file, byExtension)) {
                    // No brackets to nest: a '{' in it is part of a value.
                    continue;
                }
                final Nesting nesting = nesting(text(file), MAX_NESTING - in.levels());
                if (nesting.line() > 0) {
                    tooDeep.add(HoconFile.tooDeep(file, nesting.line(), in.levels()));
                    return ConfigFactory.empty().root();
                }
                deepest = Math.max(deepest, nesting.deepest());
            }
            // Each file on its own, as the main file: a key set in an included file and again in the file that
            // includes it is HOCON's override, not a mistake.
            for (Path file : files) {
                (readAsProperties(file, byExtension) ? PropertiesKeys.find(text(file)) : DuplicateKeys.find(text(file)))
                    .forEach(d -> twice.add(HoconFile.twice(file, d)));
            }
            parsing.push(new Holder(nextName, nextFile, in.levels() + deepest));
            try {
                return parse.get();
            } catch (ConfigException.IO ex) {
                refused.add(missing(in, name, nth, lookedFor));
                return ConfigFactory.empty().root();
            } finally {
                parsing.pop();
            }
        }

        /**
         * Whether the parser reads {@code file} as a properties file: only with {@code byExtension} (an include without
         * an extension, {@code file(...)}), where it goes by each file's extension. An include of a name with an
         * extension is read in the syntax of the including file, HOCON ({@code include "x.properties"} is read as
         * HOCON, and {@code key value} in it is a syntax error).
         */
        private static boolean readAsProperties(Path file, boolean byExtension) {
            return byExtension && file.toString().endsWith(".properties");
        }

        /** Counts an include of {@code name} in {@code in}: the how-manieth of that name it is there. */
        private int nth(Holder in, String name) {
            return seen.computeIfAbsent(in, h -> new HashMap<>()).merge(name, 1, Integer::sum);
        }

        private static Refused missing(Holder in, String name, int nth, String lookedFor) {
            return new Refused(in, name, false, nth, "include \"" + name + "\": no such file (looked for " + lookedFor
                + "): an included file must exist");
        }

        /** Records an include that is not read, {@code written} as the message shows it, and includes nothing. */
        private ConfigObject refuse(String name, boolean url, String written, String why) {
            final Holder in = parsing.peek();
            refused.add(new Refused(in, name, url, nth(in, name), written + ": not read: " + why + "; " + FILES_ONLY));
            return ConfigFactory.empty().root();
        }

        private ConfigObject refuseUrl(URL what, String written) {
            return refuse(what.toString(), true, written, "a URL would be fetched while the settings load");
        }

        @Override
        public ConfigObject include(ConfigIncludeContext context, String what) {
            // HOCON takes a name that reads as a URL for one, and fetches it.
            final URL url = url(what);
            if (url != null) {
                return refuseUrl(url, "include \"" + what + "\"");
            }
            final Path in = parsing.peek().file();
            final Path sibling = sibling(in, what);
            final List<Path> files = sibling == null ? List.of() : parsedFor(sibling);
            final Path found = files.isEmpty() ? null : files.getFirst();
            if (found == null) {
                // Relative to the including file's directory, where HOCON looks first: not there, HOCON would look on
                // the class path next, which is refused as classpath(...) is.
                final Holder holder = parsing.peek();
                refused.add(missing(holder, what, nth(holder, what),
                    sibling == null ? what : sibling.toAbsolutePath().toString()));
                return ConfigFactory.empty().root();
            }
            // HOCON resolves a relative include against the including file's parent, and a file named without a
            // directory (steer run --config deploy.conf) has none: HOCON found nothing. The absolute name is what it
            // would have looked for; the file itself is parsed as named, so that messages name it as the user did.
            final String name = in.getParent() == null ? sibling.toAbsolutePath().toString() : what;
            if (!hasExtension(sibling)) {
                // HOCON reads name.conf, name.json and name.properties, and looks for each one not beside the file on
                // the class path: a jar's name.json was merged in without a word. Read as file(...) reads them, only
                // the files beside the including one are.
                final File base = new File(what).isAbsolute() || in.getParent() == null ? new File(name)
                    : new File(in.getParent().toFile(), what);
                return including(what, found.toString(), found, sibling.toAbsolutePath().toString(), files, true,
                    () -> ((ConfigIncluderFile) fallback).includeFile(strict(context), base));
            }
            return including(what, found.toString(), found, sibling.toAbsolutePath().toString(), files, false,
                () -> fallback.include(strict(context), name));
        }

        /** Whether {@code path}'s name ends in an extension HOCON knows, so that HOCON reads it alone. */
        private static boolean hasExtension(Path path) {
            final Path name = path.getFileName();
            return name != null && EXTENSIONS.stream().anyMatch(name.toString()::endsWith);
        }

        /** {@code what} beside {@code in}; null when {@code what} cannot be a path. */
        private static Path sibling(Path in, String what) {
            try {
                return in.resolveSibling(what).normalize();
            } catch (InvalidPathException ex) {
                return null;
            }
        }

        /**
         * The files HOCON reads for an include of {@code path}, those that exist: {@code path} itself when its name
         * ends in an extension HOCON knows, else it with each of them (all read, merged in this order).
         */
        private static List<Path> parsedFor(Path path) {
            final Path name = path.getFileName();
            if (name == null) {
                return List.of();
            }
            final List<String> extensions = hasExtension(path) ? List.of("") : EXTENSIONS;
            return extensions.stream().map(extension -> path.resolveSibling(name + extension))
                .filter(Files::isRegularFile).toList();
        }

        @Override
        public ConfigObject includeFile(ConfigIncludeContext context, File what) {
            return including(what.getPath(), what.getPath(), what.toPath(), what.getAbsolutePath(),
                parsedFor(what.toPath()), true, () -> ((ConfigIncluderFile) fallback).includeFile(strict(context), what));
        }

        @Override
        public ConfigObject includeURL(ConfigIncludeContext context, URL what) {
            return refuseUrl(what, "include url(\"" + what + "\")");
        }

        @Override
        public ConfigObject includeResources(ConfigIncludeContext context, String what) {
            return refuse(what, false, "include classpath(\"" + what + "\")",
                "what the class path holds depends on the installation");
        }
    }
}
