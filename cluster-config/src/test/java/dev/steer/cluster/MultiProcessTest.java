package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters;
import dev.steer.ingress.ChildJvm;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MultiProcessTest {
    @TempDir
    Path dir;

    /** A node in a child JVM, driven over its stdin and stdout. */
    static final class Child implements AutoCloseable {
        final Process process;
        final PrintWriter in;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final String address;

        Child(Path dir, String name, String seed) throws IOException, InterruptedException {
            this(dir, name, seed, null);
        }

        /** A node that binds {@code port} (null: one the kernel picks), as a node restarted at its address does. */
        Child(Path dir, String name, String seed, Integer port) throws IOException, InterruptedException {
            final List<String> command = ChildJvm.command(
                List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), NodeMain.class,
                port == null ? new String[] {seed} : new String[] {seed, port.toString()});
            process = new ProcessBuilder(command).redirectError(dir.resolve(name + ".err").toFile()).start();
            in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            final Thread reader = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = out.readLine()) != null) {
                        if (line.startsWith("STEER ")) {
                            lines.add(line.substring(6));
                        }
                    }
                } catch (IOException ignored) {
                    // The process died: the test sees no more lines.
                }
            }, name + "-stdout");
            reader.setDaemon(true);
            reader.start();
            try {
                address = expect("address ", Duration.ofSeconds(60)).substring(8);
            } catch (AssertionError | InterruptedException | RuntimeException notStarted) {
                // No Child to close: a node that never said its address would outlive the test JVM otherwise.
                process.destroyForcibly();
                throw notStarted;
            }
        }

        String expect(String prefix, Duration timeout) throws InterruptedException {
            final long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                final String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line != null && line.startsWith(prefix)) {
                    return line;
                }
            }
            throw new AssertionError("no '" + prefix + "' line from the child within " + timeout);
        }

        long[] ask(String command, String prefix) throws InterruptedException {
            in.println(command);
            final String[] fields = expect(prefix, Duration.ofSeconds(60)).substring(prefix.length()).split(" ");
            final long[] values = new long[fields.length];
            for (int i = 0; i < fields.length; i++) {
                values[i] = Long.parseLong(fields[i]);
            }
            return values;
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    @Test
    void shouldKeepTheOthersRunningAndAccountForEveryFrameWhenANodeProcessIsKilledMidLoad() throws Exception {
        try (Nodes nodes = new Nodes()) {
            final SequenceFeed feed = new SequenceFeed(10_000_000, 40);
            final ClusterNode a = nodes.start(Nodes.settings(), Nodes.engine(feed, FrameHandler.NO_OP, 1, 2));
            try (Child b = new Child(dir, "b", a.address()); Child c = new Child(dir, "c", a.address())) {
                assertTrue(a.awaitMembers(3, Duration.ofSeconds(60)), "three nodes up");
                assertEquals(MapResult.OK, a.update(1, 1024, b.address, 0, CpuMap.ANY));
                assertEquals(MapResult.OK, a.update(2, 1024, c.address, 1, CpuMap.ANY));
                assertTrue(a.awaitEntry(1, 1024, Duration.ofSeconds(10)) && a.awaitEntry(2, 1024, Duration.ofSeconds(10)));
                feed.open();
                assertTrue(Nodes.await(() -> forwarded(a.stats(), 2) > 5_000, Duration.ofSeconds(30)),
                    "traffic reaches c");

                c.process.destroyForcibly();
                assertTrue(c.process.waitFor(10, TimeUnit.SECONDS), "c is dead");
                assertTrue(a.awaitEntry(2, 0, Duration.ofSeconds(40)), "c was downed and its entry removed");
                final long forwardedToB = forwarded(a.stats(), 1);
                assertTrue(Nodes.await(() -> forwarded(a.stats(), 1) > forwardedToB + 2_000, Duration.ofSeconds(20)),
                    "a keeps steering to b");
                assertEquals(2, b.ask("stats", "stats ")[5], "b sees a and itself up");

                final EngineStats sa = a.shutdown();
                final long[] fb = b.ask("shutdown", "final ");
                assertTrue(b.process.waitFor(30, TimeUnit.SECONDS), () -> "b exits; its stderr ends with:\n"
                    + tail(dir.resolve("b.err"), 40) + "\nits threads:\n" + threadDump(b.process));

                final Accounting aa = sa.accounting();
                assertEquals(0, aa.inFlight(), "nothing in flight on a: " + aa);
                assertEquals(aa.received(), aa.delivered() + aa.forwarded() + aa.droppedTotal(), "a: " + aa);
                assertTrue(aa.dropped(DropReason.UNREACHABLE) + aa.dropped(DropReason.RING_FULL)
                    + aa.dropped(DropReason.NO_ENTRY) > 0, "frames meant for c were counted: " + aa);
                assertTrue(sa.poolsFull(), "a's pools are full again");
                // b, alive to the end, counted received exactly what a counted forwarded to it.
                assertEquals(forwarded(sa, 1), fb[0], "b received what a forwarded to key 1");
                assertEquals(fb[0], fb[1] + fb[2], "b: received = delivered + dropped");
                assertEquals(0, fb[3], "nothing in flight on b");
                assertEquals(fb[1], fb[4], "b's handler saw every delivered frame");
            }
        }
    }

    /** The threads of a live child JVM, from {@code jcmd Thread.print}, or why they cannot be had. */
    private static String threadDump(Process process) {
        try {
            final Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(process.pid()), "Thread.print").redirectErrorStream(true).start();
            final String dump = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            jcmd.waitFor(20, TimeUnit.SECONDS);
            return dump;
        } catch (IOException ex) {
            return "(no thread dump: " + ex + ")";
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return "(no thread dump: interrupted)";
        }
    }

    /** The last {@code lines} lines of {@code file}, or why they cannot be read. */
    private static String tail(Path file, int lines) {
        try {
            final List<String> all = java.nio.file.Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException ex) {
            return "(cannot read " + file + ": " + ex + ")";
        }
    }

    private static long forwarded(EngineStats stats, int key) {
        return stats.consumers().stream().filter(p -> p.key() == key)
            .mapToLong(p -> p.get(PathCounters.Counter.FORWARDED)).sum();
    }
}
