package dev.steer.ingress.afpacket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

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
}
