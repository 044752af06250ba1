package dev.steer.cluster.config;

import java.nio.file.Path;

import com.typesafe.config.ConfigValue;

/**
 * Where a relative path of the deployment (a TLS store, a capture file) starts, and how a problem with one says so: one
 * written in a config file starts at that file's directory (an included file's own), wherever the process runs; one
 * that no file holds (an environment variable's, the command line's, an embedder's own layer) starts at a directory
 * the caller chooses. Stateless; any thread.
 */
final class RelativePathBase {
    private RelativePathBase() {
    }

    /** The absolute directory of the file {@code value} was written in, or null when no file holds it. */
    static Path writtenIn(ConfigValue value) {
        final String file = value.origin().filename();
        return file == null ? null : Path.of(file).toAbsolutePath().getParent();
    }

    /** The directory a relative path in {@code value} starts at: {@link #writtenIn}, else {@code noFile}. */
    static Path of(ConfigValue value, Path noFile) {
        final Path dir = writtenIn(value);
        return dir != null ? dir : noFile;
    }

    /**
     * The end of a problem with the path {@code written} that {@code value} holds: the rule that placed it and the
     * directory looked in ({@code ; a relative path starts at the directory of the file it is written in, D} or
     * {@code ; a relative path that no file holds starts at D}); empty for an absolute path, which no rule placed.
     */
    static String rule(ConfigValue value, Path written, Path noFile) {
        if (written.isAbsolute()) {
            return "";
        }
        final Path dir = writtenIn(value);
        return dir != null ? "; a relative path starts at the directory of the file it is written in, " + dir
            : "; a relative path that no file holds starts at " + noFile.toAbsolutePath();
    }
}
