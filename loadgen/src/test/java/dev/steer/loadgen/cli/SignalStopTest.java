package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.steer.ingress.HeldPorts;
import dev.steer.loadgen.JvmOptions;

/**
 * Ctrl-C and SIGTERM to a {@code steer run} process, as users send them: the run stops as at its deadline, prints
 * its summary, drains the engine and closes its embedded Aeron media driver, whose directory is then gone.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SignalStopTest {
    /** Where AeronMedia.embedded() puts its directories. */
    private static final Path AERON_BASE = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm")
        : Path.of(System.getProperty("java.io.tmpdir"));

    private static List<Path> aeronDirectories(long pid) throws IOException {
        try (Stream<Path> entries = Files.list(AERON_BASE)) {
            return entries.filter(p -> p.getFileName().toString().startsWith("steer-aeron-" + pid + "-")).toList();
        }
    }

    /** True when {@code pid} ignores {@code signal} (a child of a shell without job control ignores SIGINT). */
    private static boolean ignores(long pid, int signal) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << (signal - 1))) != 0;
            }
        }
        return false;
    }

    /** A steer JVM, as ./steer starts it, with stdout and stderr to files; closing kills it if it still runs. */
    private record Steer(Process process, Path out, Path err) implements AutoCloseable {
        static Steer start(Path dir, String... args) throws IOException {
            final Path out = dir.resolve("out.txt");
            final Path err = dir.resolve("err.txt");
            final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
            command.addAll(JvmOptions.flags());
            command.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"), SteerCli.class.getName()));
            command.addAll(List.of(args));
            final Process process = new ProcessBuilder(command).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
            return new Steer(process, out, err);
        }

        /** Waits, at most {@code timeoutSeconds} and while the process runs, until {@code file} has {@code text}. */
        boolean awaitText(Path file, String text, long timeoutSeconds) throws IOException {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            while (System.nanoTime() < deadline && process.isAlive()) {
                if (Files.readString(file).contains(text)) {
                    return true;
                }
                LockSupport.parkNanos(50_000_000);
            }
            return Files.readString(file).contains(text);
        }

        /**
         * Sends SIG{@code signal} to the running process with an embedded driver, waits, bounded, for its end, and
         * checks it ended with the signal's exit status.
         */
        void signal(String signal, int number) throws Exception {
            assumeFalse(ignores(process.pid(), number), "SIG" + signal + " is ignored in this environment");
            assertEquals(1, aeronDirectories(process.pid()).size(), "the embedded driver's directory, while running");
            final Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(process.pid())).inheritIO()
                .start();
            assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -s " + signal);
            assertTrue(process.waitFor(StopOnSignal.STOP_TIMEOUT.toSeconds() + 15, TimeUnit.SECONDS),
                "the process ends, bounded");
            assertEquals(128 + number, process.exitValue(), "the signal's exit status: " + Files.readString(err));
        }

        void assertAeronDirectoryDeleted() throws IOException {
            assertEquals(List.of(), aeronDirectories(process.pid()), "the Aeron directory is deleted");
        }

        @Override
        public void close() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @CsvSource({"TERM, 15", "INT, 2"})
    void shouldPrintTheSummaryAndDeleteTheAeronDirectoryWhenTheRunIsStoppedBySignal(String signal, int number,
                                                                                   @TempDir Path dir) throws Exception {
        try (Steer steer = Steer.start(dir, "run", "--duration", "60s", "--interval", "300ms", "--rate", "50k",
            "--no-pin")) {
            assertTrue(steer.awaitText(steer.out(), "Summary", 60), "the run is under way: "
                + Files.readString(steer.err()));
            steer.signal(signal, number);
            final String text = Files.readString(steer.out());
            assertTrue(text.contains("Run summary"), "the summary is printed: " + text + Files.readString(steer.err()));
            assertTrue(text.contains(": OK"), "the accounting balances: " + text);
            assertTrue(Files.readString(steer.err()).contains("stopping early: the process was asked to stop"),
                Files.readString(steer.err()));
            steer.assertAeronDirectoryDeleted();
        }
    }

    @ParameterizedTest
    @CsvSource({"TERM, 15", "INT, 2"})
    void shouldPrintTheTotalsAndDeleteTheAeronDirectoryWhenLoadgenIsStoppedBySignal(String signal, int number,
                                                                                   @TempDir Path dir) throws Exception {
        // Aeron UDP to a port where no engine subscribes: every try is back-pressured (not connected). (IPC through
        // its own embedded driver is refused: no other process could ever subscribe.)
        try (Steer steer = Steer.start(dir, "loadgen", "--to", "aeron", "--channel",
            "aeron:udp?endpoint=127.0.0.1:" + ports.next(), "--duration", "60s", "--rate", "10k")) {
            assertTrue(steer.awaitText(steer.err(), "back-pressured", 60), "loadgen is under way: "
                + Files.readString(steer.err()));
            steer.signal(signal, number);
            assertTrue(Files.readString(steer.out()).startsWith("sent 0 frames in "), "the totals are printed: "
                + Files.readString(steer.out()) + Files.readString(steer.err()));
            steer.assertAeronDirectoryDeleted();
        }
    }

    @ParameterizedTest
    @CsvSource({"TERM, 15", "INT, 2"})
    void shouldStopPromptlyAndDeleteTheAeronDirectoryWhenSignalledWhileTheClusterForms(String signal, int number,
                                                                                       @TempDir Path dir)
        throws Exception {
        // node-2 never starts: node-1 waits for it (up to 120 s) when the signal comes.
        final Path conf = Files.writeString(dir.resolve("two.conf"), """
            steer {
              node { name = "node-1" }
              engine { pinning = false }
              map { entries = [ { key = 0, node = "node-1", cpu = 0 }, { key = 1, node = "node-2", cpu = 0 } ] }
              cluster {
                enabled = true
                nodes = [ { name = "node-1", host = "127.0.0.1", port = %d },
                          { name = "node-2", host = "127.0.0.1", port = %d } ]
                seed-nodes = ["node-1"]
              }
            }
            """.formatted(ports.next(), ports.next()));
        try (Steer steer = Steer.start(dir, "run", "--config", conf.toString(), "--node", "node-1",
            "--duration", "60s")) {
            assertTrue(steer.awaitText(steer.err(), "waiting for the 2 nodes", 60), "node-1 waits: "
                + Files.readString(steer.err()));
            final long signalled = System.nanoTime();
            steer.signal(signal, number);
            final long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - signalled);
            assertTrue(seconds < StopOnSignal.STOP_TIMEOUT.toSeconds() / 2, "stopped in " + seconds + " s, not at the"
                + " hook's timeout: " + Files.readString(steer.err()));
            assertTrue(Files.readString(steer.err()).contains("stopped by a signal while waiting for the cluster"),
                Files.readString(steer.err()));
            steer.assertAeronDirectoryDeleted();
        }
    }

    /** Ports written into deployment files, held until the test has ended: see {@link HeldPorts}. */
    @RegisterExtension
    final HeldPorts ports = new HeldPorts();
}
