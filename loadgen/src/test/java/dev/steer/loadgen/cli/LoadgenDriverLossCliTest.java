package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.aeron.Aeron;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.ingress.aeron.AeronMedia;

/**
 * {@code steer loadgen --to aeron --aeron-dir DIR} on a media driver the test starts in a directory of its own and
 * closes while the loadgen sends: the loadgen's client closes, and the loadgen must end with its totals and one line
 * naming the driver (exit 3), not with the Aeron client's exception from its close path.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoadgenDriverLossCliTest {
    @Test
    void shouldEndWithItsTotalsAndAFailureNamingTheDriverWhenItsExternalMediaDriverCloses() throws Exception {
        final Path directory = AeronMedia.newDirectory("test-loadgen");
        final MediaDriver driver = MediaDriver.launch(new MediaDriver.Context().aeronDirectoryName(directory.toString())
            .threadingMode(ThreadingMode.SHARED).dirDeleteOnStart(true).dirDeleteOnShutdown(true)
            .ipcTermBufferLength(1 << 20).timerIntervalNs(TimeUnit.MILLISECONDS.toNanos(10)).printConfigurationOnStart(false));
        // Its own error handler: Aeron's default one exits the JVM when the driver goes.
        try (Aeron receiver = Aeron.connect(new Aeron.Context().aeronDirectoryName(directory.toString())
            .errorHandler(error -> { }))) {
            // A subscriber that is never polled: the publication connects, takes frames up to its window, then waits.
            final Subscription subscription = receiver.addSubscription("aeron:ipc?mtu=8192", 1001);
            final CliRunner.Running run = CliRunner.start("loadgen", "--to", "aeron", "--aeron-dir", directory.toString(),
                "--channel", "aeron:ipc", "--rate", "20k", "--duration", "40s");
            assertTrue(run.awaitErr(" sent "), "the loadgen is sending: " + run.err());
            driver.close();
            final CliRunner result = run.result().get(30, TimeUnit.SECONDS);
            assertEquals(SteerCli.EXIT_FAILED, result.exit(), "a driver gone is a failed loadgen: " + result);
            final Matcher total = Pattern.compile("^sent ([\\d,]+) frames in .*, ([\\d,]+) refused$", Pattern.MULTILINE)
                .matcher(result.out());
            assertTrue(total.find(), "the totals are printed: " + result);
            assertTrue(Long.parseLong(total.group(1).replace(",", "")) > 0, result.toString());
            assertEquals("0", total.group(2), "a closed client refuses nothing: " + result);
            assertTrue(result.err().contains("steer loadgen: output aeron aeron:ipc?mtu=8192 stream 1001 failed after "
                + total.group(1).replace(",", "") + " frames: the Aeron client of media driver " + directory),
                result.toString());
            assertTrue(result.err().contains("has been shutdown"), "says what happened: " + result);
            assertFalse(result.err().contains("client is closed"), "not the client's exception: " + result);
            subscription.close();
        } finally {
            driver.close();
        }
        assertFalse(Files.exists(directory), "the test's driver deleted its directory");
    }
}
