package dev.steer.loadgen.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.steer.ingress.pcap.PcapFeed;
import dev.steer.loadgen.stats.Units;

/**
 * What one pcap replay counted, as {@code steer run} reports it: one {@code capture:} line in the text summary and
 * on the report page, one object of the JSON's {@code capture_counts} array. The line names only the counts that are
 * not 0 beyond packets and passes, so a clean capture stays one short line. Blocks of a type pcapng does not define
 * are a warning ({@link #warning()}): a packet block whose type field was damaged looks just like one, so packets may
 * be missing; the replay itself did not fail.
 *
 * <p>The JSON names are stable and always present: {@code feed}, {@code file}, {@code format} ({@code pcap} or
 * {@code pcapng}), {@code records}, {@code passes}, {@code converted_linux_sll}, {@code converted_linux_sll2},
 * {@code snapped}, {@code above_snaplen}, {@code truncated},
 * {@code foreign_link}, {@code foreign_link_types} (an array of link type numbers),
 * {@code skipped_blocks}, {@code unknown_blocks}, {@code gaps_cut}, {@code pacing_restarts}, {@code possible_loss}.
 *
 * <p>Immutable; any thread; formatting allocates, off the data path.
 *
 * @param feed          the feed's name
 * @param file          the capture file
 * @param format        {@code pcap} or {@code pcapng}
 * @param records       packets handed to the ingress, every pass
 * @param passes        passes over the file completed
 * @param convertedLinuxSll  of the records, Ethernet frames made from LINUX_SLL (Linux cooked capture v1) packets
 * @param convertedLinuxSll2 of the records, Ethernet frames made from LINUX_SLL2 (Linux cooked capture v2) packets
 * @param snapped       packets captured shorter than on the wire, replayed as captured
 * @param aboveSnaplen  packets captured longer than the file's or interface's snaplen, replayed whole
 * @param truncated     packets counted as {@code feed_truncated} drops: no captured bytes, shorter than their Linux
 *                      cooked header, or cut by the end of the file
 * @param foreignLink   packets that cannot be Ethernet frames (pcapng packets on an interface neither Ethernet nor
 *                      Linux cooked, Linux cooked packets whose protocol is no EtherType), also {@code feed_truncated}
 *                      drops
 * @param foreignLinkTypes the link types of those packets, ascending
 * @param skippedBlocks pcapng blocks skipped by their length (statistics, name resolution, custom...)
 * @param unknownBlocks of those, blocks of a type pcapng does not define
 * @param gapsCut       gaps longer than {@code max-gap} that the capture pace cut to it
 * @param pacingRestarts packets far behind the latest capture time (captures appended) that the capture pace restarted
 *                       from
 */
