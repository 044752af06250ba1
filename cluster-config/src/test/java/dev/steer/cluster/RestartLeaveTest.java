package dev.steer.cluster;

import static dev.steer.cluster.ClusterAccounting.assertEachNodeExact;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters;
import dev.steer.ingress.HeldPorts;

/**
 * A node killed (SIGKILL, in a process of its own) and started again at once at its address, then stopped while the
 * other two still forward to it: its receiver finds an entry for every frame they forward, before and at its leave,
 * and every node accounts for every frame.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class RestartLeaveTest {
    private static final long FRAMES = 10_000_000;
    private static final long PER_MILLI = 40;
    private static final int KEY = 1;
    private static final int QSIZE = 512;

    @TempDir
    Path dir;

    /** c's port, held from before its first incarnation binds until the test ends: its second binds it again. */
    @RegisterExtension
    final HeldPorts ports = new HeldPorts();

    @Test
    void shouldCountNoEntryAtNoReceiverWhenANodeStartedAgainAtItsAddressLeavesWhileOthersForwardToIt() throws Exception {
        try (Nodes nodes = new Nodes()) {
            final SequenceFeed feedA = new SequenceFeed(FRAMES, PER_MILLI);
            final SequenceFeed feedB = new SequenceFeed(FRAMES, PER_MILLI);
            final ClusterNode a = nodes.start(senders(), Nodes.engine(feedA, FrameHandler.NO_OP, KEY));
            final ClusterNode b = nodes.start(senders().seed(a.address()), Nodes.engine(feedB, FrameHandler.NO_OP, KEY));
            final int port = ports.next();
            try (MultiProcessTest.Child c = new MultiProcessTest.Child(dir, "c", a.address(), port)) {
                assertTrue(a.awaitMembers(3, Duration.ofSeconds(60)) && b.awaitMembers(3, Duration.ofSeconds(20)),
                    "three nodes up");
                place(a, b, c.address);
                feedA.open();
                feedB.open();
                assertTrue(Nodes.await(() -> forwarded(a.stats()) > 5_000 && forwarded(b.stats()) > 5_000,
                    Duration.ofSeconds(30)), "a and b forward to c");
                c.process.destroyForcibly();
                assertTrue(c.process.waitFor(10, TimeUnit.SECONDS), "c is dead");
            }
            try (MultiProcessTest.Child c2 = new MultiProcessTest.Child(dir, "c2", a.address(), port)) {
                // Its own view, as steer run waits for it: a's may still show the killed c up.
                assertTrue(Nodes.await(() -> upMembers(c2) == 3, Duration.ofSeconds(60)), "the new c is up");
                // As steer run does: the node started again places its entry (the old one's left with it).
                place(a, b, c2.address);
                final long forwardedA = forwarded(a.stats());
                final long forwardedB = forwarded(b.stats());
                assertTrue(Nodes.await(() -> forwarded(a.stats()) > forwardedA + 5_000
                    && forwarded(b.stats()) > forwardedB + 5_000, Duration.ofSeconds(30)), () -> "a and b forward to the"
                    + " new c: a " + a.stats().accounting() + " " + a.links() + " / b " + b.stats().accounting());
                final long[] before = c2.ask("receiver", "receiver ");

                final long[] last = c2.ask("shutdown", "final ");
                final long[] receiver = receiverLine(c2);
                assertTrue(c2.process.waitFor(30, TimeUnit.SECONDS), "the new c exits");
                final EngineStats sa = a.shutdown();
                final EngineStats sb = b.shutdown();

                assertEquals(0, before[1], "the new c's receiver found no entry for frames before its leave: received "
                    + before[0] + ", no_entry " + before[1]);
                // Whether batches sent to the killed c reach the new one at all varies from run to run (Artery's
                // race): the refusal is asserted in FrameReceiverTest; the count says here whether the rule was met.
                assertEquals(0, receiver[1], "the new c's receiver found no entry for frames at its leave: received "
                    + receiver[0] + ", no_entry " + receiver[1] + " (" + before[1] + " before its leave), refused "
                    + receiver[3] + " batches (" + receiver[4] + " frames) sent to the killed c");
                assertEachNodeExact("a", sa);
                assertEachNodeExact("b", sb);
                assertEquals(0, last[3], "nothing in flight on the new c");
                assertEquals(last[0], last[1] + last[2], "the new c: received = delivered + dropped");
                assertEquals(last[1], last[4], "the new c's handler saw every frame it delivered");
                // Acknowledged after the new c's entry was in place: by the new c, which counted them received.
                assertTrue(forwarded(sa) - forwardedA + forwarded(sb) - forwardedB <= receiver[0],
                    "the new c received every frame a and b counted forwarded to it");
            }
        }
    }

    /**
     * a's and b's settings: their links give a batch up sooner than their failure detectors find c gone, so that they
     * send c batches while c is dead and its new incarnation starts at its address.
     */
    private static ClusterSettings senders() {
        return Nodes.settings().ackTimeout(Duration.ofMillis(300)).heartbeatPause(Duration.ofSeconds(6));
    }

    /** Places {@link #KEY} on {@code node} through a (asking again while a's owner does not see it up yet). */
    private static void place(ClusterNode a, ClusterNode b, String node) {
        assertTrue(Nodes.await(() -> a.update(KEY, QSIZE, node, 0, CpuMap.ANY) == MapResult.OK,
            Duration.ofSeconds(20)), "the owner places key " + KEY + " on " + node);
        assertTrue(a.awaitEntry(KEY, QSIZE, Duration.ofSeconds(10)) && b.awaitEntry(KEY, QSIZE, Duration.ofSeconds(10)),
            "a and b forward key " + KEY);
    }

    /** The up members in {@code child}'s view. */
    private static long upMembers(MultiProcessTest.Child child) {
        try {
            return child.ask("stats", "stats ")[5];
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The {@code receiver} line a child prints after its {@code final} line. */
    private static long[] receiverLine(MultiProcessTest.Child child) throws InterruptedException {
        final String[] fields = child.expect("receiver ", Duration.ofSeconds(10)).substring(9).split(" ");
        final long[] values = new long[fields.length];
        for (int i = 0; i < fields.length; i++) {
            values[i] = Long.parseLong(fields[i]);
        }
        return values;
    }

    /** What the node counted forwarded for {@link #KEY}, over every forwarding entry it had for it. */
    private static long forwarded(EngineStats stats) {
        return stats.consumers().stream().filter(p -> p.key() == KEY)
            .mapToLong(p -> p.get(PathCounters.Counter.FORWARDED)).sum();
    }
}
