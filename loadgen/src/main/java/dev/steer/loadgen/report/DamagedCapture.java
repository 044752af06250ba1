package dev.steer.loadgen.report;

import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where one pcap replay stopped at damage in its file, as {@code steer run} reports it: one {@code capture damaged:}
 * line in the text summary, on stderr and on the report page (all three from {@link #describe()}, so that they say
 * the same words), one object of the JSON's {@code capture_damage} array. Every record before the damage was replayed;
 * the run exits 3.
 *
 * <p>The JSON names are stable and always present: {@code feed}, {@code file}, {@code offset}, {@code reason} (a
 * {@code PcapDamage.Reason} name), {@code detail}.
 *
 * <p>Immutable; any thread; formatting allocates, off the data path.
 *
 * @param feed   the feed's name
 * @param file   the capture file
 * @param offset byte offset of the damaged header: 0 for the file header, else the start of the record or block
 * @param reason what is wrong there, a {@code PcapDamage.Reason} name such as {@code RECORD_DATA_CUT}
 * @param detail the values that made it damaged
 */
public record DamagedCapture(String feed, String file, long offset, String reason, String detail) {
    /** The JSON array of {@code steer run}, one object per damaged pcap feed. */
    public static final String JSON_ARRAY = "capture_damage";

    /** Validates: names not null. */
    public DamagedCapture {
        Objects.requireNonNull(feed, "damage feed");
        Objects.requireNonNull(file, "damage file");
        Objects.requireNonNull(reason, "damage reason");
        Objects.requireNonNull(detail, "damage detail");
    }

    /**
     * {@code capture damaged: FEED stopped at FILE, offset N: REASON (detail); every record before it was replayed}.
     * No line end.
     */
    public String describe() {
        return "capture damaged: " + feed + " stopped at " + file + ", offset " + offset + ": " + reason + " (" + detail
            + "); every record before it was replayed";
    }

    /** Puts every field into {@code object} under its JSON name. */
    public void toJson(ObjectNode object) {
        object.put("feed", feed).put("file", file).put("offset", offset).put("reason", reason).put("detail", detail);
    }

    /** Reads one object {@link #toJson} wrote; a missing offset reads as 0, a missing name as an empty string. */
    public static DamagedCapture fromJson(JsonNode object) {
        return new DamagedCapture(object.path("feed").asText(""), object.path("file").asText(""),
            object.path("offset").asLong(), object.path("reason").asText(""), object.path("detail").asText(""));
    }

    /** Every object of the {@value #JSON_ARRAY} array of a run's JSON, in order; none when it has no such array. */
    public static List<DamagedCapture> allFromJson(JsonNode runJson) {
        return JsonReport.readArray(runJson, JSON_ARRAY, DamagedCapture::fromJson);
    }
}
