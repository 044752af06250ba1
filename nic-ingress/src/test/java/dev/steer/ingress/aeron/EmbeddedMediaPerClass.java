package dev.steer.ingress.aeron;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An embedded media driver and its client shared by every test of a class, held in a static
 * {@code @RegisterExtension} field: launched before the class's first test, closed (its directory deleted) after
 * its last. Either Steer's own {@link AeronMedia#embedded()} ({@link #EmbeddedMediaPerClass()}), or a bare driver
 * whose context a test tunes, for term lengths and timeouts of its own ({@link #withDriver}).
 *
 * <p>Also the publisher side those tests share: {@link #connected} and {@link #offer}, each bounded by a deadline.
 */
final class EmbeddedMediaPerClass implements BeforeAllCallback, AfterAllCallback {
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(20);

    /** Null for {@link AeronMedia#embedded()}; else what tunes the bare driver's context. */
    private final UnaryOperator<MediaDriver.Context> tuning;
    private AeronMedia media;
    private MediaDriver driver;
    private Aeron aeron;

    /** Steer's embedded media ({@link AeronMedia#embedded()}), as the feeds and the loadgen use it. */
    EmbeddedMediaPerClass() {
        this.tuning = null;
    }

    private EmbeddedMediaPerClass(UnaryOperator<MediaDriver.Context> tuning) {
        this.tuning = tuning;
    }

    /**
     * A bare embedded driver (shared threading, its directory deleted on start and on shutdown, no configuration
     * printed) whose context {@code tuning} sets further, e.g. a term length; {@link #media()} is refused.
     */
    static EmbeddedMediaPerClass withDriver(UnaryOperator<MediaDriver.Context> tuning) {
        return new EmbeddedMediaPerClass(tuning);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (tuning == null) {
            media = AeronMedia.embedded();
            aeron = media.aeron();
        } else {
            driver = MediaDriver.launchEmbedded(tuning.apply(new MediaDriver.Context()
                .threadingMode(ThreadingMode.SHARED).dirDeleteOnStart(true).dirDeleteOnShutdown(true)
                .printConfigurationOnStart(false)));
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (media != null) {
            media.close();
            media = null;
        }
        if (driver != null) {
            aeron.close();
            driver.close();
            driver = null;
        }
        aeron = null;
    }

    /** The class's media: only from before its first test to after its last, and not with {@link #withDriver}. */
    AeronMedia media() {
        if (tuning != null) {
            throw new IllegalStateException("no AeronMedia: this EmbeddedMediaPerClass runs a bare driver");
        }
        if (media == null) {
            throw new IllegalStateException("no media driver: register EmbeddedMediaPerClass as a static "
                + "@RegisterExtension field");
        }
        return media;
    }

    /** The client of the class's driver: only from before its first test to after its last. */
    Aeron aeron() {
        if (aeron == null) {
            throw new IllegalStateException("no media driver: register EmbeddedMediaPerClass as a static "
                + "@RegisterExtension field");
        }
        return aeron;
    }

    /** The directory of the class's driver. */
    String directory() {
        return aeron().context().aeronDirectoryName();
    }

    /** Waits, bounded, until {@code publication} and {@code feed} are both connected; returns the publication. */
    static <P extends Publication> P connected(P publication, AeronFeed feed) {
        final long deadline = System.nanoTime() + DEADLINE_NS;
        while (!publication.isConnected() || !feed.isConnected()) {
            assertTrue(System.nanoTime() < deadline, "publication did not connect on " + publication.channel());
            LockSupport.parkNanos(100_000);
        }
        return publication;
    }

    /** Offers {@code bytes} as one message, retrying back-pressure until a bounded deadline. */
    static void offer(Publication publication, byte[] bytes) {
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final long deadline = System.nanoTime() + DEADLINE_NS;
        while (publication.offer(buffer, 0, bytes.length) < 0) {
            assertTrue(System.nanoTime() < deadline, "offer of a message of " + bytes.length + " bytes");
            LockSupport.parkNanos(100_000);
        }
    }
}
