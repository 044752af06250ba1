package dev.steer.ingress.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KeyWritesTest {
    private static String write(Path dir, String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text).toString();
    }

    @Test
    void shouldGiveTheIncludedFilesWritesWhereTheIncludeStandsWhenItStandsInABlock(@TempDir Path dir)
            throws IOException {
        final String engine = write(dir, "engine.conf", "\nbudget = ${?PATH}\n");
        final String main = write(dir, "main.conf", "steer {\n  budget = 64\n  include \"engine.conf\"\n}\n"
            + "steer.idle = spin\n");

        final KeyWrites writes = KeyWrites.read(main);

        assertEquals(List.of(new KeyWrites.Write(main, 2, "64", false),
            new KeyWrites.Write(engine, 2, "${?PATH}", false)), writes.of("steer.budget"));
        assertEquals(List.of(new KeyWrites.Write(main, 1, "{ ... }", true)), writes.of("steer"));
        assertEquals(List.of(main, engine), List.copyOf(writes.files()));
    }

    @Test
    void shouldReadEachFileOfAnIncludeWithoutExtensionWhenSeveralExist(@TempDir Path dir) throws IOException {
        final String conf = write(dir, "more.conf", "x = [ 1, ${?HOME} ]\n");
        final String properties = write(dir, "more.properties", "# a comment\nx = ${PATH}\n");
        final String main = write(dir, "main.conf", "x = ${?PATH}\ninclude \"more\"\n");

        assertEquals(List.of(new KeyWrites.Write(main, 1, "${?PATH}", false),
            new KeyWrites.Write(conf, 1, "[ 1, ${?HOME} ]", false),
            new KeyWrites.Write(properties, 2, "\"${PATH}\"", false)), KeyWrites.read(main).of("x"));
    }

    @Test
    void shouldLeaveTheKeysOfTheBlockUnknownWhenAnIncludeIsNotFollowed(@TempDir Path dir) throws IOException {
        final String main = write(dir, "main.conf", "a {\n  include url(\"http://example.invalid/x.conf\")\n}\n"
            + "b {\n  include \"elsewhere.conf\"\n}\nc = 1\n");

        final KeyWrites writes = KeyWrites.read(main);

        assertNull(writes.of("a.x"), "a URL may write a.x");
        assertNull(writes.of("b.x"), "HOCON looks for elsewhere.conf on the class path");
        assertEquals(List.of(new KeyWrites.Write(main, 7, "1", false)), writes.of("c"));
        assertNull(KeyWrites.read(dir.resolve("gone.conf").toString()).of("c"), "a file not read");
    }

    @Test
    void shouldNameEveryReferenceOutsideStringsCommentsAndBlocksWhenAValueIsScanned() {
        assertEquals(List.of("HOME", "PATH", "U"), Substitutions.references("\"at \"${HOME}\" in \"${PATH}${?U}"));
        assertEquals(List.of("A"),
            Substitutions.references("[ ${?A}, \"${B}\", \"\"\"${C}\"\"\", { d = ${D} } # ${E}\n ]"));
        assertEquals(List.of("a.b"), Substitutions.references("${ a.b }"));
    }
}
