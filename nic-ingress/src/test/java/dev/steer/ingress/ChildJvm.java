package dev.steer.ingress;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Command lines for the child JVMs that tests start. The flags every Steer JVM needs come from the one source, the
 * root pom's {@code steer.jvm.flags}, which surefire hands to each test JVM as the system property of that name.
 * Shared with cluster-config's tests through this module's test jar.
 */
public final class ChildJvm {
    /** The system property surefire sets from the root pom's property of the same name. */
    public static final String FLAGS_PROPERTY = "steer.jvm.flags";

    private ChildJvm() {
    }

    /**
     * The flags, one element each.
     *
     * @throws IllegalStateException when the property is missing, e.g. a test run outside Maven's surefire
     */
    public static List<String> flags() {
        final String flags = System.getProperty(FLAGS_PROPERTY, "").strip();
        if (flags.isEmpty() || flags.startsWith("${")) {
            throw new IllegalStateException("system property " + FLAGS_PROPERTY + " is " + (flags.isEmpty()
                ? "missing" : "unresolved (" + flags + ")") + ": run the tests with ./mvnw, whose surefire sets it from"
                + " the root pom's " + FLAGS_PROPERTY + ", or pass -D" + FLAGS_PROPERTY + "=... to the test JVM");
        }
        return List.of(flags.split("\\s+"));
    }

    /**
     * {@code java} of this JVM's runtime, the {@link #flags()}, then {@code options}, this JVM's class path and
     * {@code mainClass} with {@code args}.
     */
    public static List<String> command(List<String> options, Class<?> mainClass, String... args) {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(flags());
        command.addAll(options);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(List.of(args));
        return command;
    }
}
