package dev.steer.ingress.pcap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * The one reused read buffer over a capture file: a window {@code [start, start + limit)} of the file with a
 * read position in it. Memory is the buffer, whatever the file size; nothing is allocated after construction.
 *
 * <p>Thread contract: the poll thread only (the constructing thread before the first poll).
 */
final class CaptureWindow {
    /** Reads tried per refill: a regular file fills the window in one unless at its end. */
    private static final int MAX_READS_PER_REFILL = 4;

    final UnsafeBuffer view;
    private final FileChannel channel;
    private final ByteBuffer buffer;
    private long start;
    /** Read position, relative to the window. */
    int position;
    /** End of the bytes read, relative to the window. */
    int limit;
    private boolean endOfFile;
    /**
     * File offset of the packet whose Linux cooked header is rewritten into an Ethernet header in the window now (-1:
     * none): the one reader found and not yet consumed, so that found again (refused by the sink, or not due
     * yet) it is not rewritten twice. Its header's bytes are kept below and put back by {@link #restoreRewritten}, so
     * the window holds the file's bytes again once it is consumed.
     */
    private long rewrittenPacket = -1;
    private int rewrittenBytes;
    private long savedFirst;
    private long savedSecond;
    private int savedThird;

    CaptureWindow(FileChannel channel, int bytes) {
        this.channel = channel;
        this.buffer = ByteBuffer.allocateDirect(bytes);
        this.view = new UnsafeBuffer(buffer);
    }

    /** File offset of the read position. */
    long offset() {
        return start + position;
    }

    /** File offset of window offset {@code windowOffset}. */
    long fileOffset(int windowOffset) {
        return start + windowOffset;
    }

    /** True when the packet at file offset {@code packetOffset} was rewritten in the window as it holds it now. */
    boolean rewritten(long packetOffset) {
        return rewrittenPacket == packetOffset;
    }

    /**
     * Keeps the first {@code bytes} (16 or 20) of the packet at window offset {@code windowOffset}, about to be
     * rewritten in place, until {@link #restoreRewritten} puts them back.
     */
    void keepBeforeRewrite(int windowOffset, int bytes) {
        rewrittenPacket = start + windowOffset;
        rewrittenBytes = bytes;
        savedFirst = view.getLong(windowOffset);
        savedSecond = view.getLong(windowOffset + 8);
        if (bytes > 16) {
            savedThird = view.getInt(windowOffset + 16);
        }
    }

    /** Puts back the bytes {@link #keepBeforeRewrite} kept, if any: the packet is consumed. */
    void restoreRewritten() {
        if (rewrittenPacket < 0) {
            return;
        }
        final int at = (int) (rewrittenPacket - start);
        view.putLong(at, savedFirst);
        view.putLong(at + 8, savedSecond);
        if (rewrittenBytes > 16) {
            view.putInt(at + 16, savedThird);
        }
        rewrittenPacket = -1;
    }

    /** Bytes readable from the position without another read. */
    int available() {
        return limit - position;
    }

    /** True once a read found the end of the file: {@link #available()} is all that is left. */
    boolean endOfFile() {
        return endOfFile;
    }

    /**
     * Makes {@code needed} bytes from the position available (moving them to the buffer's start and reading
     * more when they are not); false when the file ends first or a read came back short.
     * {@code needed} must not exceed the buffer's capacity.
     */
    boolean ensure(int needed) throws IOException {
        if (limit - position >= needed) {
            return true;
        }
        if (endOfFile) {
            return false;
        }
        buffer.limit(limit).position(position);
        buffer.compact();
        start += position;
        limit -= position;
        position = 0;
        refill();
        return limit - position >= needed;
    }

    /** Reads from the file after {@code limit} until the buffer is full or the file ends. */
    void refill() throws IOException {
        buffer.limit(buffer.capacity()).position(limit);
        for (int i = 0; i < MAX_READS_PER_REFILL && buffer.hasRemaining(); i++) {
            final int read = channel.read(buffer, start + limit);
            if (read < 0) {
                endOfFile = true;
                break;
            }
            limit += read;
        }
    }

    /** Bytes in the file now (a system call: off the per-packet path). */
    long size() throws IOException {
        return channel.size();
    }

    /**
     * Moves the position to file offset {@code fileOffset}, back (a small file looped) or forward (over a block
     * skipped by its length, without reading it); reads nothing again when the window already holds everything from
     * there to the end of the file, else the next {@link #ensure} reads from there.
     */
    void seek(long fileOffset) {
        if (endOfFile && start <= fileOffset && fileOffset <= start + limit) {
            position = (int) (fileOffset - start);
            return;
        }
        start = fileOffset;
        position = 0;
        limit = 0;
        endOfFile = false;
        rewrittenPacket = -1;
    }
}
