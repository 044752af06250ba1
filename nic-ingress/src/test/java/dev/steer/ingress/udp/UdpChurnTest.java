package dev.steer.ingress.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.DropReason;
import dev.steer.ingress.FeedChurn;

/**
 * The accounting invariant on a real UDP feed on 127.0.0.1 while both map entries churn and the engine closes in the
 * middle of the traffic, in drop and in lossless mode. The receive buffer is small (64 KiB), so the kernel drops for
 * the socket and the feed must count those drops too.
 *
 * <p>Sender's side: the kernel's drops are a per-socket count, not a list of datagrams; the datagrams still in the
 * socket's buffer at the close are drained and counted by the close ({@code leftAtClose()}), but those that arrive
 * after the drain or are sent after the close are discarded by the kernel without a count the feed can read. What can
 * be asserted: the engine received exactly what the feed took ({@code datagrams()}) and what it counted lost; its
 * {@code feed_overrun} drops are exactly the kernel's drops, plus a datagram held at the close, plus those left in
 * the socket (at most the drain's cap); sent is at least that received; and since loopback keeps the order, every
 * number below the highest delivered that was not delivered is among the counted drops.
 */
@Timeout(value = 40, unit = TimeUnit.SECONDS)
class UdpChurnTest {
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldAccountForEveryDatagramWhenTheMapChurnsAndTheEngineClosesMidTraffic(boolean lossless) throws Exception {
        final UdpFeed feed = new UdpFeed(UdpSettings.defaults().withName("udp-churn").withReceiveBufferBytes(64 * 1024));
        assertTrue(feed.kernelDropsVisible(), "the socket's row in /proc/net/udp is readable here");
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[FeedChurn.FRAME_LENGTH]);
        final long[] sent = new long[1];
        try (UdpSender udp = new UdpSender(UdpSenderSettings.of("127.0.0.1", feed.boundPort()))) {
            final FeedChurn.Sender sender = () -> {
                for (int i = 0; i < 64; i++) {
                    FeedChurn.frame(frame, (int) sent[0]);
                    final int result = udp.send(frame, 0, FeedChurn.FRAME_LENGTH);
                    if (result == FeedChurn.FRAME_LENGTH) {
                        sent[0]++;
                    } else if (result == UdpSender.CLOSED || result == UdpSender.BAD_LENGTH) {
                        throw new IllegalStateException("send failed: " + result);
                    } else {
                        Thread.yield(); // back-pressured, or unreachable: the engine has closed the socket
                        return;
                    }
                }
            };
            final FeedChurn.Result result = FeedChurn.run("udp-churn-" + (lossless ? "lossless" : "drop"), feed,
                lossless, lossless ? Verdict.PASS : Verdict.DROP, sender,
                lossless ? EnumSet.of(DropReason.FEED_OVERRUN)
                    : EnumSet.of(DropReason.RING_FULL, DropReason.NO_ENTRY, DropReason.POOL_EXHAUSTED, DropReason.FEED_OVERRUN),
                true);
            final Accounting accounting = result.accounting();
            final long lost = feed.kernelDrops() + feed.heldAtClose() + feed.leftAtClose();
            assertEquals(feed.datagrams() + lost, accounting.received(),
                "the engine received what the feed took and what it counted lost: " + accounting);
            assertEquals(lost, accounting.dropped(DropReason.FEED_OVERRUN),
                "feed_overrun = the kernel's drops + a datagram held at the close + those left in the socket ("
                    + feed.leftAtClose() + "): " + accounting);
            assertTrue(feed.leftAtClose() <= feed.drainCap(), "the close drained at most its cap: " + feed.leftAtClose());
            assertEquals(0, feed.emptyDatagrams());
            assertEquals(0, feed.receiveErrors(), "no failed receive");
            assertTrue(sent[0] >= accounting.received(),
                "sent " + sent[0] + " >= taken + counted lost: " + accounting);
            final long missing = result.recorder().highest() + 1L - result.recorder().distinct();
            assertTrue(missing <= accounting.droppedTotal(),
                missing + " numbers below the highest delivered are missing, more than the drops: " + accounting);
            if (lossless) {
                assertEquals(accounting.dropped(DropReason.FEED_OVERRUN), accounting.droppedTotal(),
                    "lossless: only what the kernel dropped before the engine took it: " + accounting);
            }
        }
    }
}
