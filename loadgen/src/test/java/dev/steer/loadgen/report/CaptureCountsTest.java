package dev.steer.loadgen.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CaptureCountsTest {
    private static final CaptureCounts CLEAN = new CaptureCounts("pcap:a.pcap", "/tmp/a.pcap", "pcap", 3, 1,
        0, 0, 0, 0, 0, 0, List.of(), 0, 0, 0, 0);
    private static final CaptureCounts EVERYTHING = new CaptureCounts("pcap:b.pcapng", "/tmp/b.pcapng", "pcapng",
        12_345, 2, 8, 9, 1, 2, 3, 4, List.of(101, 276), 5, 1, 6, 7);

    @Test
    void shouldThrowNamingTheFieldWhenTheLinkTypesAreNull() {
        final NullPointerException error = assertThrows(NullPointerException.class, () -> new CaptureCounts("f", "/f",
            "pcapng", 1, 1, 0, 0, 0, 0, 0, 0, null, 0, 0, 0, 0));
        assertEquals("capture foreign link types", error.getMessage());
    }

    @Test
    void shouldStayOneShortLineWhenNothingButPacketsAndPassesWasCounted() {
        assertEquals("capture: pcap:a.pcap: 3 packets in 1 pass", CLEAN.describe());
        assertFalse(CLEAN.possibleLoss());
        assertNull(CLEAN.warning());
    }

    @Test
    void shouldNameEveryCountThatIsNotZeroInAFixedOrderWhenThereAreSome() {
        assertEquals("capture: pcap:b.pcapng: 12,345 packets in 2 passes, 8 converted from LINUX_SLL, 9 converted from"
            + " LINUX_SLL2, 1 snapped, 2 above snaplen (replayed whole),"
            + " 3 truncated, 4 non-Ethernet (link types 101 RAW; 276 LINUX_SLL2, no EtherType), 5 pcapng blocks skipped"
            + " (1 of unknown type: warning, packets may be lost),"
            + " 6 gaps cut to max-gap, 7 pacing restarts", EVERYTHING.describe());
    }

    @Test
    void shouldSayEachCookedLinkTypeHadNoEtherTypeWhenItsPacketsAreNonEthernet() {
        final CaptureCounts cooked = new CaptureCounts("f", "/f", "pcapng", 5, 1, 2, 3, 0, 0, 0, 3,
            List.of(101, 113, 276), 0, 0, 0, 0);
        assertEquals("capture: f: 5 packets in 1 pass, 2 converted from LINUX_SLL, 3 converted from LINUX_SLL2,"
            + " 3 non-Ethernet (link types 101 RAW; 113 LINUX_SLL, no EtherType; 276 LINUX_SLL2, no EtherType)",
            cooked.describe());
        final CaptureCounts raw = new CaptureCounts("f", "/f", "pcapng", 5, 1, 0, 0, 0, 0, 0, 2, List.of(101, 147), 0,
            0, 0, 0);
        assertEquals("capture: f: 5 packets in 1 pass, 2 non-Ethernet (link types 101 RAW, 147)", raw.describe());
    }

    @Test
    void shouldNameOnlyTheSkippedBlocksWhenNoneWasOfUnknownType() {
        final CaptureCounts known = new CaptureCounts("f", "/f", "pcapng", 1, 1, 0, 0, 0, 0, 0, 0, List.of(), 1, 0, 0,
            0);
        assertEquals("capture: f: 1 packet in 1 pass, 1 pcapng block skipped", known.describe());
        assertNull(known.warning(), "blocks of known types are no loss");
    }

    @Test
    void shouldWarnOfPossibleLossWhenABlockOfUnknownTypeWasSkipped() {
        assertTrue(EVERYTHING.possibleLoss());
        assertEquals("capture pcap:b.pcapng: 1 pcapng block of a type the format does not define skipped in"
            + " /tmp/b.pcapng; a packet block whose type field is damaged looks the same, so packets may be lost",
            EVERYTHING.warning());
    }

    @Test
    void shouldWriteEveryKeyAndReadItBackWhenConvertedToJson() {
        final ObjectNode clean = JsonReport.mapper().createObjectNode();
        CLEAN.toJson(clean);
        assertEquals(List.of("feed", "file", "format", "records", "passes", "converted_linux_sll",
            "converted_linux_sll2", "snapped", "above_snaplen", "truncated",
            "foreign_link", "foreign_link_types", "skipped_blocks", "unknown_blocks", "gaps_cut", "pacing_restarts",
            "possible_loss"),
            names(clean), "every key, even when 0, so the keys do not depend on the file");
        final ObjectNode run = JsonReport.mapper().createObjectNode();
        CLEAN.toJson(run.putArray(CaptureCounts.JSON_ARRAY).addObject());
        EVERYTHING.toJson(run.withArray(CaptureCounts.JSON_ARRAY).addObject());
        assertEquals(List.of(CLEAN, EVERYTHING), CaptureCounts.allFromJson(run));
        assertTrue(run.at("/capture_counts/1/possible_loss").asBoolean());
        assertEquals(List.of(), CaptureCounts.allFromJson(JsonReport.mapper().createObjectNode()), "not a pcap run");
    }

    private static List<String> names(ObjectNode object) {
        final List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
