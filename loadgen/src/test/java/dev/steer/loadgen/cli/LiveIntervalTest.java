package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live statistics of {@code steer run} after a stall of the sampling thread: here its stdout blocks for
 * several intervals on the first block printed, as a terminal paused with Ctrl-S or a slow pipe does (a GC pause
 * or a descheduled host does the same). The run must skip the ticks it missed, not fire them back to back:
 * those would be intervals of almost no length, with absurd rates.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LiveIntervalTest {
    private static final long INTERVAL_MS = 100;
    private static final long STALL_MS = 5 * INTERVAL_MS + INTERVAL_MS / 2;

    /** A stdout whose first write of a live block blocks for {@link #STALL_MS}. */
    private static final class StallingOnce extends Writer {
        private final StringWriter text = new StringWriter();
        private boolean stalled;

        @Override
        public void write(char[] chars, int off, int len) {
            if (!stalled && new String(chars, off, len).contains("Summary")) {
                stalled = true;
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(STALL_MS));
            }
            text.write(chars, off, len);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    @Test
    void shouldSkipMissedTicksWhenTheSamplingThreadStalled(@TempDir Path dir) throws IOException {
        final StallingOnce out = new StallingOnce();
        final StringWriter err = new StringWriter();
        // Long enough that the interval after the stall ends before the run does, however late the first tick came.
        final int exit = SteerCli.execute(new String[] {"run", "--feed", "synthetic", "--duration", "2500ms",
            "--interval", INTERVAL_MS + "ms", "--no-pin", "--rate", "100000", "--report", dir.toString()},
            new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(SteerCli.EXIT_OK, exit, out.text + "\n" + err);
        assertTrue(out.stalled, "the live output stalled once");
        final List<String> rows = Files.readAllLines(dir.resolve("timeseries.csv"));
        final int column = List.of(rows.get(0).split(",")).indexOf("interval_s");
        // The sample before the stall read its counters before it printed; skipping the missed ticks, the next is
        // due a whole period after the stall ended, so one interval spans the stall and that period: a lower bound
        // only, which a loaded machine cannot break. Fired back to back, the missed ticks would have ended that
        // interval as soon as the stall did. (Intervals near a late wake-up may be short with ticks skipped too: the
        // next tick stays on time, so their lengths say nothing.) Every interval but the last, which is the run's end.
        double longest = 0;
        for (String row : rows.subList(1, rows.size() - 1)) {
            longest = Math.max(longest, Double.parseDouble(row.split(",")[column]));
        }
        assertTrue(longest >= (STALL_MS + INTERVAL_MS) / 1e3 - 0.0005, "no interval spans the " + STALL_MS
            + " ms stall and a whole " + INTERVAL_MS + " ms period after it: the missed ticks were fired to catch up\n"
            + String.join("\n", rows));
    }
}
