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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

    private static boolean awaitText(Path file, String text, long timeoutSeconds, Process process) throws IOException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline && process.isAlive()) {
            if (Files.readString(file).contains(text)) {
                return true;
            }
            LockSupport.parkNanos(50_000_000);
        }
        return Files.readString(file).contains(text);
    }

    @ParameterizedTest
    @CsvSource({"TERM, 15", "INT, 2"})
    void shouldPrintTheSummaryAndDeleteTheAeronDirectoryWhenTheRunIsStoppedBySignal(String signal, int number,
                                                                                   @TempDir Path dir) throws Exception {
        final Path out = dir.resolve("out.txt");
        final Path err = dir.resolve("err.txt");
        final Process process = steer(out, err, "run", "--duration", "60s", "--interval", "300ms", "--rate", "50k",
            "--no-pin");
        try {
            assertTrue(awaitText(out, "Summary", 60, process), "the run is under way: " + Files.readString(err));
            signal(process, signal, number);
            final String text = Files.readString(out);
            assertEquals(128 + number, process.exitValue(), "the signal's exit status: " + Files.readString(err));
            assertTrue(text.contains("Run summary"), "the summary is printed: " + text + Files.readString(err));
            assertTrue(text.contains(": OK"), "the accounting balances: " + text);
            assertTrue(Files.readString(err).contains("stopping early: the process was asked to stop"),
                Files.readString(err));
            assertEquals(List.of(), aeronDirectories(process.pid()), "the Aeron directory is deleted");
        } finally {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @CsvSource({"TERM, 15", "INT, 2"})
    void shouldPrintTheTotalsAndDeleteTheAeronDirectoryWhenLoadgenIsStoppedBySignal(String signal, int number,
                                                                                   @TempDir Path dir) throws Exception {
        final Path out = dir.resolve("out.txt");
        final Path err = dir.resolve("err.txt");
        // Aeron IPC through its own embedded driver with no subscriber: every try is back-pressured (not connected).
        final Process process = steer(out, err, "loadgen", "--to", "aeron", "--duration", "60s", "--rate", "10k");
        try {
            assertTrue(awaitText(err, "back-pressured", 60, process), "loadgen is under way: " + Files.readString(err));
            signal(process, signal, number);
            assertEquals(128 + number, process.exitValue(), "the signal's exit status: " + Files.readString(err));
            assertTrue(Files.readString(out).startsWith("sent 0 frames in "), "the totals are printed: "
                + Files.readString(out) + Files.readString(err));
            assertEquals(List.of(), aeronDirectories(process.pid()), "the Aeron directory is deleted");
        } finally {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A steer JVM, as ./steer starts it, with stdout and stderr to files. */
    private static Process steer(Path out, Path err, String... args) throws IOException {
        final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
            .toString()));
        command.addAll(JvmOptions.flags());
        command.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"), SteerCli.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    }

    /** Sends SIG{@code signal} to a running steer process with an embedded driver and waits, bounded, for its end. */
    private static void signal(Process process, String signal, int number) throws Exception {
        assumeFalse(ignores(process.pid(), number), "SIG" + signal + " is ignored in this environment");
        assertEquals(1, aeronDirectories(process.pid()).size(), "the embedded driver's directory, while running");
        final Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(process.pid())).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -s " + signal);
        assertTrue(process.waitFor(StopOnSignal.STOP_TIMEOUT.toSeconds() + 15, TimeUnit.SECONDS),
            "the process ends, bounded");
    }
}
