package dev.steer.loadgen.report;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.steer.loadgen.stats.Units;

/**
 * What the traffic of a run amounted to, counted where it was made (the synthetic feeds, or the senders of this
 * process), and whether the rate asked was reached: the {@code traffic:} line of the text summary, the rate
 * warning (on stderr, as the commands' other warnings), the {@code traffic} object of the JSON. Bytes are frame
 * lengths, Ethernet header to payload, without the 4-byte FCS the wire sizes of a traffic profile count (a
 * {@code 1518} size is 1514 bytes here).
 *
 * <p>The rate is a ceiling (docs/traffic.md, "Rate"): when fewer than {@value #REACHED_PERCENT} % of the frames
 * asked for were offered in the time the threads making them had ({@link #makingSeconds}), the summary says so
 * ({@link #warning}); a time shorter than {@link #MIN_SECONDS_TO_SAY} says nothing either way. Immutable; any thread;
 * formatting allocates, off the data path.
 *
 * @param frames    frames taken from the synthetic feeds, or sent by the senders: the frames {@link #bytes} counts
 * @param offered   frames made at the rate, whatever became of them: the frames a synthetic feed handed over, or every
 *                  frame a sender made, those its output refused or dropped included ({@code SendLoop.made()}); what
 *                  the rate asked is compared with
 * @param bytes     their bytes, or {@link #NOT_COUNTED} where nothing of this process made the traffic
 * @param countedAt {@code feed} (synthetic feeds), {@code sender} (this process' senders) or null (not counted)
 * @param rateAsked the rate asked in packets/s, the total over every queue, on average with an on/off pattern (below 1
 *                  when the pattern keeps it so); 0 when none was ({@code max})
 * @param seconds   the run's time, not negative: what {@link #offeredPps()} and {@link #bitsPerSecond()} divide by
 * @param makingSeconds the time the threads making the frames had to make them, not negative: the senders' own
 *                  sending time (from their start to their stop, not the run's set-up of them), or the run's for a
 *                  synthetic feed; what the rate asked is measured over
 */
