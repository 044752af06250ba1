package dev.steer.ingress.udp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The kernel's count of datagrams it dropped for one UDP socket of this process (a full receive buffer, mostly),
 * read from the {@code drops} column of {@code /proc/net/udp6} or {@code /proc/net/udp}. The socket is found once,
 * by its local port, and confirmed by its inode among this process' descriptors; afterwards each {@link #read()}
 * re-reads the table into one reused direct buffer and parses the socket's row.
 *
 * <p>The JDK opens dual-stack IPv6 sockets unless {@code java.net.preferIPv4Stack} is set, so the row is in
 * {@code udp6} even for 127.0.0.1. Where neither table shows the socket (no procfs, another network namespace),
 * the reader is {@linkplain #available() unavailable} and {@link #read()} returns -1.
 *
 * <p>Thread contract: one thread. {@link #read()} makes one {@code pread} of the table and allocates nothing,
 * unless the table has outgrown the buffer (then the buffer doubles, up to {@value #MAX_BUFFER} bytes). Its cost
 * grows with the number of UDP sockets of the namespace (tens of microseconds for a few hundred), so callers read
 * it now and then, never per datagram.
 */
final class SocketDrops implements AutoCloseable {
    /** Largest table this reader parses. */
    static final int MAX_BUFFER = 16 * 1024 * 1024;

    private static final Path[] TABLES = {Path.of("/proc/net/udp6"), Path.of("/proc/net/udp")};
    /** Whitespace-separated columns of a row before the inode (sl, addresses, st, queues, timers, uid...). */
    private static final int INODE_COLUMN = 9;
    private static final int DROPS_COLUMN = 12;

    private final FileChannel table;
    private final long inode;
    private ByteBuffer buffer;

    private SocketDrops(FileChannel table, long inode, int size) {
        this.table = table;
        this.inode = inode;
        this.buffer = ByteBuffer.allocateDirect(size);
    }

    /**
     * Finds the socket of this process bound to {@code port}. Start-up only: reads both tables and lists
     * {@code /proc/self/fd}.
     *
     * @return the reader, {@linkplain #available() unavailable} when the socket is not found
     */
    static SocketDrops of(int port) {
        final Set<Long> own = ownSocketInodes();
        for (Path path : TABLES) {
            try {
                final String text = Files.readString(path);
                final String suffix = ":" + String.format("%04X", port);
                for (String line : text.split("\n")) {
                    final String[] columns = line.trim().split("\\s+");
                    if (columns.length > DROPS_COLUMN && columns[1].endsWith(suffix)) {
                        final long inode = Long.parseLong(columns[INODE_COLUMN]);
                        if (own.contains(inode)) {
                            return new SocketDrops(FileChannel.open(path), inode,
                                Math.max(64 * 1024, Integer.highestOneBit(Math.max(1, text.length())) * 4));
                        }
                    }
                }
            } catch (IOException | RuntimeException ex) {
                // No such table here (no IPv6, no procfs): the other one may still have the socket.
            }
        }
        return new SocketDrops(null, -1, 0);
    }

    /** Inodes of the sockets among this process' descriptors ({@code socket:[inode]} links). */
    private static Set<Long> ownSocketInodes() {
        final Set<Long> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    final String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[") && target.endsWith("]")) {
                        inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
                    }
                } catch (IOException | RuntimeException ex) {
                    // A descriptor closed while listing, or not a link: not ours to match.
                }
            }
        } catch (IOException ex) {
            // No /proc/self/fd: nothing can be confirmed, so nothing is read.
        }
        return inodes;
    }

    /** True when the socket's row was found, so that {@link #read()} gives its count. */
    boolean available() {
        return table != null;
    }

    /**
     * The socket's drops since it was opened, or -1 when unavailable, when the row is gone (socket closed) or
     * the table cannot be read.
     */
    long read() {
        if (table == null) {
            return -1;
        }
        try {
            while (true) {
                buffer.clear();
                int filled = 0;
                int n;
                while (filled < buffer.capacity() && (n = table.read(buffer, filled)) > 0) {
                    filled += n;
                }
                if (filled < buffer.capacity()) {
                    return parse(filled);
                }
                if (buffer.capacity() >= MAX_BUFFER) {
                    return -1;
                }
                buffer = ByteBuffer.allocateDirect(buffer.capacity() * 2);
            }
        } catch (IOException ex) {
            return -1;
        }
    }

    /** Finds the row of {@link #inode} in the first {@code length} bytes and returns its drops column. */
    private long parse(int length) {
        int i = 0;
        while (i < length) {
            int column = 0;
            long inodeValue = -1;
            long drops = -1;
            // Walk the row's columns; only the inode and the drops are decimal numbers worth reading.
            while (i < length && buffer.get(i) != '\n') {
                while (i < length && buffer.get(i) == ' ') {
                    i++;
                }
                if (i >= length || buffer.get(i) == '\n') {
                    break;
                }
                final boolean wanted = column == INODE_COLUMN || column == DROPS_COLUMN;
                long value = 0;
                boolean digits = true;
                while (i < length && buffer.get(i) != ' ' && buffer.get(i) != '\n') {
                    final byte b = buffer.get(i);
                    if (wanted && b >= '0' && b <= '9' && value < Long.MAX_VALUE / 10) {
                        value = value * 10 + (b - '0');
                    } else {
                        digits = false;
                    }
                    i++;
                }
                if (column == INODE_COLUMN) {
                    inodeValue = digits ? value : -1;
                } else if (column == DROPS_COLUMN) {
                    drops = digits ? value : -1;
                }
                column++;
            }
            if (inodeValue == inode && drops >= 0) {
                return drops;
            }
            i++;
        }
        return -1;
    }

    @Override
    public void close() {
        if (table != null) {
            try {
                table.close();
            } catch (IOException ex) {
                // A read-only procfs file has nothing to flush.
            }
        }
    }
}
