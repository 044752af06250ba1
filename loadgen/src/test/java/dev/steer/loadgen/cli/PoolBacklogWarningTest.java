package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ring as large as the ingress pools together never drops a frame as {@code ring_full}: every frame in a ring is a
 * frame of a pool, taken before the ring is tried, so its backlog runs out of frames first and is dropped as
 * {@code pool_exhausted}. {@code --qsize
 * 16384} with the default pool of 16,384 frames is such a run, taken without a word; the run now says so before it
 * starts, as it does for sizes no pool frame holds.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PoolBacklogWarningTest {
    private static Path poolOf(Path dir, int frames) throws IOException {
        final Path file = dir.resolve("pool.conf");
        Files.writeString(file, "steer { engine { pool { frames = " + frames + " } } }\n");
        return file;
    }

    @Test
    void shouldWarnBeforeTheRunWhenARingIsAsLargeAsTheIngressPools(@TempDir Path dir) throws IOException {
        final CliRunner result = CliRunner.run("run", "--config", poolOf(dir, 1024).toString(), "--feed", "synthetic",
            "--cpus", "0", "--qsize", "2048", "--rate", "1k", "--duration", "300ms", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertTrue(result.err().contains("steer run: warning: the ring of entry 0 (qsize 2,048) never drops a frame as"
            + " ring_full: the ingress pool holds 1,024 frames (steer.engine.pool.frames 1,024 x 1 feed queue), every"
            + " frame in a ring is one of them, and a frame is taken from the pool before the ring is tried, so its"
            + " backlog is dropped as pool_exhausted; lower the qsize, or raise steer.engine.pool.frames (the rings"
            + " together hold 2,048)"), result.toString());
    }

    @Test
    void shouldSayARingExactlyAsLargeAsThePoolsNeverDropsAsRingFullNotThatItCanNeverBeFull(@TempDir Path dir)
        throws IOException {
        // Such a ring is full once every frame is in it; what never happens is a ring_full drop, since the next frame
        // is taken from the (then empty) pool before the ring is tried. The warning said "can never be full".
        final CliRunner result = CliRunner.run("run", "--config", poolOf(dir, 1024).toString(), "--feed", "synthetic",
            "--cpus", "0", "--qsize", "1024", "--rate", "1k", "--duration", "300ms", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertTrue(result.err().contains("steer run: warning: the ring of entry 0 (qsize 1,024) never drops a frame as"
            + " ring_full: "), result.toString());
        assertFalse(result.err().contains("can never be full"), result.toString());
    }

    @Test
    void shouldSayALosslessRunIsHeldBackNotDroppedWhenARingIsLargerThanTheIngressPools(@TempDir Path dir)
        throws IOException {
        // Lossless drops nothing: a packet no pool frame is left for back-pressures the feed (refused as
        // pool_exhausted), so the warning must not say the backlog is dropped.
        final CliRunner result = CliRunner.run("run", "--config", poolOf(dir, 1024).toString(), "--feed", "synthetic",
            "--lossless", "--cpus", "0", "--qsize", "2048", "--rate", "1k", "--duration", "300ms", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertTrue(result.err().contains("steer run: warning: the ring of entry 0 (qsize 2,048) can never be full: the"
            + " ingress pool holds 1,024 frames (steer.engine.pool.frames 1,024 x 1 feed queue) and every frame in a ring"
            + " is one of them, so its backlog back-pressures the feed (lossless) as pool_exhausted, not ring_full; lower"
            + " the qsize, or raise steer.engine.pool.frames (the rings together hold 2,048)"),
            result.toString());
    }

    @Test
    void shouldNotWarnALosslessRunWhoseRingIsExactlyAsLargeAsTheIngressPools(@TempDir Path dir) throws IOException {
        // A lossless ingress asks the ring for room before it takes a frame: with every frame of the pool in the ring
        // (and its bulk queue) the ring is full and refuses as ring_full, so such a ring can be full.
        final CliRunner result = CliRunner.run("run", "--config", poolOf(dir, 1024).toString(), "--feed", "synthetic",
            "--lossless", "--cpus", "0", "--qsize", "1024", "--rate", "1k", "--duration", "300ms", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertFalse(result.err().contains("steer run: warning: the ring"), result.toString());
    }

    @Test
    void shouldNotWarnWhenThePoolsHoldEveryRing(@TempDir Path dir) throws IOException {
        final CliRunner result = CliRunner.run("run", "--config", poolOf(dir, 1024).toString(), "--feed", "synthetic",
            "--cpus", "0", "--qsize", "512", "--queues", "2", "--rate", "1k", "--duration", "300ms", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertFalse(result.err().contains("steer run: warning: the ring"), result.toString());
    }

    @Test
    void shouldCountThePoolOfEveryFeedQueueWhenTheFeedHasSeveral(@TempDir Path dir) throws IOException {
        final CliRunner result = CliRunner.run("run", "--config", poolOf(dir, 1024).toString(), "--feed", "synthetic",
            "--cpus", "0", "--qsize", "1536", "--queues", "2", "--rate", "1k", "--duration", "300ms", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        assertFalse(result.err().contains("steer run: warning: the ring"), "2 pools of 1,024 frames can fill a ring of 1,536: " + result);
    }
}
