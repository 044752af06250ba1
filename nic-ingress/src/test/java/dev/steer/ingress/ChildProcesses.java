package dev.steer.ingress;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Child processes that tests start, bounded: each is waited for with a time limit, its output goes to a file (read
 * once it has exited: through a pipe read only after the wait, a child that wrote more than the pipe holds would block
 * and be reported as not finished), and it is killed with everything under it on the way out, whatever the outcome.
 * Shared with other modules' tests through this module's test jar.
 */
public final class ChildProcesses {
    private ChildProcesses() {
    }

    /** How a command ended: {@code finished} false when it outlived its limit (it is killed then). */
    public record Result(boolean finished, int exitValue, String output) {
    }

    /**
     * Runs {@code command}, stdout and stderr together into a temporary file, for at most {@code seconds}, and kills it
     * with its descendants on the way out.
     */
    public static Result run(long seconds, List<String> command) throws IOException, InterruptedException {
        final Path log = Files.createTempFile("steer-child", ".out");
        try {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .start();
            try {
                final boolean finished = process.waitFor(seconds, TimeUnit.SECONDS);
                return new Result(finished, finished ? process.exitValue() : -1,
                    Files.readString(log, StandardCharsets.UTF_8));
            } finally {
                destroyWithDescendants(process);
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /**
     * The pid of a process that has exited: {@code true}, waited for at most 10 s.
     *
     * @throws AssertionError when it did not exit in that time (it is killed then)
     */
    public static long exitedPid() throws IOException, InterruptedException {
        final Process process = new ProcessBuilder("true").start();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new AssertionError("`true` did not exit within 10 s");
            }
            return process.pid();
        } finally {
            destroyWithDescendants(process);
        }
    }

    /**
     * Kills {@code process} and every process under it: under a shell or {@code capsh -c} the process that matters is
     * a grandchild, and killing the child alone would leave it running. The descendants are listed before the child
     * dies, as they are no longer its descendants once they are orphaned. Waits at most 10 s for each.
     */
    public static void destroyWithDescendants(Process process) throws InterruptedException {
        final List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        process.waitFor(10, TimeUnit.SECONDS);
        for (ProcessHandle descendant : descendants) {
            try {
                descendant.onExit().get(10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException ignored) {
                // Bounded: a process that outlives SIGKILL this long is beyond a test's reach.
            }
        }
    }
}
