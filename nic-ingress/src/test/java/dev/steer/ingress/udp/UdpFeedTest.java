package dev.steer.ingress.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameSink;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;
import dev.steer.ingress.AllocatedBytes;
import dev.steer.ingress.TestIngress;

/** UDP feed and sender on 127.0.0.1, against the real ingress path. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UdpFeedTest {
    static byte[] frame(int seq, int length) {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seq * 17 + i);
        }
        return bytes;
    }

    static UdpFeed loopbackFeed() {
        return new UdpFeed(UdpSettings.defaults());
    }

    static UdpSender senderTo(UdpFeed feed) {
        return new UdpSender(UdpSenderSettings.of("127.0.0.1", feed.boundPort()));
    }

    /** Polls until {@code count} packets have been counted received, or fails after 10 s. */
    static void pollUntilReceived(TestIngress ingress, Feed feed, long count) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ingress.get(PathCounters.Counter.RECEIVED) < count) {
            if (ingress.poll(feed) == 0) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("received " + ingress.get(PathCounters.Counter.RECEIVED) + " of " + count);
                }
                Thread.onSpinWait();
            }
        }
    }

    static void send(UdpSender sender, byte[] bytes) {
        assertEquals(bytes.length, sender.send(new UnsafeBuffer(bytes), 0, bytes.length));
    }

    @Test
    void shouldDeliverEachDatagramAsOneFrameWithItsBytesIntactWhenSentOnLoopback() throws Exception {
        try (UdpFeed feed = loopbackFeed(); UdpSender sender = senderTo(feed); TestIngress ingress = new TestIngress()) {
            assertTrue(feed.boundPort() > 0);
            assertEquals(0, ingress.poll(feed), "nothing sent yet: poll returns 0 without blocking");
            final List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                final byte[] bytes = frame(i, 60 + i * 13 % 1400);
                send(sender, bytes);
                sent.add(bytes);
            }
            pollUntilReceived(ingress, feed, 100);
            assertEquals(100, ingress.frames.size());
            for (int i = 0; i < 100; i++) {
                assertArrayEquals(sent.get(i), ingress.frames.get(i), "datagram " + i);
            }
            assertEquals(100, feed.datagrams());
            assertEquals(100, ingress.get(PathCounters.Counter.DELIVERED));
        }
    }

    @Test
    void shouldCountOversizeWhenDatagramIsLargerThanAFrame() throws Exception {
        try (UdpFeed feed = loopbackFeed(); UdpSender sender = senderTo(feed);
             TestIngress ingress = new TestIngress(16, 256, 8, false)) {
            send(sender, frame(0, 60000)); // whole, not cut at the frame size: the sink sees its true length
            send(sender, frame(1, 150));
            pollUntilReceived(ingress, feed, 2);
            assertEquals(1, ingress.dropped(DropReason.OVERSIZE));
            assertEquals(1, ingress.frames.size());
            assertArrayEquals(frame(1, 150), ingress.frames.get(0));
        }
    }

    @Test
    void shouldCountFeedTruncatedWhenDatagramIsEmpty() throws Exception {
        try (UdpFeed feed = loopbackFeed(); UdpSender sender = senderTo(feed); TestIngress ingress = new TestIngress()) {
            // NIO cannot send an empty datagram (and UdpSender refuses one); the classic socket can.
            try (DatagramSocket raw = new DatagramSocket()) {
                raw.send(new DatagramPacket(new byte[0], 0, InetAddress.getLoopbackAddress(), feed.boundPort()));
            }
            assertEquals(UdpSender.BAD_LENGTH, sender.send(new UnsafeBuffer(new byte[1]), 0, 0));
            send(sender, frame(1, 64));
            pollUntilReceived(ingress, feed, 2);
            assertEquals(1, ingress.dropped(DropReason.FEED_TRUNCATED));
            assertEquals(1, feed.emptyDatagrams());
            assertEquals(1, ingress.frames.size());
        }
    }

    @Test
    void shouldKeepTheDatagramAndOfferItFirstWhenSinkBackPressures() throws Exception {
        // Four frames in the pool, local batches of eight: the fifth datagram of a poll finds the pool empty.
        try (UdpFeed feed = loopbackFeed(); UdpSender sender = senderTo(feed);
             TestIngress ingress = new TestIngress(4, 2048, 8, true)) {
            for (int i = 0; i < 10; i++) {
                send(sender, frame(i, 100 + i));
            }
            pollUntilReceived(ingress, feed, 10);
            assertTrue(ingress.get(PathCounters.Counter.BACK_PRESSURED) >= 1);
            assertEquals(10, ingress.get(PathCounters.Counter.RECEIVED));
            assertEquals(10, ingress.frames.size());
            for (int i = 0; i < 10; i++) {
                assertArrayEquals(frame(i, 100 + i), ingress.frames.get(i), "datagram " + i + " once, in order");
            }
            assertFalse(feed.hasPending());
        }
    }

    @Test
    void shouldNotAllocatePerDatagramWhenReceivingAndSendingInSteadyState() throws Exception {
        try (UdpFeed feed = loopbackFeed(); UdpSender sender = senderTo(feed); TestIngress ingress = new TestIngress()) {
            ingress.keep = false;
            final UnsafeBuffer packet = new UnsafeBuffer(frame(0, 256));
            rounds(feed, sender, ingress, packet, 300);
            // The best of a few windows: a JIT recompilation or a safepoint on a loaded machine can charge a few
            // KiB to one window (seen: 3.4 KiB once), while one allocation per datagram would be 300 KiB or more.
            long allocated = Long.MAX_VALUE;
            for (int window = 0; window < 5 && allocated >= 1024; window++) {
                final long before = AllocatedBytes.ofCurrentThread();
                final long packetsBefore = ingress.delivered;
                rounds(feed, sender, ingress, packet, 300);
                allocated = Math.min(allocated, AllocatedBytes.ofCurrentThread() - before);
                assertEquals(300 * 64, ingress.delivered - packetsBefore);
            }
            assertTrue(allocated < 1024, allocated + " bytes allocated over 19200 datagrams, best of 5 windows");
        }
    }

    private static void rounds(UdpFeed feed, UdpSender sender, TestIngress ingress, UnsafeBuffer packet, int rounds) {
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < 64; i++) {
                if (sender.send(packet, 0, packet.capacity()) != packet.capacity()) {
                    throw new AssertionError("send refused");
                }
            }
            int taken = 0;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (taken < 64) {
                taken += ingress.poll(feed);
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("round " + r + ": took " + taken + " of 64");
                }
            }
        }
    }

    @Test
    void shouldCountWhatTheKernelDroppedForAFullSocketBufferAsFeedOverrun() throws Exception {
        // The smallest receive buffer, and nobody polling while 500 datagrams arrive: the kernel drops most.
        try (UdpFeed feed = new UdpFeed(UdpSettings.defaults().withReceiveBufferBytes(1024));
             UdpSender sender = senderTo(feed); TestIngress ingress = new TestIngress()) {
            assumeTrue(feed.kernelDropsVisible(), "the socket's row is in neither /proc/net/udp6 nor /proc/net/udp"
                + " (no procfs or another network namespace): kernel drops cannot be read here");
            ingress.keep = false;
            for (int i = 0; i < 500; i++) {
                send(sender, frame(i, 100));
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ingress.get(PathCounters.Counter.DELIVERED) + ingress.dropped(DropReason.FEED_OVERRUN) < 500) {
                ingress.poll(feed);
                assertTrue(System.nanoTime() < deadline, "accounted for " + ingress.get(PathCounters.Counter.DELIVERED)
                    + " delivered + " + ingress.dropped(DropReason.FEED_OVERRUN) + " overrun of 500");
            }
            for (int i = 0; i < 10; i++) {
                ingress.poll(feed);
            }
            assertTrue(feed.kernelDrops() > 0, "the kernel dropped some: " + feed.kernelDrops());
            assertEquals(feed.kernelDrops(), ingress.dropped(DropReason.FEED_OVERRUN));
            assertEquals(500, ingress.get(PathCounters.Counter.RECEIVED), "every datagram sent is accounted, once");
            assertEquals(500, ingress.get(PathCounters.Counter.DELIVERED) + ingress.dropped(DropReason.FEED_OVERRUN));
        }
    }

    /**
     * The feed reads the kernel's drop count at least every DROPS_EVERY_POLLS polls: also while a lossless sink keeps
     * refusing the held datagram, which is when the socket fills up and the kernel drops.
     */
    @Test
    void shouldReadTheKernelDropsEveryFewPollsWhileALosslessSinkKeepsRefusing() throws Exception {
        final long[] overrun = {0};
        final FrameSink refusing = new FrameSink() {
            @Override
            public int onFrame(org.agrona.DirectBuffer buffer, int offset, int length, long timestampNs) {
                return BACK_PRESSURED;
            }

            @Override
            public void onDropped(DropReason reason, int count) {
                assertEquals(DropReason.FEED_OVERRUN, reason);
                overrun[0] += count;
            }

            @Override
            public void onFeedError(Throwable error) {
                throw new AssertionError(error);
            }
        };
        try (UdpFeed feed = new UdpFeed(UdpSettings.defaults().withReceiveBufferBytes(1024));
             UdpSender sender = senderTo(feed)) {
            assumeTrue(feed.kernelDropsVisible(), "kernel drops cannot be read here (see above)");
            send(sender, frame(0, 100));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!feed.hasPending()) {
                feed.poll(refusing, 64);
                assertTrue(System.nanoTime() < deadline, "the datagram was never refused");
            }
            for (int i = 1; i < 300; i++) {
                send(sender, frame(i, 100));
            }
            awaitLoopbackDelivery();
            for (int i = 0; i < UdpFeed.DROPS_EVERY_POLLS; i++) {
                assertEquals(0, feed.poll(refusing, 64), "nothing taken while refused");
            }
            assertTrue(feed.kernelDrops() > 0, "read while refused: " + feed.kernelDrops());
            assertEquals(feed.kernelDrops(), overrun[0], "and reported");
        }
    }

    @Test
    void shouldReportTheLastKernelDropsWhenPolledAfterClose() throws Exception {
        final UdpFeed feed = new UdpFeed(UdpSettings.defaults().withReceiveBufferBytes(1024));
        try (UdpSender sender = senderTo(feed); TestIngress ingress = new TestIngress()) {
            assumeTrue(feed.kernelDropsVisible(), "kernel drops cannot be read here (see above)");
            ingress.keep = false;
            for (int i = 0; i < 300; i++) {
                send(sender, frame(i, 100));
            }
            feed.close();
            assertEquals(Feed.END, ingress.poll(feed));
            assertTrue(feed.kernelDrops() > 0, "read at close, reported by the poll that ends");
            assertEquals(feed.kernelDrops(), ingress.dropped(DropReason.FEED_OVERRUN));
            assertEquals(feed.kernelDrops(), ingress.get(PathCounters.Counter.RECEIVED));
        }
    }

    @Test
    void shouldReportTheLastKernelDropsWhenTheIngressClosesTheFeed() throws Exception {
        final UdpFeed feed = new UdpFeed(UdpSettings.defaults().withReceiveBufferBytes(1024));
        try (UdpSender sender = senderTo(feed); TestIngress ingress = new TestIngress()) {
            assumeTrue(feed.kernelDropsVisible(), "kernel drops cannot be read here (see above)");
            for (int i = 0; i < 300; i++) {
                send(sender, frame(i, 100));
            }
            awaitLoopbackDelivery();
            feed.close(ingress.path);
            assertTrue(feed.kernelDrops() > 0, "read and reported at close");
            // Closed before any poll: the close's read is its first, all its drops came before.
            assertEquals(feed.kernelDrops(), feed.overrunsBeforeFirstPoll(), "nothing polled while they dropped");
            assertTrue(feed.leftAtClose() > 0, "the few the buffer held, drained at close");
            assertEquals(feed.kernelDrops() + feed.leftAtClose(), ingress.dropped(DropReason.FEED_OVERRUN));
            assertEquals(300, ingress.get(PathCounters.Counter.RECEIVED), "every datagram sent: dropped or left");
            assertEquals(Feed.END, ingress.poll(feed));
            assertEquals(300, ingress.dropped(DropReason.FEED_OVERRUN), "reported once");
            assertEquals(feed.kernelDrops(), feed.overrunsBeforeFirstPoll(), "a poll after the close changes nothing");
        }
    }

    /**
     * The buffer fills before anyone polls (an external sender while the engine starts): the first poll reads the
     * kernel's drops before it takes anything and keeps them apart; drops while polled are not among them, and both
     * are counted feed_overrun.
     */
    @Test
    void shouldKeepTheKernelDropsBeforeTheFirstPollApartWhenTheSocketBufferFilledBeforeIt() throws Exception {
        try (UdpFeed feed = new UdpFeed(UdpSettings.defaults().withReceiveBufferBytes(1024));
             UdpSender sender = senderTo(feed); TestIngress ingress = new TestIngress()) {
            assumeTrue(feed.kernelDropsVisible(), "kernel drops cannot be read here (see above)");
            ingress.keep = false;
            for (int i = 0; i < 300; i++) {
                send(sender, frame(i, 100));
            }
            awaitLoopbackDelivery();
            assertEquals(0, feed.overrunsBeforeFirstPoll(), "not read before the first poll");
            ingress.poll(feed);
            final long before = feed.overrunsBeforeFirstPoll();
            assertTrue(before > 0, "a 1 KiB buffer holds few of 300: " + before);
            assertEquals(before, feed.kernelDrops(), "read by the first poll, before it took anything");
            assertEquals(before, ingress.dropped(DropReason.FEED_OVERRUN), "and counted feed_overrun");
            // The buffer fills again while polled: those drops are the run's, not the first poll's.
            for (int i = 0; i < 300; i++) {
                send(sender, frame(i, 100));
            }
            awaitLoopbackDelivery();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ingress.get(PathCounters.Counter.DELIVERED) + ingress.dropped(DropReason.FEED_OVERRUN) < 600) {
                ingress.poll(feed);
                assertTrue(System.nanoTime() < deadline, "accounted for " + ingress.get(PathCounters.Counter.DELIVERED)
                    + " delivered + " + ingress.dropped(DropReason.FEED_OVERRUN) + " overrun of 600");
            }
            assertEquals(before, feed.overrunsBeforeFirstPoll(), "fixed by the first poll");
            assertTrue(feed.kernelDrops() > before, "dropped while polled too: " + feed.kernelDrops());
            assertEquals(feed.kernelDrops(), ingress.dropped(DropReason.FEED_OVERRUN));
            assertEquals(600, ingress.get(PathCounters.Counter.RECEIVED), "every datagram sent is accounted, once");
            assertEquals(600, ingress.get(PathCounters.Counter.DELIVERED) + ingress.dropped(DropReason.FEED_OVERRUN));
        }
    }

    @Test
    void shouldCountTheRefusedDatagramAsOverrunWhenTheIngressClosesTheFeedWhileHoldingIt() throws Exception {
        // Lossless, a pool of 4 frames that nobody returns: the fifth datagram is refused and held.
        final UdpFeed feed = loopbackFeed();
        try (UdpSender sender = senderTo(feed); TestIngress ingress = new TestIngress(4, 2048, 64, true)) {
            for (int i = 0; i < 5; i++) {
                send(sender, frame(i, 100));
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!feed.hasPending()) {
                ingress.poll(feed);
                assertTrue(System.nanoTime() < deadline, "the fifth datagram was never refused");
            }
            feed.close(ingress.path);
            assertEquals(1, feed.heldAtClose());
            assertEquals(1, ingress.dropped(DropReason.FEED_OVERRUN), "the held datagram, counted");
            assertEquals(5, ingress.get(PathCounters.Counter.RECEIVED), "four taken and the held one: all five accounted");
        }
    }

    @Test
    void shouldCountTheDatagramsStillQueuedAsOverrunWhenTheIngressClosesTheFeedAfterTakingSome() throws Exception {
        // A receive buffer far above 100 small datagrams and nothing else on loopback that could lose one: each is
        // taken by the one poll (its budget, 64) or still queued at the close, which must count it.
        final UdpFeed feed = loopbackFeed();
        try (UdpSender sender = senderTo(feed); TestIngress ingress = new TestIngress()) {
            assertTrue(feed.receiveBufferBytes() >= 64 * 1024, "room for 100 datagrams: " + feed.receiveBufferBytes());
            ingress.keep = false;
            for (int i = 0; i < 100; i++) {
                send(sender, frame(i, 100));
            }
            awaitLoopbackDelivery();
            assertEquals(64, ingress.poll(feed), "one poll takes its budget");
            feed.close(ingress.path);
            assertEquals(0, feed.kernelDrops(), "the buffer had room for all");
            assertEquals(36, feed.leftAtClose(), "the rest was still queued in the socket");
            assertEquals(0, feed.heldAtClose());
            assertEquals(100, ingress.get(PathCounters.Counter.RECEIVED), "every datagram sent is accounted, once");
            assertEquals(64, ingress.get(PathCounters.Counter.DELIVERED));
            assertEquals(36, ingress.dropped(DropReason.FEED_OVERRUN), "the 36 left in the socket");
            assertEquals(Feed.END, ingress.poll(feed));
            assertEquals(100, ingress.get(PathCounters.Counter.RECEIVED), "reported once");
            assertEquals(36, feed.leftAtClose());
        }
    }

    /**
     * The derived cap is above what the receive buffer can hold, so no socket can show the close stopping at it; a cap
     * of 5 given to the feed, and 20 small datagrams queued (a 64 KiB buffer holds them with room), can. Without the
     * cap the close would drain all 20.
     */
    @Test
    void shouldDrainAtMostTheCapWhenTheIngressClosesTheFeedWhileTheSocketHoldsMore() throws Exception {
        final UdpFeed feed = new UdpFeed(UdpSettings.defaults(), port -> UdpSettings.defaults().name(), 5);
        try (UdpSender sender = senderTo(feed); TestIngress ingress = new TestIngress()) {
            assertEquals(5, feed.drainCap());
            assertTrue(feed.receiveBufferBytes() >= 64 * 1024, "room for 20 datagrams: " + feed.receiveBufferBytes());
            for (int i = 0; i < 20; i++) {
                send(sender, frame(i, 100));
            }
            awaitLoopbackDelivery();
            feed.close(ingress.path);
            assertEquals(0, feed.kernelDrops(), "the buffer had room for all");
            assertEquals(5, feed.leftAtClose(), "the close stopped at its cap");
            assertEquals(5, ingress.dropped(DropReason.FEED_OVERRUN));
            assertEquals(5, ingress.get(PathCounters.Counter.RECEIVED), "the 15 past the cap go with the socket");
            assertEquals(Feed.END, ingress.poll(feed));
            assertEquals(5, ingress.get(PathCounters.Counter.RECEIVED), "reported once");
        }
    }

    @Test
    void shouldRefuseANegativeDrainCap() {
        assertEquals("drainCap=-1: must be 0 (derived) or positive", assertThrows(IllegalArgumentException.class,
            () -> new UdpFeed(UdpSettings.defaults(), port -> "udp", -1)).getMessage());
    }

    @Test
    void shouldEndTheCloseWithinTheDerivedCapWhenASenderKeepsSending() throws Exception {
        // The smallest buffer, so the cap is small; a sender thread floods the socket throughout the close.
        final UdpFeed feed = new UdpFeed(UdpSettings.defaults().withReceiveBufferBytes(1024));
        final AtomicBoolean stop = new AtomicBoolean();
        try (UdpSender sender = senderTo(feed); TestIngress ingress = new TestIngress()) {
            assertEquals(2L * feed.receiveBufferBytes() / UdpFeed.MIN_QUEUED_DATAGRAM_BYTES + 1, feed.drainCap());
            final UnsafeBuffer bytes = new UnsafeBuffer(frame(0, 1));
            final java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
            final Thread flood = new Thread(() -> {
                while (!stop.get()) {
                    sender.send(bytes, 0, 1);
                    sent.incrementAndGet();
                }
            });
            flood.start();
            try {
                // The flood has sent more than the socket can hold before the close, however late its thread started.
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (sent.get() < 2 * feed.drainCap()) {
                    assertTrue(System.nanoTime() < deadline, "the flood sent " + sent.get());
                    TimeUnit.MILLISECONDS.sleep(1);
                }
                feed.close(ingress.path);
            } finally {
                stop.set(true);
                flood.join(10_000);
            }
            assertTrue(feed.leftAtClose() <= feed.drainCap(), feed.leftAtClose() + " > cap " + feed.drainCap());
            assertEquals(feed.kernelDrops() + feed.leftAtClose(), ingress.dropped(DropReason.FEED_OVERRUN));
            assertEquals(ingress.dropped(DropReason.FEED_OVERRUN), ingress.get(PathCounters.Counter.RECEIVED));
        }
    }

    /**
     * Waits until what this thread sent on loopback has reached its sockets: a datagram goes through the sending CPU's
     * backlog, which a loaded machine may leave to ksoftirqd for a while. A fence datagram sent after the others on
     * the same backlog arrives after them.
     */
    static void awaitLoopbackDelivery() throws Exception {
        try (DatagramSocket fence = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            fence.setSoTimeout(10_000);
            final byte[] one = {1};
            fence.send(new DatagramPacket(one, 1, fence.getLocalSocketAddress()));
            fence.receive(new DatagramPacket(new byte[1], 1));
        }
    }

    @Test
    void shouldNameSettingValueAndAllowedRangeWhenSettingsAreBad() {
        assertEquals("port=-1: must be 0 (ephemeral) or 1..65535", assertThrows(IllegalArgumentException.class,
            () -> UdpSettings.defaults().withBind("127.0.0.1", -1)).getMessage());
        assertEquals("port=70000: must be 0 (ephemeral) or 1..65535", assertThrows(IllegalArgumentException.class,
            () -> UdpSettings.defaults().withBind("127.0.0.1", 70000)).getMessage());
        assertEquals("bindAddress=' ': must be a host name or address, e.g. 127.0.0.1 or 0.0.0.0",
            assertThrows(IllegalArgumentException.class, () -> UdpSettings.defaults().withBind(" ", 0)).getMessage());
        assertEquals("receiveBufferBytes=5: must be 0 (system default) or 1024..1073741824",
            assertThrows(IllegalArgumentException.class, () -> UdpSettings.defaults().withReceiveBufferBytes(5))
                .getMessage());
        assertEquals("port=0: must be 1..65535", assertThrows(IllegalArgumentException.class,
            () -> UdpSenderSettings.of("127.0.0.1", 0)).getMessage());
        assertEquals("sendBufferBytes=-1: must be 0 (system default) or 1..1073741824", assertThrows(
            IllegalArgumentException.class, () -> new UdpSenderSettings("127.0.0.1", 9, -1)).getMessage());
    }

    @Test
    void shouldNameAddressAndPortWhenThePortIsTaken() {
        try (UdpFeed first = loopbackFeed()) {
            final IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> new UdpFeed(UdpSettings.defaults().withBind("127.0.0.1", first.boundPort())));
            assertTrue(error.getMessage().startsWith("bindAddress='127.0.0.1', port=" + first.boundPort()
                + ": cannot bind: "), error.getMessage());
        }
    }

    /**
     * A bind host whose lookup never answers (a name server that is down) is a failed start within the lookup's limit,
     * naming the host and the limit, not a start that waits as long as the resolver does (here 30 s, see {@link
     * HangingResolverProvider}).
     */
    @Test
    void shouldFailTheStartNamingTheHostAndTheLimitWhenTheBindHostsLookupDoesNotAnswer() {
        final IllegalStateException error = assertThrows(IllegalStateException.class,
            () -> new UdpFeed(UdpSettings.defaults().withBind(HangingResolverProvider.HANGING_HOST, 0)));
        assertEquals("bindAddress='" + HangingResolverProvider.HANGING_HOST + "': did not resolve within 5 s; give an"
            + " address, or a name the resolver answers", error.getMessage());
    }

    /**
     * A bind host that does not resolve is a failed start, not a bad argument. {@code [::zz]} fails as an IPv6 literal:
     * {@code InetAddress.getByName} refuses a bracketed host that does not parse as one before it would ask the
     * resolver, so the test needs no DNS and none is asked.
     */
    @Test
    void shouldFailTheStartNamingTheHostWhenTheBindHostDoesNotResolve() {
        final IllegalStateException error = assertThrows(IllegalStateException.class,
            () -> new UdpFeed(UdpSettings.defaults().withBind("[::zz]", 0)));
        assertEquals("bindAddress='[::zz]': does not resolve", error.getMessage());
        assertInstanceOf(UnknownHostException.class, error.getCause());
        assertTrue(error.getCause().getMessage().contains("invalid IPv6 address literal"),
            () -> "refused as a literal, not by a lookup: " + error.getCause().getMessage());
    }

    @Test
    void shouldNameItsSettingsAsItselfWhenNamedByTheBoundPort() {
        try (UdpFeed feed = new UdpFeed(UdpSettings.defaults(), port -> "udp:127.0.0.1:" + port)) {
            assertEquals("udp:127.0.0.1:" + feed.boundPort(), feed.name());
            assertEquals(feed.name(), feed.settings().name());
            assertEquals(0, feed.settings().port(), "the port asked for");
        }
    }

    @Test
    void shouldRefuseABlankNameAndFreeThePortWhenNamedByTheBoundPort() {
        final int[] bound = new int[1];
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> new UdpFeed(UdpSettings.defaults(), port -> {
                bound[0] = port;
                return " ";
            }));
        assertEquals("nameOfPort.apply(" + bound[0] + ")=' ': must not be blank", error.getMessage());
        try (UdpFeed again = new UdpFeed(UdpSettings.defaults().withBind("127.0.0.1", bound[0]))) {
            assertEquals(bound[0], again.boundPort(), "the refused feed closed its channel");
        }
    }

    @Test
    void shouldFreeThePortWhenTheFunctionNamingTheFeedByItsPortThrows() {
        final int[] bound = new int[1];
        final IllegalStateException thrown = new IllegalStateException("naming failed");
        final IllegalStateException error = assertThrows(IllegalStateException.class,
            () -> new UdpFeed(UdpSettings.defaults(), port -> {
                bound[0] = port;
                throw thrown;
            }));
        assertEquals(thrown, error, "the function's own exception");
        try (UdpFeed again = new UdpFeed(UdpSettings.defaults().withBind("127.0.0.1", bound[0]))) {
            assertEquals(bound[0], again.boundPort(), "the failed feed closed its channel");
        }
    }

    @Test
    void shouldRefuseWithBadLengthWhenFrameExceedsAUdpPayload() {
        try (UdpFeed feed = loopbackFeed(); UdpSender sender = senderTo(feed)) {
            final UnsafeBuffer big = new UnsafeBuffer(new byte[UdpSender.MAX_DATAGRAM + 1]);
            assertEquals(UdpSender.BAD_LENGTH, sender.send(big, 0, big.capacity()));
        }
    }

    @Test
    void shouldEndWhenClosed() {
        final UdpFeed feed = loopbackFeed();
        try (TestIngress ingress = new TestIngress()) {
            feed.close();
            assertEquals(Feed.END, ingress.poll(feed));
        }
    }
}
