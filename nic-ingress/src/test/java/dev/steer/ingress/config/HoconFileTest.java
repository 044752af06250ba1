package dev.steer.ingress.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.Config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The strict reading of a settings file, whatever bytes its comments hold. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HoconFileTest {
    @Test
    void shouldReportAKeyGivenTwiceAndAMissingIncludeWhenACommentIsNotUtf8(@TempDir Path dir) throws IOException {
        // An editor saving in Latin-1: "café" with 0xE9 in a comment. HOCON reads the file all the same (the byte
        // becomes U+FFFD); the strict checks must read it too, not give up in silence.
        final ByteArrayOutputStream text = new ByteArrayOutputStream();
        text.writeBytes("# caf".getBytes(StandardCharsets.US_ASCII));
        text.write(0xE9);
        text.writeBytes("\nbudget = 64\nbudget = 32\ninclude \"missing.conf\"\n".getBytes(StandardCharsets.US_ASCII));
        final Path file = dir.resolve("latin1.conf");
        Files.write(file, text.toByteArray());

        final ConfigCheck check = new ConfigCheck();
        final int budget = HoconFile.parse(file, check).getInt("budget");

        assertEquals(32, budget, "HOCON reads the file");
        final List<String> errors = check.errors();
        assertEquals(2, errors.size(), errors.toString());
        assertTrue(errors.stream().anyMatch(e -> e.startsWith(file + ":3: budget: 32 is given twice")), errors.toString());
        assertTrue(errors.stream().anyMatch(e -> e.startsWith(file + ":4: include \"missing.conf\": no such file")),
            errors.toString());
    }

    @Test
    void shouldGiveOneErrorNamingFileLineAndKeyWhenAListOfBlocksIsGivenTwice(@TempDir Path dir) throws IOException {
        final Path file = Files.writeString(dir.resolve("twice.conf"), String.join("\n",
            "steer.map {",
            "  entries = [ { key = 0, qsize = 64 },",
            "              { key = 1, qsize = 64 } ]",
            "}",
            "steer.map.entries = [ { key = 0, qsize = 128 }, { key = 1, qsize = 128 } ]",
            ""));

        final ConfigCheck check = new ConfigCheck();
        HoconFile.parse(file, check);

        assertEquals(List.of(file + ":5: steer.map.entries: [ { key = 0, qsize = 128 }, { key = 1, qsize = 128 } ] is"
            + " given twice (also at line 2, [ { key = 0, qsize = 64 }, { key = 1, qsize = 64 } ]): a key may be set once"
            + " per file"), check.errors());
    }

    @Test
    void shouldNameTheIncludingFileAndItsLineWhenAnIncludedFileIncludesAMissingOne(@TempDir Path dir) throws IOException {
        Files.createDirectory(dir.resolve("sub"));
        final Path shared = Files.writeString(dir.resolve("sub").resolve("shared.conf"),
            "# shared by every node\nbudget = 64\ninclude \"gone.conf\"\n");
        final Path main = Files.writeString(dir.resolve("main.conf"),
            "# node 1\ninclude \"sub/shared.conf\"\nqsize = 8\n");

        final ConfigCheck check = new ConfigCheck();
        assertEquals(64, HoconFile.parse(main, check).getInt("budget"));

        assertEquals(List.of(shared + ":3: include \"gone.conf\": no such file (looked for " + dir.resolve("sub")
            .resolve("gone.conf") + "): an included file must exist"), check.errors());
    }

    @Test
    void shouldNameEachIncludeByItsOwnLineWhenOneMissingNameIsIncludedFromSeveralPlaces(@TempDir Path dir)
        throws IOException {
        final Path common = Files.writeString(dir.resolve("common.conf"), "a = 1\n\ninclude \"gone.conf\"\n");
        final Path main = Files.writeString(dir.resolve("main.conf"), String.join("\n",
            "include \"gone.conf\"", "include \"common.conf\"", "b = 2", "include required(\"gone.conf\")", ""));

        final ConfigCheck check = new ConfigCheck();
        HoconFile.parse(main, check);

        final String rest = ": include \"gone.conf\": no such file (looked for " + dir.resolve("gone.conf")
            + "): an included file must exist";
        assertEquals(List.of(main + ":1" + rest, common + ":3" + rest, main + ":4" + rest), check.errors());
    }

    @Test
    void shouldFindAnIncludeBesideTheFileWhenTheFileIsNamedWithoutADirectory() throws IOException {
        // steer run --config deploy.conf: HOCON looks for includes in the file's parent directory, and a bare name
        // has none; the include was reported missing although it lay beside the file.
        final String unique = "hocon-file-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        final Path included = Path.of(unique + "-shared.conf");
        final Path main = Path.of(unique + "-main.conf");
        try {
            Files.writeString(included, "budget = 64\n");
            Files.writeString(main, "include \"" + included + "\"\nqsize = 8\n");

            final ConfigCheck check = new ConfigCheck();
            final Config config = HoconFile.parse(main, check);

            assertEquals(List.of(), check.errors());
            assertEquals(64, config.getInt("budget"));
            assertEquals(8, config.getInt("qsize"));
        } finally {
            Files.deleteIfExists(main);
            Files.deleteIfExists(included);
        }
    }
    @Test
    void shouldRefuseAnIncludedFileNestedDeeperThanTheLimitWhenTheMainFileIsShallow(@TempDir Path dir)
        throws IOException {
        // The parser recurses per level: 3,000 levels in an included file overflowed its stack, since only the main
        // file's text was checked.
        final Path deep = Files.writeString(dir.resolve("deep.conf"),
            "a = " + "{b:".repeat(3_000) + "1" + "}".repeat(3_000) + "\n");
        final Path main = Files.writeString(dir.resolve("main.conf"), "include \"deep.conf\"\nqsize = 8\n");

        final ConfigCheck check = new ConfigCheck();
        final Config config = HoconFile.parse(main, check);

        assertEquals(List.of(deep + ":1: blocks and lists nest deeper than 100 levels here: at most 100 are read"),
            check.errors());
        assertEquals(8, config.getInt("qsize"), "the rest of the file is read");
    }
    @Test
    void shouldCountTheLevelsOfTheIncludingFilesWhenAChainOfIncludesNestsDeeperThanTheLimit(@TempDir Path dir)
        throws IOException {
        // Each file within the limit, each including the next at its deepest level: the parser recurses through the
        // chain as through one file, and 40 files of 99 levels overflowed its stack.
        for (int i = 0; i < 40; i++) {
            final String inner = i < 39 ? "include \"f" + (i + 1) + ".conf\"" : "x = 1";
            Files.writeString(dir.resolve("f" + i + ".conf"),
                "a = " + "{b:".repeat(98) + "{" + inner + "}" + "}".repeat(98) + "\n");
        }

        final ConfigCheck check = new ConfigCheck();
        HoconFile.parse(dir.resolve("f0.conf"), check);

        assertEquals(List.of(dir.resolve("f1.conf") + ":1: blocks and lists nest deeper than 100 levels here, counting"
            + " the 99 levels of the files that include it: at most 100 are read"), check.errors());
    }

    @Test
    void shouldReportAKeyGivenTwiceInAnIncludedFileByThatFileAndLineWhenIncludedInAnyWay(@TempDir Path dir)
        throws IOException {
        // A deployment split into files: a key given twice in an included file won in silence, since only the main
        // file's text was checked. Beside the main file, through file(...), and included by an included file.
        Files.createDirectory(dir.resolve("sub"));
        final Path beside = Files.writeString(dir.resolve("engine.conf"),
            "budget = 64\ninclude \"sub/nested.conf\"\nbudget = 32\n");
        final Path nested = Files.writeString(dir.resolve("sub").resolve("nested.conf"),
            "steer.map {\n  qsize = 8\n}\nsteer.map.qsize = 16\n");
        final Path byFile = Files.writeString(dir.resolve("feed.conf"), "name = a\n\nname = b\n");
        final Path main = Files.writeString(dir.resolve("main.conf"), String.join("\n",
            "include \"engine.conf\"", "include file(\"" + byFile.toAbsolutePath() + "\")", "qsize = 8", ""));

        final ConfigCheck check = new ConfigCheck();
        final Config config = HoconFile.parse(main, check);

        assertEquals(32, config.getInt("budget"), "HOCON reads the files");
        assertEquals(List.of(
            beside + ":3: budget: 32 is given twice (also at line 1, 64): a key may be set once per file",
            nested + ":4: steer.map.qsize: 16 is given twice (also at line 2, 8): a key may be set once per file",
            byFile.toAbsolutePath() + ":3: name: b is given twice (also at line 1, a): a key may be set once per file"),
            check.errors());
    }

    @Test
    void shouldReportAKeyGivenTwiceInAnIncludedFileOnceWhenTheFileIsIncludedTwice(@TempDir Path dir)
        throws IOException {
        final Path common = Files.writeString(dir.resolve("common.conf"), "a = 1\na = 2\n");
        final Path main = Files.writeString(dir.resolve("main.conf"),
            "x { include \"common.conf\" }\ny { include \"common.conf\" }\n");

        final ConfigCheck check = new ConfigCheck();
        HoconFile.parse(main, check);

        assertEquals(List.of(common + ":2: a: 2 is given twice (also at line 1, 1): a key may be set once per file"),
            check.errors());
    }

    @Test
    void shouldRefuseAUrlIncludeByItsLineWhenTheMainFileIncludesOne(@TempDir Path dir) throws IOException {
        // A URL include fetched at load time (over the network, unbounded), and was checked for nothing: a file: URL of
        // 3,000 levels overflowed the parser's stack. Neither is read; the user is told to include a file.
        final Path deep = Files.writeString(dir.resolve("deep.conf"),
            "a = " + "{b:".repeat(3_000) + "1" + "}".repeat(3_000) + "\n");
        final String url = deep.toUri().toURL().toString();
        final Path main = Files.writeString(dir.resolve("main.conf"), String.join("\n",
            "qsize = 8", "include url(\"" + url + "\")", "include required(\"http://127.0.0.1:9/steer.conf\")", ""));

        final ConfigCheck check = new ConfigCheck();
        final Config config = HoconFile.parse(main, check);

        final String rest = ": not read: a URL would be fetched while the settings load; an include must name a file"
            + " (include \"name.conf\" beside the including file, or include file(\"/path/name.conf\"))";
        assertEquals(List.of(main + ":2: include url(\"" + url + "\")" + rest,
            main + ":3: include \"http://127.0.0.1:9/steer.conf\"" + rest), check.errors());
        assertEquals(8, config.getInt("qsize"), "the rest of the file is read");
        assertTrue(!config.hasPath("a"), "nothing is included from a URL");
    }

    @Test
    void shouldRefuseAClassPathIncludeByItsLineWhenAnIncludedFileHasOne(@TempDir Path dir) throws IOException {
        // A class path resource was read unchecked (its keys given twice passed), and an include "x.conf" not beside
        // the file was taken from whatever jar held an x.conf. A settings file's includes are files.
        final Path shared = Files.writeString(dir.resolve("shared.conf"), String.join("\n",
            "budget = 64", "include classpath(\"dev/steer/ingress/config/hocon-file-test-twice.conf\")",
            "include \"dev/steer/ingress/config/hocon-file-test-twice.conf\"", ""));
        final Path main = Files.writeString(dir.resolve("main.conf"), "include \"shared.conf\"\n");

        final ConfigCheck check = new ConfigCheck();
        final Config config = HoconFile.parse(main, check);

        assertEquals(List.of(shared + ":2: include classpath(\"dev/steer/ingress/config/hocon-file-test-twice.conf\"):"
                + " not read: what the class path holds depends on the installation; an include must name a file"
                + " (include \"name.conf\" beside the including file, or include file(\"/path/name.conf\"))",
            shared + ":3: include \"dev/steer/ingress/config/hocon-file-test-twice.conf\": no such file (looked for "
                + dir.resolve("dev/steer/ingress/config/hocon-file-test-twice.conf").toAbsolutePath()
                + "): an included file must exist"), check.errors());
        assertEquals(64, config.getInt("budget"));
        assertTrue(!config.hasPath("twice"), "nothing is included from the class path");
    }
    @Test
    void shouldReadOnlyFilesBesideTheIncludingFileWhenAnIncludeNamesNoExtension(@TempDir Path dir) throws IOException {
        // include "name" reads name.conf, name.json and name.properties: HOCON looks for each missing one on the class
        // path, so a name.conf beside the file brought in a name.json and a name.properties of whatever jar held them.
        final String name = "dev/steer/ingress/config/hocon-file-test-extensions";
        Files.createDirectories(dir.resolve(name).getParent());
        Files.writeString(dir.resolve(name + ".conf"), "budget = 64\n");
        final Path main = Files.writeString(dir.resolve("main.conf"), "include \"" + name + "\"\nqsize = 8\n");

        final ConfigCheck check = new ConfigCheck();
        final Config config = HoconFile.parse(main, check);

        assertEquals(List.of(), check.errors());
        assertEquals(64, config.getInt("budget"));
        assertEquals(8, config.getInt("qsize"));
        assertTrue(!config.hasPath("json-from-class-path"), "nothing is included from the class path: .json");
        assertTrue(!config.hasPath("properties-from-class-path"), "nothing is included from the class path: .properties");
    }
    @Test
    void shouldReportAKeyGivenTwiceInAnIncludedPropertiesFileByThatFileAndLineWhenIncludedInAnyWay(@TempDir Path dir)
        throws IOException {
        // Included .properties files were not checked at all: a key given twice in one won in silence. Read as
        // properties (include "engine", include file(...)), a key is a properties key and may go on over lines; by its
        // full name (include "map.properties") HOCON reads the file as HOCON, and it is checked as HOCON.
        final Path engine = Files.writeString(dir.resolve("engine.properties"), "budget = 64\n# spare\nbudget=32\n");
        final Path feed = Files.writeString(dir.resolve("feed.properties"),
            "name = a\nother = one \\\n    two\nname b\n");
        final Path map = Files.writeString(dir.resolve("map.properties"), "qsize = 8\nqsize = 16\n");
        final Path main = Files.writeString(dir.resolve("main.conf"), String.join("\n",
            "include \"engine\"", "include file(\"" + feed.toAbsolutePath() + "\")", "include \"map.properties\"", ""));

        final ConfigCheck check = new ConfigCheck();
        final Config config = HoconFile.parse(main, check);

        assertEquals("32", config.getString("budget"), "HOCON reads the files");
        assertEquals("one two", config.getString("other"));
        assertEquals(List.of(
            engine + ":3: budget: 32 is given twice (also at line 1, 64): a key may be set once per file",
            feed.toAbsolutePath() + ":4: name: b is given twice (also at line 1, a): a key may be set once per file",
            map + ":2: qsize: 16 is given twice (also at line 1, 8): a key may be set once per file"),
            check.errors());
    }
}
