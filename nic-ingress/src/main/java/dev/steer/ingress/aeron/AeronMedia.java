package dev.steer.ingress.aeron;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.BackoffIdleStrategy;

/**
 * An Aeron client, connected either to a media driver embedded in this process (the default) or to an
 * external driver's directory. The embedded driver gets a directory of its own (under {@code /dev/shm} when
 * it exists, else the temporary directory), deleted when it starts and when it closes, and runs its agents
 * on one shared thread with a backoff idle strategy: on IPC the driver is not on the data path (publishers
 * write the log buffer and subscribers read it directly), so it should not take a core of its own.
 *
 * <p>Thread contract: create and close on one thread; {@link #aeron()} is thread-safe, as Aeron's client is.
 * Close after every feed and publication using it is closed.
 */
public final class AeronMedia implements AutoCloseable {
    /** Term length of IPC publications made through the embedded driver: 16 MiB rather than Aeron's 64 MiB. */
    public static final int DEFAULT_IPC_TERM_LENGTH = 16 * 1024 * 1024;

    private final MediaDriver driver;
    private final Aeron aeron;
    private final String directory;
    private boolean closed;

    private AeronMedia(MediaDriver driver, Aeron aeron, String directory) {
        this.driver = driver;
        this.aeron = aeron;
        this.directory = directory;
    }

    /** Launches an embedded media driver in a fresh directory of its own and connects a client to it. */
    public static AeronMedia embedded() {
        final Path base = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
        final String directory = base.resolve("steer-aeron-" + ProcessHandle.current().pid() + "-"
            + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16)).toString();
        final MediaDriver.Context context = new MediaDriver.Context()
            .aeronDirectoryName(directory)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, 1_000, 1_000_000))
            .ipcTermBufferLength(DEFAULT_IPC_TERM_LENGTH)
            .warnIfDirectoryExists(false)
            .printConfigurationOnStart(false);
        final MediaDriver driver;
        try {
            driver = MediaDriver.launch(context);
        } catch (RuntimeException ex) {
            throw new IllegalStateException("cannot start the embedded Aeron media driver in " + directory + ": " + ex.getMessage(), ex);
        }
        try {
            final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            return new AeronMedia(driver, aeron, directory);
        } catch (RuntimeException ex) {
            driver.close();
            throw new IllegalStateException("cannot connect to the embedded Aeron media driver in " + directory + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Connects to a media driver already running with directory {@code directory}.
     *
     * @throws IllegalStateException when there is no driver there, with what to do
     */
    public static AeronMedia external(String directory) {
        if (!new File(directory, "cnc.dat").exists()) {
            throw new IllegalStateException("aeron directory '" + directory
                + "': no media driver there (no cnc.dat); start one, or use the embedded driver");
        }
        try {
            final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(directory));
            return new AeronMedia(null, aeron, directory);
        } catch (RuntimeException ex) {
            throw new IllegalStateException("aeron directory '" + directory + "': cannot connect to its media driver: "
                + ex.getMessage(), ex);
        }
    }

    /** The client. */
    public Aeron aeron() {
        return aeron;
    }

    /** The driver's directory. */
    public String directory() {
        return directory;
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
