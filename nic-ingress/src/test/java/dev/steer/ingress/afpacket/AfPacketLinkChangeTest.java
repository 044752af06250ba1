package dev.steer.ingress.afpacket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;
import dev.steer.ingress.AllocatedBytes;
import dev.steer.ingress.ChildProcesses;
import dev.steer.ingress.TestIngress;

/**
 * A link that goes down, or comes back up, while the feed is polled is noticed by the polling thread within about
 * {@link InterfaceLink#CHECK_INTERVAL_NS} and counted once per transition; a down link loses no packet the feed had,
 * so nothing is counted dropped for it. Each test owns a veth pair in a namespace it creates.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AfPacketLinkChangeTest {
    /** The bound on noticing a transition: one check interval, with room for a loaded machine. */
    private static final long NOTICE_NS = TimeUnit.SECONDS.toNanos(5);

    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[2048]);

    @Test
    void shouldReportTheDownTransitionOnceWithinSecondsWhenTheLinkGoesDownMidRunAndReceiveAgainOnceItIsUp()
        throws Exception {
        try (VethPair veth = VethPair.createOrSkip();
             AfPacketFeed feed = AfPacketFeed.open(veth.feedSettings());
             AfPacketSender sender = veth.sender();
             TestIngress ingress = new TestIngress()) {
            assertTrue(feed.link().up(), "both ends up at open");
            sendAndReceive(feed, sender, ingress, 0, 50);

            veth.link(VethPair.B, "down");
            final long downAt = System.nanoTime();
            pollWhile(feed, ingress, () -> feed.link().downs() == 0, downAt + NOTICE_NS);
            assertEquals(1, feed.link().downs(), "the down transition is noticed within "
                + TimeUnit.NANOSECONDS.toSeconds(NOTICE_NS) + " s while polling");
            assertFalse(feed.link().up());
            final String reported = feed.link().lastDown();
            assertNotNull(reported, "the transition says why");
            assertTrue(reported.contains("AF_PACKET " + VethPair.B + " (netns " + veth.netns() + ")")
                && reported.contains("the interface is down")
                && reported.contains("ip -n " + veth.netns() + " link set " + VethPair.B + " up"), reported);

            // Two more checks while it stays down: still one transition, and a down link drops nothing.
            final long checks = feed.link().checks();
            pollWhile(feed, ingress, () -> feed.link().checks() < checks + 2, System.nanoTime() + 2 * NOTICE_NS);
            assertTrue(feed.link().checks() >= checks + 2, "checked again: " + feed.link().checks());
            assertEquals(1, feed.link().downs(), "one report per transition, not per check");
            assertEquals(0, feed.link().ups());
            assertEquals(50, ingress.get(PathCounters.Counter.RECEIVED), "nothing arrives, nothing is invented");

            veth.link(VethPair.B, "up");
            pollWhile(feed, ingress, () -> feed.link().ups() == 0, System.nanoTime() + NOTICE_NS);
            assertEquals(1, feed.link().ups(), "the way back up is noticed too");
            assertTrue(feed.link().up());
            assertEquals(1, feed.link().downs());
            sendAndReceive(feed, sender, ingress, 50, 50);

            ingress.path.close(feed);
            assertAccounting(ingress, 100);
            for (int i = 0; i < 100; i++) {
                assertEquals(i, TestFrames.sequence(new UnsafeBuffer(ingress.frames.get(i)), 0), "in order, no gap");
            }
        }
    }

    @Test
    void shouldCountTheLinkComingUpWhenTheFeedWasOpenedOnADownInterface() throws Exception {
        try (VethPair veth = VethPair.createOrSkip()) {
            veth.link(VethPair.B, "down");
            try (AfPacketFeed feed = AfPacketFeed.open(veth.feedSettings());
                 AfPacketSender sender = veth.sender();
                 TestIngress ingress = new TestIngress()) {
                assertFalse(feed.link().up(), "down at open");
                assertNull(feed.link().lastDown(), "down at open is linkWarning()'s, not a transition");
                veth.link(VethPair.B, "up");
                pollWhile(feed, ingress, () -> feed.link().ups() == 0, System.nanoTime() + NOTICE_NS);
                assertEquals(1, feed.link().ups());
                assertEquals(0, feed.link().downs(), "no down transition: it was down from the start");
                sendAndReceive(feed, sender, ingress, 0, 20);
                ingress.path.close(feed);
                assertAccounting(ingress, 20);
            }
        }
    }

    /** The peer going down takes the carrier: the feed's side is up but can carry nothing, which is a down link too. */
    @Test
    void shouldReportNoCarrierAsADownTransitionWhenThePeerGoesDown() throws Exception {
        try (VethPair veth = VethPair.createOrSkip();
             AfPacketFeed feed = AfPacketFeed.open(veth.feedSettings());
             TestIngress ingress = new TestIngress()) {
            veth.link(VethPair.A, "down");
            pollWhile(feed, ingress, () -> feed.link().downs() == 0, System.nanoTime() + NOTICE_NS);
            assertEquals(1, feed.link().downs());
            assertTrue(feed.link().lastDown().contains("no carrier"), feed.link().lastDown());
        }
    }

    /**
     * The socket stays bound to its interface (by index) when the interface is renamed, and receives once it is up again;
     * the link's state is that interface's, not whatever now has the old name. Linux renames only a down interface, so
     * the rename comes with a down: here another interface takes the old name, up, while the feed's is down.
     */
    @Test
    void shouldFollowTheBoundInterfaceWhenItIsRenamedAndAnotherTakesItsName() throws Exception {
        try (VethPair veth = VethPair.createOrSkip();
             AfPacketFeed feed = AfPacketFeed.open(veth.feedSettings());
             AfPacketSender sender = veth.sender();
             TestIngress ingress = new TestIngress()) {
            assertTrue(feed.link().up(), "both ends up at open");
            final String renamed = "steer-c";
            veth.link(VethPair.B, "down");
            AfPacketLifecycleTest.run("ip", "-n", veth.netns(), "link", "set", "dev", VethPair.B, "name", renamed);
            feed.checkLink(System.nanoTime());
            assertEquals(1, feed.link().downs(), "the bound interface, now " + renamed + ", went down");
            assertFalse(feed.link().up());

            // Another veth pair, up with a carrier, whose one end takes the old name.
            AfPacketLifecycleTest.run("ip", "-n", veth.netns(), "link", "add", "name", VethPair.B, "type", "veth", "peer",
                "name", "steer-d");
            veth.link("steer-d", "up");
            veth.link(VethPair.B, "up");
            awaitRunning(veth, VethPair.B);
            feed.checkLink(System.nanoTime());
            assertFalse(feed.link().up(), "the interface now named " + VethPair.B + " is up; the feed's is not");
            assertEquals(0, feed.link().ups());

            veth.link(renamed, "up");
            awaitRunning(veth, renamed);
            feed.checkLink(System.nanoTime());
            assertEquals(1, feed.link().ups(), "the bound interface came back up");
            assertTrue(feed.link().up());
            sendAndReceive(feed, sender, ingress, 0, 20);
            ingress.path.close(feed);
            assertAccounting(ingress, 20);
        }
    }

    /**
     * The queues of one interface ({@link AfPacketFeed#openQueues}) have one link: a down that the first queue's checks
     * notice is every queue's, counted once each, with no check of the other queues' own; so is the way back up. (Each
     * queue read the flags on its own stride before: a down shorter than a stride could be counted by one queue only,
     * and nothing told a watcher when every queue had counted it.)
     */
    @Test
    void shouldCountTheSameDownAndUpOnEveryQueueWhenTheFirstQueueNoticesThem() throws Exception {
        try (VethPair veth = VethPair.createOrSkip()) {
            final List<AfPacketFeed> queues = openQueues(veth, 2);
            try {
                final AfPacketFeed first = queues.get(0);
                final AfPacketFeed second = queues.get(1);
                final AfPacketFeedTest.CountingSink sink = new AfPacketFeedTest.CountingSink();
                veth.link(VethPair.B, "down");
                pollUntil(first, sink, () -> first.link().downs() > 0);
                assertEquals(1, first.link().downs(), "the first queue noticed the down");
                assertEquals(1, second.link().downs(), "the second queue, not polled, counts the same down");
                assertFalse(second.link().up());
                assertEquals(first.link().lastDown(), second.link().lastDown());

                veth.link(VethPair.B, "up");
                pollUntil(first, sink, () -> first.link().ups() > 0);
                assertEquals(1, first.link().ups(), "the first queue noticed the way back up");
                assertEquals(1, second.link().ups(), "so does the second");
                assertTrue(second.link().up());
            } finally {
                queues.forEach(AfPacketFeed::close);
            }
        }
    }

    /**
     * Any queue's polls move the queues' shared link, not only the first queue's: while queue 0 is not polled (its
     * ingress restarting, stopped or slow), a down and the way back up that another queue's polls notice are every
     * queue's, counted once each.
     */
    @Test
    void shouldCountTheDownAndUpOnEveryQueueWhenOnlyASecondQueueIsPolled() throws Exception {
        try (VethPair veth = VethPair.createOrSkip()) {
            final List<AfPacketFeed> queues = openQueues(veth, 2);
            try {
                final AfPacketFeed first = queues.get(0);
                final AfPacketFeed second = queues.get(1);
                final AfPacketFeedTest.CountingSink sink = new AfPacketFeedTest.CountingSink();
                veth.link(VethPair.B, "down");
                pollUntil(second, sink, () -> second.link().downs() > 0);
                assertEquals(1, second.link().downs(), "the second queue's polls noticed the down");
                assertEquals(1, first.link().downs(), "the first queue, not polled, counts the same down");
                assertFalse(first.link().up());

                veth.link(VethPair.B, "up");
                pollUntil(second, sink, () -> second.link().ups() > 0);
                assertEquals(1, second.link().ups(), "the way back up is noticed by the second queue too");
                assertEquals(1, first.link().ups());
                assertTrue(first.link().up());
                assertEquals(1, second.link().downs(), "one down in all");
            } finally {
                queues.forEach(AfPacketFeed::close);
            }
        }
    }

    /** Once queue 0 is closed (its socket with it), the queues left go on tracking their link through their own. */
    @Test
    void shouldTrackTheLinkOnTheQueuesLeftWhenTheFirstQueueIsClosed() throws Exception {
        try (VethPair veth = VethPair.createOrSkip()) {
            final List<AfPacketFeed> queues = openQueues(veth, 2);
            try {
                final AfPacketFeed second = queues.get(1);
                queues.get(0).close();
                final AfPacketFeedTest.CountingSink sink = new AfPacketFeedTest.CountingSink();
                veth.link(VethPair.A, "down");
                pollUntil(second, sink, () -> second.link().downs() > 0);
                assertEquals(1, second.link().downs(), "the down is noticed without queue 0");
                assertTrue(second.link().lastDown().contains("no carrier"), second.link().lastDown());
                veth.link(VethPair.A, "up");
                pollUntil(second, sink, () -> second.link().ups() > 0);
                assertEquals(1, second.link().ups(), "and the way back up");
                assertTrue(second.link().up());
            } finally {
                queues.forEach(AfPacketFeed::close);
            }
        }
    }

    /**
     * Every queue polled on a thread of its own, as {@code steer run} polls them: whichever queue is due reads the
     * flags, one at a time, so that a transition is counted once however many queues poll, and the reads stay at about
     * one per interval for all the queues together.
     */
    @Test
    void shouldCountEachTransitionOnceWhenEveryQueuePollsOnAThreadOfItsOwn() throws Exception {
        try (VethPair veth = VethPair.createOrSkip()) {
            // Every read of the flags is counted from here: the link's first is due a whole interval after it is
            // made, and each poll's clock reading, which a due read is stamped with, is taken no earlier than this.
            final long opened = System.nanoTime();
            final List<AfPacketFeed> queues = openQueues(veth, 3);
            final InterfaceLink link = queues.get(0).link();
            final AtomicBoolean stop = new AtomicBoolean();
            final List<Thread> pollers = new ArrayList<>();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            try {
                for (AfPacketFeed queue : queues) {
                    final Thread poller = new Thread(() -> {
                        final AfPacketFeedTest.CountingSink sink = new AfPacketFeedTest.CountingSink();
                        try {
                            while (!stop.get()) {
                                if (queue.poll(sink, 64) == 0) {
                                    // Idle polls still check the link when due; a park keeps three pollers from
                                    // taking both cores of a loaded machine.
                                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
                                }
                            }
                        } catch (Throwable ex) {
                            failure.compareAndSet(null, ex);
                        }
                    }, queue.name());
                    pollers.add(poller);
                    poller.start();
                }
                veth.link(VethPair.B, "down");
                awaitCondition(() -> link.downs() > 0);
                // Two more reads while it stays down: each queue due by then, and still one transition.
                final long checks = link.checks();
                awaitCondition(() -> link.checks() >= checks + 2);
                assertEquals(1, link.downs(), "one report per transition, not per queue");
                veth.link(VethPair.B, "up");
                awaitCondition(() -> link.ups() > 0);
                final long upChecks = link.checks();
                awaitCondition(() -> link.checks() >= upChecks + 2);
                // Each read comes a whole interval after the one before (the first after the open), by the clock
                // reading of the poll that made it: n reads take n intervals from the open. Counted from a later
                // start instead, a poller that read its clock before that start and was descheduled before it read
                // the flags made one read more than the intervals since the start allowed.
                final long reads = link.checks();
                final long span = System.nanoTime() - opened;
                stop.set(true);
                for (Thread poller : pollers) {
                    poller.join(TimeUnit.SECONDS.toMillis(10));
                }
                assertNull(failure.get(), () -> "a poller failed: " + failure.get());
                assertEquals(1, link.downs(), "one down");
                assertEquals(1, link.ups(), "one up");
                assertTrue(link.up());
                for (AfPacketFeed queue : queues) {
                    assertEquals(1, queue.link().downs(), queue.name());
                    assertEquals(1, queue.link().ups(), queue.name());
                }
                final long intervals = span / InterfaceLink.CHECK_INTERVAL_NS;
                assertTrue(reads <= intervals, reads + " reads of the flags by " + queues.size()
                    + " queues in " + TimeUnit.NANOSECONDS.toMillis(span) + " ms: one per interval, not one per queue");
            } finally {
                stop.set(true);
                closeStoppedQueues(queues, pollers);
            }
        }
    }

    /**
     * Waits for each queue's poller ({@code pollers.get(i)} polls {@code queues.get(i)}) and closes the queues whose
     * poller has stopped. A queue whose poller is still alive is left open: closing it would unmap the ring under a
     * thread still reading it, which can crash the whole test JVM instead of failing this test.
     *
     * @throws AssertionError naming each poller still alive after the wait
     */
    private static void closeStoppedQueues(List<AfPacketFeed> queues, List<Thread> pollers)
        throws InterruptedException {
        final List<String> stuck = new ArrayList<>();
        for (int i = 0; i < queues.size(); i++) {
            final Thread poller = i < pollers.size() ? pollers.get(i) : null;
            if (poller != null) {
                poller.join(TimeUnit.SECONDS.toMillis(10));
            }
            if (poller != null && poller.isAlive()) {
                stuck.add(poller.getName());
            } else {
                queues.get(i).close();
            }
        }
        if (!stuck.isEmpty()) {
            throw new AssertionError("poller still alive 10 s after stop, its queue left open rather than unmapped"
                + " under it: " + stuck);
        }
    }

    /** The flags are read on a time stride, not per poll: a poll costs one clock comparison for them. */
    @Test
    void shouldReadTheLinkFlagsAboutOncePerIntervalWhenPolledWithoutPause() throws Exception {
        try (VethPair veth = VethPair.createOrSkip(); AfPacketFeed feed = AfPacketFeed.open(veth.feedSettings())) {
            final AfPacketFeedTest.CountingSink sink = new AfPacketFeedTest.CountingSink();
            final long start = System.nanoTime();
            final long span = InterfaceLink.CHECK_INTERVAL_NS * 5 / 2;
            long polls = 0;
            while (System.nanoTime() - start < span) {
                feed.poll(sink, 64);
                polls++;
            }
            final long intervals = span / InterfaceLink.CHECK_INTERVAL_NS;
            assertTrue(feed.link().checks() >= 1 && feed.link().checks() <= intervals + 1, feed.link().checks()
                + " reads of the flags in " + polls + " polls over " + TimeUnit.NANOSECONDS.toMillis(span) + " ms");
            assertTrue(polls > 100 * feed.link().checks(), polls + " polls");
        }
    }

    /** A check reads the flags into preallocated memory: once compiled it allocates nothing, nor does a transition. */
    @Test
    void shouldNotAllocateWhenCheckingTheLink() throws Exception {
        try (VethPair veth = VethPair.createOrSkip(); AfPacketFeed feed = AfPacketFeed.open(veth.feedSettings())) {
            for (int i = 0; i < 20_000; i++) {
                feed.checkLink(System.nanoTime());
            }
            long best = Long.MAX_VALUE;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            for (int window = 0; best != 0 && (window < 10 || System.nanoTime() < deadline); window++) {
                final long before = AllocatedBytes.ofCurrentThread();
                for (int i = 0; i < 1_000; i++) {
                    feed.checkLink(System.nanoTime());
                }
                best = Math.min(best, AllocatedBytes.ofCurrentThread() - before);
            }
            assertEquals(0, best, "fewest bytes 1,000 link checks allocated");
            assertEquals(0, feed.link().downs(), "up all along");
        }
    }

    /**
     * Waits until {@code iface} is up and running as the kernel reports it ({@code state UP}): the carrier of a veth set
     * up reaches its flags ({@code IFF_RUNNING}) through the kernel's link watch, asynchronously, so a read right after
     * {@code ip link set up} may still find it without. Each {@code ip} bounded; fails after {@link #NOTICE_NS}.
     */
    private static void awaitRunning(VethPair veth, String iface) throws Exception {
        final List<String> show = List.of("ip", "-n", veth.netns(), "-o", "link", "show", "dev", iface);
        final long deadline = System.nanoTime() + NOTICE_NS;
        String output = "";
        while (System.nanoTime() < deadline) {
            final ChildProcesses.Result result = ChildProcesses.run(10, show);
            assertTrue(result.finished() && result.exitValue() == 0, String.join(" ", show) + ": " + result.output());
            output = result.output();
            if (output.contains("state UP")) {
                return;
            }
            AfPacketFeedTest.pause();
        }
        throw new AssertionError(iface + " not up and running within " + TimeUnit.NANOSECONDS.toSeconds(NOTICE_NS)
            + " s: " + output);
    }

    /** {@code count} queues on {@link VethPair#B}, sharing a fanout group the kernel picks unused. */
    private static List<AfPacketFeed> openQueues(VethPair veth, int count) {
        final AfPacketSettings settings = veth.feedSettings()
            .withFanout(AfPacketSettings.UNIQUE_FANOUT_GROUP, AfPacketSettings.FanoutMode.HASH);
        return AfPacketFeed.openQueues("afpacket:" + VethPair.B, settings, count);
    }

    /** Polls {@code queue} until {@code condition} holds or {@link #NOTICE_NS} passed; a ms between empty polls. */
    private static void pollUntil(AfPacketFeed queue, AfPacketFeedTest.CountingSink sink, BooleanSupplier condition) {
        final long deadline = System.nanoTime() + NOTICE_NS;
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            if (queue.poll(sink, 64) == 0) {
                AfPacketFeedTest.pause();
            }
        }
    }

    /** Waits, a ms at a time, until {@code condition} holds or twice {@link #NOTICE_NS} passed. */
    private static void awaitCondition(BooleanSupplier condition) {
        final long deadline = System.nanoTime() + 2 * NOTICE_NS;
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            AfPacketFeedTest.pause();
        }
    }

    /** Sends frames {@code first .. first+count-1} (each until the socket takes it) and polls until all are in. */
    private void sendAndReceive(AfPacketFeed feed, AfPacketSender sender, TestIngress ingress, int first, int count) {
        for (int i = first; i < first + count; i++) {
            TestFrames.write(frame, 100, 1, i);
            final long deadline = System.nanoTime() + NOTICE_NS;
            while (sender.send(frame, 0, 100) < 0 && System.nanoTime() < deadline) {
                AfPacketFeedTest.pause();
            }
        }
        final long target = first + count;
        pollWhile(feed, ingress, () -> ingress.delivered < target, System.nanoTime() + NOTICE_NS);
        assertEquals(target, ingress.delivered, "frames " + first + " .. " + (target - 1) + " arrive");
    }

    /** Polls through the ingress while {@code condition} holds, until {@code deadlineNs}; a ms between empty polls. */
    private static void pollWhile(AfPacketFeed feed, TestIngress ingress, BooleanSupplier condition, long deadlineNs) {
        while (condition.getAsBoolean() && System.nanoTime() < deadlineNs) {
            if (ingress.poll(feed) == 0) {
                AfPacketFeedTest.pause();
            }
        }
    }

    /** Every counter of the ingress: received = delivered + dropped by every reason, none dropped, pool full again. */
    private static void assertAccounting(TestIngress ingress, long expected) {
        long dropped = 0;
        for (DropReason reason : DropReason.values()) {
            assertEquals(0, ingress.dropped(reason), reason + ": a down link is no loss");
            dropped += ingress.dropped(reason);
        }
        assertEquals(expected, ingress.get(PathCounters.Counter.RECEIVED), "received");
        assertEquals(expected, ingress.delivered, "delivered");
        assertEquals(ingress.get(PathCounters.Counter.RECEIVED), ingress.delivered + dropped, "received = delivered + dropped");
        assertEquals(0, ingress.get(PathCounters.Counter.FEED_ERRORS), "a link change is no feed error");
        assertEquals(ingress.pool.capacity(), ingress.pool.available(), "every frame back in the pool");
    }
}
