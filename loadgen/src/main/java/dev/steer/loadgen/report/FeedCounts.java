package dev.steer.loadgen.report;

import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.steer.loadgen.stats.Units;

/**
 * What a UDP, AF_PACKET or Aeron feed counted as {@code feed_overrun}, split by when it was lost, how often an
 * AF_PACKET feed's link went down and its ring was full during the run, and the images an Aeron feed's subscription
 * had and the bytes it consumed, as {@code steer run} reports it: one {@code feed:} line in the text summary and on
 * the report page when the feed overran, its link went down or its ring was full, and for every Aeron feed
 * ({@link #hasLine()}), one object of the JSON's {@code feed_counts} array always. The engine's {@code feed_overrun}
 * alone does not say whether the feed fell behind while the run ran (the kernel dropped for a full socket buffer or
 * ring) or only had packets still queued when the run closed it, which a run stopped under full traffic always has;
 * and a link that was down for part of the run loses no packet the feed had, so no drop says it.
 *
 * <p>The JSON names are stable and always present: {@code feed}, {@code type} ({@code udp}, {@code afpacket} or
 * {@code aeron}),
 * {@code packets}, {@code feed_overrun} (the sum of the three after it), {@code kernel_drops},
 * {@code kernel_drops_visible}, {@code held_at_close}, {@code left_at_close}, {@code link_downs}, {@code ring_freezes},
 * {@code kernel_drops_before_first_poll} (the part of {@code kernel_drops} the first poll found),
 * {@code ring_freezes_before_first_poll} (the part of {@code ring_freezes} the first poll found),
 * {@code images_joined}, {@code images_gone}, {@code bytes_consumed} (Aeron).
 *
 * <p>Immutable; any thread; formatting allocates, off the data path.
 *
 * @param feed               the feed's name
 * @param type               {@code udp}, {@code afpacket} or {@code aeron}
 * @param packets            packets the feed handed to the ingress (Aeron: the fragments its polls took)
 * @param kernelDrops        packets the kernel dropped for a full socket buffer or ring from the feed's open to its
 *                           close, counted {@code feed_overrun} ({@code UdpFeed.kernelDrops()},
 *                           {@code AfPacketFeed.overruns()}): those while the run ran and those before the first poll
 *                           ({@code dropsBeforeFirstPoll}), while the engine started
 * @param kernelDropsVisible whether the kernel's drops could be read at all (a UDP socket's row in procfs); when false
 *                           they are in no count
 * @param heldAtClose        a packet a lossless ingress had refused and the feed still held at the close (UDP: 0 or 1)
 * @param leftAtClose        packets still queued in the socket or ring, not taken, when the run closed the feed (Aeron:
 *                           the messages the close drained from the subscription, {@code AeronFeed.leftAtClose()})
 * @param linkDowns          times the feed found its link gone down during the run ({@code AfPacketFeed.link().downs()});
 *                           0 for UDP, which has no link of its own
 * @param ringFreezes        times the kernel found the AF_PACKET feed's ring full during the run and froze it
 *                           ({@code AfPacketFeed.statistics().queueFreezes()}, {@code tp_freeze_q_cnt}): how often the
 *                           feed fell a whole ring behind; no drop count (its drops are in {@code kernelDrops}); 0 for UDP
 * @param dropsBeforeFirstPoll the part of {@code kernelDrops} that the feed's first poll found
 *                           ({@code overrunsBeforeFirstPoll()} of the UDP or AF_PACKET feed): dropped for a socket
 *                           buffer or ring that filled between the open and the first poll, while the engine started,
 *                           not because the feed fell behind; 0 for Aeron
 * @param freezesBeforeFirstPoll the part of {@code ringFreezes} that the AF_PACKET feed's first poll found
 *                           ({@code AfPacketFeed.queueFreezesBeforeFirstPoll()}), in the same read as
 *                           {@code dropsBeforeFirstPoll}; 0 for UDP
 * @param imagesJoined       images (publishers) that joined an Aeron feed's subscription
 *                           ({@code AeronFeed.imagesAvailable()}); 0 for other feeds
 * @param imagesGone         images gone while the Aeron feed was open ({@code AeronFeed.imagesUnavailable()})
 * @param bytesConsumed      bytes the Aeron feed's subscription consumed, frame headers and alignment included
 *                           ({@code AeronFeed.bytesConsumed()}); 0 for other feeds
 */
