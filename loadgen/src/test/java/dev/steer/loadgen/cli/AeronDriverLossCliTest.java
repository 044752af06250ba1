package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.ingress.aeron.AeronMedia;

/**
 * {@code steer run --feed aeron --aeron-dir DIR} on a media driver the test starts in a directory of its own and
 * closes while the run is running: the run must fail (exit 3) naming the driver, not end "OK" having read nothing
 * since, and not be exited by Aeron's default error handler either.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AeronDriverLossCliTest {
    @Test
    void shouldFailTheRunNamingTheDirectoryWhenItsExternalMediaDriverCloses() throws Exception {
        final Path directory = AeronMedia.newDirectory("test-cli");
        final MediaDriver driver = MediaDriver.launch(new MediaDriver.Context().aeronDirectoryName(directory.toString())
            .threadingMode(ThreadingMode.SHARED).dirDeleteOnStart(true).dirDeleteOnShutdown(true)
            .ipcTermBufferLength(1 << 20).timerIntervalNs(TimeUnit.MILLISECONDS.toNanos(10)).printConfigurationOnStart(false));
        try {
            final CliRunner.Running run = CliRunner.start("run", "--feed", "aeron", "--aeron-dir", directory.toString(),
                "--no-traffic", "--duration", "40s", "--json", "--no-pin");
            assertTrue(run.awaitErr("starting the engine"), "the run opened its feed");
            driver.close();
            final CliRunner result = run.result().get(30, TimeUnit.SECONDS);
            assertEquals(SteerCli.EXIT_FAILED, result.exit(), "an input gone is a failed run: " + result);
            assertTrue(result.err().contains("steer run: the feed aeron:1001@aeron:ipc ended: the Aeron client of media driver "
                + directory) && result.err().contains("has been shutdown"), result.toString());
            final JsonNode summary = new ObjectMapper().readTree(result.out().strip());
            assertTrue(summary.get("failure").asText().contains(directory.toString()), summary.toString());
        } finally {
            driver.close();
        }
        assertFalse(Files.exists(directory), "the test's driver deleted its directory");
    }

    @Test
    void shouldShowTheFailedFeedInRedOnTheReportPageWhenItsExternalMediaDriverCloses(
        @org.junit.jupiter.api.io.TempDir Path report) throws Exception {
        final Path directory = AeronMedia.newDirectory("test-cli");
        final MediaDriver driver = MediaDriver.launch(new MediaDriver.Context().aeronDirectoryName(directory.toString())
            .threadingMode(ThreadingMode.SHARED).dirDeleteOnStart(true).dirDeleteOnShutdown(true)
            .ipcTermBufferLength(1 << 20).timerIntervalNs(TimeUnit.MILLISECONDS.toNanos(10)).printConfigurationOnStart(false));
        try {
            final CliRunner.Running run = CliRunner.start("run", "--feed", "aeron", "--aeron-dir", directory.toString(),
                "--no-traffic", "--duration", "40s", "--report", report.toString(), "--no-pin");
            assertTrue(run.awaitErr("starting the engine"), "the run opened its feed");
            driver.close();
            final CliRunner result = run.result().get(30, TimeUnit.SECONDS);
            assertEquals(SteerCli.EXIT_FAILED, result.exit(), result.toString());
            final String page = Files.readString(report.resolve("index.html"));
            assertTrue(page.contains("<p class=\"lost\">"), "a failed input is not a green OK");
            assertFalse(page.contains("<p class=\"ok\">"));
            final int line = page.indexOf("<p class=\"lost\">");
            final String shown = page.substring(line, page.indexOf("</p>", line));
            assertTrue(shown.contains("the run failed: the feed aeron:1001@aeron:ipc ended: the Aeron client of media driver "
                + directory), "the page says what the text summary says: " + shown);
            final JsonNode summary = new ObjectMapper().readTree(report.resolve("summary.json").toFile());
            assertTrue(summary.get("failure").asText().contains(directory.toString()), summary.toString());
        } finally {
            driver.close();
        }
        assertFalse(Files.exists(directory), "the test's driver deleted its directory");
    }
}
