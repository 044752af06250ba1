package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameSink;
import dev.steer.engine.stats.DropReason;

/**
 * {@code steer run} starts its own senders once every feed it released has been polled since
 * ({@link RunJob#startSenders}): a UDP or AF_PACKET feed's first poll sets the kernel's drops apart as drops before
 * the first poll, and the release only flips a flag, the ingress polling at its next wake-up. The test's thread is
 * the ingress: it polls each feed when it chooses to.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SenderStartTest {
    private static final long NO_BOUND_NS = TimeUnit.SECONDS.toNanos(60);
    private static final FrameSink NO_SINK = new FrameSink() {
        @Override
        public int onFrame(DirectBuffer buffer, int offset, int length, long timestampNs) {
            throw new AssertionError("the test's feeds hand over no frame");
        }

        @Override
        public void onDropped(DropReason reason, int count) {
            throw new AssertionError("the test's feeds count no drop");
        }

        @Override
        public void onFeedError(Throwable error) {
            throw new AssertionError("the test's feeds fail nowhere", error);
        }
    };

    private final List<String> events = Collections.synchronizedList(new ArrayList<>());

    @Test
    void shouldStartTheSendersOnlyAfterEveryReleasedFeedWasPolledWhenAFirstPollComesLate() throws Exception {
        final HeldFeed first = new HeldFeed(new RecordingFeed("udp:127.0.0.1:9100"));
        final HeldFeed late = new HeldFeed(new RecordingFeed("udp:127.0.0.1:9101"));
        first.poll(NO_SINK, 64);
        late.poll(NO_SINK, 64);
        first.release();
        late.release();
        first.poll(NO_SINK, 64);
        final List<String> said = Collections.synchronizedList(new ArrayList<>());
        final Thread run = Thread.ofPlatform().start(() -> RunJob.startSenders(
            new PollingLine(2, List.of(first, late), said::add), NO_BOUND_NS, () -> false,
            () -> events.add("senders started")));
        // The second ingress polls late: once the run's thread waits (or has gone on without waiting).
        awaitWaitingOrDone(run);
        late.poll(NO_SINK, 64);
        run.join(TimeUnit.SECONDS.toMillis(20));
        assertFalse(run.isAlive(), "the senders started once every feed was polled");
        assertEquals(List.of("first poll of udp:127.0.0.1:9100", "first poll of udp:127.0.0.1:9101", "senders started"),
            events, "the senders start after the first poll of every released feed");
        assertEquals(List.of("running: 2 ingresses polling; the run's time has started"), said,
            "the wait saw every ingress poll: the running line is said from it");
    }

    @Test
    void shouldStartTheSendersAndNameTheFeedWhenItsIngressDoesNotPollItWithinTheBound() {
        final HeldFeed polled = new HeldFeed(new RecordingFeed("udp:127.0.0.1:9100"));
        final HeldFeed never = new HeldFeed(new RecordingFeed("udp:127.0.0.1:9101"));
        polled.release();
        never.release();
        polled.poll(NO_SINK, 64);
        final List<String> said = new ArrayList<>();
        RunJob.startSenders(new PollingLine(2, List.of(polled, never), said::add), TimeUnit.MILLISECONDS.toNanos(20),
            () -> false, () -> events.add("senders started"));
        assertEquals(List.of("first poll of udp:127.0.0.1:9100", "senders started"), events,
            "the wait is bounded: the senders start without the second feed's poll");
        assertEquals(1, said.size(), () -> "one line: " + said);
        final String warning = said.get(0);
        assertTrue(warning.startsWith("warning: "), warning);
        assertTrue(warning.contains("udp:127.0.0.1:9101"), "names the feed not polled: " + warning);
        assertFalse(warning.contains("udp:127.0.0.1:9100"), "not the feed polled: " + warning);
        assertFalse(warning.contains("the run's time has started"), "not the words a sender waits for: " + warning);
    }

    @Test
    void shouldEndTheWaitAndStartNoSenderWhenTheRunIsAskedToStopWhileAFeedIsNotPolledYet() throws Exception {
        final HeldFeed never = new HeldFeed(new RecordingFeed("udp:127.0.0.1:9100"));
        never.release();
        final AtomicBoolean stopRequested = new AtomicBoolean();
        final List<String> said = Collections.synchronizedList(new ArrayList<>());
        final Thread run = Thread.ofPlatform().start(() -> RunJob.startSenders(
            new PollingLine(1, List.of(never), said::add), NO_BOUND_NS, stopRequested::get,
            () -> events.add("senders started")));
        awaitWaitingOrDone(run);
        // As RunJob.requestStop (a signal's hook): the flag, then an unpark of the run's thread.
        stopRequested.set(true);
        LockSupport.unpark(run);
        run.join(TimeUnit.SECONDS.toMillis(20));
        assertFalse(run.isAlive(), "a stop request ends the wait for the first poll, long before its bound");
        assertEquals(List.of(), events, "no sender starts once the run was asked to stop");
        assertEquals(List.of(), said, "no warning that the senders start all the same: " + said);
    }

    @Test
    void shouldMarkOnlyAPollAfterTheReleaseAsTheFirstPollWhenTheFeedWasPolledWhileHeld() {
        final HeldFeed feed = new HeldFeed(new RecordingFeed("udp:127.0.0.1:9100"));
        assertEquals(0, feed.poll(NO_SINK, 64));
        assertFalse(feed.polledSinceRelease(), "a poll while held is no first poll");
        feed.release();
        assertFalse(feed.polledSinceRelease(), "released, not polled yet");
        feed.poll(NO_SINK, 64);
        assertTrue(feed.polledSinceRelease(), "polled after the release");
        feed.release();
        assertTrue(feed.polledSinceRelease(), "a second release changes nothing");
        feed.poll(NO_SINK, 64);
        assertEquals(List.of("first poll of udp:127.0.0.1:9100", "poll of udp:127.0.0.1:9100"), events,
            "the wrapped feed is polled only after the release");
    }

    @Test
    void shouldTakeTheFirstPollAsOverWhenTheWrappedFeedThrowsOnIt() {
        // The ingress counts the failure and is restarted by supervision, or gives up after its restarts: either way
        // the feed was polled, and the run must neither wait out its bound for it nor warn that it was not polled.
        final HeldFeed failing = new HeldFeed(new Feed() {
            @Override
            public int poll(FrameSink sink, int budget) {
                throw new IllegalStateException("socket closed");
            }

            @Override
            public String name() {
                return "udp:127.0.0.1:9100";
            }
        });
        failing.release();
        assertThrows(IllegalStateException.class, () -> failing.poll(NO_SINK, 64));
        assertTrue(failing.polledSinceRelease(), "a first poll that threw is over");
    }

    @Test
    void shouldNotBlameTheKernelWhenAFeedWithoutDropsBeforeTheFirstPollIsNotPolledWithinTheBound() {
        // An Aeron feed: its publishers are back-pressured while it is held, nothing is dropped before its first poll.
        final HeldFeed aeron = new HeldFeed(new RecordingFeed("aeron:1001@aeron:ipc"));
        aeron.release();
        final List<String> said = new ArrayList<>();
        RunJob.startSenders(new PollingLine(1, List.of(aeron), said::add), TimeUnit.MILLISECONDS.toNanos(20),
            () -> false, () -> events.add("senders started"));
        assertEquals(1, said.size(), () -> "one line: " + said);
        assertTrue(said.get(0).contains("aeron:1001@aeron:ipc"), said.get(0));
        assertFalse(said.get(0).contains("kernel"), "an Aeron feed has no kernel drops: " + said.get(0));
    }

    /** Waits until {@code thread} parks or ends (bounded by the test's timeout). */
    private static void awaitWaitingOrDone(Thread thread) {
        while (true) {
            final Thread.State state = thread.getState();
            if (state == Thread.State.TERMINATED || state == Thread.State.WAITING
                || state == Thread.State.TIMED_WAITING) {
                return;
            }
            LockSupport.parkNanos(100_000);
        }
    }

    /** A feed that records its polls, the first apart. */
    private final class RecordingFeed implements Feed {
        private final String name;
        private boolean polled;

        RecordingFeed(String name) {
            this.name = name;
        }

        @Override
        public int poll(FrameSink sink, int budget) {
            events.add((polled ? "poll of " : "first poll of ") + name);
            polled = true;
            return 0;
        }

        @Override
        public String name() {
            return name;
        }
    }
}
