package dev.steer.ingress.config;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BiConsumer;

import com.typesafe.config.ConfigUtil;

/**
 * Finds the keys a {@code .properties} file that HOCON reads as properties gives twice: {@link Properties#load}, which
 * HOCON reads it with, keeps the last one without a word. Each key is read by {@link Properties#load} itself, one
 * logical line at a time, so that it is the key HOCON sees (escapes, {@code key value}, {@code key:value}); the line
 * reported is the one the logical line starts on. Off the hot path; any thread.
 */
final class PropertiesKeys {
    private record Given(int line, String raw) {
        /** The value as one line of a message. */
        String value() {
            return DuplicateKeys.shown(raw);
        }
    }

    private PropertiesKeys() {
    }

    /** The keys of {@code text} given twice, in the order of their second occurrence. */
    static List<DuplicateKeys.Duplicate> find(String text) {
        final Map<String, Given> first = new HashMap<>();
        final List<DuplicateKeys.Duplicate> found = new ArrayList<>();
        keys(text, (key, given) -> {
            final Given before = first.putIfAbsent(key, given);
            if (before != null) {
                found.add(new DuplicateKeys.Duplicate(key, given.line(), given.value(), before.line(), before.value()));
            }
        });
        return List.copyOf(found);
    }

    /**
     * The writes of {@code text}, in the order written: each key as the path HOCON reads it as (split at its dots),
     * its value as a quoted HOCON string, which holds no substitution (a properties file has none).
     */
    static List<DuplicateKeys.Write> writes(String text) {
        final List<DuplicateKeys.Write> writes = new ArrayList<>();
        keys(text, (key, given) -> writes.add(new DuplicateKeys.Write(
            ConfigUtil.joinPath(List.of(key.split("\\.", -1))), given.line(), ConfigUtil.quoteString(given.raw()),
            false)));
        return List.copyOf(writes);
    }

    /** Passes each key of {@code text} with its value to {@code to}, in the order written. */
    private static void keys(String text, BiConsumer<String, Given> to) {
        final String[] lines = text.split("\r?\n", -1);
        int i = 0;
        while (i < lines.length) {
            final int start = i;
            final String head = stripBlank(lines[i]);
            i++;
            if (head.isEmpty() || head.charAt(0) == '#' || head.charAt(0) == '!') {
                // A comment ends at its line, even when it ends in a backslash.
                continue;
            }
            // A line ending in an odd number of backslashes goes on on the next one.
            final StringBuilder logical = new StringBuilder(lines[start]);
            while (continues(lines[i - 1]) && i < lines.length) {
                logical.append('\n').append(lines[i]);
                i++;
            }
            final Properties one = new Properties();
            try {
                one.load(new StringReader(logical.toString()));
            } catch (IOException ex) {
                throw new UncheckedIOException(ex); // a StringReader does not fail
            } catch (IllegalArgumentException ex) {
                continue; // a malformed \\uXXXX: HOCON's own read of the file refuses it
            }
            for (String key : one.stringPropertyNames()) {
                to.accept(key, new Given(start + 1, one.getProperty(key)));
            }
        }
    }

    /** {@code line} without the blanks {@link Properties#load} skips at a line's start: space, tab, form feed. */
    private static String stripBlank(String line) {
        int at = 0;
        while (at < line.length() && " \t\f".indexOf(line.charAt(at)) >= 0) {
            at++;
        }
        return line.substring(at);
    }

    private static boolean continues(String line) {
        int backslashes = 0;
        for (int i = line.length() - 1; i >= 0 && line.charAt(i) == '\\'; i--) {
            backslashes++;
        }
        return backslashes % 2 == 1;
    }
}
