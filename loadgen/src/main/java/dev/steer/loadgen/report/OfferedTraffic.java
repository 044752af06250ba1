package dev.steer.loadgen.report;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.steer.loadgen.stats.Units;

/**
 * What the traffic of a run amounted to, counted where it was made (the synthetic feeds, or the senders of this
 * process), and whether the rate asked was reached: the {@code traffic:} line of the text summary, the rate
 * warning (on stderr, as the commands' other warnings), the {@code traffic} object of the JSON. Bytes are frame lengths, Ethernet header to payload, without the
 * 4-byte FCS the wire sizes of a traffic profile count (a {@code 1518} size is 1514 bytes here).
 *
 * <p>The rate is a ceiling (docs/traffic.md, "Rate"): when fewer than {@value #REACHED_PERCENT} % of the frames
 * asked for were offered over the run, the summary says so ({@link #warning}). Immutable; any thread; formatting
 * allocates, off the data path.
 *
 * @param frames    frames taken from the synthetic feeds, or sent by the senders: the frames {@link #bytes} counts
 * @param offered   frames made at the rate, whatever became of them: the frames a synthetic feed handed over, or every
 *                  frame a sender made, those its output refused or dropped included ({@code SendLoop.made()}); what
 *                  the rate asked is compared with
 * @param bytes     their bytes, or {@link #NOT_COUNTED} where nothing of this process made the traffic
 * @param countedAt {@code feed} (synthetic feeds), {@code sender} (this process' senders) or null (not counted)
 * @param rateAsked the rate asked in packets/s, the total over every queue, on average with an on/off pattern (below 1
 *                  when the pattern keeps it so); 0 when none was ({@code max})
 * @param seconds   the time the frames were offered in, not negative
 */
public record OfferedTraffic(long frames, long offered, long bytes, String countedAt, double rateAsked,
                             double seconds) {
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

    /** True when a rate was asked and fewer than {@value #REACHED_PERCENT} % of its frames were offered. */
    public boolean rateMissed() {
        return rateAsked > 0 && seconds > 0 && offered * 100.0 < rateAsked * seconds * REACHED_PERCENT;
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
     * that make the traffic, and the two causes (short of CPU, or back-pressured); null when the rate was reached or none
     * was asked. No line end.
     */
    public String warning(String threads) {
        if (!rateMissed()) {
            return null;
        }
        return "warning: rate not reached: " + asked() + " pkt/s asked, " + Units.rate(offeredPps())
            + " pkt/s offered (" + String.format(java.util.Locale.ROOT, "%.1f", 100 * offeredPps() / rateAsked)
            + " %). The rate is a ceiling: " + threads + " could not go faster: short of CPU (sharing cores with the"
            + " consumers or other busy threads), or held back by what they send into (a full ring in lossless mode, an"
            + " Aeron publication back-pressured by its subscriber)";
    }

    /** The rate asked as the warning says it: a whole one with thousands separators, one below 1 to three digits. */
    private String asked() {
        if (rateAsked == Math.rint(rateAsked)) {
            return Units.count((long) rateAsked);
        }
        return new java.math.BigDecimal(rateAsked).round(new java.math.MathContext(3)).stripTrailingZeros()
            .toPlainString();
    }

    /**
     * Fills {@code node} with {@code frames}, {@code bytes}, {@code counted_at}, {@code avg_bits_per_s},
     * {@code offered_pps}, {@code rate_asked_pps} and {@code rate_reached}; always every key, null where not known.
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
        node.put("offered_pps", offeredPps());
        if (rateAsked > 0) {
            if (rateAsked == Math.rint(rateAsked)) {
                node.put("rate_asked_pps", (long) rateAsked);
            } else {
                node.put("rate_asked_pps", rateAsked);
            }
            node.put("rate_reached", !rateMissed());
        } else {
            node.putNull("rate_asked_pps");
            node.putNull("rate_reached");
        }
    }
}
