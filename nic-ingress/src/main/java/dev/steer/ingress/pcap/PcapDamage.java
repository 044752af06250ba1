package dev.steer.ingress.pcap;

import java.nio.file.Path;

/**
 * Where and why a capture file turned out damaged: the replay delivered every record before
 * {@code offset} and then ended. Created once per feed, off the per-packet path.
 *
 * @param file   the capture file
 * @param offset byte offset of the damaged header: 0 for the file header, else the start of the record header
 * @param reason what is wrong there
 * @param detail the values that made it damaged, for the message
 */
public record PcapDamage(Path file, long offset, Reason reason, String detail) {
    /** What made a capture file unreadable from some offset on. */
    public enum Reason {
        /** The file is empty. */
        ZERO_LENGTH_FILE,
        /** The file ends inside its 24-byte file header. */
        HEADER_CUT,
        /** The file does not start with a classic pcap magic number. */
        BAD_MAGIC,
        /** The file ends inside a 16-byte record header. */
        RECORD_HEADER_CUT,
        /** The file ends inside a record's captured data; that record counts one {@code feed_truncated} drop. */
        RECORD_DATA_CUT,
        /** A record's captured length is above {@link PcapFeed#MAX_RECORD_LENGTH}. */
        RECORD_TOO_LARGE,
        /** A record's captured length is above the file's snaplen. */
        RECORD_ABOVE_SNAPLEN,
        /** A record's captured length is above its original (wire) length. */
        CAPTURED_ABOVE_ORIGINAL,
        /** Reading the file failed with an I/O error. */
        READ_ERROR
    }

    /** One line: {@code file, offset N: REASON (detail)}. */
    @Override
    public String toString() {
        return file + ", offset " + offset + ": " + reason + " (" + detail + ")";
    }
}
