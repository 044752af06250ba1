package dev.steer.ingress.afpacket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.ingress.ChildJvm;
import dev.steer.ingress.ChildProcesses;

/**
 * Opening a feed without CAP_NET_RAW says what to do, and what it says works. Needs no namespace: runs as any user,
 * in this JVM when it lacks the capability, else (root) in a child JVM started without it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AfPacketCapabilityTest {
    private static final int CAP_NET_RAW = 13;

    @Test
    void shouldAdviseAnAmbientCapabilityNotASetcapThatStopsJavaWhenCapNetRawIsMissing() throws Exception {
        final String message = openWithoutCapNetRaw();
        assertTrue(message.contains("AF_PACKET needs CAP_NET_RAW"), message);
        assertTrue(message.contains("EPERM"), message);
        // Verified as a user who is not root: `setpriv ... --ambient-caps=+net_raw` opens the feed with java as it is,
        // while `setcap cap_net_raw+ep` on java alone leaves it unable to start (the loader, in secure mode, ignores
        // the $ORIGIN path it finds libjli.so by).
        assertTrue(message.contains("--inh-caps=+net_raw --ambient-caps=+net_raw"), message);
        assertTrue(message.contains("libjli.so"), "warns that setcap alone stops java from starting: " + message);
    }

    /** Opens a feed on lo without CAP_NET_RAW and returns the error's message. */
    private static String openWithoutCapNetRaw() throws IOException, InterruptedException {
        if (!effectiveCapability(CAP_NET_RAW)) {
            return assertThrows(AfPacketException.class, () -> AfPacketFeed.open(AfPacketSettings.of("lo"))).getMessage();
        }
        final String setpriv = executable("setpriv");
        final String capsh = executable("capsh");
        Assumptions.assumeTrue(setpriv != null || capsh != null, "this JVM has CAP_NET_RAW, and neither setpriv nor"
            + " capsh is installed to start one without it");
        final List<String> jvm = ChildJvm.command(List.of(), OpenProbe.class, "lo");
        final List<String> command = new ArrayList<>();
        if (setpriv != null) {
            command.addAll(List.of(setpriv, "--inh-caps=-net_raw", "--bounding-set=-net_raw", "--"));
            command.addAll(jvm);
        } else {
            command.addAll(List.of(capsh, "--drop=cap_net_raw", "--", "-c", String.join(" ", jvm)));
        }
        // Output to a file, killed with what it started (under capsh the JVM is a grandchild) on the way out.
        final ChildProcesses.Result child = ChildProcesses.run(30, command);
        assertTrue(child.finished(), "the child JVM finished: " + child.output());
        assertEquals(3, child.exitValue(), child.output());
        return child.output();
    }

    /** Whether this process has capability {@code bit} in its effective set ({@code CapEff} of /proc/self/status). */
    private static boolean effectiveCapability(int bit) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("CapEff:")) {
                return (Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16) >>> bit & 1) == 1;
            }
        }
        return false;
    }

    static String executable(String name) {
        for (String dir : List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin")) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        return null;
    }
}
