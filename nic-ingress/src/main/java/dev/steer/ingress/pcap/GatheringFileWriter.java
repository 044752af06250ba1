package dev.steer.ingress.pcap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * What the capture writers share: a file, and one reused direct buffer in which records are gathered and
 * written out when it fills ({@link #flush()}) and at {@link #close()}. Subclasses write at {@link #used}
 * through {@link #outView} and advance it.
 *
 * <p>Thread contract: one thread at a time; file I/O, not for the data path.
 */
abstract class GatheringFileWriter implements AutoCloseable {
    /** Size of the gathering buffer. */
    static final int BUFFER_BYTES = 1 << 20;

    final Path file;
    final ByteBuffer out = ByteBuffer.allocateDirect(BUFFER_BYTES);
    final UnsafeBuffer outView = new UnsafeBuffer(out);
    /** Bytes gathered and not yet written. */
    int used;
    boolean closed;
    private final String kind;
    private final FileChannel channel;
    private long written;

    /**
     * Creates (or truncates) the file.
     *
     * @param kind what to call the file in messages ({@code pcap}, {@code pcapng})
     * @throws IllegalArgumentException when it cannot be created
     */
    GatheringFileWriter(Path file, String kind) {
        this.file = file;
        this.kind = kind;
        try {
            this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException ex) {
            throw new IllegalArgumentException(kind + " file " + file + ": cannot be created: " + ex);
        }
    }

    /** Bytes of the file so far: the offset the next record or block will start at. */
    public long position() {
        return written + used;
    }

    /** Writes out everything gathered so far. */
    public void flush() {
        out.limit(used).position(0);
        try {
            while (out.hasRemaining()) {
                channel.write(out, written + out.position());
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(kind + " file " + file + ": write failed", ex);
        }
        written += used;
        used = 0;
        out.clear();
    }

    /** Flushes and closes the file. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            flush();
        } finally {
            closed = true;
            try {
                channel.close();
            } catch (IOException ex) {
                throw new UncheckedIOException(kind + " file " + file + ": close failed", ex);
            }
        }
    }
}
