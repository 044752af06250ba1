package dev.steer.cluster.config;

import java.util.List;

/**
 * A deployment that cannot run: every problem found in one pass, each naming file and line, the key, the
 * bad value and what is allowed. Thrown by {@link DeploymentLoader} before anything starts.
 */
public final class DeploymentException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** The problems, one line each, in the order they were found. */
    private final List<String> problems;

    /** A failure of the deployment read from {@code source}, with at least one problem. */
    public DeploymentException(String source, List<String> problems) {
        super("invalid deployment " + source + " (" + problems.size() + (problems.size() == 1 ? " problem" : " problems")
            + "):\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Every problem, one line each, in the order found. */
    public List<String> problems() {
        return problems;
    }
}
