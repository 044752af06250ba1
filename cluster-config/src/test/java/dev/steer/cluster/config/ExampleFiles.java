package dev.steer.cluster.config;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository's {@code config/} directory from the module's working directory. */
final class ExampleFiles {
    private ExampleFiles() {
    }

    static Path configDir() {
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("config/single-node.conf"))) {
                // Relative, as a user would type it: messages then name the file the same way.
                return Path.of("").toAbsolutePath().relativize(dir.resolve("config"));
            }
        }
        throw new IllegalStateException("config/single-node.conf not found above " + Path.of("").toAbsolutePath());
    }

    static Path file(String name) {
        return configDir().resolve(name);
    }
}
