package dev.steer.ingress.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.path.Feed;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;
import dev.steer.ingress.ChildJvm;
import dev.steer.ingress.ChildProcesses;
import dev.steer.ingress.TestIngress;
import dev.steer.ingress.config.ConfigCheck;
import dev.steer.ingress.config.FeedConfig;

/** UDP feed edges: IPv6, the receive buffer asked for, the largest datagrams, a close while polling. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UdpEdgeTest {
    @Test
    void shouldDeliverAndSeeKernelDropsWhenBoundToTheIpv6Loopback() throws Exception {
        try (UdpFeed feed = new UdpFeed(UdpSettings.defaults().withBind("::1", 0));
             UdpSender sender = new UdpSender(UdpSenderSettings.of("::1", feed.boundPort()));
             TestIngress ingress = new TestIngress()) {
            UdpFeedTest.send(sender, UdpFeedTest.frame(1, 100));
            UdpFeedTest.pollUntilReceived(ingress, feed, 1);
            assertArrayEquals(UdpFeedTest.frame(1, 100), ingress.frames.get(0));
            assertTrue(feed.kernelDropsVisible(), "the socket's row is found in /proc/net/udp6");
        }
    }

    @Test
    void shouldOpenAnIpv6BindWrittenInBracketsWhenConfigured() {
        final ConfigCheck check = new ConfigCheck();
        final FeedConfig.Plan plan = FeedConfig.plan(ConfigFactory.parseString("type = udp\nudp.bind = \"[::1]:0\""), check);
        assertTrue(check.ok(), () -> String.join("\n", check.errors()));
        try (FeedConfig.Opened opened = FeedConfig.open(plan)) {
            final UdpFeed feed = (UdpFeed) opened.feeds().get(0);
            assertTrue(feed.boundPort() > 0);
            feed.close();
        }
    }

    /**
     * A JVM whose sockets are IPv4 only (java.net.preferIPv4Stack, or no IPv6 on the machine) refuses an IPv6 address
     * with an UnsupportedAddressTypeException, which has no message: the feed must fail as for any refused bind
     * (IllegalStateException naming address and port), the sender name its host, and neither keep the socket open.
     */
    @Test
    void shouldNameTheAddressAndCloseTheSocketWhenAnIpv6AddressMeetsAnIpv4OnlyJvm() throws Exception {
        final ChildProcesses.Result child = ChildProcesses.run(20,
            ChildJvm.command(List.of("-Djava.net.preferIPv4Stack=true"), Ipv4OnlyProbe.class));
        assertTrue(child.finished(), "the child JVM finished");
        final String output = child.output();
        assertTrue(output.contains("feed: java.lang.IllegalStateException: bindAddress='::1', port=0: cannot bind: "),
            output);
        assertTrue(output.contains("sender: java.lang.IllegalArgumentException: host='::1', port=9: cannot set up a"
            + " sender: "), output);
        assertTrue(output.contains("IPv4 only"), "the cause is said: " + output);
        assertTrue(output.contains("leaked descriptors: 0"), output);
    }

    @Test
    void shouldGetTheReceiveBufferAskedForUpToTheKernelsCapWhenOneIsSet() throws Exception {
        try (UdpFeed feed = new UdpFeed(UdpSettings.defaults().withReceiveBufferBytes(32 * 1024))) {
            // The kernel keeps twice the size asked for (bookkeeping); the JDK halves what it reads back.
            assertEquals(32 * 1024, feed.receiveBufferBytes());
        }
        final java.nio.file.Path rmemMax = java.nio.file.Path.of("/proc/sys/net/core/rmem_max");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isReadable(rmemMax));
        final int cap;
        try (java.io.BufferedReader reader = java.nio.file.Files.newBufferedReader(rmemMax)) {
            cap = Integer.parseInt(reader.readLine().trim());
        }
        final int asked = 256 << 20;
        try (UdpFeed feed = new UdpFeed(UdpSettings.defaults().withReceiveBufferBytes(asked))) {
            assertEquals(Math.min(asked, cap), feed.receiveBufferBytes(), "capped at net.core.rmem_max");
        }
    }

    @Test
    void shouldDeliverALargeDatagramWholeAndCountTheLargestAsOversizeWhenFramesAreSmaller() throws Exception {
        try (UdpFeed feed = new UdpFeed(UdpSettings.defaults()); UdpSender sender = UdpFeedTest.senderTo(feed);
             TestIngress ingress = new TestIngress(8, 65_536, 8, false)) {
            UdpFeedTest.send(sender, UdpFeedTest.frame(2, 65_000));
            UdpFeedTest.send(sender, UdpFeedTest.frame(3, UdpSender.MAX_DATAGRAM));
            UdpFeedTest.pollUntilReceived(ingress, feed, 2);
            assertArrayEquals(UdpFeedTest.frame(2, 65_000), ingress.frames.get(0), "not cut by the receive buffer");
            assertEquals(1, ingress.dropped(DropReason.OVERSIZE), "65,507 bytes do not fit a 65,536-byte frame's data room");
            assertEquals(0, ingress.dropped(DropReason.FEED_TRUNCATED));
        }
    }

    @Test
    void shouldEndWithoutErrorWhenTheSocketIsClosedWhilePolled() throws Exception {
        final UdpFeed feed = new UdpFeed(UdpSettings.defaults());
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final int[] last = {0};
        final java.util.concurrent.atomic.AtomicLong polls = new java.util.concurrent.atomic.AtomicLong();
        try (TestIngress ingress = new TestIngress()) {
            final Thread poller = new Thread(() -> {
                try {
                    int result;
                    while ((result = ingress.poll(feed)) != Feed.END) {
                        last[0] = result;
                        polls.incrementAndGet();
                    }
                    last[0] = result;
                } catch (Throwable error) {
                    failure.set(error);
                }
            });
            poller.start();
            // Closed while polled: the poller is in its loop before the close, however late its thread started.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (polls.get() < 100 && failure.get() == null) {
                assertTrue(System.nanoTime() < deadline, "the poller polled " + polls.get() + " times");
                TimeUnit.MILLISECONDS.sleep(1);
            }
            feed.close();
            poller.join(10_000);
            assertEquals(null, failure.get());
            assertEquals(Feed.END, last[0]);
            assertEquals(0, feed.receiveErrors());
            assertEquals(0, ingress.get(PathCounters.Counter.RECEIVED));
            // Closed, not gone: a run must not take this END for a failed input. (A non-blocking socket is not closed
            // by an interrupt of the polling thread, so a close is the only way a UDP feed ends.)
            assertEquals(null, feed.endReason(), "a closed feed has no end reason");
        }
    }
}
