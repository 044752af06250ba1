package dev.steer.ingress.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a value an environment variable gave is named: the place of its substitution, found in the settings as
 * written, while the resolved settings stay exactly HOCON's. PATH and HOME stand for set variables (every process
 * here has them; a test cannot set one), UNSET for one that is not set.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SubstitutionsTest {
    private static final String UNSET = "STEER_SUBSTITUTIONS_TEST_UNSET";
    private static final String ENV = "env variables";

    @BeforeAll
    static void variables() {
        assertTrue(System.getenv("PATH") != null && System.getenv("HOME") != null, "the test needs PATH and HOME");
        assertNull(System.getenv(UNSET), UNSET + " must not be set");
    }

    /** The message a check with the substitutions of {@code written} over {@code defaults} gives at {@code x}. */
    private static String message(Config written, Config defaults) {
        final Config resolved = written.withFallback(defaults).resolve();
        final ConfigCheck check = new ConfigCheck(Substitutions.find(written, resolved));
        check.error(resolved, "x", "bad");
        return check.errors().getFirst();
    }

    private static Config file(Path dir, String name, String text) throws IOException {
        return ConfigFactory.parseFile(Files.writeString(dir.resolve(name), text).toFile());
    }

    @Test
    void shouldNameTheSubstitutionAndTheVariableWhenAnOptionalVariableSetsAKeyWithoutDefault(@TempDir Path dir)
            throws IOException {
        final Config written = file(dir, "a.conf", "a = 1\nx = ${?PATH}\n");
        final Path f = dir.resolve("a.conf");

        assertEquals(f + ":2: x (from $PATH): bad", message(written, ConfigFactory.empty()));
        assertEquals(ENV, written.resolve().getValue("x").origin().description(), "the value keeps HOCON's origin");
    }

    @Test
    void shouldNameTheFilesOwnValueWhenTheVariableOfTheIdiomIsNotSet(@TempDir Path dir) throws IOException {
        final Config written = file(dir, "a.conf", "x = 64\nx = ${?" + UNSET + "}\n");

        assertEquals(dir.resolve("a.conf") + ":1: x: bad", message(written, ConfigFactory.empty()));
        assertTrue(Substitutions.find(written, written.resolve()).places().isEmpty());
    }

    @Test
    void shouldNameTheLastWriteWhenTheIdiomTakesAVariableAfterTheFilesOwnValue(@TempDir Path dir) throws IOException {
        final Config written = file(dir, "a.conf", "x = 64\n\nx = ${?PATH}\n");

        assertEquals(dir.resolve("a.conf") + ":3: x (from $PATH): bad", message(written, ConfigFactory.empty()));
        assertEquals(System.getenv("PATH"), written.resolve().getString("x"));
    }

    @Test
    void shouldNameTheEarlierSubstitutionWhenTheLastTakesAVariableThatIsNotSet(@TempDir Path dir) throws IOException {
        // HOCON keeps the value written before a ${?VAR} that nothing fills: here the ${?HOME} of line 1.
        final Config written = file(dir, "a.conf", "x = ${?HOME}\nx = ${?" + UNSET + "}\n");

        assertEquals(dir.resolve("a.conf") + ":1: x (from $HOME): bad", message(written, ConfigFactory.empty()));
        assertEquals(System.getenv("HOME"), written.resolve().getString("x"));
    }

    @Test
    void shouldNameTheSubstitutionWhenTheKeyHasAShippedDefault(@TempDir Path dir) throws IOException {
        final Config defaults = ConfigFactory.parseString("x = 64", ConfigParseOptions.defaults()
            .setOriginDescription("defaults.conf"));
        for (String shape : List.of("${?PATH}", "${PATH}")) {
            final Config written = file(dir, "a.conf", "\nx = " + shape + "\n");
            assertEquals(dir.resolve("a.conf") + ":2: x (from $PATH): bad", message(written, defaults), shape);
            assertEquals(ENV, written.withFallback(defaults).resolve().getValue("x").origin().description(), shape);
        }
        final Config unset = file(dir, "a.conf", "x = ${?" + UNSET + "}\n");
        assertEquals("defaults.conf:1: x: bad", message(unset, defaults), "the default is named where it is written");
    }

    @Test
    void shouldNameTheIncludedFileWhenTheSubstitutionIsWrittenInAFileOfAnotherDirectory(@TempDir Path dir)
            throws IOException {
        Files.createDirectories(dir.resolve("parts"));
        file(dir.resolve("parts"), "engine.conf", "\n\nx = ${?PATH}\n");
        final Config written = file(dir, "main.conf", "x = 1\ninclude \"parts/engine.conf\"\n");

        assertEquals(dir.resolve("parts").resolve("engine.conf") + ":3: x (from $PATH): bad",
            message(written, ConfigFactory.empty()));
    }

    @Test
    void shouldNameEveryVariableOfAConcatenation(@TempDir Path dir) throws IOException {
        final Config written = file(dir, "a.conf", "x = \"at \"${HOME}\" in \"${PATH}${?" + UNSET + "}\n");

        assertEquals(dir.resolve("a.conf") + ":1: x (from $HOME and $PATH): bad",
            message(written, ConfigFactory.empty()));
        assertEquals("at " + System.getenv("HOME") + " in " + System.getenv("PATH"), written.resolve().getString("x"));
    }

    @Test
    void shouldNameTheListWhenAnElementIsAVariable(@TempDir Path dir) throws IOException {
        final Config written = file(dir, "a.conf", "\nx = [ 1, ${?HOME} ]\n");

        assertEquals(dir.resolve("a.conf") + ":2: x (from $HOME): bad", message(written, ConfigFactory.empty()));
        assertEquals(List.of(1, System.getenv("HOME")), written.resolve().getAnyRefList("x"));
    }

    @Test
    void shouldKeepTheOriginOfASystemPropertyThatFillsASubstitution(@TempDir Path dir) throws IOException {
        // A layer of system properties over the file fills ${?java.version} with its own value, which names itself.
        final Config written = ConfigFactory.systemProperties()
            .withFallback(file(dir, "a.conf", "x = ${?java.version}"));

        assertEquals("system properties: x: bad", message(written, ConfigFactory.empty()));
        assertEquals(System.getProperty("java.version"), written.resolve().getString("x"));
    }

    @Test
    void shouldKeepTheOriginOfTheCallersLayerThatFillsOrOverridesASubstitution(@TempDir Path dir) throws IOException {
        final Config mine = ConfigFactory.parseMap(Map.of("mine", 7, "y", 5), "my service");
        final Config written = mine.withFallback(file(dir, "a.conf", "x = ${?mine}\ny = ${?PATH}\n"));
        final Config resolved = written.resolve();

        assertEquals("my service: x: bad", message(written, ConfigFactory.empty()));
        assertTrue(Substitutions.find(written, resolved).places().isEmpty(), "y is the layer's 5, not $PATH");
        assertEquals(5, resolved.getInt("y"));
        // A substitution written in the caller's layer itself is named there.
        final Config own = ConfigFactory.parseString("x = ${?PATH}", ConfigParseOptions.defaults()
            .setOriginDescription("my service"));
        assertEquals("my service:1: x (from $PATH): bad", message(own, ConfigFactory.empty()));
    }

    @Test
    void shouldChangeNothingWhenNoValueIsASubstitution(@TempDir Path dir) throws IOException {
        final Config written = file(dir, "a.conf", "x = 64\nblock { y = [1, 2], z = \"${PATH}\" }\n");
        final Config resolved = written.resolve();

        assertSame(Substitutions.NONE, Substitutions.find(written, resolved));
        final ConfigCheck plain = new ConfigCheck();
        plain.error(resolved, "x", "bad");
        assertEquals(plain.errors(), List.of(message(written, ConfigFactory.empty())));
    }

    @Test
    void shouldNameTheIncludedFilesLineWhenTheIncludeStandsInABlockAfterTheKeysOwnValue(@TempDir Path dir)
            throws IOException {
        file(dir, "engine.conf", "\nbudget = ${?PATH}\n");
        final Config written = file(dir, "main.conf", "steer {\n  budget = 64\n  include \"engine.conf\"\n}\n");
        final ConfigCheck check = new ConfigCheck(Substitutions.find(written, written.resolve()));

        check.error(written.resolve(), "steer.budget", "bad");

        assertEquals(List.of(dir.resolve("engine.conf") + ":2: steer.budget (from $PATH): bad"), check.errors());
    }

    @Test
    void shouldNameTheWriteOfTheHigherLayerWhenTheLayersAreGivenInOrder(@TempDir Path dir) throws IOException {
        final Config lower = file(dir, "lower.conf", "x = 1\n");
        final Config upper = file(dir, "upper.conf", "\nx = ${?PATH}\n");
        final Config mine = ConfigFactory.parseString("x = ${?HOME}", ConfigParseOptions.defaults()
            .setOriginDescription("my service"));
        final Config written = upper.withFallback(lower);
        final Config resolved = written.resolve();

        assertEquals(dir.resolve("upper.conf") + ":2: x (from $PATH): bad",
            message(written, List.of(upper, lower), resolved));
        assertEquals("my service:1: x (from $HOME): bad",
            message(mine.withFallback(written), List.of(mine, upper, lower), mine.withFallback(written).resolve()));
        // Without the order, two files laid over one another do not say which wins: HOCON's origin is kept.
        assertNull(Substitutions.find(written, resolved).at("x"));
    }

    private static String message(Config written, List<Config> layers, Config resolved) {
        final ConfigCheck check = new ConfigCheck(Substitutions.find(written, layers, resolved));
        check.error(resolved, "x", "bad");
        return check.errors().getFirst();
    }
}
