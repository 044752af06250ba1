package dev.steer.ingress.pcap;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;

import org.agrona.concurrent.UnsafeBuffer;

import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameSink;
import dev.steer.engine.stats.DropReason;

/**
 * Replays a capture file as a {@link Feed}: one packet is one frame. Reads classic pcap (either byte order,
 * microsecond or nanosecond timestamps, link type Ethernet, LINUX_SLL or LINUX_SLL2) and pcapng (sections in either
 * byte order, interfaces with their own link type, snaplen, {@code if_tsresol} and {@code if_tsoffset}; enhanced,
 * simple and obsolete packet blocks; every other block skipped by its length). The format is told by the first
 * four bytes. A packet of a Linux cooked capture ({@code tcpdump -i any}) is handed over as an Ethernet frame: its
 * cooked header is rewritten in place in the read buffer into an Ethernet header ({@link LinuxCooked} says how the
 * fields are filled), and its captured and original lengths shrink by the difference; such packets are counted in
 * {@link #convertedLinuxSll()} and {@link #convertedLinuxSll2()}. Reads the file through one reused direct buffer of
 * {@link PcapSettings#windowBytes()}, so memory is bounded whatever the file size and polling allocates nothing.
 * Every frame of a poll is stamped with one cached {@link System#nanoTime()} reading.
 *
 * <p>Accounting: a packet is handed to {@link FrameSink#onFrame} with its captured length (packets captured
 * shorter than their wire length are delivered as captured and counted in {@link #snapped()}, packets captured
 * longer than the snaplen their file or interface states are delivered whole and counted in {@link #aboveSnaplen()},
 * as libpcap reads them too, not damage); a packet with
 * no captured bytes, and a packet cut short by the end of the file, count one {@link DropReason#FEED_TRUNCATED}
 * drop each, as does a Linux cooked packet captured shorter than its cooked header. A pcapng packet on an interface
 * whose link type is neither Ethernet nor Linux cooked capture, and a Linux cooked packet whose protocol is no
 * EtherType (802.2, CAN...), cannot be an Ethernet frame: it counts one {@link #FOREIGN_LINK_DROP} drop and
 * {@link #foreignLink()}. {@link FrameSink#BACK_PRESSURED} leaves the
 * packet in place for the next poll.
 *
 * <p>A capture without packets (a valid header and nothing after it, or only blocks without packets) ends
 * after its first pass whatever {@code loops} says, and says so through {@link #emptyCapture()}.
 *
 * <p>Damage: a cut or corrupt file ({@link PcapDamage.Reason}) ends the feed after every packet before the
 * damage; the damage is kept ({@link #damage()}) and given once to the settings' listener. Poll never
 * throws. Open-time errors (missing file, an unsupported version, a classic file whose link type is neither
 * Ethernet nor Linux cooked capture) are {@link IllegalArgumentException}s with a one-line message naming the file.
 *
 * <p>Thread contract: constructed on any thread, then polled by one thread at a time; the counters and
 * {@link #damage()} may be read from any thread. File reads are page-cache reads of at most the window
 * size, at most a few per poll.
 */
public final class PcapFeed implements Feed {
    /** Largest captured length of a packet; a larger one is damage. */
    public static final int MAX_RECORD_LENGTH = 256 * 1024;
    /**
     * Largest pcapng block that is read (a largest packet with room for its header and options): a section header,
     * interface or packet block with a larger block total length is damage. Those are read whole into the window,
     * which is at least this large; a larger block without a packet is skipped by its length without being read.
     */
    public static final int MAX_BLOCK_LENGTH = MAX_RECORD_LENGTH + 64 * 1024;
    /**
     * The drop reason of a pcapng packet on an interface neither Ethernet nor Linux cooked, and of a Linux cooked
     * packet whose protocol is no EtherType: the feed received it but cannot hand it over as an Ethernet frame, the
     * same outcome as a packet it received cut short. {@link #foreignLink()} tells these drops apart from truncated
     * packets.
     */
    public static final DropReason FOREIGN_LINK_DROP = DropReason.FEED_TRUNCATED;
    /**
     * With {@link PcapSettings.Pace#CAPTURE}, how far (in capture time) a packet may lie behind the latest capture time
     * of its pass and still move no schedule; one further behind restarts the pacing from it and counts in {@link
     * #pacingRestarts()}. Five seconds: {@code dumpcap} (and tshark and Wireshark, which capture through it) with
     * several interfaces writes each interface's packets in batches of well under a second, so such files step back
     * that far at every batch and must replay in as long as they lasted; captures concatenated without {@code mergecap}
     * (and a damaged timestamp) step back by the whole first capture, mostly far more. Fixed and in capture time:
     * neither {@code maxGap} nor {@code speed} changes which packets restart the pacing. When a first capture of at
     * most this length is concatenated with a second one, the second's packets captured before the first one's last are
     * due at once, as a batch would be.
     */
    public static final Duration PACING_RESTART_STEP_BACK = Duration.ofSeconds(5);
    private static final long PACING_RESTART_STEP_BACK_NS = PACING_RESTART_STEP_BACK.toNanos();

