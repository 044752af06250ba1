package dev.steer.ingress.aeron;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.BackoffIdleStrategy;

/**
 * An Aeron client, connected either to a media driver embedded in this process (the default) or to an
 * external driver's directory. The embedded driver gets a directory of its own (under {@code /dev/shm} when
 * this user can write there, else the temporary directory), deleted when it starts and when it closes, and runs its agents
 * on one shared thread with a backoff idle strategy: on IPC the driver is not on the data path (publishers
 * write the log buffer and subscribers read it directly), so it should not take a core of its own.
 *
 * <p>The client's asynchronous errors are not printed (Aeron's default handler prints a stack trace and, when the
 * driver times out, exits the JVM with status -1): they are counted ({@link #clientErrors()}) and handed to the
 * {@link AeronFeed}s made with {@link AeronFeed#AeronFeed(AeronMedia, AeronFeed.Settings)}, which report each once to
 * their ingress. When the driver goes away (stopped, killed: no heartbeat within the driver timeout) the client
 * closes itself, and those feeds end, saying why ({@link AeronFeed#endReason()}).
 *
 * <p>Thread contract: create and close on one thread; {@link #aeron()} is thread-safe, as Aeron's client is.
 * Close after every feed and publication using it is closed.
 */
public final class AeronMedia implements AutoCloseable {
    /**
     * Name prefix of an embedded driver's directory, followed by the process id, a dash, the owner and a dash when
     * not Steer's own driver, and a random suffix.
     */
    static final String DIRECTORY_PREFIX = "steer-aeron-";
    /** A driver whose heartbeat in cnc.dat is older than this is not running (Aeron's default driver timeout). */
    private static final long DRIVER_TIMEOUT_MS = 10_000;

    /** Term length of IPC publications made through the embedded driver: 16 MiB rather than Aeron's 64 MiB. */
    public static final int DEFAULT_IPC_TERM_LENGTH = 16 * 1024 * 1024;

    private final MediaDriver driver;
    private final Aeron aeron;
    private final String directory;
    private final AeronClientEvents events;
    private boolean closed;

    private AeronMedia(MediaDriver driver, Aeron aeron, String directory, AeronClientEvents events) {
        this.driver = driver;
        this.aeron = aeron;
        this.directory = directory;
        this.events = events;
    }

    /** A client context for {@code directory} whose errors and close go to {@code events}. */
    private static Aeron.Context clientContext(String directory, AeronClientEvents events) {
        return new Aeron.Context().aeronDirectoryName(directory).errorHandler(events).closeHandler(events::onClose);
    }

    /** Launches an embedded media driver in a fresh directory of its own and connects a client to it. */
    public static AeronMedia embedded() {
        return embedded(directoryBase());
    }

