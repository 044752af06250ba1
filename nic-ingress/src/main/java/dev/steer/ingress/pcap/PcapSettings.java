package dev.steer.ingress.pcap;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Settings of a {@link PcapFeed}, validated once by the canonical constructor: a bad value is an
 * {@link IllegalArgumentException} naming the setting, the value and what is allowed.
 *
 * @param path           the capture file to replay: classic pcap or pcapng
 * @param name           feed name for statistics and messages
 * @param pace           {@link Pace#FAST} or {@link Pace#CAPTURE}; default {@link #DEFAULT_PACE}
 * @param speed          factor on the capture's pace ({@code 2.0} = twice as fast); used with {@link Pace#CAPTURE} only
 * @param loops          passes over the file: 1 = once (default), 0 = forever, n = n passes
 * @param windowBytes    size of the one read buffer; bounds the feed's memory whatever the file size
 * @param damageListener told once, on the thread that finds it, when the file turns out damaged; may be null
 * @param maxGap         with {@link Pace#CAPTURE}, the longest wait between two records: a longer gap in the
 *                       capture (an idle spell, or a damaged timestamp years ahead) is cut to it
 */
public record PcapSettings(Path path, String name, Pace pace, double speed, long loops, int windowBytes,
                           Consumer<PcapDamage> damageListener, Duration maxGap) {
    /** How fast records are replayed. */
    public enum Pace {
        /** As fast as the ingress polls. */
        FAST,
        /** With the capture's own gaps between records, divided by {@code speed}. */
        CAPTURE
    }

    /** Default pace: as fast as possible. */
    public static final Pace DEFAULT_PACE = Pace.FAST;
    /** Default speed factor for {@link Pace#CAPTURE}: the capture's own pace. */
    public static final double DEFAULT_SPEED = 1.0;
    /** Default passes over the file: once. */
    public static final long DEFAULT_LOOPS = 1;
    /** Value of {@code loops} that replays forever. */
    public static final long FOREVER = 0;
    /** Default read buffer: 1 MiB. */
    public static final int DEFAULT_WINDOW_BYTES = 1 << 20;
    /**
     * Smallest read buffer: one largest pcapng block that is read, which also holds one largest classic record with
     * its header.
     */
    public static final int MIN_WINDOW_BYTES = Math.max(PcapFeed.MAX_BLOCK_LENGTH,
        PcapFeed.MAX_RECORD_LENGTH + PcapFormat.RECORD_HEADER_LENGTH);
    /** Largest read buffer: 64 MiB. */
    public static final int MAX_WINDOW_BYTES = 64 << 20;
    /** Default longest wait between two records at capture pace. */
    public static final Duration DEFAULT_MAX_GAP = Duration.ofSeconds(1);
    /** Longest {@code maxGap}: a day. */
    public static final Duration MAX_MAX_GAP = Duration.ofDays(1);

    /** Validates every setting. */
    public PcapSettings {
        if (path == null) {
            throw new IllegalArgumentException("path=null: must name a pcap file");
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name='" + name + "': must not be blank");
        }
        if (pace == null) {
            throw new IllegalArgumentException("pace=null: must be FAST or CAPTURE");
        }
        if (!(speed > 0) || Double.isInfinite(speed)) {
            throw new IllegalArgumentException("speed=" + speed + ": must be a finite number above 0");
        }
        if (loops < 0) {
            throw new IllegalArgumentException("loops=" + loops + ": must be 0 (forever) or a number of passes >= 1");
        }
        if (windowBytes < MIN_WINDOW_BYTES || windowBytes > MAX_WINDOW_BYTES) {
            throw new IllegalArgumentException("windowBytes=" + windowBytes + ": must be " + MIN_WINDOW_BYTES + ".."
                + MAX_WINDOW_BYTES);
        }
        if (maxGap == null || maxGap.isNegative() || maxGap.isZero() || maxGap.compareTo(MAX_MAX_GAP) > 0) {
            throw new IllegalArgumentException("maxGap=" + maxGap + ": must be above 0 and at most " + MAX_MAX_GAP);
        }
    }

    /** Settings for {@code path} with every other setting at its default; the name is {@code pcap:<file name>}. */
    public static PcapSettings of(Path path) {
        final Path fileName = path == null ? null : path.getFileName();
        return new PcapSettings(path, "pcap:" + fileName, DEFAULT_PACE, DEFAULT_SPEED, DEFAULT_LOOPS,
            DEFAULT_WINDOW_BYTES, null, DEFAULT_MAX_GAP);
    }

    /** A copy with another name. */
    public PcapSettings withName(String newName) {
        return new PcapSettings(path, newName, pace, speed, loops, windowBytes, damageListener, maxGap);
    }

    /** A copy with another pace and speed factor. */
    public PcapSettings withPace(Pace newPace, double newSpeed) {
        return new PcapSettings(path, name, newPace, newSpeed, loops, windowBytes, damageListener, maxGap);
    }

    /** A copy with another number of passes (0 = forever). */
    public PcapSettings withLoops(long newLoops) {
        return new PcapSettings(path, name, pace, speed, newLoops, windowBytes, damageListener, maxGap);
    }

    /** A copy with another read buffer size. */
    public PcapSettings withWindowBytes(int newWindowBytes) {
        return new PcapSettings(path, name, pace, speed, loops, newWindowBytes, damageListener, maxGap);
    }

    /** A copy with another longest wait between two records at capture pace. */
    public PcapSettings withMaxGap(Duration newMaxGap) {
        return new PcapSettings(path, name, pace, speed, loops, windowBytes, damageListener, newMaxGap);
    }

    /** A copy with a damage listener. */
    public PcapSettings withDamageListener(Consumer<PcapDamage> listener) {
        return new PcapSettings(path, name, pace, speed, loops, windowBytes, listener, maxGap);
    }
}