public record OfferedTraffic(long frames, long offered, long bytes, String countedAt, double rateAsked,
                             double seconds, double makingSeconds) {
    /**
     * Shortest making time over which the rate is judged, in seconds. A maker starts late by milliseconds (a thread's
     * start, an ingress' first poll after an idle park, the first frame's classes; tens of them on a loaded 2-core
     * machine): over less than this, such a start alone is more than the {@code 100 - }{@value #REACHED_PERCENT} % the
     * rate may be missed by (a run stopped by Ctrl-C in its first 10 ms had offered nothing, "0.0 %").
     */
    public static final double MIN_SECONDS_TO_SAY = 0.1;
    /** {@link #bytes} when nothing of this process made the traffic (pcap, AF_PACKET, an external sender). */
    public static final long NOT_COUNTED = -1;
    /** Below this share of the rate asked, the rate counts as not reached. */
    public static final int REACHED_PERCENT = 90;

    /** Frames offered per second ({@link #offered}); 0 over no time. */
    public double offeredPps() {
        return seconds > 0 ? offered / seconds : 0;
    }

    /** Average bits per second of the bytes counted; 0 over no time. */
    public double bitsPerSecond() {
        return seconds > 0 && bytes > 0 ? bytes * 8.0 / seconds : 0;
    }

    /** Traffic whose makers had one time and the run's alike: a synthetic feed's, or steer loadgen's own sender's. */
    public OfferedTraffic(long frames, long offered, long bytes, String countedAt, double rateAsked, double seconds) {
        this(frames, offered, bytes, countedAt, rateAsked, seconds, seconds);
    }

    /**
     * True when a rate was asked and the makers had at least {@link #MIN_SECONDS_TO_SAY} to show whether they reach it:
     * {@link #rateMissed()} then says whether they did.
     */
    public boolean rateJudged() {
        return rateAsked > 0 && makingSeconds >= MIN_SECONDS_TO_SAY;
    }

    /**
     * True when the rate is judged ({@link #rateJudged()}) and fewer than {@value #REACHED_PERCENT} % of its frames
     * were offered in the making time.
     */
    public boolean rateMissed() {
        return rateJudged() && offered * 100.0 < rateAsked * makingSeconds * REACHED_PERCENT;
    }

    /**
     * {@code traffic: N frames, B bytes (...), avg R b/s}, or null when the bytes were not counted. No line end.
     */
    public String line() {
        if (bytes == NOT_COUNTED) {
            return null;
        }
        return "traffic: " + Units.count(frames) + " frames, " + Units.count(bytes) + " bytes (frame lengths as "
            + ("feed".equals(countedAt) ? "the feed handed them to the engine" : "sent") + ", without the 4-byte FCS),"
            + " avg " + Units.bits(bitsPerSecond());
    }

    /**
     * {@code warning: rate not reached: R pkt/s asked, O pkt/s offered (P %): ...} naming {@code threads}, the threads
     * that make the traffic, and the two causes (short of CPU, or back-pressured); O over the making time. Null when
     * the rate was reached, none was asked, or the makers had too little time to say. No line end.
     */
    public String warning(String threads) {
        if (!rateMissed()) {
            return null;
        }
        final double made = offered / makingSeconds;
        return "warning: rate not reached: " + asked() + " pkt/s asked, " + Units.rate(made)
            + " pkt/s offered (" + String.format(java.util.Locale.ROOT, "%.1f", 100 * made / rateAsked)
            + " %). The rate is a ceiling: " + threads + " could not go faster: short of CPU (sharing cores with the"
            + " consumers or other busy threads), or held back by what they send into (a full ring in lossless mode, an"
            + " Aeron publication back-pressured by its subscriber)";
    }

    /**
     * The rate asked as the warning says it: a whole one with thousands separators; another from 1,000 on with them and
     * one decimal ({@code 333,333.3}); one below 1,000 to three significant digits ({@code 0.28}, {@code 33.3}).
     */
    private String asked() {
        if (rateAskedWhole()) {
            return Units.count((long) rateAsked);
        }
        if (rateAsked >= 1_000) {
            return String.format(java.util.Locale.ROOT, "%,.1f", rateAsked);
        }
        return new java.math.BigDecimal(rateAsked).round(new java.math.MathContext(3)).stripTrailingZeros()
            .toPlainString();
    }

    /** True when the rate asked is a whole number of packets/s: said, and put in the JSON, without a fraction. */
    private boolean rateAskedWhole() {
        return rateAsked == Math.rint(rateAsked);
    }

    /**
     * Fills {@code node} with {@code frames}, {@code bytes}, {@code counted_at}, {@code avg_bits_per_s},
     * {@code offered_frames}, {@code offered_pps}, {@code making_s}, {@code rate_asked_pps} and {@code rate_reached};
     * always every key, null where not known ({@code making_s} where nothing of this process made the traffic,
     * {@code rate_reached} also where the makers had too little time to say: {@link #rateJudged()}). A reader derives
     * {@code rate_reached} from the others as {@link #rateMissed()} does: {@code offered_frames * 100 >=
     * rate_asked_pps * making_s * 90}, judged only with a rate asked and {@code making_s >= 0.1}.
     */
    public void toJson(ObjectNode node) {
        node.put("frames", frames);
        if (bytes == NOT_COUNTED) {
            node.putNull("bytes");
            node.putNull("avg_bits_per_s");
        } else {
            node.put("bytes", bytes);
            node.put("avg_bits_per_s", bitsPerSecond());
        }
        node.put("counted_at", countedAt);
        node.put("offered_frames", offered);
        node.put("offered_pps", offeredPps());
        if (countedAt == null) {
            node.putNull("making_s");
        } else {
            node.put("making_s", makingSeconds);
        }
        if (rateAsked > 0) {
            if (rateAskedWhole()) {
                node.put("rate_asked_pps", (long) rateAsked);
            } else {
                node.put("rate_asked_pps", rateAsked);
            }
            if (rateJudged()) {
                node.put("rate_reached", !rateMissed());
            } else {
                node.putNull("rate_reached");
            }
        } else {
            node.putNull("rate_asked_pps");
            node.putNull("rate_reached");
        }
    }
}