    /** {@link #embedded()} with its directory in {@code base}. */
    static AeronMedia embedded(Path base) {
        sweepStale(base);
        final Path path = newDirectory(base, null);
        final String directory = path.toString();
        final MediaDriver driver;
        try {
            // Making the context reads Aeron's system properties, and a malformed one throws here.
            driver = MediaDriver.launch(new MediaDriver.Context()
                .aeronDirectoryName(directory)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, 1_000, 1_000_000))
                .ipcTermBufferLength(DEFAULT_IPC_TERM_LENGTH)
                .warnIfDirectoryExists(false)
                .printConfigurationOnStart(false));
        } catch (RuntimeException ex) {
            // Some of the driver's checks come after it has made the directory and before the part of its start that
            // deletes it on a failure. The name is this call's own: nothing else is there.
            deleteTree(path);
            throw new IllegalStateException("cannot start the embedded Aeron media driver in " + directory + ": "
                + ex.getMessage() + unusable(base), ex);
        }
        try {
            final AeronClientEvents events = new AeronClientEvents(directory);
            final Aeron aeron = Aeron.connect(clientContext(driver.aeronDirectoryName(), events));
            return new AeronMedia(driver, aeron, directory, events);
        } catch (RuntimeException ex) {
            driver.close();
            throw new IllegalStateException("cannot connect to the embedded Aeron media driver in " + directory + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * The directory embedded drivers' directories go in: {@code /dev/shm} when it is a directory this user can write
     * into, else the temporary directory ({@code java.io.tmpdir}). Any thread; costs two file system checks.
     */
    public static Path directoryBase() {
        return directoryBase(Path.of("/dev/shm"), Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** {@link #directoryBase()} with the two candidates given. */
    static Path directoryBase(Path shm, Path temporary) {
        // Not root, /dev/shm mounted read-only or root's only (some containers): the driver could not start there.
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : temporary;
    }

    /** Why an embedded driver cannot make its directory in {@code base}, and what to do; "" when no reason is seen. */
    private static String unusable(Path base) {
        final String choose = ": choose another with -Djava.io.tmpdir=DIR (for ./steer:"
            + " JAVA_TOOL_OPTIONS=-Djava.io.tmpdir=DIR), used when /dev/shm cannot be written";
        if (!Files.isDirectory(base)) {
            return "; " + base + " is not a directory" + choose;
        }
        if (!Files.isWritable(base)) {
            return "; " + base + " is not writable by user " + System.getProperty("user.name") + choose;
        }
        return "";
    }

    /**
     * A fresh name for the directory of an embedded driver of this process, in {@link #directoryBase()}:
     * {@value #DIRECTORY_PREFIX}PID-RANDOM, or {@value #DIRECTORY_PREFIX}PID-OWNER-RANDOM for another owner of an
     * embedded driver (Pekko Artery's, say), so that {@link #sweepStale()} recognises it once this process is gone.
     * Nothing is created. Any thread.
     *
     * @param owner letters, digits, '-' and '_' naming whose driver it is, or null for {@link #embedded()}'s
     */
    public static Path newDirectory(String owner) {
        if (owner != null && !owner.matches("[a-zA-Z0-9_-]+")) {
            throw new IllegalArgumentException("owner='" + owner + "': must be letters, digits, '-' and '_'");
        }
        return newDirectory(directoryBase(), owner);
    }

    private static Path newDirectory(Path base, String owner) {
        return base.resolve(DIRECTORY_PREFIX + ProcessHandle.current().pid() + "-"
            + (owner == null ? "" : owner + "-") + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16));
    }

    /**
     * {@link #sweepStale(Path)} of {@link #directoryBase()}: call before launching an embedded driver in a
     * {@link #newDirectory} of its own. Any thread; costs a listing of the directory.
     *
     * @return how many directories were deleted
     */
    public static int sweepStale() {
        return sweepStale(directoryBase());
    }

    /**
     * Deletes the embedded-driver directories under {@code base} left by processes that are gone (killed with SIGKILL,
     * crashed: they could not delete their own, about 100 MB of {@code /dev/shm} each, which no later process reuses
     * since the name holds the pid), whichever embedded driver made them: Steer's own or another {@link #newDirectory}
     * owner's. A directory is removed only when its name is {@value #DIRECTORY_PREFIX}PID-...,
     * no process PID exists and its driver's heartbeat is stale (a driver of another PID namespace sharing the
     * directory keeps it). Failures are ignored: sweeping is a courtesy, never a reason not to start.
     *
     * @return how many directories were deleted
     */
    static int sweepStale(Path base) {
        int deleted = 0;
        try (Stream<Path> entries = Files.list(base)) {
            for (Path dir : entries.toList()) {
                final String name = dir.getFileName().toString();
                if (!name.startsWith(DIRECTORY_PREFIX) || !Files.isDirectory(dir)) {
                    continue;
                }
                final int dash = name.indexOf('-', DIRECTORY_PREFIX.length());
                final long pid;
                try {
                    pid = Long.parseLong(name.substring(DIRECTORY_PREFIX.length(), dash < 0 ? name.length() : dash));
                } catch (NumberFormatException ex) {
                    continue;
                }
                if (ProcessHandle.of(pid).isPresent() || driverActive(dir)) {
                    continue;
                }
                if (deleteTree(dir)) {
                    deleted++;
                }
            }
        } catch (java.io.IOException | RuntimeException ex) {
            // Not listable: nothing to sweep.
        }
        return deleted;
    }

    private static boolean driverActive(Path dir) {
        // A driver killed before it wrote its cnc version: Aeron's check would wait the whole timeout for it.
        return cncVersionWritten(dir) && heartbeatWithin(dir, DRIVER_TIMEOUT_MS, false);
    }

    /** Whether {@code dir} holds a cnc.dat whose driver has written its version (it got past its start). */
    private static boolean cncVersionWritten(Path dir) {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(dir.resolve("cnc.dat"))) {
            final java.nio.ByteBuffer version = java.nio.ByteBuffer.allocate(4);
            return channel.read(version, 0) == 4 && version.getInt(0) != 0;
        } catch (java.io.IOException ex) {
            return false; // no cnc.dat: no driver runs there
        }
    }

    /** Aeron's heartbeat check; {@code unreadable} when the cnc.dat is not one of a known version. */
    private static boolean heartbeatWithin(Path dir, long timeoutMs, boolean unreadable) {
        try {
            return CommonContext.isDriverActive(dir.toFile(), timeoutMs, message -> { });
        } catch (RuntimeException ex) {
            return unreadable;
        }
    }

    /**
     * Whether {@code dir}'s cnc.dat was written by a driver whose heartbeat is older than {@code timeoutMs}. A driver
     * still starting (no cnc version yet) or a file Aeron cannot read is not judged here: the client's connect waits
     * for the one and reports the other.
     */
    private static boolean stoppedDriver(Path dir, long timeoutMs) {
        return cncVersionWritten(dir) && !heartbeatWithin(dir, timeoutMs, true);
    }

    private static boolean deleteTree(Path dir) {
        try (Stream<Path> tree = Files.walk(dir)) {
            for (Path path : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
            return true;
        } catch (java.io.IOException | RuntimeException ex) {
            return false;
        }
    }

    /**
     * Connects to a media driver already running with directory {@code directory}, with Aeron's driver timeout
     * (10 s, or the {@code aeron.driver.timeout} property): the client gives the driver up, and its feeds end, when
     * the driver has not answered for that long.
     *
     * @throws IllegalStateException when there is no driver there, with what to do
     */
    public static AeronMedia external(String directory) {
        return external(directory, 0);
    }

    /**
     * {@link #external(String)} with a driver timeout of {@code driverTimeoutMs} (0: Aeron's): how long the driver
     * may go without a heartbeat before the client closes itself and the feeds on it end.
     *
     * @throws IllegalArgumentException when {@code driverTimeoutMs} is negative
     * @throws IllegalStateException    when there is no driver there, with what to do
     */
    public static AeronMedia external(String directory, long driverTimeoutMs) {
        if (driverTimeoutMs < 0) {
            throw new IllegalArgumentException("driverTimeoutMs=" + driverTimeoutMs + ": must be 0 (Aeron's) or above");
        }
        if (!new File(directory, "cnc.dat").exists()) {
            throw new IllegalStateException("aeron directory '" + directory
                + "': no media driver there (no cnc.dat); start one, or use the embedded driver");
        }
        final AeronClientEvents events = new AeronClientEvents(directory);
        final Aeron.Context context;
        try {
            // Making the context reads Aeron's system properties, and a malformed one throws here.
            context = clientContext(directory, events);
            if (driverTimeoutMs > 0) {
                context.driverTimeoutMs(driverTimeoutMs);
            }
        } catch (RuntimeException ex) {
            throw cannotConnect(directory, ex);
        }
        // Left by a driver that stopped or was killed: the client would wait its whole driver timeout (10 s by
        // default, without a word) and then say only "no driver heartbeat detected".
        if (stoppedDriver(Path.of(directory), context.driverTimeoutMs())) {
            throw new IllegalStateException("aeron directory '" + directory + "': no media driver runs there (its"
                + " cnc.dat has had no driver heartbeat for over " + context.driverTimeoutMs() + " ms: the driver stopped"
                + " or was killed); start one, or use the embedded driver");
        }
        try {
            return new AeronMedia(null, Aeron.connect(context), directory, events);
        } catch (RuntimeException ex) {
            throw cannotConnect(directory, ex);
        }
    }

    private static IllegalStateException cannotConnect(String directory, RuntimeException ex) {
        return new IllegalStateException("aeron directory '" + directory + "': cannot connect to its media driver: "
            + ex.getMessage(), ex);
    }

    /** The client. */
    public Aeron aeron() {
        return aeron;
    }

    /** The driver's directory. */
    public String directory() {
        return directory;
    }

    /**
     * Asynchronous errors the client has reported so far (a driver timeout, a registration the driver refused
     * later, ...). Any thread.
     */
    public long clientErrors() {
        return events.errors();
    }

    /**
     * Why the client closed, naming the driver's directory and the error that closed it; null while it is open, and
     * also for a moment after {@code aeron().isClosed()} reads true: Aeron's client reads closed before its close
     * handler, which gives this reason, has run. So a closed client alone does not mean that a reason is there yet.
     * Any thread.
     */
    public String clientClosed() {
        return events.closed();
    }

    /** The client's errors and close, for the feeds on it. */
    AeronClientEvents events() {
        return events;
    }

    /** True when this holds an embedded driver. */
    public boolean isEmbedded() {
        return driver != null;
    }

    /** Closes the client and, when embedded, the driver, which deletes its directory. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            aeron.close();
        } finally {
            if (driver != null) {
                driver.close();
            }
        }
    }
}
