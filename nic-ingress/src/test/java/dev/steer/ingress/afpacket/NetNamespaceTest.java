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
