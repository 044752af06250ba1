package dev.steer.ingress.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.typesafe.config.ConfigUtil;

/**
 * Finds the keys a HOCON file gives a value twice: HOCON keeps the last one without a word, so a second
 * {@code qsize} in an entry, or {@code steer.engine.budget} set again far below its block, silently wins. A key
 * counts by its full path ({@code steer { engine { budget } }} and {@code steer.engine.budget} are one key) and
 * inside list elements by index ({@code steer.map.entries[0].qsize}). Not duplicates: blocks given in several
 * places (they merge, which is how files are laid out), {@code +=} appends, and values that start with a
 * substitution ({@code x = ${?ENV}}, {@code x = ${x} ...}), HOCON's idioms for an override.
 *
 * <p>The same scan gives every write of a key and every include, in the order of the text ({@link #steps}), for
 * {@link KeyWrites}, which finds the write of a key that wins.
 *
 * <p>Run on text the HOCON parser has accepted, so it only has to find keys, not to judge syntax: it reads
 * keys, quoted strings, comments and brackets, and skips values. Nesting deeper than {@value #MAX_DEPTH} is not
 * looked into. Off the hot path; a new instance per file.
 */
final class DuplicateKeys {
    /** A key given twice: where and with what the second time, and the first. */
    record Duplicate(String path, int line, String value, int firstLine, String firstValue) {
    }

    /** What a file does at a line: a write of a key or an include. */
    sealed interface Step permits Write, Include {
    }

    /**
     * A key given a value at {@code line}: {@code value} as written (a list whole, an append {@code k += v} as
     * {@code [v]}, which is what HOCON makes of it), or a block when {@code block}.
     */
    record Write(String path, int line, String value, boolean block) implements Step {
    }

    /** An include statement at {@code line} inside the block {@code prefix} ("" at the root), from "include" on. */
    record Include(String prefix, int line, String statement) implements Step {
    }

    private record Given(int line, String value) {
    }

    private static final int MAX_DEPTH = 64;
    private static final int MAX_SHOWN = 60;
    private static final String OBJECT = "{ ... }";

    private final String s;
    private int pos;
    private int line = 1;
    private Map<String, Given> leaves = new HashMap<>();
    private Map<String, Given> objects = new HashMap<>();
    private final List<Duplicate> found = new ArrayList<>();
    private final List<Step> steps = new ArrayList<>();
    // Lists the scan is inside: their elements' keys are no writes of keys of the settings.
    private int lists;

    private DuplicateKeys(String text) {
        this.s = text;
    }

    /** The keys of {@code text} given twice, in the order of their second occurrence. */
    static List<Duplicate> find(String text) {
        return List.copyOf(scan(text).found);
    }

    /**
     * The writes of keys outside lists and the includes of {@code text}, in the order written. A key in a list's
     * element is no key of the settings: the list is one value, written where its key is.
     */
    static List<Step> steps(String text) {
        return List.copyOf(scan(text).steps);
    }

    private static DuplicateKeys scan(String text) {
        final DuplicateKeys keys = new DuplicateKeys(text);
        keys.skipBlank(true);
        if (keys.peek() == '{') {
            keys.pos++;
            keys.object("", true, 0);
        } else if (keys.peek() != '[') {
            keys.object("", false, 0);
        }
        return keys;
    }

    private boolean eof() {
        return pos >= s.length();
    }

    private char peek() {
        return eof() ? '\0' : s.charAt(pos);
    }

    private char peek(int ahead) {
        return pos + ahead < s.length() ? s.charAt(pos + ahead) : '\0';
    }

    private boolean commentStarts() {
        return peek() == '#' || peek() == '/' && peek(1) == '/';
    }

