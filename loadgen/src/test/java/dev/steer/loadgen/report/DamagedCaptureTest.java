package dev.steer.loadgen.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DamagedCaptureTest {
    private static final DamagedCapture CUT = new DamagedCapture("pcap:cut.pcap", "/tmp/cut.pcap", 2988,
        "RECORD_DATA_CUT", "6 of incl_len 60 bytes");

    @Test
    void shouldSayWhereWhyAndWhatWasReplayedWhenDescribed() {
        assertEquals("capture damaged: pcap:cut.pcap stopped at /tmp/cut.pcap, offset 2988: RECORD_DATA_CUT"
            + " (6 of incl_len 60 bytes); every record before it was replayed", CUT.describe());
    }

    @Test
    void shouldDescribeTheSameWordsWhenReadBackFromTheRunJson() {
        final ObjectNode run = JsonReport.mapper().createObjectNode();
        CUT.toJson(run.putArray(DamagedCapture.JSON_ARRAY).addObject());
        final ObjectNode written = (ObjectNode) run.get(DamagedCapture.JSON_ARRAY).get(0);
        final List<String> names = new ArrayList<>();
        written.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("feed", "file", "offset", "reason", "detail"), names, "the documented keys");
        assertEquals(List.of(CUT), DamagedCapture.allFromJson(run));
        assertEquals(CUT.describe(), DamagedCapture.allFromJson(run).get(0).describe());
    }

    @Test
    void shouldReadNoDamageWhenTheRunJsonHasNoDamageArray() {
        assertEquals(List.of(), DamagedCapture.allFromJson(JsonReport.mapper().createObjectNode()));
    }
}
