package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.steer.ingress.ChildProcesses;

/**
 * The {@code ./steer} script, in a copy of the repository's layout whose {@code mvnw} and {@code java} are stand-ins
 * that record what they are asked: the script's own logic, without a real build.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SteerScriptTest {
    @Test
    void shouldBuildOnceWhenSeveralNodesStartAtOnceOnAStaleBuild(@TempDir Path dir) throws Exception {
        // As the README starts a cluster: `./steer run ... --node node-1 & ./steer run ... --node node-2 & ...`,
        // the first time, when there is no build yet.
        final Path root = dir.resolve("repo");
        final Path script = root.resolve("steer");
        Files.createDirectories(root.resolve(".mvn"));
        Files.copy(repositoryFile("steer"), script);
        final Path jdk = dir.resolve("jdk");
        executable(jdk.resolve("bin/java"), "#!/usr/bin/env bash\necho \"ran $*\"\n");
        Files.writeString(root.resolve(".mvn/find-jdk25.sh"), "JAVA_HOME='" + jdk + "'\nexport JAVA_HOME\n");
        // The build takes a while and says when it starts and ends; a second build that overlaps it is the defect.
        executable(root.resolve("mvnw"), """
            #!/usr/bin/env bash
            echo "start" >> builds.log
            sleep 1
            mkdir -p loadgen/target/classes/dev/steer/loadgen
            touch loadgen/target/classes/dev/steer/loadgen/jvm.options loadgen/target/steer.jar
            echo "end" >> builds.log
            """);
        executable(script, null);

        final List<Process> nodes = new ArrayList<>();
        try {
            for (String node : new String[] {"node-1", "node-2", "node-3"}) {
                nodes.add(new ProcessBuilder("bash", script.toString(), "run", "--node", node)
                    .redirectErrorStream(true).redirectOutput(dir.resolve(node + ".out").toFile()).start());
            }
            for (Process process : nodes) {
                assertTrue(process.waitFor(20, TimeUnit.SECONDS), "the script ended");
            }
        } finally {
            // Every script and what it started (the stand-in build's sleep), on every path: a failed start or wait
            // would otherwise leave the others running after the test.
            for (Process process : nodes) {
                ChildProcesses.destroyWithDescendants(process);
            }
        }
        for (int i = 0; i < nodes.size(); i++) {
            final String out = Files.readString(dir.resolve("node-" + (i + 1) + ".out"));
            assertEquals(0, nodes.get(i).exitValue(), out);
            assertTrue(out.contains("ran -jar " + root.resolve("loadgen/target/steer.jar") + " run --node node-" + (i + 1)),
                "each node runs once the build is there: " + out);
        }
        assertEquals(List.of("start", "end"), Files.readAllLines(root.resolve("builds.log")),
            "one build, not one per node in the same tree at the same time");
    }

    private static void executable(Path file, String text) throws IOException {
        if (text != null) {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** A file at the repository's root, found from the module's working directory. */
    private static Path repositoryFile(String name) {
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(name)) && Files.isRegularFile(dir.resolve("mvnw"))) {
                return dir.resolve(name);
            }
        }
        throw new IllegalStateException(name + " not found above " + Path.of("").toAbsolutePath());
    }
}
