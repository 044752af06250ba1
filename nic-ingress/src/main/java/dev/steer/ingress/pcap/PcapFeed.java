package dev.steer.ingress.pcap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

import org.agrona.concurrent.UnsafeBuffer;

import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameSink;
import dev.steer.engine.stats.DropReason;

/**
 * Replays a classic pcap file (either byte order, microsecond or nanosecond timestamps, link type Ethernet)
 * as a {@link Feed}: one record is one frame. Reads the file through one reused direct buffer of
 * {@link PcapSettings#windowBytes()}, so memory is bounded whatever the file size and polling allocates
 * nothing. Every frame of a poll is stamped with one cached {@link System#nanoTime()} reading.
 *
 * <p>Accounting: a record is handed to {@link FrameSink#onFrame} with its captured length (records captured
 * shorter than their wire length are delivered as captured and counted in {@link #snapped()}); a record
 * with no captured bytes, and a record cut short by the end of the file, count one
 * {@link DropReason#FEED_TRUNCATED} drop each. {@link FrameSink#BACK_PRESSURED} leaves the record in place
 * for the next poll.
 *
 * <p>Damage: a cut or corrupt file ({@link PcapDamage.Reason}) ends the feed after every record before the
 * damage; the damage is kept ({@link #damage()}) and given once to the settings' listener. Poll never
 * throws. Open-time errors (missing file, not classic pcap, link type other than Ethernet) are
 * {@link IllegalArgumentException}s with a one-line message naming the file.
 *
 * <p>Thread contract: constructed on any thread, then polled by one thread at a time; the counters and
 * {@link #damage()} may be read from any thread. File reads are page-cache reads of at most the window
 * size, at most a few per poll.
 */
public final class PcapFeed implements Feed {
    /** Largest captured length of a record; a larger one is damage. */
    public static final int MAX_RECORD_LENGTH = 256 * 1024;

    private static final int RECORD_HEADER = PcapFormat.RECORD_HEADER_LENGTH;
    /** Reads tried per refill: a regular file fills the window in one unless at its end. */
    private static final int MAX_READS_PER_REFILL = 4;

    private final PcapSettings settings;
    private final Path file;
    private final FileChannel channel;
    private final ByteBuffer window;
    private final UnsafeBuffer view;
    private final ByteOrder order;
    private final long fractionNanos;
    private final long snaplen;
    private final boolean capturePace;
    private final double speed;

    // Poll thread only.
    private long windowStart;
    private int position;
    private int limit;
    private boolean endOfFile;
    private boolean ended;
    private boolean closed;
    private boolean paced;
    private long paceStartNanos;
    private long paceStartCaptureNs;

    // Single writer (the poll thread), published once per poll.
    private volatile long records;
    private volatile long snapped;
    private volatile long truncated;
    private volatile long passes;
    private volatile long listenerFailures;
    private volatile PcapDamage damage;

