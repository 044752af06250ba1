package dev.steer.ingress.pcap;

import java.io.IOException;
import java.nio.ByteOrder;

import org.agrona.concurrent.UnsafeBuffer;

/** Reads the records of a classic pcap file whose 24-byte header {@link PcapFeed} has already checked. */
final class ClassicPcapReader extends CaptureReader {
    private static final int RECORD_HEADER = PcapFormat.RECORD_HEADER_LENGTH;

    private final UnsafeBuffer view;
    private final ByteOrder order;
    private final long fractionNanos;
    private final long snaplen;
    /** Ethernet, LINUX_SLL or LINUX_SLL2 ({@link PcapFeed} refuses the others at open). */
    private final int linkType;
    /** Bytes of the record found, after its header: what {@link #consume()} steps over. */
    private int recordLength;

    /**
     * @param fcs      bytes of FCS at the end of every packet, from the header's network field
     * @param linkType the header's link type: Ethernet, LINUX_SLL or LINUX_SLL2
     */
    ClassicPcapReader(CaptureWindow window, ByteOrder order, long fractionNanos, long snaplen, int fcs, int linkType) {
        super(window);
        this.fcsLength = fcs;
        this.view = window.view;
        this.order = order;
        this.fractionNanos = fractionNanos;
        this.snaplen = snaplen;
        this.linkType = linkType;
        this.timed = true;
    }

    @Override
    int next() throws IOException {
        final long recordOffset = window.offset();
        if (!window.ensure(RECORD_HEADER)) {
            if (!window.endOfFile()) {
                return WAIT;
            }
            if (window.available() == 0) {
                return END_OF_FILE;
            }
            return damaged(recordOffset, PcapDamage.Reason.RECORD_HEADER_CUT, window.available() + " of "
                + RECORD_HEADER + " record header bytes", false);
        }
        int at = window.position;
        final long included = view.getInt(at + PcapFormat.OFFSET_INCL_LEN, order) & 0xffff_ffffL;
        final long original = view.getInt(at + PcapFormat.OFFSET_ORIG_LEN, order) & 0xffff_ffffL;
        if (included > PcapFeed.MAX_RECORD_LENGTH) {
            return damaged(recordOffset, PcapDamage.Reason.RECORD_TOO_LARGE, "incl_len " + included + " > "
                + PcapFeed.MAX_RECORD_LENGTH, false);
        }
        if (included > original) {
            return damaged(recordOffset, PcapDamage.Reason.CAPTURED_ABOVE_ORIGINAL, "incl_len " + included
                + " > orig_len " + original, false);
        }
        final int length = (int) included;
        if (!window.ensure(RECORD_HEADER + length)) {
            if (!window.endOfFile()) {
                return WAIT;
            }
            return damaged(recordOffset, PcapDamage.Reason.RECORD_DATA_CUT, (window.available() - RECORD_HEADER)
                + " of incl_len " + length + " bytes", true);
        }
        at = window.position;
        timestampNs = (view.getInt(at + PcapFormat.OFFSET_TS_SEC, order) & 0xffff_ffffL) * 1_000_000_000L
            + (view.getInt(at + PcapFormat.OFFSET_TS_FRACTION, order) & 0xffff_ffffL) * fractionNanos;
        dataOffset = at + RECORD_HEADER;
        // Above the header's snaplen is no damage: libpcap reads such records (a writer that stated a snaplen too
        // small); the bytes are in the file, so the record is replayed whole and counted apart.
        aboveSnaplen = snaplen != 0 && included > snaplen;
        recordLength = length;
        capturedLength = length;
        originalLength = original;
        return onLink(linkType);
    }

    @Override
    void consume() {
        window.restoreRewritten();
        window.position += RECORD_HEADER + recordLength;
    }

    @Override
    void rewind() {
        window.seek(PcapFormat.FILE_HEADER_LENGTH);
    }
}
