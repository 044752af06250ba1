package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.loadgen.traffic.TrafficProfile;

/** {@code --rate} is the total over every feed queue, for synthetic feeds and senders alike. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class QueueTrafficTest {
    @Test
    void shouldSplitTheRateSoTheSharesAddUpToTheTotalWhenTrafficIsPaced() {
        final TrafficProfile total = TrafficProfile.defaults().withRate(10, 16);
        final long[] shares = new long[3];
        long sum = 0;
        for (int i = 0; i < 3; i++) {
            final TrafficProfile queue = RunTraffic.queueTraffic(total, 3, i);
            shares[i] = queue.rate();
            sum += queue.rate();
            assertEquals(total.seed() + i, queue.seed(), "each queue its own flows");
            assertEquals(total.burst(), queue.burst());
        }
        assertEquals(10, sum);
        assertEquals(4, shares[0]);
        assertEquals(3, shares[1]);
        assertEquals(3, shares[2]);
    }

    @Test
    void shouldDeriveEachQueuesBurstFromItsShareOfTheRateWhenNoBurstIsGiven() {
        final TrafficProfile total = TrafficProfile.defaults().withRate(10_000_000, TrafficProfile.BURST_FROM_RATE);
        for (int i = 0; i < 2; i++) {
            assertEquals(5_000, RunTraffic.queueTraffic(total, 2, i).pacerBurst(), "a millisecond of the queue's 5M/s");
            assertEquals(16, RunTraffic.queueTraffic(total.withRate(10_000_000, 16), 2, i).pacerBurst(), "as given");
        }
    }

    @Test
    void shouldLeaveEveryQueueUnpacedWhenTheRateIsMax() {
        for (int i = 0; i < 4; i++) {
            assertEquals(TrafficProfile.RATE_MAX, RunTraffic.queueTraffic(TrafficProfile.defaults(), 4, i).rate());
        }
    }
}
