package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.frame.Frame;
import dev.steer.engine.frame.FramePool;
import dev.steer.engine.map.Capabilities;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuMapEntry;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryLifecycle;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.path.Redirector;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;

/**
 * The consumer parks whenever its ring is empty and a producer's flush must wake it. Each round puts one
 * frame in the ring just as the consumer is going to sleep, then waits for its delivery: a lost wake-up
 * leaves the frame in the ring forever and the round times out. Without the recheck after setting the
 * parked flag (or with the flag read before the ring is written), some round hangs.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LostWakeupStressTest {
    private static final int ROUNDS = 30_000;
    private static final long ROUND_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create("wakeup");
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @Test
    void shouldNeverLoseAWakeUpWhenTheConsumerParksBetweenEveryFrame() {
        final FramePool pool = new FramePool(new FramePool.Context().frameCount(64));
        final CpuMap map = CpuMap.create(1, 0, CpuSet.all(1), Capabilities.admin(), EntryLifecycle.NONE).map();
        map.update(0, EntryValue.of(16), CpuMap.ANY);
        final CpuMapEntry entry = map.snapshot().entry(0);
        final AtomicLong delivered = new AtomicLong();
        final ControlSignal signal = new ControlSignal();
        final ConsumerActor.Settings settings = new ConsumerActor.Settings(entry, map,
            batch -> delivered.addAndGet(batch.size()), 8, IdleMode.PARK, false,
            ConsumerActor.FailurePolicy.RESUME, (where, error) -> fail(where + ": " + error), signal,
            // Park for an hour at a time: only a producer's wake-up can end a park, so a lost one hangs the round.
            TimeUnit.HOURS.toNanos(1));
        final ActorRef<DataPath.Command> consumer = testKit.spawn(ConsumerActor.create(settings), "consumer",
            DispatcherSelector.fromConfig("steer.pinned-dispatcher"));

        // The real producer path: redirect into a bulk queue, then the end-of-poll flush that wakes the consumer.
        final Redirector producer = new Redirector(map, new PathCounters("producer", 1), DropReason.PROGRAM_DROP,
            DropReason.PROGRAM_ABORTED);
        producer.refresh();
        final SplittableRandom random = new SplittableRandom(7);
        for (int round = 1; round <= ROUNDS; round++) {
            // Vary the moment of the flush relative to the consumer going to sleep.
            final int spins = random.nextInt(2_000);
            for (int i = 0; i < spins; i++) {
                Thread.onSpinWait();
            }
            final Frame frame = pool.lease();
            producer.steer(frame.length(60), Verdict.redirect(0, Verdict.DROP));
            producer.flush();
            final long deadline = System.nanoTime() + ROUND_TIMEOUT_NS;
            while (delivered.get() < round) {
                if (System.nanoTime() > deadline) {
                    fail("lost wake-up: frame of round " + round + " not delivered within 5 s (ring holds "
                        + entry.ring().size() + ")");
                }
                Thread.onSpinWait();
            }
        }
        final long sched = entry.counters().get(PathCounters.Counter.SCHED);
        assertTrue(sched > ROUNDS / 10, "the consumer parked only " + sched + " times in " + ROUNDS
            + " rounds: the test did not exercise the park path");
        assertEquals(ROUNDS, entry.counters().get(PathCounters.Counter.DELIVERED));
        signal.send(consumer, DataPath.Stop.INSTANCE);
        testKit.stop(consumer);
        final long deadline = System.nanoTime() + ROUND_TIMEOUT_NS;
        while (pool.available() != pool.capacity() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(pool.capacity(), pool.available(), "every frame back in the pool");
    }
}
