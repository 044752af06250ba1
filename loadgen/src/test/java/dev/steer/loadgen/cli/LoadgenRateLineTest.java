package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code steer loadgen}'s once-a-second rate lines after the printing thread stalled. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoadgenRateLineTest {
    private static final long STALL_NS = TimeUnit.MILLISECONDS.toNanos(2_500);
    private static final int DURATION_S = 7;

    /** Keeps each line with the clock when it ended; blocks for {@link #STALL_NS} on the first rate line, as a paused terminal. */
    private static final class StallingWriter extends Writer {
        private final StringBuilder line = new StringBuilder();
        private final List<String> lines = new ArrayList<>();
        private final List<Long> endedAt = new ArrayList<>();
        private boolean stalled;

        @Override
        public synchronized void write(char[] chars, int offset, int length) {
            for (int i = offset; i < offset + length; i++) {
                if (chars[i] != '\n') {
                    line.append(chars[i]);
                    continue;
                }
                final String text = line.toString().strip();
                line.setLength(0);
                if (!text.contains("frames/s")) {
                    continue;
                }
                lines.add(text);
                endedAt.add(System.nanoTime());
                if (!stalled) {
                    stalled = true;
                    final long until = System.nanoTime() + STALL_NS;
                    while (System.nanoTime() - until < 0) {
                        LockSupport.parkNanos(until - System.nanoTime());
                    }
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    @Test
    void shouldPrintOneLongIntervalLineAndThenNormalOnesNotABurstWhenPrintingStalledForSeveralIntervals()
        throws Exception {
        final StallingWriter err = new StallingWriter();
        final StringWriter out = new StringWriter();
        try (DatagramSocket sink = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            final int exit = SteerCli.execute(new String[] {"loadgen", "--to", "udp", "--target",
                "127.0.0.1:" + sink.getLocalPort(), "--rate", "10k", "--duration", DURATION_S + "s"},
                new PrintWriter(out, true), new PrintWriter(err, true));
            assertEquals(SteerCli.EXIT_OK, exit, out + "\n" + err.lines);
        }
        final List<Long> at;
        synchronized (err) {
            at = List.copyOf(err.endedAt);
        }
        // Lines at 1 s (it stalls until 3.5 s), 4.5 s covering the stall, then 5.5 s and 6.5 s: the third line still
        // comes before the end when a loaded machine wakes the thread up to 1.5 s late.
        assertTrue(at.size() >= 3, "the stalled line, the long one after it and a normal one: " + err.lines);
        // Before, the lines the stall missed came back to back as it ended, each over almost no time. Lines on the
        // 1 s grid may come closer than 1 s (one woken late is followed by one on time), but not 50 ms apart.
        final long gapNs = at.get(2) - at.get(1);
        assertTrue(gapNs >= TimeUnit.MILLISECONDS.toNanos(50), "one line covers the stall, not a burst: the next came "
            + gapNs / 1_000_000 + " ms after it: " + err.lines);
        assertTrue(at.size() <= DURATION_S + 1, "at most a line a second: " + err.lines);
    }
}
