package dev.steer.loadgen.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;

import dev.steer.engine.path.Feed;
import dev.steer.ingress.config.FeedConfig;
import dev.steer.ingress.pcap.PcapDamage;
import dev.steer.ingress.pcap.PcapFeed;
import dev.steer.loadgen.report.CaptureCounts;
import dev.steer.loadgen.report.DamagedCapture;

/**
 * What {@code steer run} does with a damaged capture file ({@link PcapFeed#damage()}): a file whose header is
 * unreadable (empty, cut inside its header, no pcap or pcapng magic) is not a capture and is refused before the
 * run, like a missing file; damage further in ends that feed's replay after every record before it, and the run
 * reports where and why, in the text summary, on stderr and in the JSON, and exits {@link SteerCli#EXIT_FAILED}
 * (the replay did not reach the end of the file). A capture with a valid header and no packets is not damaged:
 * its replay ends after one pass whatever {@code --loops} says ({@link PcapFeed#emptyCapture()}), and the run says
 * so in the same places and ends as a whole replay does. What every replay counted ({@link CaptureCounts}: snapped
 * records, records above the snaplen, skipped and unknown pcapng blocks...) is one {@code capture:} line and one
 * {@code capture_counts} object; skipped blocks of unknown type are a warning, not a failure. Off the hot path; the
 * main thread.
 */
final class CaptureDamage {
    /**
     * What the pcap feeds of a run found, read once after the engine has stopped; every list in feed order and empty
     * when the run replays no capture.
     *
     * @param damage where and why a replay stopped at damage ({@link #of})
     * @param empty  the feeds whose capture had no packets ({@link #empty})
     * @param counts what every replay counted ({@link #counts})
     */
    record Findings(List<DamagedCapture> damage, List<PcapFeed> empty, List<CaptureCounts> counts) {
        /** What the pcap feeds of {@code feeds} found; other feeds find nothing. */
        static Findings of(List<Feed> feeds) {
            return new Findings(CaptureDamage.of(feeds), CaptureDamage.empty(feeds), CaptureDamage.counts(feeds));
        }
    }

    private CaptureDamage() {
    }

    /**
     * Refuses capture files that are not captures: damage found while opening (before any record) is in the file
     * header. Closes the opened feeds and resources when it refuses.
     *
     * @throws IllegalArgumentException naming the file, the offset, the reason and its detail
     */
    static void refuseNonCaptures(FeedConfig.Opened opened) {
        final List<DamagedCapture> found = of(opened.feeds());
        if (!found.isEmpty()) {
            opened.feeds().forEach(Feed::close);
            opened.close();
            final DamagedCapture damage = found.get(0);
            throw new IllegalArgumentException("pcap file " + damage.file() + ": is not a pcap or pcapng capture"
                + " (offset " + damage.offset() + ": " + damage.reason() + ", " + damage.detail() + ")");
        }
    }

    /** The damage every pcap feed of {@code feeds} has found so far, in feed order; other feeds have none. */
    static List<DamagedCapture> of(List<Feed> feeds) {
        final List<DamagedCapture> found = new ArrayList<>();
        for (Feed feed : feeds) {
            if (feed instanceof PcapFeed pcap) {
                pcap.damage().ifPresent(damage -> found.add(of(pcap.name(), damage)));
            }
        }
        return found;
    }

    /** The damage {@code feed} found, as the summary, the JSON and the report page say it. */
    static DamagedCapture of(String feed, PcapDamage damage) {
        return new DamagedCapture(feed, damage.file().toString(), damage.offset(), damage.reason().name(),
            damage.detail());
    }

    /**
     * What every pcap feed of {@code feeds} counted, in feed order; other feeds count nothing here. Read after the
     * engine has stopped, when no poll runs, so the counts are final.
     */
    static List<CaptureCounts> counts(List<Feed> feeds) {
        final List<CaptureCounts> counts = new ArrayList<>();
        for (Feed feed : feeds) {
            if (feed instanceof PcapFeed pcap) {
                counts.add(new CaptureCounts(pcap.name(), pcap.settings().path().toString(),
                    pcap.pcapng() ? "pcapng" : "pcap", pcap.records(), pcap.passes(), pcap.convertedLinuxSll(),
                    pcap.convertedLinuxSll2(), pcap.snapped(),
                    pcap.aboveSnaplen(), pcap.truncated(), pcap.foreignLink(),
                    Arrays.stream(pcap.foreignLinkTypes()).boxed().toList(), pcap.skippedBlocks(),
                    pcap.unknownBlocks(), pcap.gapsCut(), pcap.pacingRestarts()));
            }
        }
        return counts;
    }

    /** The pcap feeds of {@code feeds} whose capture had no packets, in feed order. */
    static List<PcapFeed> empty(List<Feed> feeds) {
        final List<PcapFeed> empty = new ArrayList<>();
        for (Feed feed : feeds) {
            if (feed instanceof PcapFeed pcap && pcap.emptyCapture()) {
                empty.add(pcap);
            }
        }
        return empty;
    }

    /**
     * One line: the feed, its file, and that it had no packets, so the replay ended after that pass (the first,
     * unless the file shrank during the replay).
     */
    static String describeEmpty(PcapFeed feed) {
        return "capture empty: " + feed.name() + ": " + feed.settings().path() + " has no packets; the replay ended"
            + " after pass " + feed.passes();
    }

    /** Adds one {@code {"feed", "file"}} object per feed of {@code empty} to {@code array}. */
    static void emptyToJson(List<PcapFeed> empty, ArrayNode array) {
        for (PcapFeed feed : empty) {
            array.addObject().put("feed", feed.name()).put("file", feed.settings().path().toString());
        }
    }
}
