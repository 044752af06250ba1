package dev.steer.loadgen.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.steer.loadgen.traffic.TrafficProfile;

/**
 * {@code traffic.burst} bounds a sender thread as it bounds a synthetic feed: a sender made for a profile
 * ({@link SendLoop#forTraffic}, as {@code steer run} and {@code steer loadgen} make theirs) sends at most the profile's
 * burst between two flushes, from the start and when it catches up after a stall. Counted per flush, not timed.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SendLoopBurstTest {
    /** How long the output is back-pressured from its first try: hundreds of frames' worth at these rates. */
    private static final long STALL_NS = TimeUnit.MILLISECONDS.toNanos(50);

    /**
     * An output back-pressured for {@link #STALL_NS} from its first try, then taking every frame; it records how many
     * frames each flush ends, and which flush ended the batch that met the stall. Used by the sending thread only, read
     * after it has ended.
     */
    private static final class StallingOnce implements FrameOutput {
        final List<Integer> batches = new ArrayList<>();
        int stalledBatch = -1;
        private long stallEndNs;
        private int inBatch;

        @Override
        public int send(DirectBuffer buffer, int offset, int length) {
            final long now = System.nanoTime();
            if (stalledBatch < 0) {
                stalledBatch = batches.size();
                stallEndNs = now + STALL_NS;
            }
            if (now - stallEndNs < 0) {
                return BACK_PRESSURED;
            }
            inBatch++;
            return SENT;
        }

        @Override
        public int flush() {
            batches.add(inBatch);
            inBatch = 0;
            return SENT;
        }

        @Override
        public String describe() {
            return "stalling-once";
        }
    }

    @ParameterizedTest(name = "rate {0}/s, burst {1}")
    @CsvSource({"1000, 1, 10", "100000, 16, 200", "10000000, 16, 1000"})
    void shouldSendAtMostTheProfilesBurstAtOnceWhenStartingAndAfterAStall(long rate, int burst, long frames)
        throws InterruptedException {
        final StallingOnce output = new StallingOnce();
        final SendLoop loop = SendLoop.forTraffic("burst-" + burst, TrafficProfile.defaults().withRate(rate, burst),
            output, frames).start();
        assertTrue(loop.await(Duration.ofSeconds(20)), "the loop ends at its limit");
        loop.close();
        assertEquals(frames, loop.sent());
        assertTrue(loop.backPressured() > 0, "the output was back-pressured");
        assertEquals(burst, output.batches.getFirst(), "the starting allowance is one burst: " + output.batches);
        assertEquals(burst, output.batches.get(output.stalledBatch + 1),
            "the catch-up after a " + STALL_NS / 1_000_000 + " ms stall is one burst: " + output.batches);
        assertEquals(burst, output.batches.stream().mapToInt(Integer::intValue).max().orElseThrow(),
            "no batch above the burst: " + output.batches);
    }
}
