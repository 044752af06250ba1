package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --config FILE} of both commands that take one: a file that cannot be read or parsed is a usage error
 * naming the file and why, never a silent run on the defaults.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConfigOptionTest {
    @TempDir
    Path dir;

    /** The command line of {@code command} with {@code --config file}; loadgen would send one datagram to discard. */
    private static CliRunner run(String command, Path file) {
        final List<String> args = new ArrayList<>(List.of(command));
        if (command.equals("loadgen")) {
            args.addAll(List.of("--to", "udp", "--target", "127.0.0.1:9", "--count", "1"));
        }
        args.addAll(List.of("--config", file.toString()));
        return CliRunner.run(args.toArray(String[]::new));
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "loadgen"})
    void shouldRefuseTheConfigNamingTheFileWhenItDoesNotExist(String command) {
        final Path file = dir.resolve("missing.conf");
        final CliRunner result = run(command, file);
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertEquals("steer " + command + ": --config " + file + ": no such file", result.err().strip());
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "loadgen"})
    void shouldSayTheConfigIsADirectoryWhenItIsOne(String command) {
        final CliRunner result = run(command, dir);
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertEquals("steer " + command + ": --config " + dir + ": is a directory, not a config file",
            result.err().strip());
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "loadgen"})
    void shouldRefuseTheConfigWithFileAndLineWhenItDoesNotParse(String command) throws IOException {
        final Path file = Files.writeString(dir.resolve("broken.conf"), "traffic {\n  flows = \n");
        final CliRunner result = run(command, file);
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().startsWith("steer " + command + ": --config " + file + ":3: "), result.toString());
        assertEquals(1, result.err().strip().lines().count(), result.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "loadgen"})
    void shouldListTheProblemsOfTheRunAndTrafficBlocksTogetherWhenBothHaveSome(String command) throws IOException {
        final Path file = Files.writeString(dir.resolve("two.conf"), "run { duraton = 5s }\ntraffic { flows = 0 }\n");
        final CliRunner result = run(command, file);
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertTrue(result.err().contains(file + ":1: run.duraton: unknown key"), "the run block's: " + result);
        assertTrue(result.err().contains(file + ":2: traffic.flows=0"), "the traffic block's: " + result);
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "loadgen"})
    void shouldRefuseTheConfigNamingTheFileWhenItCannotBeRead(String command) throws IOException {
        final Path file = Files.writeString(dir.resolve("secret.conf"), "traffic { flows = 8 }\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(file), "this user reads any file (root): no unreadable file to test with");
        final CliRunner result = run(command, file);
        assertEquals(SteerCli.EXIT_USAGE, result.exit(), result.toString());
        assertEquals("steer " + command + ": --config " + file + ": cannot be read (no read permission)",
            result.err().strip());
    }

    @org.junit.jupiter.api.Test
    void shouldRefuseTheConfigWithFileAndLineWhenAKeyIsGivenTwice() throws IOException {
        final Path file = Files.writeString(dir.resolve("twice.conf"), "steer.engine {\n  budget = 32\n  budget = 64\n}\n");
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> ConfigFile.read("--config", file.toFile()));
        assertEquals("--config " + file + ":3: steer.engine.budget: 64 is given twice (also at line 2, 32): a key may be"
            + " set once per file", ex.getMessage());
    }

    @org.junit.jupiter.api.Test
    void shouldRefuseTheConfigWithFileAndLineWhenAnIncludedFileIsMissing() throws IOException {
        final Path file = Files.writeString(dir.resolve("include.conf"), "include \"gone.conf\"\n");
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> ConfigFile.read("--config", file.toFile()));
        assertEquals("--config " + file + ":1: include \"gone.conf\": no such file (looked for " + dir.resolve("gone.conf")
            + "): an included file must exist", ex.getMessage());
    }

    @org.junit.jupiter.api.Test
    void shouldRefuseTheConfigWithTheIncludedFileAndLineWhenAKeyIsGivenTwiceInAnIncludedFile() throws IOException {
        // A deployment split into files: a key given twice in an included one won in silence.
        final Path shared = Files.writeString(dir.resolve("shared.conf"), "steer.engine.budget = 32\nsteer.engine.budget = 64\n");
        final Path file = Files.writeString(dir.resolve("main.conf"), "include \"shared.conf\"\n");
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> ConfigFile.read("--config", file.toFile()));
        assertEquals("--config " + shared + ":2: steer.engine.budget: 64 is given twice (also at line 1, 32): a key may be"
            + " set once per file", ex.getMessage());
    }

    @org.junit.jupiter.api.Test
    void shouldRefuseTheConfigWithFileAndLineWhenItIncludesAUrl() throws IOException {
        // A URL include was fetched while the settings loaded (here a file: URL, read in silence).
        final Path other = Files.writeString(dir.resolve("other.conf"), "steer.engine.budget = 32\n");
        final String url = other.toUri().toURL().toString();
        final Path file = Files.writeString(dir.resolve("main.conf"), "# node 1\ninclude url(\"" + url + "\")\n");
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> ConfigFile.read("--config", file.toFile()));
        assertEquals("--config " + file + ":2: include url(\"" + url + "\"): not read: a URL would be fetched while the"
            + " settings load; an include must name a file (include \"name.conf\" beside the including file, or include"
            + " file(\"/path/name.conf\"))", ex.getMessage());
    }
}
