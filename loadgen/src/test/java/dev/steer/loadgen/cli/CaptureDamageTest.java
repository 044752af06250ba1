package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.ingress.pcap.PcapDamage;
import dev.steer.loadgen.report.DamagedCapture;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CaptureDamageTest {
    @Test
    void shouldKeepTheFeedsDamageWordsWhenConvertedForTheReport() {
        final PcapDamage damage = new PcapDamage(Path.of("/tmp/cut.pcap"), 708, PcapDamage.Reason.RECORD_DATA_CUT,
            "50 of incl_len 60 bytes");
        final DamagedCapture found = CaptureDamage.of("pcap:cut.pcap", damage);
        // The line steer run printed before the report page shared it: the feed's damage in its own words.
        assertEquals("capture damaged: pcap:cut.pcap stopped at " + damage + "; every record before it was replayed",
            found.describe());
        assertEquals(new DamagedCapture("pcap:cut.pcap", "/tmp/cut.pcap", 708, "RECORD_DATA_CUT",
            "50 of incl_len 60 bytes"), found);
    }
}
