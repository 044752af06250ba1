package dev.steer.loadgen.traffic;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scenario file is read as strictly as a deployment file ({@code HoconFile}): what plain HOCON passes over in
 * silence (a missing include, a key given twice, nesting that would overflow the parser) is a problem with its line.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StrictScenarioFileTest {
    @TempDir
    Path dir;

    @Test
    void shouldRefuseTheScenarioWhenAKeyIsGivenTwice() throws IOException {
        final Path file = Files.writeString(dir.resolve("twice.conf"),
            "traffic {\n  flows = 16\n  flows = 4096\n}\n");
        final String message = assertThrows(IllegalArgumentException.class, () -> Scenarios.load(file.toString()))
            .getMessage();
        assertTrue(message.contains(file + ":3: traffic.flows: 4096 is given twice (also at line 2, 16)"), message);
    }

    @Test
    void shouldRefuseTheScenarioWhenAnIncludedFileIsMissing() throws IOException {
        final Path file = Files.writeString(dir.resolve("inc.conf"),
            "traffic { flows = 16 }\ninclude \"shared.conf\"\n");
        final String message = assertThrows(IllegalArgumentException.class, () -> Scenarios.load(file.toString()))
            .getMessage();
        assertTrue(message.contains(file + ":2: include \"shared.conf\": no such file"), message);
    }

    @Test
    void shouldRefuseTheScenarioWithALineWhenBlocksNestTooDeep() throws IOException {
        final Path file = Files.writeString(dir.resolve("deep.conf"),
            "traffic { flows = 16 }\nrun = " + "[".repeat(5_000) + "]".repeat(5_000) + "\n");
        final String message = assertThrows(IllegalArgumentException.class, () -> Scenarios.load(file.toString()))
            .getMessage();
        assertTrue(message.contains(file + ":2: blocks and lists nest deeper than"), message);
    }

    @Test
    void shouldReadTheScenarioWhenIncludesExistAndBlocksMerge() throws IOException {
        Files.writeString(dir.resolve("shared.conf"), "traffic { seed = 7 }\n");
        final Path file = Files.writeString(dir.resolve("ok.conf"),
            "include \"shared.conf\"\ntraffic { flows = 16 }\ntraffic { rate = 1k }\n");
        final Scenario scenario = Scenarios.load(file.toString());
        assertTrue(scenario.traffic().flows() == 16 && scenario.traffic().seed() == 7
            && scenario.traffic().rate() == 1000, scenario.toString());
    }
}