    private final PcapSettings settings;
    private final Path file;
    private final FileChannel channel;
    private final CaptureWindow window;
    private final UnsafeBuffer view;
    private final CaptureReader reader;
    private final boolean pcapng;
    private final boolean capturePace;
    private final double speed;
    /** The longest wait between two records, in replay (wall-clock) time. */
    private final long maxGapNs;

    // Poll thread only.
    private boolean ended;
    private boolean closed;
    private boolean paced;
    /** Whether the current pass has found a packet (handed over or dropped) or damage yet. */
    private boolean packetInPass;
    /** When the packet at {@link #latestCaptureNs} was due (its scheduled time, not when it was polled). */
    private long scheduledNanos;
    /** The latest capture time handed over in this pass, the one the next packets are paced from. */
    private long latestCaptureNs;

    // Single writer (the poll thread), published once per poll.
    private volatile long records;
    private volatile long snapped;
    private volatile long aboveSnaplen;
    private volatile long truncated;
    private volatile long foreignLink;
    private volatile long convertedLinuxSll;
    private volatile long convertedLinuxSll2;
    private volatile long passes;
    private volatile long gapsCut;
    private volatile long pacingRestarts;
    private volatile long skippedBlocks;
    private volatile long unknownBlocks;
    private volatile long listenerFailures;
    private volatile PcapDamage damage;
    private volatile boolean emptyCapture;