public record CaptureCounts(String feed, String file, String format, long records, long passes,
                            long convertedLinuxSll, long convertedLinuxSll2, long snapped, long aboveSnaplen,
                            long truncated, long foreignLink, List<Integer> foreignLinkTypes,
                            long skippedBlocks, long unknownBlocks, long gapsCut, long pacingRestarts) {
    /** The JSON array of {@code steer run}, one object per pcap feed. */
    public static final String JSON_ARRAY = "capture_counts";

    /** Validates: names and link types not null; keeps a copy of the link types. */
    public CaptureCounts {
        Objects.requireNonNull(feed, "capture feed");
        Objects.requireNonNull(file, "capture file");
        Objects.requireNonNull(format, "capture format");
        foreignLinkTypes = List.copyOf(Objects.requireNonNull(foreignLinkTypes, "capture foreign link types"));
    }

    /** True when blocks of no type pcapng defines were skipped: damaged packet blocks look like them. */
    public boolean possibleLoss() {
        return unknownBlocks > 0;
    }

    /**
     * {@code capture: FEED: N packets in P passes}, then the counts that are not 0, in this order: {@code , 3 converted
     * from LINUX_SLL, 40 converted from LINUX_SLL2, 2 snapped,
     * 1 above snaplen (replayed whole), 1 truncated, 2 non-Ethernet (link types 101 RAW; 276 LINUX_SLL2, no EtherType),
     * 3 pcapng blocks skipped (1 of unknown type: warning, packets may be lost), 2 gaps cut to max-gap, 1 pacing
     * restart}. A Linux cooked link type among the non-Ethernet ones is there for cooked packets whose protocol is no
     * EtherType, and says so. No line end.
     */
    public String describe() {
        final StringBuilder line = new StringBuilder(128).append("capture: ").append(feed).append(": ")
            .append(Units.count(records)).append(records == 1 ? " packet" : " packets").append(" in ")
            .append(Units.count(passes)).append(passes == 1 ? " pass" : " passes");
        extra(line, convertedLinuxSll, " converted from LINUX_SLL");
        extra(line, convertedLinuxSll2, " converted from LINUX_SLL2");
        extra(line, snapped, " snapped");
        extra(line, aboveSnaplen, " above snaplen (replayed whole)");
        extra(line, truncated, " truncated");
        extra(line, foreignLink, " non-Ethernet");
        if (foreignLink != 0 && !foreignLinkTypes.isEmpty()) {
            line.append(foreignLinkTypes.size() == 1 ? " (link type " : " (link types ");
            // A cooked type is there for its packets with no EtherType, said after it; the comma that says so makes
            // semicolons separate the types.
            final String separator = foreignLinkTypes.stream().anyMatch(PcapFeed::isLinuxCooked) ? "; " : ", ";
            for (int i = 0; i < foreignLinkTypes.size(); i++) {
                final int type = foreignLinkTypes.get(i);
                final String name = PcapFeed.linkTypeName(type);
                line.append(i == 0 ? "" : separator).append(type).append(name == null ? "" : " " + name)
                    .append(PcapFeed.isLinuxCooked(type) ? ", no EtherType" : "");
            }
            line.append(')');
        }
        extra(line, skippedBlocks, skippedBlocks == 1 ? " pcapng block skipped" : " pcapng blocks skipped");
        if (unknownBlocks > 0) {
            line.append(" (").append(Units.count(unknownBlocks)).append(" of unknown type: warning, packets may be lost)");
        }
        extra(line, gapsCut, gapsCut == 1 ? " gap cut to max-gap" : " gaps cut to max-gap");
        extra(line, pacingRestarts, pacingRestarts == 1 ? " pacing restart" : " pacing restarts");
        return line.toString();
    }

    private static void extra(StringBuilder line, long count, String what) {
        if (count != 0) {
            line.append(", ").append(Units.count(count)).append(what);
        }
    }

    /**
     * The warning when blocks of unknown type were skipped, else null: {@code capture FEED: N pcapng blocks of a type
     * the format does not define were skipped; ...}. Not a failure: the run's exit status does not change.
     */
    public String warning() {
        if (!possibleLoss()) {
            return null;
        }
        return "capture " + feed + ": " + Units.count(unknownBlocks) + (unknownBlocks == 1 ? " pcapng block" : " pcapng blocks")
            + " of a type the format does not define skipped in " + file + "; a packet block whose type field is"
            + " damaged looks the same, so packets may be lost";
    }

    /** Puts every field into {@code object} under its JSON name, even when 0. */
    public void toJson(ObjectNode object) {
        object.put("feed", feed).put("file", file).put("format", format).put("records", records)
            .put("passes", passes).put("converted_linux_sll", convertedLinuxSll)
            .put("converted_linux_sll2", convertedLinuxSll2).put("snapped", snapped).put("above_snaplen", aboveSnaplen)
            .put("truncated", truncated).put("foreign_link", foreignLink);
        final var types = object.putArray("foreign_link_types");
        foreignLinkTypes.forEach(types::add);
        object.put("skipped_blocks", skippedBlocks)
            .put("unknown_blocks", unknownBlocks).put("gaps_cut", gapsCut)
            .put("pacing_restarts", pacingRestarts).put("possible_loss", possibleLoss());
    }

    /** Reads one object {@link #toJson} wrote; a missing count reads as 0, a missing name as an empty string. */
    public static CaptureCounts fromJson(JsonNode object) {
        return new CaptureCounts(object.path("feed").asText(""), object.path("file").asText(""),
            object.path("format").asText(""), object.path("records").asLong(), object.path("passes").asLong(),
            object.path("converted_linux_sll").asLong(), object.path("converted_linux_sll2").asLong(),
            object.path("snapped").asLong(), object.path("above_snaplen").asLong(), object.path("truncated").asLong(),
            object.path("foreign_link").asLong(), linkTypes(object.path("foreign_link_types")),
            object.path("skipped_blocks").asLong(),
            object.path("unknown_blocks").asLong(), object.path("gaps_cut").asLong(),
            object.path("pacing_restarts").asLong());
    }

    private static List<Integer> linkTypes(JsonNode array) {
        final List<Integer> types = new ArrayList<>();
        array.forEach(type -> types.add(type.asInt()));
        return types;
    }

    /** Every object of the {@value #JSON_ARRAY} array of a run's JSON, in order; none when it has no such array. */
    public static List<CaptureCounts> allFromJson(JsonNode runJson) {
        return JsonReport.readArray(runJson, JSON_ARRAY, CaptureCounts::fromJson);
    }
}