public record FeedCounts(String feed, String type, long packets, long kernelDrops, boolean kernelDropsVisible,
                         long heldAtClose, long leftAtClose, long linkDowns, long ringFreezes,
                         long dropsBeforeFirstPoll, long freezesBeforeFirstPoll, long imagesJoined, long imagesGone,
                         long bytesConsumed) {
    /** The JSON array of {@code steer run}, one object per UDP, AF_PACKET or Aeron feed. */
    public static final String JSON_ARRAY = "feed_counts";

    /** Counts of a feed with no images (UDP, AF_PACKET). */
    public FeedCounts(String feed, String type, long packets, long kernelDrops, boolean kernelDropsVisible,
                      long heldAtClose, long leftAtClose, long linkDowns, long ringFreezes,
                      long dropsBeforeFirstPoll, long freezesBeforeFirstPoll) {
        this(feed, type, packets, kernelDrops, kernelDropsVisible, heldAtClose, leftAtClose, linkDowns, ringFreezes,
            dropsBeforeFirstPoll, freezesBeforeFirstPoll, 0, 0, 0);
    }

    /**
     * An Aeron feed's counts: its {@code feed_overrun} is only what its close drained ({@code leftAtClose}); it has no
     * kernel drops of its own (what the media driver's socket drops, Aeron sends again), so none are visible.
     */
    public static FeedCounts aeron(String feed, long fragments, long leftAtClose, long imagesJoined, long imagesGone,
                                   long bytesConsumed) {
        return new FeedCounts(feed, "aeron", fragments, 0, false, 0, leftAtClose, 0, 0, 0, 0, imagesJoined,
            imagesGone, bytesConsumed);
    }

    /** Validates: names not null. */
    public FeedCounts {
        Objects.requireNonNull(feed, "feed name");
        Objects.requireNonNull(type, "feed type");
    }

    /** The feed's whole {@code feed_overrun}: dropped by the kernel while running, held and left at the close. */
    public long feedOverrun() {
        return kernelDrops + heldAtClose + leftAtClose;
    }

    /**
     * Whether the summary gives the feed a {@link #describe()} line: it overran, its link went down or its ring was
     * full, or it is an Aeron feed, whose images and bytes consumed are always said.
     */
    public boolean hasLine() {
        return feedOverrun() != 0 || linkDowns != 0 || ringFreezes != 0 || aeron();
    }

    private boolean aeron() {
        return "aeron".equals(type);
    }

    /**
     * {@code feed: FEED: feed_overrun N: } then the parts that are not 0, in this order: {@code B dropped by the kernel
     * before the first poll (the ring filled while the engine started, ring full F times)} (AF_PACKET; the freezes the
     * first poll found; UDP: {@code (the socket buffer filled while the engine started)}), {@code K dropped by the
     * kernel while running (socket buffer full), L left in the socket at close, 1 held by the feed at close}
     * ({@code ring} for AF_PACKET, whose kernel drops say how often the ring was full after the first poll:
     * {@code (ring full F times)}); then, when the ring was full after the first poll but the kernel dropped nothing
     * for it then, {@code ; ring full F times during the run, nothing dropped for it}; then, when the link went down,
     * {@code ; link down N times during the run} (each without what comes before when that is 0:
     * {@code feed: FEED: link down 1 time during the run}). An Aeron feed's overrun is {@code L left in
     * the subscription at close}, and its line ends with {@code J image(s) joined, G gone, B bytes consumed}.
     * Meant for a feed that {@link #hasLine()}. No line end.
     */
    public String describe() {
        final boolean udp = "udp".equals(type);
        final StringBuilder line = new StringBuilder(160).append("feed: ").append(feed).append(": ");
        final int head = line.length();
        if (feedOverrun() != 0) {
            line.append("feed_overrun ").append(Units.count(feedOverrun())).append(':');
            final int start = line.length();
            final long running = kernelDrops - dropsBeforeFirstPoll;
            final long runningFreezes = runningFreezes();
            final long freezesBefore = ringFreezes - runningFreezes;
            part(line, start, dropsBeforeFirstPoll, " dropped by the kernel before the first poll ("
                + (udp ? "the socket buffer" : "the ring") + " filled while the engine started"
                + (freezesBefore == 0 ? "" : ", ring full " + times(freezesBefore)) + ")");
            part(line, start, running, udp
                ? " dropped by the kernel while running (socket buffer full)"
                : " dropped by the kernel while running (ring full"
                + (runningFreezes == 0 ? "" : " " + times(runningFreezes)) + ")");
            part(line, start, leftAtClose, udp ? " left in the socket at close"
                : aeron() ? " left in the subscription at close" : " left in the ring at close");
            part(line, start, heldAtClose, " held by the feed at close");
        }
        if (runningFreezes() != 0 && kernelDrops == dropsBeforeFirstPoll) {
            next(line, head).append("ring full ").append(times(runningFreezes()))
                .append(" during the run, nothing dropped for it");
        }
        if (linkDowns != 0) {
            next(line, head).append("link down ").append(times(linkDowns)).append(" during the run");
        }
        if (aeron()) {
            next(line, head).append(Units.count(imagesJoined)).append(imagesJoined == 1 ? " image" : " images")
                .append(" joined, ").append(Units.count(imagesGone)).append(" gone, ")
                .append(Units.count(bytesConsumed)).append(" bytes consumed");
        }
        return line.toString();
    }

    /** The freezes that go with the drops while running: all of them when none were dropped before the first poll. */
    private long runningFreezes() {
        return dropsBeforeFirstPoll == 0 ? ringFreezes : ringFreezes - freezesBeforeFirstPoll;
    }

    /** {@code line} with {@code "; "} appended unless nothing follows {@code head} yet. */
    private static StringBuilder next(StringBuilder line, int head) {
        return line.length() == head ? line : line.append("; ");
    }

    private static String times(long count) {
        return Units.count(count) + (count == 1 ? " time" : " times");
    }

    /**
     * The {@link #describe()} line of every feed of {@code feeds} that {@link #hasLine() has one} (it overran, its
     * link went down or its ring was full), in order: what the text summary and the report page print. Allocates, off the data path.
     */
    public static List<String> lines(List<FeedCounts> feeds) {
        return feeds.stream().filter(FeedCounts::hasLine).map(FeedCounts::describe).toList();
    }

    private static void part(StringBuilder line, int start, long count, String what) {
        if (count != 0) {
            line.append(line.length() == start ? " " : ", ").append(Units.count(count)).append(what);
        }
    }

    /** Puts every field into {@code object} under its JSON name, even when 0. */
    public void toJson(ObjectNode object) {
        object.put("feed", feed).put("type", type).put("packets", packets).put("feed_overrun", feedOverrun())
            .put("kernel_drops", kernelDrops).put("kernel_drops_visible", kernelDropsVisible)
            .put("held_at_close", heldAtClose).put("left_at_close", leftAtClose).put("link_downs", linkDowns)
            .put("ring_freezes", ringFreezes).put("kernel_drops_before_first_poll", dropsBeforeFirstPoll)
            .put("ring_freezes_before_first_poll", freezesBeforeFirstPoll).put("images_joined", imagesJoined)
            .put("images_gone", imagesGone).put("bytes_consumed", bytesConsumed);
    }

    /** Reads one object {@link #toJson} wrote; a missing count reads as 0, a missing name as an empty string. */
    public static FeedCounts fromJson(JsonNode object) {
        return new FeedCounts(object.path("feed").asText(""), object.path("type").asText(""),
            object.path("packets").asLong(), object.path("kernel_drops").asLong(),
            object.path("kernel_drops_visible").asBoolean(), object.path("held_at_close").asLong(),
            object.path("left_at_close").asLong(), object.path("link_downs").asLong(),
            object.path("ring_freezes").asLong(), object.path("kernel_drops_before_first_poll").asLong(),
            object.path("ring_freezes_before_first_poll").asLong(), object.path("images_joined").asLong(),
            object.path("images_gone").asLong(), object.path("bytes_consumed").asLong());
    }

    /** Every object of the {@value #JSON_ARRAY} array of a run's JSON, in order; none when it has no such array. */
    public static List<FeedCounts> allFromJson(JsonNode runJson) {
        return JsonReport.readArray(runJson, JSON_ARRAY, FeedCounts::fromJson);
    }
}
