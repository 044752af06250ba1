package dev.steer.ingress.config;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
        final Path parent = file.toAbsolutePath().getParent();
        final CheckingIncluder includer = new CheckingIncluder(parent == null ? Path.of("") : parent);
        final Config config = ConfigFactory.parseFile(file.toFile(),
            ConfigParseOptions.defaults().setAllowMissing(false).setIncluder(includer));
        final String[] lines = text.split("\r?\n", -1);
        for (Missing missing : includer.missing) {
            check.error(file + ":" + includeLine(lines, missing.name) + ": include \"" + missing.name
                + "\": no such file (looked for " + missing.lookedFor + "): an included file must exist");
        }
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

    /** The line of the first include statement naming {@code name}; 1 if none (an include in an included file). */
    private static int includeLine(String[] lines, String name) {
        final Pattern statement = Pattern.compile("^\\s*include\\b.*\"" + Pattern.quote(name) + "\"");
        for (int i = 0; i < lines.length; i++) {
            if (statement.matcher(lines[i]).find()) {
                return i + 1;
            }
        }
        return 1;
    }

    private record Missing(String name, String lookedFor) {
    }

    /**
     * Includes as HOCON does, except that a missing file is recorded (and included as empty, so that parsing goes
     * on and every problem is reported at once) instead of being ignored.
     */
    private static final class CheckingIncluder implements ConfigIncluder, ConfigIncluderFile, ConfigIncluderURL,
        ConfigIncluderClasspath {
        private final Path baseDir;
        private final ConfigIncluder fallback;
        private final List<Missing> missing;

        /** @param baseDir the main file's directory, where a relative include is looked for */
        CheckingIncluder(Path baseDir) {
            this(baseDir, null, new ArrayList<>());
        }

        private CheckingIncluder(Path baseDir, ConfigIncluder fallback, List<Missing> missing) {
            this.baseDir = baseDir;
            this.fallback = fallback;
            this.missing = missing;
        }

        @Override
        public ConfigIncluder withFallback(ConfigIncluder newFallback) {
            return fallback == null ? new CheckingIncluder(baseDir, newFallback, missing) : this;
        }

        private static ConfigIncludeContext strict(ConfigIncludeContext context) {
            return context.setParseOptions(context.parseOptions().setAllowMissing(false));
        }

        @Override
        public ConfigObject include(ConfigIncludeContext context, String what) {
            try {
                return fallback.include(strict(context), what);
            } catch (ConfigException.IO ex) {
                // HOCON then tries the class path too; the file beside the main one is what the user meant.
                missing.add(new Missing(what, baseDir.resolve(what).normalize().toString()));
                return ConfigFactory.empty().root();
            }
        }

        @Override
        public ConfigObject includeFile(ConfigIncludeContext context, File what) {
            try {
                return ((ConfigIncluderFile) fallback).includeFile(strict(context), what);
            } catch (ConfigException.IO ex) {
                missing.add(new Missing(what.getPath(), what.getAbsolutePath()));
                return ConfigFactory.empty().root();
            }
        }

        @Override
        public ConfigObject includeURL(ConfigIncludeContext context, URL what) {
            try {
                return ((ConfigIncluderURL) fallback).includeURL(strict(context), what);
            } catch (ConfigException.IO ex) {
                missing.add(new Missing(what.toString(), what.toString()));
                return ConfigFactory.empty().root();
            }
        }

        @Override
        public ConfigObject includeResources(ConfigIncludeContext context, String what) {
            try {
                return ((ConfigIncluderClasspath) fallback).includeResources(strict(context), what);
            } catch (ConfigException.IO ex) {
                missing.add(new Missing(what, "the class path"));
                return ConfigFactory.empty().root();
            }
        }
    }
}
