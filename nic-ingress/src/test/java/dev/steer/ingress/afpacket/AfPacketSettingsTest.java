package dev.steer.ingress.afpacket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Settings validation; needs neither root nor a network namespace, so it runs everywhere. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class AfPacketSettingsTest {
    @Test
    void shouldNameEveryBadSettingWhenValidating() {
        final AfPacketSettings bad = new AfPacketSettings("eth0/x", "", 5000, 1, 100, 0, 70_000,
            AfPacketSettings.FanoutMode.HASH, 0);
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> AfPacketFeed.open(bad));
        final String message = error.getMessage();
        for (String expected : List.of("afpacket.iface='eth0/x'", "afpacket.blockSize=5000: must be a power of two",
            "afpacket.blockCount=1: must be at least 2", "afpacket.frameSize=100: must be a multiple of 16",
            "afpacket.retireTimeoutMs=0: must be 1 to", "afpacket.fanoutGroup=70000", "afpacket.statsInterval=0")) {
            assertTrue(message.contains(expected), () -> "'" + expected + "' missing from: " + message);
        }
    }

    @Test
    void shouldRefuseRingLargerThanLimitWhenValidating() {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> AfPacketSettings.of("eth0").withRing(1 << 26, 32).validate());
        assertTrue(error.getMessage().contains("the ring must not exceed " + AfPacketSettings.MAX_RING_BYTES), error::getMessage);
    }

    @Test
    void shouldAcceptAKernelChosenGroupButNoOtherNegativeIdWhenValidating() {
        final AfPacketSettings unique = AfPacketSettings.of("eth0")
            .withFanout(AfPacketSettings.UNIQUE_FANOUT_GROUP, AfPacketSettings.FanoutMode.HASH).validate();
        assertTrue(unique.fanout());
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> AfPacketSettings.of("eth0").withFanout(-3, AfPacketSettings.FanoutMode.HASH).validate());
        assertTrue(error.getMessage().contains("afpacket.fanoutGroup=-3"), error::getMessage);
    }

    @Test
    void shouldAcceptDefaultsWhenValidating() {
        final AfPacketSettings settings = AfPacketSettings.of("eth0").validate();
        assertEquals(AfPacketSettings.DEFAULT_BLOCK_SIZE * (long) AfPacketSettings.DEFAULT_BLOCK_COUNT, settings.ringBytes());
        assertEquals(false, settings.fanout());
    }
}
