package dev.steer.loadgen;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The JVM flags every Steer JVM needs on Java 25, as the build wrote them from the root pom's
 * {@code steer.jvm.flags} into the resource {@code dev/steer/loadgen/jvm.options}: the one source that
 * surefire, JMH forks and the launcher share.
 */
public final class JvmOptions {
    private static final String RESOURCE = "/dev/steer/loadgen/jvm.options";

    private JvmOptions() {
    }

    /** The flags for a benchmark fork: {@link #flags()} plus SLF4J at warn, so Pekko's start-up lines stay out of results. */
    public static List<String> forkFlags() {
        final List<String> flags = new java.util.ArrayList<>(flags());
        flags.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        return flags;
    }

    /** The flags, one element each. */
    public static List<String> flags() {
        try (InputStream in = JvmOptions.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " is missing: rebuild with ./mvnw package");
            }
            final String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            return text.isEmpty() ? List.of() : Arrays.asList(text.split("\\s+"));
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read " + RESOURCE, ex);
        }
    }
}
