package dev.steer.ingress.aeron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import io.aeron.ExclusivePublication;
import io.aeron.driver.MediaDriver;
import io.aeron.exceptions.ChannelEndpointException;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.FrameDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.path.Feed;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;
import dev.steer.ingress.TestIngress;

/**
 * An Aeron feed whose client goes away under it: a real media driver in a directory of its own, closed mid-run,
 * and an embedded driver's client closed under the feed. The feed must end and say why, not read nothing for ever.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AeronDriverLossTest {
    private static final String CHANNEL = "aeron:ipc?mtu=1408";
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private static void await(String what, BooleanSupplier done, Runnable step) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            step.run();
            LockSupport.parkNanos(MS);
        }
    }

    private static MediaDriver launchDriver(Path directory) {
        return MediaDriver.launch(new MediaDriver.Context().aeronDirectoryName(directory.toString())
            .threadingMode(ThreadingMode.SHARED).dirDeleteOnStart(true).dirDeleteOnShutdown(true)
            .ipcTermBufferLength(1 << 20).timerIntervalNs(10 * MS).clientLivenessTimeoutNs(2_000 * MS)
            .driverTimeoutMs(1_000).printConfigurationOnStart(false));
    }

    /** Starts a message of two fragments, sends only its first and polls it into the feed. */
    private static ExclusivePublication halfAMessage(AeronMedia media, AeronFeed feed, int stream, TestIngress ingress) {
        final ExclusivePublication publication = media.aeron().addExclusivePublication(CHANNEL, stream);
        await("the publication to connect", () -> publication.isConnected() && feed.isConnected(), () -> { });
        final BufferClaim claim = new BufferClaim();
        await("a claim", () -> publication.tryClaim(100, claim) > 0, () -> { });
        claim.flags(FrameDescriptor.BEGIN_FRAG_FLAG).commit();
        await("the first fragment", () -> feed.reassembling() == 1, () -> ingress.poll(feed));
        return publication;
    }

    private static int pollUntilEnd(AeronFeed feed, TestIngress ingress) {
        final int[] polled = {0};
        await("the feed to end", () -> polled[0] == Feed.END, () -> polled[0] = ingress.poll(feed));
        return polled[0];
    }

    @Test
    void shouldEndTheFeedNamingTheDirectoryWhenItsExternalDriverCloses() {
        final Path directory = AeronMedia.newDirectory("test-external");
        final MediaDriver driver = launchDriver(directory);
        try (TestIngress ingress = new TestIngress();
             AeronMedia media = AeronMedia.external(directory.toString())) {
            final AeronFeed feed = new AeronFeed(media, new AeronFeed.Settings(CHANNEL, 41, AeronFeed.Mode.DROP));
            halfAMessage(media, feed, 41, ingress);
            assertNull(feed.endReason(), "a running feed has no end reason");

            driver.close();
            pollUntilEnd(feed, ingress);

            assertEquals(Feed.END, ingress.poll(feed), "an ended feed stays ended");
            final String reason = feed.endReason();
            assertTrue(reason != null && reason.contains(directory.toString()) && reason.contains("shut"), "end reason: " + reason);
            assertEquals(1, feed.truncatedMessages(), "the half message is one truncated message");
            assertEquals(1, ingress.dropped(DropReason.FEED_TRUNCATED));
            assertEquals(1, ingress.get(PathCounters.Counter.RECEIVED));
            assertEquals(1, ingress.get(PathCounters.Counter.FEED_ERRORS), "the client's error is counted: " + ingress.errors);
            assertEquals(1, ingress.errors.size(), "and reported once: " + ingress.errors);
            assertTrue(ingress.errors.get(0).contains(directory.toString()), ingress.errors.get(0));
            assertEquals(1, media.clientErrors());
            feed.close(ingress.path);
            assertEquals(1, ingress.dropped(DropReason.FEED_TRUNCATED), "the close does not count the message again");
        } finally {
            driver.close();
        }
        assertFalse(Files.exists(directory), "the test's driver deleted its directory");
    }

    @Test
    void shouldNameTheDriversShutdownNotAnUnknownCloseWhenItsExternalDriverRestarts() {
        // A restart is a shutdown and a new driver with a new cnc.dat: the client, on the old one, reads the shutdown.
        final Path directory = AeronMedia.newDirectory("test-restart");
        MediaDriver driver = launchDriver(directory);
        try (TestIngress ingress = new TestIngress();
             AeronMedia media = AeronMedia.external(directory.toString())) {
            final AeronFeed feed = new AeronFeed(media, new AeronFeed.Settings(CHANNEL, 45, AeronFeed.Mode.DROP));
            halfAMessage(media, feed, 45, ingress);
            driver.close();
            driver = launchDriver(directory);
            pollUntilEnd(feed, ingress);

            final String reason = feed.endReason();
            assertTrue(reason != null && reason.contains(directory.toString()) && reason.contains("has been shutdown")
                && !reason.contains("under the feed"), "end reason: " + reason);
            assertEquals(1, ingress.get(PathCounters.Counter.FEED_ERRORS), ingress.errors.toString());
        } finally {
            driver.close();
        }
        assertFalse(Files.exists(directory), "the test's driver deleted its directory");
    }

    @Test
    void shouldEndTheFeedWhenItsExternalDriverStopsAnsweringWithinTheDriverTimeout() {
        final Path directory = AeronMedia.newDirectory("test-stopped");
        // The driver's agents run only while the test invokes them: when it stops, the driver is as gone as a
        // process stopped or killed, without closing anything (no "shutdown" in cnc.dat).
        final MediaDriver driver = MediaDriver.launch(new MediaDriver.Context().aeronDirectoryName(directory.toString())
            .threadingMode(ThreadingMode.INVOKER).dirDeleteOnStart(true).dirDeleteOnShutdown(true)
            .ipcTermBufferLength(1 << 20).timerIntervalNs(10 * MS).clientLivenessTimeoutNs(10_000 * MS)
            .printConfigurationOnStart(false));
        final java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        final Thread invoker = Thread.ofPlatform().name("test-driver").start(() -> {
            while (running.get()) {
                driver.sharedAgentInvoker().invoke();
                LockSupport.parkNanos(MS);
            }
        });
        try (TestIngress ingress = new TestIngress();
             AeronMedia media = AeronMedia.external(directory.toString(), 1_000)) {
            final AeronFeed feed = new AeronFeed(media, new AeronFeed.Settings(CHANNEL, 42, AeronFeed.Mode.LOSSLESS));
            halfAMessage(media, feed, 42, ingress);

            running.set(false);
            pollUntilEnd(feed, ingress);

            // Which timeout ended it is in the client's reason, not in how long the test's thread took to see it.
            final String reason = feed.endReason();
            assertTrue(reason != null && reason.contains(directory.toString()) && reason.contains("keepalive")
                && reason.contains("> timeout=1000ms"), "ended by its 1 s driver timeout, not Aeron's 10 s: " + reason);
            assertEquals(1, ingress.dropped(DropReason.FEED_TRUNCATED));
            assertEquals(1, ingress.get(PathCounters.Counter.FEED_ERRORS), ingress.errors.toString());
        } finally {
            running.set(false);
            try {
                invoker.join(5_000);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            driver.close();
        }
        assertFalse(Files.exists(directory), "the test's driver deleted its directory");
    }

    @Test
    void shouldSayNoDriverRunsThereWhenAnExternalDirectoryHoldsTheCncOfADriverThatStopped() {
        final Path directory = AeronMedia.newDirectory("test-stale");
        // A driver whose agents ran once and then never again: its cnc.dat stays, its heartbeat grows old, as that of a
        // driver killed with SIGKILL (such a directory is what --aeron-dir meets after a crash).
        final MediaDriver driver = MediaDriver.launch(new MediaDriver.Context().aeronDirectoryName(directory.toString())
            .threadingMode(ThreadingMode.INVOKER).dirDeleteOnStart(true).dirDeleteOnShutdown(true)
            .ipcTermBufferLength(1 << 20).printConfigurationOnStart(false));
        try {
            driver.sharedAgentInvoker().invoke();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(700)); // past the 300 ms driver timeout below
            final IllegalStateException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> AeronMedia.external(directory.toString(), 300).close());
            final String message = refused.getMessage();
            assertTrue(message.startsWith("aeron directory '" + directory + "': no media driver runs there"), message);
            assertTrue(message.contains("start one, or use the embedded driver"), message);
        } finally {
            driver.close();
        }
    }

    @Test
    void shouldNameTheDirectoryWhenTheClientsSettingsForAnExternalDriverCannotBeMade() throws java.io.IOException {
        // The client's context reads Aeron's system properties as it is made; a bad one is the first way to fail there.
        final String property = "aeron.client.resource.linger.duration";
        final Path directory = Files.createTempDirectory("steer-test-context");
        Files.createFile(directory.resolve("cnc.dat"));
        final String before = System.getProperty(property);
        System.setProperty(property, "soon");
        try {
            final IllegalStateException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> AeronMedia.external(directory.toString()).close());
            final String message = refused.getMessage();
            assertTrue(message.startsWith("aeron directory '" + directory + "': cannot connect to its media driver: "),
                message);
            assertTrue(message.contains(property), message);
        } finally {
            if (before == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, before);
            }
            Files.delete(directory.resolve("cnc.dat"));
            Files.delete(directory);
        }
    }

    @Test
    void shouldEndTheFeedNamingTheDirectoryWhenTheEmbeddedDriversClientIsClosedUnderIt() {
        try (TestIngress ingress = new TestIngress(); AeronMedia media = AeronMedia.embedded()) {
            final AeronFeed feed = new AeronFeed(media, new AeronFeed.Settings(CHANNEL, 43, AeronFeed.Mode.DROP));
            halfAMessage(media, feed, 43, ingress);

            media.aeron().close();
            pollUntilEnd(feed, ingress);

            final String reason = feed.endReason();
            assertTrue(reason != null && reason.contains(media.directory()) && reason.contains("closed"), "end reason: " + reason);
            assertEquals(1, ingress.dropped(DropReason.FEED_TRUNCATED));
            assertEquals(0, ingress.get(PathCounters.Counter.FEED_ERRORS), "a close is no error: " + ingress.errors);
        }
    }

    @Test
    void shouldCountAndReportAnAsynchronousClientErrorOnceWhenTheFeedGoesOn() throws InterruptedException {
        try (TestIngress ingress = new TestIngress(); AeronMedia media = AeronMedia.embedded()) {
            final AeronFeed feed = new AeronFeed(media, new AeronFeed.Settings(CHANNEL, 44, AeronFeed.Mode.DROP));
            // What the client conductor does with an error of a channel endpoint (a socket failing under a running
            // UDP subscription): the client's own error handler, the one AeronMedia installed, on another thread.
            final Thread conductor = Thread.ofPlatform().start(() -> media.aeron().context().errorHandler()
                .onError(new ChannelEndpointException(7, "socket error on the channel")));
            conductor.join();
            await("the error to be reported", () -> ingress.get(PathCounters.Counter.FEED_ERRORS) > 0, () -> ingress.poll(feed));
            for (int i = 0; i < 100; i++) {
                assertEquals(0, ingress.poll(feed), "the feed goes on");
            }
            assertEquals(1, ingress.get(PathCounters.Counter.FEED_ERRORS), ingress.errors.toString());
            assertEquals(1, ingress.errors.size(), ingress.errors.toString());
            assertTrue(ingress.errors.get(0).contains(media.directory()) && ingress.errors.get(0).contains("socket error"),
                ingress.errors.get(0));
            assertEquals(1, media.clientErrors());
            assertNull(feed.endReason());
            assertNull(media.clientClosed());
        }
    }

    @Test
    void shouldCountEveryClientErrorInFeedErrorsWhenMoreArriveThanTheQueueHolds() throws InterruptedException {
        final int errors = AeronClientEvents.CAPACITY + 36;
        try (TestIngress ingress = new TestIngress(); AeronMedia media = AeronMedia.embedded()) {
            final AeronFeed feed = new AeronFeed(media, new AeronFeed.Settings(CHANNEL, 45, AeronFeed.Mode.DROP));
            // More errors between two polls than the queue holds, from the client's own error handler on another
            // thread, as the client conductor reports them.
            final Thread conductor = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < errors; i++) {
                    media.aeron().context().errorHandler().onError(new ChannelEndpointException(7, "socket error " + i));
                }
            });
            conductor.join();
            assertEquals(errors, media.clientErrors());
            // All are queued or counted before the first poll, which reports them.
            for (int i = 0; i < 100; i++) {
                assertEquals(0, ingress.poll(feed), "the feed goes on");
            }
            assertEquals(errors, ingress.get(PathCounters.Counter.FEED_ERRORS),
                "feed_errors counts every client error, the queued and the overflowed: " + ingress.errors.size() + " reports");
            // Each queued error is reported on its own, the overflow once, with how many it stands for.
            assertEquals(AeronClientEvents.CAPACITY + 1, ingress.errors.size(), ingress.errors.toString());
            final String summary = ingress.errors.get(ingress.errors.size() - 1);
            assertTrue(summary.contains(media.directory()) && summary.contains(Integer.toString(errors - AeronClientEvents.CAPACITY)),
                summary);
            assertNull(feed.endReason());
        }
    }
    @Test
    void shouldReportAtTheCloseAClientErrorThatArrivedAfterTheLastPoll() throws InterruptedException {
        try (TestIngress ingress = new TestIngress(); AeronMedia media = AeronMedia.embedded()) {
            final AeronFeed feed = new AeronFeed(media, new AeronFeed.Settings(CHANNEL, 46, AeronFeed.Mode.DROP));
            for (int i = 0; i < 10; i++) {
                assertEquals(0, ingress.poll(feed));
            }
            // The feed's last poll is over; the client conductor reports an error before the ingress closes the feed.
            final Thread conductor = Thread.ofPlatform().start(() -> media.aeron().context().errorHandler()
                .onError(new ChannelEndpointException(7, "socket error after the last poll")));
            conductor.join();
            assertEquals(0, ingress.get(PathCounters.Counter.FEED_ERRORS), "not polled since");

            feed.close(ingress.path);

            assertEquals(1, media.clientErrors());
            assertEquals(1, ingress.get(PathCounters.Counter.FEED_ERRORS), "the close hands the error over: " + ingress.errors);
            assertEquals(1, ingress.errors.size(), ingress.errors.toString());
            assertTrue(ingress.errors.get(0).contains(media.directory())
                && ingress.errors.get(0).contains("socket error after the last poll"), ingress.errors.get(0));
            feed.close(ingress.path);
            assertEquals(1, ingress.get(PathCounters.Counter.FEED_ERRORS), "a second close reports nothing again");
        }
    }

    @Test
    void shouldCountEveryClientErrorAtTheClosesOfTheFeedsWhenMoreArriveAfterTheLastPollThanTheQueueHolds()
        throws InterruptedException {
        final int errors = AeronClientEvents.CAPACITY + 36;
        try (TestIngress first = new TestIngress(); TestIngress second = new TestIngress();
             AeronMedia media = AeronMedia.embedded()) {
            final AeronFeed one = new AeronFeed(media, new AeronFeed.Settings(CHANNEL, 47, AeronFeed.Mode.DROP));
            final AeronFeed two = new AeronFeed(media, new AeronFeed.Settings(CHANNEL, 48, AeronFeed.Mode.LOSSLESS));
            assertEquals(0, first.poll(one));
            assertEquals(0, second.poll(two));
            final Thread conductor = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < errors; i++) {
                    media.aeron().context().errorHandler().onError(new ChannelEndpointException(7, "socket error " + i));
                }
            });
            conductor.join();

            one.close(first.path);
            two.close(second.path);

            assertEquals(errors, media.clientErrors());
            assertEquals(errors, first.get(PathCounters.Counter.FEED_ERRORS) + second.get(PathCounters.Counter.FEED_ERRORS),
                "every error is counted once, by one of the closes: " + first.errors.size() + " + " + second.errors.size());
            assertEquals(AeronClientEvents.CAPACITY + 1, first.errors.size() + second.errors.size(),
                "the queued ones one by one, the overflow in one summary");
            assertNull(one.endReason());
            assertNull(two.endReason());
        }
    }
}