    /**
     * Opens the file and reads its header.
     *
     * @throws IllegalArgumentException when the file is missing, unreadable or not a regular file, is classic pcap of a version
     *                                  other than 2.x or with a link type other than Ethernet, LINUX_SLL or
     *                                  LINUX_SLL2, or is pcapng of a
     *                                  version other than 1.x
     */
    public PcapFeed(PcapSettings settings) {
        if (settings == null) {
            throw new IllegalArgumentException("settings=null: must be PcapSettings");
        }
        this.settings = settings;
        this.file = settings.path();
        this.capturePace = settings.pace() == PcapSettings.Pace.CAPTURE;
        this.speed = settings.speed();
        this.maxGapNs = settings.maxGap().toNanos();
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException("pcap file " + file + ": is a directory, not a pcap file");
        }
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            // A FIFO or a device: opening a FIFO blocks until a writer comes, and neither can be replayed in loops.
            throw new IllegalArgumentException("pcap file " + file + ": is not a regular file (a pipe or a device)");
        }
        try {
            this.channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException ex) {
            throw new IllegalArgumentException("pcap file " + file + ": does not exist");
        } catch (IOException | SecurityException ex) {
            throw new IllegalArgumentException("pcap file " + file + ": cannot be opened: " + ex);
        }
        this.window = new CaptureWindow(channel, settings.windowBytes());
        this.view = window.view;
        try {
            window.refill();
            final int limit = window.limit;
            final int magic = limit >= 4 ? view.getInt(0, ByteOrder.LITTLE_ENDIAN) : 0;
            this.pcapng = magic == PcapFormat.PCAPNG_SHB;
            if (pcapng) {
                final PcapngReader ng = new PcapngReader(window, file);
                this.reader = ng;
                if (ng.open() == CaptureReader.DAMAGED) {
                    damageFound(ng);
                }
            } else {
                this.reader = openClassic(limit, magic);
            }
        } catch (IOException ex) {
            closeQuietly();
            throw new IllegalArgumentException("pcap file " + file + ": cannot be read: " + ex);
        } catch (RuntimeException ex) {
            closeQuietly();
            throw ex;
        }
    }

    /** Checks the classic file header; damage ends the feed before its first poll. */
    private CaptureReader openClassic(int limit, int magic) {
        ByteOrder byteOrder = ByteOrder.LITTLE_ENDIAN;
        long fraction = 1000;
        long snap = 0;
        int fcs = 0;
        int linkType = PcapFormat.LINKTYPE_ETHERNET;
        if (limit == 0) {
            damageFound(0, PcapDamage.Reason.ZERO_LENGTH_FILE, "0 bytes");
        } else if (limit < 4) {
            damageFound(0, PcapDamage.Reason.HEADER_CUT, limit + " of " + PcapFormat.FILE_HEADER_LENGTH
                + " header bytes");
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
                final int network = view.getInt(PcapFormat.OFFSET_NETWORK, byteOrder);
                linkType = network & PcapFormat.LINKTYPE_MASK;
                if (linkType != PcapFormat.LINKTYPE_ETHERNET && !LinuxCooked.isCooked(linkType)) {
                    throw new IllegalArgumentException("pcap file " + file + ": "
                        + PcapFormat.unsupportedLinkType(linkType));
                }
                snap = view.getInt(PcapFormat.OFFSET_SNAPLEN, byteOrder) & 0xffff_ffffL;
                fcs = PcapFormat.fcsBytes(network);
                window.position = PcapFormat.FILE_HEADER_LENGTH;
            }
        }
        return new ClassicPcapReader(window, byteOrder, fraction, snap, fcs, linkType);
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
     * Hands at most {@code budget} packets to {@code sink}; with {@link PcapSettings.Pace#CAPTURE} only those
     * that are due. Allocation-free; never throws for file content or I/O errors (they become damage).
     *
     * @return packets taken (handed over or counted as drops), 0 when none is due,
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
        int aboveSnaplenNow = 0;
        int truncatedNow = 0;
        int foreignNow = 0;
        int sllNow = 0;
        int sll2Now = 0;
        try {
            while (taken < budget) {
                final int found = reader.next();
                if (found == CaptureReader.WAIT) {
                    break; // a short read, or many blocks without packets: go on with the next poll
                }
                if (found == CaptureReader.END_OF_FILE) {
                    passes++;
                    if (!packetInPass) {
                        // The capture has no packets: looping it would idle forever instead of ending.
                        emptyCapture = true;
                        ended = true;
                        break;
                    }
                    final long loops = settings.loops();
                    if (loops != PcapSettings.FOREVER && passes >= loops) {
                        ended = true;
                        break;
                    }
                    reader.rewind();
                    paced = false;
                    packetInPass = false;
                    continue;
                }
                if (found == CaptureReader.DAMAGED) {
                    if (reader.damageCutPacket) {
                        sink.onDropped(DropReason.FEED_TRUNCATED, 1);
                        truncatedNow++;
                    }
                    damageFound(reader);
                    break;
                }
                packetInPass = true;
                if (capturePace && reader.timed && !due(now, reader.timestampNs)) {
                    break;
                }
                if (found == CaptureReader.DROP) {
                    sink.onDropped(reader.dropReason, 1);
                    if (reader.foreignLink) {
                        foreignNow++;
                    }
                } else if (reader.frameLength() == 0) {
                    sink.onDropped(DropReason.FEED_TRUNCATED, 1);
                    truncatedNow++;
                } else {
                    if (sink.onFrame(view, reader.dataOffset, reader.frameLength(), now) == FrameSink.BACK_PRESSURED) {
                        break;
                    }
                    handed++;
                    if (reader.cookedLinkType == PcapFormat.LINKTYPE_LINUX_SLL) {
                        sllNow++;
                    } else if (reader.cookedLinkType == PcapFormat.LINKTYPE_LINUX_SLL2) {
                        sll2Now++;
                    }
                    if (reader.frameLength() < reader.originalLength - reader.fcsLength) {
                        snappedNow++;
                    }
                    if (reader.aboveSnaplen) {
                        aboveSnaplenNow++;
                    }
                }
                reader.consume();
                taken++;
            }
        } catch (IOException ex) {
            damageFound(window.offset(), PcapDamage.Reason.READ_ERROR, ex.toString());
        }
        if (handed != 0) {
            records += handed;
        }
        if (snappedNow != 0) {
            snapped += snappedNow;
        }
        if (aboveSnaplenNow != 0) {
            aboveSnaplen += aboveSnaplenNow;
        }
        if (truncatedNow != 0) {
            truncated += truncatedNow;
        }
        if (foreignNow != 0) {
            foreignLink += foreignNow;
        }
        if (sllNow != 0) {
            convertedLinuxSll += sllNow;
        }
        if (sll2Now != 0) {
            convertedLinuxSll2 += sll2Now;
        }
        if (reader instanceof PcapngReader ng && ng.skippedBlocks != skippedBlocks) {
            skippedBlocks = ng.skippedBlocks;
            unknownBlocks = ng.unknownBlocks;
        }
        return taken == 0 && ended ? END : taken;
    }

    /**
     * Whether a packet captured at {@code captureNs} is due at {@code now}. The first packet of a pass is due at
     * once; each later one is due its gap after the latest capture time handed over so far (divided by the speed),
     * counted from when that one was due, so rounding does not add up. A gap longer than {@code maxGap} (an idle
     * spell, or a damaged timestamp years ahead) is cut to it. A packet captured before the latest one is due at
     * once: at most {@link #PACING_RESTART_STEP_BACK} behind in capture time, as the interfaces of a capture written
     * in batches per interface are, it moves no schedule, so the replay lasts as long as the capture; further behind
     * (a damaged timestamp, a file of captures appended) the packets after it are paced from it. Differences
     * saturate instead of wrapping, so no timestamp can make a replay wait without bound.
     */
    private boolean due(long now, long captureNs) {
        if (!paced) {
            paced = true;
            scheduledNanos = now;
            latestCaptureNs = captureNs;
            return true;
        }
        if (captureNs <= latestCaptureNs) {
            // Behind: due at once. A difference that did not fit a long is further behind than any bound.
            final long back = latestCaptureNs - captureNs;
            if (back < 0 || back > PACING_RESTART_STEP_BACK_NS) {
                latestCaptureNs = captureNs;
                pacingRestarts++;
            }
            return true;
        }
        // Compared in replay time, so that no speed rounds maxGap away; a gap that did not fit a long is infinite.
        final long ahead = captureNs - latestCaptureNs;
        final double scaled = ahead < 0 ? Double.POSITIVE_INFINITY : ahead / speed;
        final boolean cut = scaled > maxGapNs;
        final long dueAt = scheduledNanos + (cut ? maxGapNs : (long) scaled);
        if (now - dueAt < 0) {
            return false;
        }
        scheduledNanos = dueAt;
        latestCaptureNs = captureNs;
        if (cut) {
            gapsCut++;
        }
        return true;
    }

    private void damageFound(CaptureReader damaged) {
        damageFound(damaged.damageOffset, damaged.damageReason, damaged.damageDetail);
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

    /** Packets handed to the sink so far (every pass). Any thread. */
    public long records() {
        return records;
    }

    /** Packets handed over that were captured shorter than their wire length. Any thread. */
    public long snapped() {
        return snapped;
    }

    /**
     * Packets handed over that were captured longer than the snaplen of their file (classic) or interface (pcapng).
     * Not damage: libpcap, tcpdump and Wireshark read such records (a writer that stated too small a snaplen); the
     * whole record is handed over, as its bytes are in the file. Any thread.
     */
    public long aboveSnaplen() {
        return aboveSnaplen;
    }

    /**
     * Packets counted as {@code feed_truncated} drops: empty packets, Linux cooked packets captured shorter than their
     * cooked header, and a packet cut by the end of the file. Any thread.
     */
    public long truncated() {
        return truncated;
    }

    /**
     * Packets that cannot be Ethernet frames, counted as {@link #FOREIGN_LINK_DROP} drops: pcapng packets on an
     * interface neither Ethernet nor Linux cooked, and Linux cooked packets whose protocol is no EtherType. Any thread.
     */
    public long foreignLink() {
        return foreignLink;
    }

    /**
     * Packets handed over as Ethernet frames made from a LINUX_SLL (Linux cooked capture v1) packet, every pass. Any
     * thread.
     */
    public long convertedLinuxSll() {
        return convertedLinuxSll;
    }

    /**
     * Packets handed over as Ethernet frames made from a LINUX_SLL2 (Linux cooked capture v2) packet, every pass. Any
     * thread.
     */
    public long convertedLinuxSll2() {
        return convertedLinuxSll2;
    }

    /**
     * The link types of the packets counted in {@link #foreignLink()}, in ascending order (a Linux cooked packet whose
     * protocol is no EtherType under its cooked link type). Any thread (it sees at least the types of the packets
     * counted when it read {@link #foreignLink()}); allocates a copy of the 8 KiB bit set and the result, off the data
     * path.
     */
    public int[] foreignLinkTypes() {
        if (foreignLink == 0) {
            return new int[0];
        }
        // One read of each word, then count and fill from the copy: the poll thread may set bits meanwhile, and a
        // second scan of the live words could meet a new low bit where a counted high one should go.
        final long[] bits = reader.foreignLinkTypes.clone();
        int count = 0;
        for (long word : bits) {
            count += Long.bitCount(word);
        }
        final int[] types = new int[count];
        int next = 0;
        for (int word = 0; word < bits.length; word++) {
            for (long rest = bits[word]; rest != 0; rest &= rest - 1) {
                types[next++] = word * Long.SIZE + Long.numberOfTrailingZeros(rest);
            }
        }
        return types;
    }

    /**
     * True for the Linux cooked link types (113 LINUX_SLL, 276 LINUX_SLL2), whose packets are converted to Ethernet
     * frames: among {@link #foreignLinkTypes()}, such a type stands for packets whose protocol is no EtherType. Any
     * thread.
     */
    public static boolean isLinuxCooked(int linkType) {
        return LinuxCooked.isCooked(linkType);
    }

    /**
     * The name libpcap gives {@code linkType} ({@code LINUX_SLL2}, {@code RAW}...) for the link types captures are
     * likely to have, else null. Any thread.
     */
    public static String linkTypeName(int linkType) {
        return PcapFormat.linkTypeName(linkType);
    }

    /**
     * pcapng blocks skipped by their length (every pass): neither section header, interface nor packet, such as
     * interface statistics or name resolution. Always 0 for classic pcap. Any thread.
     */
    public long skippedBlocks() {
        return skippedBlocks;
    }

    /**
     * Of {@link #skippedBlocks()}, blocks of a type the format does not define. pcapng says to skip them, and the
     * feed does; but a packet block whose type field was damaged looks just like one, so a count above 0 in a
     * capture written by an ordinary tool means packets may be missing. Any thread.
     */
    public long unknownBlocks() {
        return unknownBlocks;
    }

    /** True when the file is pcapng, false for classic pcap. */
    public boolean pcapng() {
        return pcapng;
    }

    /** Gaps in the capture longer than {@code maxGap} that the capture pace cut to it. Any thread. */
    public long gapsCut() {
        return gapsCut;
    }

    /**
     * Packets captured more than {@link #PACING_RESTART_STEP_BACK} before the latest capture time of their pass
     * (captures appended, a damaged timestamp), from which the capture pace restarted: the packets after one are paced
     * from it. The start of each pass restarts the pacing too, uncounted here ({@link #passes()} counts those). Any
     * thread.
     */
    public long pacingRestarts() {
        return pacingRestarts;
    }

    /** Passes over the file completed. Any thread. */
    public long passes() {
        return passes;
    }

    /**
     * True when a whole pass over the file found no packet (a valid header and nothing after it, or only blocks
     * without packets): the feed then ended after that pass, whatever {@code loops} says. Any thread.
     */
    public boolean emptyCapture() {
        return emptyCapture;
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