    /**
     * Opens the file and reads its header.
     *
     * @throws IllegalArgumentException when the file is missing or unreadable, is not classic pcap (an
     *                                  unsupported version), or its link type is not Ethernet
     */
    public PcapFeed(PcapSettings settings) {
        if (settings == null) {
            throw new IllegalArgumentException("settings=null: must be PcapSettings");
        }
        this.settings = settings;
        this.file = settings.path();
        this.capturePace = settings.pace() == PcapSettings.Pace.CAPTURE;
        this.speed = settings.speed();
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException("pcap file " + file + ": is a directory, not a pcap file");
        }
        try {
            this.channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException ex) {
            throw new IllegalArgumentException("pcap file " + file + ": does not exist");
        } catch (IOException | SecurityException ex) {
            throw new IllegalArgumentException("pcap file " + file + ": cannot be opened: " + ex);
        }
        this.window = ByteBuffer.allocateDirect(settings.windowBytes());
        this.view = new UnsafeBuffer(window);
        ByteOrder byteOrder = ByteOrder.LITTLE_ENDIAN;
        long fraction = 1000;
        long snap = 0;
        try {
            refill();
            final int magic = limit >= 4 ? view.getInt(0, ByteOrder.LITTLE_ENDIAN) : 0;
            if (limit == 0) {
                damageFound(0, PcapDamage.Reason.ZERO_LENGTH_FILE, "0 bytes");
            } else if (limit < 4) {
                damageFound(0, PcapDamage.Reason.HEADER_CUT, limit + " of " + PcapFormat.FILE_HEADER_LENGTH
                    + " header bytes");
            } else if (magic == PcapFormat.PCAPNG_SHB) {
                damageFound(0, PcapDamage.Reason.BAD_MAGIC, "pcapng is not supported, only classic pcap");
            } else if (magicOf(magic) == 0) {
                damageFound(0, PcapDamage.Reason.BAD_MAGIC, String.format("magic 0x%08x", magic));
            } else {
                byteOrder = magicOf(magic) > 0 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
                final int canonical = view.getInt(0, byteOrder);
                fraction = canonical == PcapFormat.MAGIC_NANOS ? 1 : 1000;
                if (limit < PcapFormat.FILE_HEADER_LENGTH) {
                    damageFound(0, PcapDamage.Reason.HEADER_CUT, limit + " of " + PcapFormat.FILE_HEADER_LENGTH
                        + " header bytes");
                } else {
                    final int major = view.getShort(PcapFormat.OFFSET_VERSION_MAJOR, byteOrder) & 0xffff;
                    final int minor = view.getShort(PcapFormat.OFFSET_VERSION_MINOR, byteOrder) & 0xffff;
                    if (major != PcapFormat.VERSION_MAJOR) {
                        throw new IllegalArgumentException("pcap file " + file + ": version " + major + "." + minor
                            + " is not classic pcap 2.x");
                    }
                    final int linkType = view.getInt(PcapFormat.OFFSET_NETWORK, byteOrder) & PcapFormat.LINKTYPE_MASK;
                    if (linkType != PcapFormat.LINKTYPE_ETHERNET) {
                        throw new IllegalArgumentException("pcap file " + file + ": link type " + linkType
                            + " is not supported, only Ethernet (1)");
                    }
                    snap = view.getInt(PcapFormat.OFFSET_SNAPLEN, byteOrder) & 0xffff_ffffL;
                    position = PcapFormat.FILE_HEADER_LENGTH;
                }
            }
        } catch (IOException ex) {
            closeQuietly();
            throw new IllegalArgumentException("pcap file " + file + ": cannot be read: " + ex);
        } catch (RuntimeException ex) {
            closeQuietly();
            throw ex;
        }
        this.order = byteOrder;
        this.fractionNanos = fraction;
        this.snaplen = snap;
    }

    /** 1 for a little-endian magic, -1 for a big-endian one, 0 for none; {@code magic} read little-endian. */
    private static int magicOf(int magic) {
        if (magic == PcapFormat.MAGIC_MICROS || magic == PcapFormat.MAGIC_NANOS) {
            return 1;
        }
        if (magic == Integer.reverseBytes(PcapFormat.MAGIC_MICROS) || magic == Integer.reverseBytes(PcapFormat.MAGIC_NANOS)) {
            return -1;
        }
        return 0;
    }

    /**
     * Hands at most {@code budget} records to {@code sink}; with {@link PcapSettings.Pace#CAPTURE} only those
     * that are due. Allocation-free; never throws for file content or I/O errors (they become damage).
     *
     * @return records taken (handed over or counted as {@code feed_truncated}), 0 when none is due,
     *         {@link Feed#END} once every pass is done or damage was found
     */
    @Override
    public int poll(FrameSink sink, int budget) {
        if (ended || closed) {
            return END;
        }
        final long now = System.nanoTime();
        int taken = 0;
        int handed = 0;
        int snappedNow = 0;
        int truncatedNow = 0;
        boolean rewound = false;
        try {
            while (taken < budget) {
                final long recordOffset = windowStart + position;
                if (!ensure(RECORD_HEADER)) {
                    if (!endOfFile) {
                        break; // a short read: try again on the next poll
                    }
                    if (limit == position) {
                        if (rewound) {
                            break; // one rewind per poll: a file without records looped forever stays bounded
                        }
                        passes++;
                        final long loops = settings.loops();
                        if (loops != PcapSettings.FOREVER && passes >= loops) {
                            ended = true;
                            break;
                        }
                        rewind();
                        rewound = true;
                        continue;
                    }
                    damageFound(recordOffset, PcapDamage.Reason.RECORD_HEADER_CUT,
                        (limit - position) + " of " + RECORD_HEADER + " record header bytes");
                    break;
                }
                final long included = view.getInt(position + PcapFormat.OFFSET_INCL_LEN, order) & 0xffff_ffffL;
                final long original = view.getInt(position + PcapFormat.OFFSET_ORIG_LEN, order) & 0xffff_ffffL;
                if (included > MAX_RECORD_LENGTH) {
                    damageFound(recordOffset, PcapDamage.Reason.RECORD_TOO_LARGE,
                        "incl_len " + included + " > " + MAX_RECORD_LENGTH);
                    break;
                }
                if (snaplen != 0 && included > snaplen) {
                    damageFound(recordOffset, PcapDamage.Reason.RECORD_ABOVE_SNAPLEN,
                        "incl_len " + included + " > snaplen " + snaplen);
                    break;
                }
                if (included > original) {
                    damageFound(recordOffset, PcapDamage.Reason.CAPTURED_ABOVE_ORIGINAL,
                        "incl_len " + included + " > orig_len " + original);
                    break;
                }
                if (capturePace && !due(now)) {
                    break;
                }
                final int length = (int) included;
                if (!ensure(RECORD_HEADER + length)) {
                    if (!endOfFile) {
                        break;
                    }
                    sink.onDropped(DropReason.FEED_TRUNCATED, 1);
                    truncatedNow++;
                    damageFound(recordOffset, PcapDamage.Reason.RECORD_DATA_CUT,
                        (limit - position - RECORD_HEADER) + " of incl_len " + length + " bytes");
                    break;
                }
                if (length == 0) {
                    sink.onDropped(DropReason.FEED_TRUNCATED, 1);
                    truncatedNow++;
                } else {
                    if (sink.onFrame(view, position + RECORD_HEADER, length, now) == FrameSink.BACK_PRESSURED) {
                        break;
                    }
                    handed++;
                    if (included < original) {
                        snappedNow++;
                    }
                }
                position += RECORD_HEADER + length;
                taken++;
            }
        } catch (IOException ex) {
            damageFound(windowStart + position, PcapDamage.Reason.READ_ERROR, ex.toString());
        }
        if (handed != 0) {
            records += handed;
        }
        if (snappedNow != 0) {
            snapped += snappedNow;
        }
        if (truncatedNow != 0) {
            truncated += truncatedNow;
        }
        return taken == 0 && ended ? END : taken;
    }

    /** Whether the record at {@code position} is due at {@code now}; starts the pace clock on a pass' first record. */
    private boolean due(long now) {
        final long captureNs = (view.getInt(position + PcapFormat.OFFSET_TS_SEC, order) & 0xffff_ffffL) * 1_000_000_000L
            + (view.getInt(position + PcapFormat.OFFSET_TS_FRACTION, order) & 0xffff_ffffL) * fractionNanos;
        if (!paced) {
            paced = true;
            paceStartNanos = now;
            paceStartCaptureNs = captureNs;
            return true;
        }
        // Records earlier than the pass' first (an unordered capture) are due at once.
        final long offset = (long) ((captureNs - paceStartCaptureNs) / speed);
        return now - (paceStartNanos + offset) >= 0;
    }

    /** Makes {@code needed} bytes from {@code position} available; false when the file ends first. */
    private boolean ensure(int needed) throws IOException {
        if (limit - position >= needed) {
            return true;
        }
        if (endOfFile) {
            return false;
        }
        window.limit(limit).position(position);
        window.compact();
        windowStart += position;
        limit -= position;
        position = 0;
        refill();
        return limit - position >= needed;
    }

    /** Reads from the file after {@code limit} until the window is full or the file ends. */
    private void refill() throws IOException {
        window.limit(window.capacity()).position(limit);
        for (int i = 0; i < MAX_READS_PER_REFILL && window.hasRemaining(); i++) {
            final int read = channel.read(window, windowStart + limit);
            if (read < 0) {
                endOfFile = true;
                break;
            }
            limit += read;
        }
    }

    /** Back to the first record for the next pass; re-reads nothing when the whole file is in the window. */
    private void rewind() {
        paced = false;
        if (windowStart == 0 && endOfFile) {
            position = PcapFormat.FILE_HEADER_LENGTH;
            return;
        }
        windowStart = PcapFormat.FILE_HEADER_LENGTH;
        position = 0;
        limit = 0;
        endOfFile = false;
    }

    private void damageFound(long offset, PcapDamage.Reason reason, String detail) {
        ended = true;
        final PcapDamage found = new PcapDamage(file, offset, reason, detail);
        damage = found;
        if (settings.damageListener() != null) {
            try {
                settings.damageListener().accept(found);
            } catch (RuntimeException ex) {
                // Poll must not throw; the damage stays readable through damage().
                listenerFailures++;
            }
        }
    }

    /** The damage that ended the feed, if any. Any thread. */
    public Optional<PcapDamage> damage() {
        return Optional.ofNullable(damage);
    }

    /** Records handed to the sink so far (every pass). Any thread. */
    public long records() {
        return records;
    }

    /** Records handed over that were captured shorter than their wire length. Any thread. */
    public long snapped() {
        return snapped;
    }

    /** Records counted as {@code feed_truncated} drops: empty records and a record cut by the end of the file. */
    public long truncated() {
        return truncated;
    }

    /** Passes over the file completed. Any thread. */
    public long passes() {
        return passes;
    }

    /** Times the damage listener threw (the exception is dropped so that poll does not throw). */
    public long listenerFailures() {
        return listenerFailures;
    }

    /** True once the feed has ended: every pass done, damage found, or closed. */
    public boolean ended() {
        return ended || closed;
    }

    /** The settings the feed was opened with. */
    public PcapSettings settings() {
        return settings;
    }

    @Override
    public String name() {
        return settings.name();
    }

    /** Closes the file; later polls return {@link Feed#END}. Idempotent. */
    @Override
    public void close() {
        closed = true;
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            channel.close();
        } catch (IOException ex) {
            // Nothing to recover for a read-only file; the feed is finished either way.
        }
    }
}
