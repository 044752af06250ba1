package dev.steer.ingress.afpacket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.ingress.ChildProcesses;

/** The namespace helper the AF_PACKET tests, the benchmark and the CLI tests build their veth pairs with. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NetNamespaceTest {
    /** How long a veth pair is watched for frames of the kernel's own after its ends went down and up. */
    private static final long QUIET_NS = TimeUnit.MILLISECONDS.toNanos(2_500);

    @Test
    void shouldAddAWorkingVethPairWhenItsMtuIsBelowTheIpv6Minimum() {
        final String reason = NetNamespace.unavailableReason();
        Assumptions.assumeTrue(reason == null, () -> "skipped: " + reason);
        // Below 1280 bytes the kernel gives an interface no IPv6 at all, so there is no per-interface switch to turn off.
        try (NetNamespace namespace = NetNamespace.createUnique("steer-mtu")) {
            namespace.addVethPair("sa", "sb", 1000);
            assertLinkWorks(namespace);
        }
    }

    /**
     * A namespace made here carries no frame of the kernel's own on its veth pairs, so that a test may count every frame
     * its feed takes as one it sent. With IPv6 on, bringing a veth up makes the kernel send MLD reports, neighbour
     * solicitations (duplicate address detection) and router solicitations on it within about a second, which a raw
     * socket receives as the wire carries them: a few frames more than a test sent. Both ends are watched for
     * {@link #QUIET_NS} after each goes down and up again, long past the kernel's delays for those (at most a second).
     */
    @Test
    void shouldCarryNoFrameOfTheKernelsOwnOnAVethPairWhenItsEndsGoDownAndUp() throws Exception {
        final String reason = NetNamespace.unavailableReason();
        Assumptions.assumeTrue(reason == null, () -> "skipped: " + reason);
        try (NetNamespace namespace = NetNamespace.createUnique("steer-quiet")) {
            namespace.addVethPair("qa", "qb", 1500);
            try (AfPacketFeed a = AfPacketFeed.open(quietSettings(namespace, "qa"));
                 AfPacketFeed b = AfPacketFeed.open(quietSettings(namespace, "qb"))) {
                for (String iface : List.of("qa", "qb")) {
                    ip(namespace, "link", "set", "dev", iface, "down");
                    ip(namespace, "link", "set", "dev", iface, "up");
                }
                final AfPacketFeedTest.CountingSink atA = new AfPacketFeedTest.CountingSink();
                final AfPacketFeedTest.CountingSink atB = new AfPacketFeedTest.CountingSink();
                final long end = System.nanoTime() + QUIET_NS;
                while (System.nanoTime() < end) {
                    if (a.poll(atA, 64) + b.poll(atB, 64) == 0) {
                        AfPacketFeedTest.pause();
                    }
                }
                assertEquals(0, atA.frames + atA.drops, "frames the kernel sent to qa by itself");
                assertEquals(0, atB.frames + atB.drops, "frames the kernel sent to qb by itself");
            }
        }
    }

    @Test
    void shouldSkipWithWhyTheNamespaceCouldNotBeMadeWhenRootCannotCreateOne() {
        // A root container without the rights to make namespaces: `ip netns add` fails though euid is 0 and ip exists.
        final String reason = NetNamespace.unavailableReason(0, true, () -> NetNamespace.probe("steer-probe-t",
            name -> {
                throw new AfPacketException("ip netns add " + name + ": exit 1: mount --make-shared /run/netns failed:"
                    + " Operation not permitted\n", 0);
            }));
        assertEquals("cannot create a network namespace here: ip netns add steer-probe-t: exit 1: mount --make-shared"
            + " /run/netns failed: Operation not permitted", reason);
    }

    @Test
    void shouldNotProbeWhenNotRootOrWithoutIp() {
        final String notRoot = NetNamespace.unavailableReason(1000, true, () -> fail("probed as euid 1000"));
        assertTrue(notRoot.startsWith("not root (euid 1000)"), notRoot);
        final String noIp = NetNamespace.unavailableReason(0, false, () -> fail("probed without ip"));
        assertTrue(noIp.startsWith("iproute2's `ip` is not on the PATH"), noIp);
    }

    @Test
    void shouldLeaveNoNamespaceBehindWhenAProbeSucceeds() {
        final String reason = NetNamespace.unavailableReason();
        Assumptions.assumeTrue(reason == null, () -> "skipped: " + reason);
        final String name = "steer-probe-test-" + ProcessHandle.current().pid();
        assertNull(NetNamespace.probe(name, NetNamespace::create));
        assertFalse(Files.exists(Path.of("/run/netns", name)), name + " left behind");
    }

    @Test
    void shouldDeleteOnlyTheNamespacesOfProcessesThatAreGoneWhenANamespaceIsCreated()
            throws IOException, InterruptedException {
        final String reason = NetNamespace.unavailableReason();
        Assumptions.assumeTrue(reason == null, () -> "skipped: " + reason);
        final long exited = ChildProcesses.exitedPid();
        Assumptions.assumeFalse(ProcessHandle.of(exited).isPresent(), "the pid of the exited process is taken again");
        final String random = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        final String ofDeadProcess = "steer-sweep-" + exited + "-" + random;
        final String ofLiveProcess = "steer-sweep-" + ProcessHandle.current().pid() + "-" + random;
        final String withoutPid = "steer-sweep-" + random;
        final List<NetNamespace> made = new ArrayList<>();
        try {
            // The dead process's last: creating any namespace sweeps first.
            for (String name : List.of(ofLiveProcess, withoutPid, ofDeadProcess)) {
                made.add(NetNamespace.create(name));
            }
            assertTrue(exists(ofDeadProcess), "left behind as by a killed process");
            try (NetNamespace created = NetNamespace.createUnique("steer-sweep")) {
                assertFalse(exists(ofDeadProcess), "the namespace of a process that is gone is deleted");
                assertTrue(exists(ofLiveProcess), "the namespace of a live process stays");
                assertTrue(exists(withoutPid), "a name without a pid stays: whose it is cannot be told");
                assertTrue(created.name().matches("steer-sweep-" + ProcessHandle.current().pid() + "-[0-9a-f]{8}"),
                    created.name());
                assertTrue(exists(created.name()));
            }
        } finally {
            made.forEach(NetNamespace::close);
        }
    }

    @Test
    void shouldRefuseAPrefixTheSweepWouldNotRecogniseWhenCreatingAUniqueNamespace() {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> NetNamespace.createUnique("other"));
        assertTrue(error.getMessage().contains("prefix='other': must be steer"), error::getMessage);
        assertThrows(IllegalArgumentException.class, () -> NetNamespace.createUnique("steer x"));
    }

    private static AfPacketSettings quietSettings(NetNamespace namespace, String iface) {
        return AfPacketSettings.of(iface).withNetns(namespace.name()).withRing(1 << 16, 8).withRetireTimeoutMs(2);
    }

    /** Runs {@code ip -n NS args...}, bounded: an ip that does not end within 10 s fails the test. */
    private static void ip(NetNamespace namespace, String... args) throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>(List.of("ip", "-n", namespace.name()));
        command.addAll(List.of(args));
        final ChildProcesses.Result result = ChildProcesses.run(10, command);
        assertTrue(result.finished(), String.join(" ", command) + " finished within 10 s: " + result.output());
        assertEquals(0, result.exitValue(), String.join(" ", command) + ": " + result.output());
    }

    private static boolean exists(String namespace) {
        return Files.exists(Path.of("/run/netns", namespace));
    }

    private static void assertLinkWorks(NetNamespace namespace) {
        try (AfPacketFeed feed = AfPacketFeed.open(AfPacketSettings.of("sb").withNetns(namespace.name())
                 .withRing(1 << 16, 8).withRetireTimeoutMs(2));
             AfPacketSender sender = AfPacketSender.open(namespace.name(), "sa")) {
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[2048]);
            TestFrames.write(frame, 1014, 1, 0);
            assertEquals(1014, sender.send(frame, 0, 1014), "an MTU-sized frame; errno " + sender.lastErrno());
            TestFrames.write(frame, 1015, 1, 1);
            assertEquals(AfPacketSender.TOO_LONG, sender.send(frame, 0, 1015), "the pair has the MTU asked for");
            final RecordingSink sink = new RecordingSink();
            AfPacketFeedTest.pollUntil(feed, sink, 64, () -> sink.marked() >= 1);
            assertEquals(1, sink.marked());
        }
    }
}