    /** Skips spaces and comments; with {@code separators}, also newlines and commas. */
    private void skipBlank(boolean separators) {
        while (!eof()) {
            final char c = peek();
            if (c == '\n') {
                if (!separators) {
                    return;
                }
                line++;
                pos++;
            } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\uFEFF' || separators && c == ',') {
                pos++;
            } else if (commentStarts()) {
                while (!eof() && peek() != '\n') {
                    pos++;
                }
            } else {
                return;
            }
        }
    }

    private void skipToLineEnd() {
        while (!eof() && peek() != '\n') {
            pos++;
        }
    }

    /** The fields of an object up to its closing brace (consumed) or the end of the text. */
    private void object(String prefix, boolean braced, int depth) {
        while (true) {
            skipBlank(true);
            if (eof()) {
                return;
            }
            final int start = pos;
            if (peek() == '}') {
                pos++;
                if (braced) {
                    return;
                }
                continue;
            }
            if (includeStatement()) {
                skipInclude();
                if (lists == 0) {
                    steps.add(new Include(prefix, line, s.substring(start, pos).strip()));
                }
                continue;
            }
            final int keyLine = line;
            final List<String> key = key();
            skipBlank(false);
            final char c = peek();
            boolean append = false;
            if (key.isEmpty() || c != '{' && c != '=' && c != ':' && !(c == '+' && peek(1) == '=')) {
                skipToLineEnd();
                if (pos == start) {
                    pos++;
                }
                continue;
            }
            if (c == '+') {
                append = true;
                pos += 2;
            } else if (c != '{') {
                pos++;
            }
            skipBlank(false);
            // Quoted where needed, so that "a.b" (one key) and a.b (two) stay apart.
            final String path = prefix.isEmpty() ? ConfigUtil.joinPath(key) : prefix + "." + ConfigUtil.joinPath(key);
            if (append) {
                final int valueStart = pos;
                skipValue(false);
                step(path, keyLine, "[" + s.substring(valueStart, pos).strip() + "]", false);
            } else if (peek() == '{') {
                pos++;
                step(path, keyLine, OBJECT, true);
                given(objects, leaves, path, keyLine, OBJECT);
                if (depth < MAX_DEPTH) {
                    object(path, true, depth + 1);
                } else {
                    skipNested();
                }
            } else if (peek() == '[') {
                list(path, keyLine, depth);
            } else {
                final int valueStart = pos;
                skipValue(false);
                final String value = s.substring(valueStart, pos).strip();
                step(path, keyLine, value, false);
                if (!value.startsWith("${")) {
                    given(leaves, objects, path, keyLine, shown(value));
                }
            }
        }
    }

    /**
     * A list value at the position, consumed, and recorded for {@code path}. A list given again replaces the first
     * one whole, so it is one duplicate, reported before anything in it: its elements are keys of a new list, not
     * the first list's keys set again (each element of a repeated list of blocks was reported as well, once per key).
     * They are still checked among themselves.
     */
    private void list(String path, int keyLine, int depth) {
        final int valueStart = pos;
        final int reportAt = found.size();
        final boolean again = leaves.containsKey(path) || objects.containsKey(path);
        final Map<String, Given> outerLeaves = leaves;
        final Map<String, Given> outerObjects = objects;
        if (again) {
            leaves = new HashMap<>();
            objects = new HashMap<>();
        }
        pos++;
        try {
            if (depth < MAX_DEPTH) {
                array(path, depth + 1);
            } else {
                skipNested();
            }
        } finally {
            leaves = outerLeaves;
            objects = outerObjects;
        }
        final int after = found.size();
        step(path, keyLine, s.substring(valueStart, pos), false);
        given(leaves, objects, path, keyLine, shown(s.substring(valueStart, pos)));
        if (found.size() > after) {
            found.add(reportAt, found.remove(after));
        }
    }

    /** The elements of a list up to its closing bracket (consumed); objects in it are looked into by index. */
    private void array(String path, int depth) {
        lists++;
        try {
            elements(path, depth);
        } finally {
            lists--;
        }
    }

    private void elements(String path, int depth) {
        int index = 0;
        while (true) {
            skipBlank(true);
            if (eof()) {
                return;
            }
            final char c = peek();
            if (c == ']') {
                pos++;
                return;
            }
            if (c == '{') {
                pos++;
                object(path + "[" + index + "]", true, depth);
            } else if (c == '[') {
                pos++;
                array(path + "[" + index + "]", depth);
            } else {
                final int start = pos;
                skipValue(true);
                if (pos == start) {
                    pos++;
                }
            }
            index++;
        }
    }

    /** Records a write of a key outside lists. */
    private void step(String path, int keyLine, String value, boolean block) {
        if (lists == 0) {
            steps.add(new Write(path, keyLine, value, block));
        }
    }

    /** Records a key's value; a second value for a key (or a block where a value was, or back) is a duplicate. */
    private void given(Map<String, Given> same, Map<String, Given> other, String path, int keyLine, String value) {
        final Given first = same == objects ? null : same.get(path);
        final Given clash = first != null ? first : other.get(path);
        if (clash != null) {
            found.add(new Duplicate(path, keyLine, value, clash.line(), clash.value()));
        }
        same.putIfAbsent(path, new Given(keyLine, value));
    }

    /** A value as one line of a message: a list or string written over several lines is joined, then shortened. */
    static String shown(String value) {
        final String line = value.replaceAll("\\s*\\R\\s*", " ");
        return line.length() <= MAX_SHOWN ? line : line.substring(0, MAX_SHOWN) + "...";
    }

    /** True at {@code include "x"}, {@code include required(...)}, {@code include file(...)} and the like. */
    private boolean includeStatement() {
        if (!s.startsWith("include", pos)) {
            return false;
        }
        int at = pos + "include".length();
        if (at >= s.length() || s.charAt(at) != ' ' && s.charAt(at) != '\t') {
            return false;
        }
        while (at < s.length() && (s.charAt(at) == ' ' || s.charAt(at) == '\t')) {
            at++;
        }
        return at < s.length() && (s.charAt(at) == '"' || s.startsWith("required(", at) || s.startsWith("file(", at)
            || s.startsWith("url(", at) || s.startsWith("classpath(", at));
    }

    /**
     * Skips the include statement at the position: its name, quoted or in brackets ({@code required(file("x"))}), and
     * no more, so that a brace closing a block on the same line still closes it.
     */
    private void skipInclude() {
        pos += "include".length();
        skipBlank(false);
        int depth = 0;
        while (!eof() && peek() != '\n') {
            final char c = peek();
            if (c == '"') {
                quoted();
                if (depth == 0) {
                    return;
                }
                continue;
            }
            if (c == '(') {
                depth++;
            } else if (c == ')' && --depth <= 0) {
                pos++;
                return;
            }
            pos++;
        }
    }

    /** A key: unquoted parts split at dots, quoted parts whole; empty when there is none here. */
    private List<String> key() {
        final List<String> parts = new ArrayList<>();
        final StringBuilder current = new StringBuilder();
        boolean any = false;
        while (!eof()) {
            final char c = peek();
            if (c == '"') {
                current.append(quoted());
                any = true;
            } else if (c == '.') {
                parts.add(current.toString());
                current.setLength(0);
                pos++;
            } else if (c == ' ' || c == '\t') {
                final int save = pos;
                skipBlank(false);
                final char next = peek();
                if (next == '=' || next == ':' || next == '{' || next == '+' || next == '\n' || eof() || commentStarts()) {
                    break;
                }
                current.append(s, save, pos);
            } else if (c == '=' || c == ':' || c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == '+'
                || c == '\n' || c == '\r' || c == '$' || commentStarts()) {
                break;
            } else {
                current.append(c);
                any = true;
                pos++;
            }
        }
        if (!any && parts.isEmpty()) {
            return List.of();
        }
        parts.add(current.toString());
        return parts;
    }

    /** A quoted string at the position (single or triple quotes), consumed; its content without escapes resolved. */
    private String quoted() {
        if (s.startsWith("\"\"\"", pos)) {
            final int end = s.indexOf("\"\"\"", pos + 3);
            final int stop = end < 0 ? s.length() : end + 3;
            final String content = s.substring(pos + 3, Math.max(pos + 3, stop - 3));
            countLines(pos, stop);
            pos = stop;
            return content;
        }
        final int begin = ++pos;
        while (!eof() && peek() != '"' && peek() != '\n') {
            pos += peek() == '\\' && pos + 1 < s.length() && s.charAt(pos + 1) != '\n' ? 2 : 1;
        }
        final String content = s.substring(begin, pos);
        if (peek() == '"') {
            pos++;
        }
        return content;
    }

    private void countLines(int from, int to) {
        for (int i = from; i < to && i < s.length(); i++) {
            if (s.charAt(i) == '\n') {
                line++;
            }
        }
    }

    /**
     * Skips a value to the end of its field: a newline, comma or closing brace outside brackets (in a list, a
     * closing bracket too), not consumed; quoted strings, substitutions and nested brackets are skipped whole.
     */
    private void skipValue(boolean inArray) {
        int depth = 0;
        while (!eof()) {
            final char c = peek();
            if (depth == 0 && (c == '\n' || c == ',' || c == '}' || inArray && c == ']' || commentStarts())) {
                return;
            }
            if (c == '"') {
                quoted();
                continue;
            }
            if (c == '{' || c == '[') {
                depth++;
            } else if ((c == '}' || c == ']') && depth > 0) {
                depth--;
            } else if (c == '\n') {
                line++;
            } else if (depth > 0 && commentStarts()) {
                skipToLineEnd();
                continue;
            }
            pos++;
        }
    }

    /** Skips the rest of a block or list too deep to look into, to its matching close. */
    private void skipNested() {
        int depth = 1;
        while (!eof() && depth > 0) {
            final char c = peek();
            if (c == '"') {
                quoted();
                continue;
            }
            if (commentStarts()) {
                skipToLineEnd();
                continue;
            }
            if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
            } else if (c == '\n') {
                line++;
            }
            pos++;
        }
    }
}
