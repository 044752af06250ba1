package dev.steer.loadgen.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.loadgen.traffic.TrafficProfile;

/**
 * A sender with an on/off pattern is silent during off: it sleeps until the next on, in bounded steps, rather than
 * polling its pacer (a yield loop keeps a core busy for the whole off, up to an hour, and takes CPU from the engine a
 * sizing run measures). Its burst here lasts less than the 50 µs park at the rate, the case that yielded. Counted in
 * the thread's CPU time against a generous bound, and in frames, not timed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SendLoopOnOffTest {
    private static final long MS = 1_000_000L;
    /** How long the sender's CPU time is watched during off. */
    private static final long WATCH_NS = 300 * MS;

    /** Takes every frame and counts them; written by the sending thread only. */
    private static final class Counting implements FrameOutput {
        volatile long frames;

        @Override
        public int send(DirectBuffer buffer, int offset, int length) {
            frames++;
            return SENT;
        }

        @Override
        public int flush() {
            return SENT;
        }

        @Override
        public String describe() {
            return "counting";
        }
    }

    @Test
    void shouldSleepNotSpinWhileOffAndStillSeeAStopWhenOffLastsAnHour() throws InterruptedException {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled(), "thread CPU time");
        // 1 frame at 1M/s lasts 1 µs, less than the 50 µs park: before the fix, such a sender yielded in a loop.
        final TrafficProfile traffic = TrafficProfile.defaults().withRate(1_000_000, 1)
            .withOnOff(MS, TrafficProfile.MAX_ON_OFF_NS);
        final Counting output = new Counting();
        final SendLoop loop = SendLoop.forTraffic("on-off-sender", traffic, output, Long.MAX_VALUE).start();
        try {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (output.frames == 0 && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(MS);
            }
            assertTrue(output.frames > 0, "the first on period sent");
            pause(50 * MS); // well past the 1 ms on: the hour of off has begun
            final long id = threadId("on-off-sender");
            final long framesBefore = output.frames;
            final long cpuBefore = threads.getThreadCpuTime(id);
            final long wallBefore = System.nanoTime();
            pause(WATCH_NS);
            final long cpu = threads.getThreadCpuTime(id) - cpuBefore;
            final long wall = System.nanoTime() - wallBefore;
            assertEquals(framesBefore, output.frames, "nothing sent during off");
            // A yield loop takes most of a core for the whole time; a sender parking up to 1 ms at a time wakes a few
            // hundred times, microseconds each.
            assertTrue(cpu < wall / 10, "sender CPU time during " + wall / MS + " ms of off: " + cpu / 1_000 + " us");
        } finally {
            loop.stop();
            assertTrue(loop.await(Duration.ofSeconds(10)), "a stop is seen during an hour of off");
            loop.close();
        }
    }

    @Test
    void shouldSendAgainWhenTheNextOnPeriodComesAfterSleepingThroughOff() throws InterruptedException {
        // 1 ms on, 20 ms off: an on sends at most its 1,000 frames (plus the starting burst), so 2,500 take three on
        // periods at least, however slow the machine; a sender that slept past the on periods would never end.
        final TrafficProfile traffic = TrafficProfile.defaults().withRate(1_000_000, 1).withOnOff(MS, 20 * MS);
        final Counting output = new Counting();
        final SendLoop loop = SendLoop.forTraffic("on-off-again", traffic, output, 2_500).start();
        assertTrue(loop.await(Duration.ofSeconds(30)), "the loop ends at its limit, over several on periods");
        loop.close();
        assertEquals(2_500, loop.sent());
        assertEquals(2_500, output.frames);
    }

    private static void pause(long ns) {
        final long end = System.nanoTime() + ns;
        for (long left = ns; left > 0; left = end - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    private static long threadId(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name))
            .mapToLong(Thread::threadId).findFirst().orElseThrow();
    }
}
