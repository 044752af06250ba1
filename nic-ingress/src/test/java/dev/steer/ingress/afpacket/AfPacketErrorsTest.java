package dev.steer.ingress.afpacket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.steer.ingress.ChildJvm;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AfPacketErrorsTest {
    @RegisterExtension
    static final VethPair veth = VethPair.perTestClass();

    @Test
    void shouldSayNoSuchInterfaceWhenInterfaceIsMissing() {
        final AfPacketException error = assertThrows(AfPacketException.class,
            () -> AfPacketFeed.open(AfPacketSettings.of("nope0").withNetns(veth.netns())));
        assertTrue(error.getMessage().contains("no such interface nope0 in network namespace " + veth.netns()),
            error::getMessage);
        assertEquals(Libc.ENODEV, error.errno());
        assertThrows(AfPacketException.class, () -> AfPacketSender.open(veth.netns(), "nope0"));
    }

    @Test
    void shouldSayNoSuchNamespaceWhenNamespaceIsMissing() {
        final AfPacketException error = assertThrows(AfPacketException.class,
            () -> AfPacketFeed.open(AfPacketSettings.of("lo").withNetns("steer-missing-ns")));
        assertTrue(error.getMessage().contains("no such network namespace"), error::getMessage);
    }

    @Test
    void shouldNameFanoutSettingsWhenKernelRefusesMember() {
        try (AfPacketFeed first = AfPacketFeed.open(veth.feedSettings().withFanout(9, AfPacketSettings.FanoutMode.HASH))) {
            final AfPacketException error = assertThrows(AfPacketException.class, () -> AfPacketFeed.open(
                veth.feedSettings().withFanout(9, AfPacketSettings.FanoutMode.LOAD_BALANCE)));
            assertTrue(error.getMessage().contains("PACKET_FANOUT) joining group 9 mode LOAD_BALANCE"), error::getMessage);
            assertEquals(0, first.poll(new RecordingSink(), 8), "the first member is unaffected");
        }
    }

    @Test
    void shouldExplainCapNetRawWhenChildLacksIt() throws IOException, InterruptedException {
        final String setpriv = executable("setpriv");
        final String capsh = executable("capsh");
        Assumptions.assumeTrue(setpriv != null || capsh != null, "neither setpriv nor capsh is installed");
        final List<String> jvm = ChildJvm.command(List.of(), OpenProbe.class, "lo");
        final List<String> command = new java.util.ArrayList<>();
        if (setpriv != null) {
            command.addAll(List.of(setpriv, "--inh-caps=-net_raw", "--bounding-set=-net_raw", "--"));
            command.addAll(jvm);
        } else {
            command.addAll(List.of(capsh, "--drop=cap_net_raw", "--", "-c", String.join(" ", jvm)));
        }
        final Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output;
        try {
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child JVM finished");
            output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            child.destroyForcibly(); // not left running when it did not finish
        }
        assertEquals(3, child.exitValue(), output);
        assertTrue(output.contains("AF_PACKET needs CAP_NET_RAW"), output);
        assertTrue(output.contains("EPERM"), output);
        assertTrue(output.contains("setcap cap_net_raw+ep"), output);
    }

    private static String executable(String name) {
        for (String dir : List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin")) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        return null;
    }
}
