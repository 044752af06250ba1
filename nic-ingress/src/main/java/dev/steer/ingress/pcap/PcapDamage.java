package dev.steer.ingress.pcap;

import java.nio.file.Path;

/**
 * Where and why a capture file turned out damaged: the replay delivered every record before
 * {@code offset} and then ended. Created once per feed, off the per-packet path.
 *
 * @param file   the capture file
 * @param offset byte offset of the damaged header: 0 for the file header, else the start of the classic record
 *               header or of the pcapng block
 * @param reason what is wrong there
 * @param detail the values that made it damaged, for the message
 */
public record PcapDamage(Path file, long offset, Reason reason, String detail) {
    /** What made a capture file unreadable from some offset on. */
    public enum Reason {
        /** The file is empty. */
        ZERO_LENGTH_FILE,
        /** The file ends inside its 24-byte file header (classic) or its first 28-byte section header (pcapng). */
        HEADER_CUT,
        /** The file starts with neither a classic pcap magic number nor a pcapng section header with its byte-order magic. */
        BAD_MAGIC,
        /** The file ends inside a 16-byte record header (classic) or the 8-byte type and length of a block (pcapng). */
        RECORD_HEADER_CUT,
        /**
         * The file ends inside a record's captured data, or inside a pcapng packet block; that packet counts one
         * {@code feed_truncated} drop.
         */
        RECORD_DATA_CUT,
        /** A packet's captured length is above {@link PcapFeed#MAX_RECORD_LENGTH}. */
        RECORD_TOO_LARGE,
        /** A packet's captured length is above its original (wire) length. */
        CAPTURED_ABOVE_ORIGINAL,
        /** pcapng: the file ends inside a block that holds no packet (a section or interface header, statistics...). */
        BLOCK_CUT,
        /**
         * pcapng: a block total length below 12 or the block type's minimum, not a multiple of 4, above
         * {@link PcapFeed#MAX_BLOCK_LENGTH} for a section header, interface or packet block (a block without a packet
         * is skipped by its length, whatever it is), or too small for the packet length the block states.
         */
        BAD_BLOCK_LENGTH,
        /** pcapng: the trailing copy of a block total length differs from the leading one. */
        BLOCK_LENGTH_MISMATCH,
        /** pcapng: a later section header has a byte-order magic other than 0x1A2B3C4D, or a major version other than 1. */
        BAD_SECTION,
        /** pcapng: an interface description has an option running past the block, or a bad if_tsresol or if_tsoffset. */
        BAD_INTERFACE,
        /** pcapng: a section describes more than {@code PcapngReader.MAX_INTERFACES} (1024) interfaces. */
        TOO_MANY_INTERFACES,
        /** pcapng: a packet names an interface its section has not described. */
        UNKNOWN_INTERFACE,
        /** Reading the file failed with an I/O error. */
        READ_ERROR
    }

    /** One line: {@code file, offset N: REASON (detail)}. */
    @Override
    public String toString() {
        return file + ", offset " + offset + ": " + reason + " (" + detail + ")";
    }
}
