package dev.steer.loadgen.traffic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PacerTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void shouldReleaseExactlyTheRateWhenPolledOften() {
        final Pacer pacer = new Pacer(1000, 10);
        long total = pacer.acquire(0, Integer.MAX_VALUE);
        assertEquals(10, total, "starts with a full burst");
        for (long t = 100_000; t <= 5 * SECOND; t += 100_000) { // every 100 us for 5 s
            total += pacer.acquire(t, Integer.MAX_VALUE);
        }
        assertEquals(10 + 5000, total, "burst plus 1000/s for 5 s, no drift");
    }

    @Test
    void shouldReleaseExactlyTheRateWhenRateDoesNotDivideASecond() {
        final Pacer pacer = new Pacer(3, 1);
        long total = pacer.acquire(0, 100);
        for (long t = 1; t <= 10 * SECOND; t += 7_000_000) {
            total += pacer.acquire(t, 100);
        }
        // floor(t * 3 / 1e9) due at the last t plus the starting burst of 1
        final long last = 1 + (10 * SECOND - 1) / 7_000_000 * 7_000_000;
        assertEquals(1 + last * 3 / SECOND, total);
    }

    @Test
    void shouldBoundTheCatchUpWhenTheCallerStalled() {
        final Pacer pacer = new Pacer(1_000_000, 64);
        assertEquals(64, pacer.acquire(0, 1000));
        assertEquals(0, pacer.acquire(0, 1000), "nothing more at the same instant");
        assertEquals(64, pacer.acquire(3 * SECOND, 1000), "a 3 s stall releases one burst, not 3M frames");
        assertEquals(0, pacer.acquire(3 * SECOND, 1000));
        assertEquals(10, pacer.acquire(3 * SECOND + 10_000, 1000), "then the rate resumes: 10 frames in 10 us");
        assertEquals(64, pacer.acquire(3600L * 24 * 365 * SECOND, 1000), "a year-long stall does not overflow");
    }

    @Test
    void shouldGrantAtMostMaxAndTakeBackReleasedPermits() {
        final Pacer pacer = new Pacer(1000, 8);
        assertEquals(3, pacer.acquire(0, 3));
        pacer.release(2);
        assertEquals(7, pacer.acquire(0, 100), "8 - 3 + 2 returned");
        assertEquals(0, pacer.acquire(0, 100));
        assertEquals(0, pacer.acquire(999_999, 100), "the next frame is due at 1 ms");
        assertEquals(1, pacer.acquire(1_000_000, 100));
    }

    @Test
    void shouldRefuseARateOrBurstOutOfRangeWhenBuilt() {
        assertEquals("rate=0: must be 1..1000000000 frames/s",
            assertThrows(IllegalArgumentException.class, () -> new Pacer(0, 1)).getMessage());
        assertEquals("burst=0: must be 1..65536",
            assertThrows(IllegalArgumentException.class, () -> new Pacer(1, 0)).getMessage());
    }

    private static final long MS = 1_000_000L;

    @Test
    void shouldSendTheRateOnlyDuringOnAndNothingDuringOffWhenGivenAnOnOffPattern() {
        final Pacer pacer = new Pacer(100_000, 10, 10 * MS, 90 * MS); // 100k/s during 10 ms of every 100 ms
        long total = 0;
        long inOff = 0;
        for (long t = 0; t <= 5_000 * MS; t += 10_000) { // every 10 us for 5 s: 50 periods
            final int granted = pacer.acquire(t, Integer.MAX_VALUE);
            total += granted;
            if (t % (100 * MS) >= 10 * MS) {
                inOff += granted;
            }
        }
        assertEquals(0, inOff, "nothing during off");
        // 1,000 frames per 10 ms on, 50 periods, plus the starting burst, exactly: the off time earns no credit.
        assertEquals(10 + 50 * 1_000, total);
    }

    @Test
    void shouldResumeWhereOnStoppedWithoutACatchUpBurstWhenOnComesBack() {
        final Pacer pacer = new Pacer(1_000_000, 64, MS, 9 * MS); // 1 ms on, 9 ms off
        long total = 0;
        for (long t = 0; t < MS; t += 10_000) {
            total += pacer.acquire(t, 1_000);
        }
        assertEquals(64 + 99 * 10, total, "the burst, then 10 frames per 10 us up to 990 us");
        assertEquals(0, pacer.acquire(5 * MS, 1_000), "off");
        assertEquals(10, pacer.acquire(10 * MS, 1_000),
            "on again: only the 10 us of the last on not yet taken, no credit from the 9 ms off (a stall would give 64)");
        assertEquals(10, pacer.acquire(10 * MS + 10_000, 1_000), "then the rate: 10 frames in 10 us");
    }

    @Test
    void shouldGoAsFastAsAllowedDuringOnWhenThePatternHasNoRate() {
        final Pacer pacer = new Pacer(Pacer.UNLIMITED, 64, 10 * MS, 90 * MS);
        assertEquals(64, pacer.acquire(0, 1_000), "a burst at a time during on");
        assertEquals(64, pacer.acquire(0, 1_000));
        assertEquals(5, pacer.acquire(MS, 5), "at most max");
        assertEquals(0, pacer.acquire(10 * MS, 1_000), "off from 10 ms");
        assertEquals(0, pacer.acquire(99 * MS, 1_000));
        assertEquals(64, pacer.acquire(100 * MS, 1_000), "on again");
        assertEquals(0, pacer.acquire(3_600_000 * MS + 50 * MS, 1_000), "off an hour later");
    }

    @Test
    void shouldSayHowLongOffStillLastsAndZeroWhileOnWhenAskedWhenTheNextOnBegins() {
        final Pacer pacer = new Pacer(100_000, 10, 10 * MS, 90 * MS);
        assertEquals(0, pacer.nanosUntilOn(5 * MS), "before the first acquire: on, the pattern starts with it");
        assertEquals(10, pacer.acquire(5 * MS, 100), "the pattern starts at 5 ms");
        assertEquals(0, pacer.nanosUntilOn(5 * MS));
        assertEquals(0, pacer.nanosUntilOn(15 * MS - 1), "the last nanosecond of on");
        assertEquals(90 * MS, pacer.nanosUntilOn(15 * MS), "off begins: all of it to go");
        assertEquals(MS, pacer.nanosUntilOn(104 * MS));
        assertEquals(1, pacer.nanosUntilOn(105 * MS - 1));
        assertEquals(0, pacer.nanosUntilOn(105 * MS), "the next on");
        assertEquals(90 * MS, pacer.nanosUntilOn(3_600_000 * MS + 15 * MS), "an hour later, the same phase");
        assertEquals(2 * MS, pacer.nanosUntilOn(3 * MS), "a clock before the start: on when it gets there");
        assertEquals(0, pacer.acquire(104 * MS, 100), "asking changed nothing: still off for acquire");
        assertEquals(10, pacer.acquire(105 * MS, 100), "and on at 105 ms: a burst of what the first on left untaken");
    }

    @Test
    void shouldNeverWaitForOnWhenThereIsNoPatternOrNoRate() {
        final Pacer paced = new Pacer(1_000, 1);
        assertEquals(1, paced.acquire(0, 10));
        assertEquals(0, paced.acquire(0, 10), "ahead of the rate");
        assertEquals(0, paced.nanosUntilOn(0), "ahead of the rate is not off");
        final Pacer unlimited = new Pacer(Pacer.UNLIMITED, 64, 10 * MS, 90 * MS);
        assertEquals(64, unlimited.acquire(0, 1_000));
        assertEquals(0, unlimited.nanosUntilOn(9 * MS));
        assertEquals(50 * MS, unlimited.nanosUntilOn(50 * MS), "off without a rate as with one");
    }

    @Test
    void shouldGiveEveryProfileWithAPatternAPacerThatStopsDuringOffWithOrWithoutARate() {
        final TrafficProfile bursts = TrafficProfile.defaults().withOnOff(10 * MS, 90 * MS);
        final Pacer unlimited = bursts.newPacer();
        assertEquals(Pacer.UNLIMITED, unlimited.rate(), "no rate: as fast as it goes during on");
        assertEquals(64, unlimited.acquire(0, 1_000));
        assertEquals(0, unlimited.acquire(10 * MS, 1_000), "off: a pattern without a rate still stops");
        final Pacer paced = bursts.withRate(100_000, TrafficProfile.BURST_FROM_RATE).newPacer();
        assertEquals(100_000, paced.rate());
        assertEquals(100, paced.acquire(0, 1_000), "the burst of 100k/s, a millisecond of it");
        assertEquals(0, paced.acquire(50 * MS, 1_000), "off");
        assertEquals(null, bursts.withOnOff(TrafficProfile.NO_ON_OFF, TrafficProfile.NO_ON_OFF).newPacer(),
            "neither rate nor pattern: no pacer");
    }

    @Test
    void shouldRefuseAnOnOffPatternWhosePartsAreNotPositiveOrARateOfNoneWithoutAPattern() {
        assertEquals("on-off=0ns/90000000ns: on and off must both be positive",
            assertThrows(IllegalArgumentException.class, () -> new Pacer(1, 1, 0, 90 * MS)).getMessage());
        assertEquals("on-off=10000000ns/0ns: on and off must both be positive",
            assertThrows(IllegalArgumentException.class, () -> new Pacer(1, 1, 10 * MS, 0)).getMessage());
        assertEquals("rate=0: must be 1..1000000000 frames/s",
            assertThrows(IllegalArgumentException.class, () -> new Pacer(0, 1)).getMessage());
    }
}
