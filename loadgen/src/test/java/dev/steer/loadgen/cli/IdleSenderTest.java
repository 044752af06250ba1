package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.aeron.Subscription;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.ingress.aeron.AeronMedia;
import dev.steer.loadgen.send.AeronOutput;
import dev.steer.loadgen.send.FrameOutput;
import dev.steer.loadgen.send.SendLoop;
import dev.steer.loadgen.send.UdpOutput;
import dev.steer.loadgen.traffic.TrafficProfile;

/**
 * A sender of {@code steer run} whose output never takes a frame (an Aeron publication no subscriber ever connects
 * to) sends nothing for the whole run: its queue then counts 0 sent = 0 received, which reads as a clean run. The run
 * names such a sender.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IdleSenderTest {
    @Test
    void shouldNameASenderWhoseOutputRefusedEveryTryAndNotOneThatSent() throws Exception {
        try (AeronMedia media = AeronMedia.embedded()) {
            final RunTraffic traffic = new RunTraffic();
            // Nothing subscribes to stream 76 nor to stream 77 yet: every offer is NOT_CONNECTED.
            traffic.start(0, TrafficProfile.defaults().withRate(1_000, 1), new AeronOutput(media.aeron(), "aeron:ipc", 76));
            traffic.start(1, TrafficProfile.defaults().withRate(1_000, 1), new AeronOutput(media.aeron(), "aeron:ipc", 77));
            final SendLoop late = traffic.senders().get(0);
            final SendLoop idle = traffic.senders().get(1);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((late.backPressured() < 3 || idle.backPressured() < 3) && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(1_000_000);
            }
            // Queue 0's subscriber comes late, as a feed's publication connects some time after the run starts: it
            // was refused, then sent, and is no idle sender.
            try (Subscription receiver = media.aeron().addSubscription("aeron:ipc", 76)) {
                while (late.sent() < 3 && System.nanoTime() - deadline < 0) {
                    LockSupport.parkNanos(1_000_000);
                }
                traffic.stop();
            }
            assertTrue(late.backPressured() > 0 && late.sent() > 0, "queue 0 was refused, then sent: "
                + late.backPressured() + " back-pressured, " + late.sent() + " sent");
            final List<String> lines = traffic.idle();
            assertEquals(1, lines.size(), lines::toString);
            assertTrue(lines.get(0).startsWith("the sender into queue 1 (aeron aeron:ipc?mtu=8192 stream 77) sent"
                + " nothing: its output refused all "), lines.get(0));
            assertTrue(lines.get(0).endsWith(" tries of its first frame, which it retried until the run ended (not"
                + " connected, or full: is anything receiving?)"), lines.get(0));
        }
    }

    @Test
    void shouldWriteTheTriesWithThousandsSeparatorsAsEveryLineOfSteerDoes() throws Exception {
        // A run of a few seconds makes a few thousand tries (about a thousand a second): the line said "refused all
        // its 1826 tries" where every other line of steer writes 1,826.
        try (AeronMedia media = AeronMedia.embedded()) {
            final RunTraffic traffic = new RunTraffic();
            traffic.start(0, TrafficProfile.defaults().withRate(1_000, 1), new AeronOutput(media.aeron(), "aeron:ipc", 78));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(50);
            while (traffic.senders().get(0).backPressured() < 1_000 && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(10_000_000);
            }
            traffic.stop();
            final long tries = traffic.senders().get(0).backPressured() + traffic.senders().get(0).refused();
            assertTrue(tries >= 1_000, "tries: " + tries);
            final List<String> idle = traffic.idle();
            assertEquals(1, idle.size(), idle::toString);
            assertTrue(idle.get(0).contains(" refused all " + String.format(Locale.ROOT, "%,d", tries)
                + " tries of its first frame, "), idle.get(0));
        }
    }

    @Test
    void shouldSayTheTriesAreOfOneFrameRetriedNotFramesWhenTheOutputRefusedThemAll() throws Exception {
        // The count is of send calls: the loop retries the frame the output did not take (100 spun, 10 yielded, then
        // parked tries), so a sender that never sent made its thousands of tries with one frame. "refused all its
        // 1,826 tries" read as 1,826 frames refused.
        final RunTraffic traffic = new RunTraffic();
        traffic.start(0, TrafficProfile.defaults().withRate(1_000, 1), new Refusing(0, FrameOutput.NOT_CONNECTED));
        final SendLoop sender = traffic.senders().get(0);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (sender.backPressured() < 200 && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(1_000_000);
        }
        traffic.stop();
        final List<String> idle = traffic.idle();
        assertEquals(1, idle.size(), idle::toString);
        assertEquals("the sender into queue 0 (refusing) sent nothing: its output refused all "
            + String.format(Locale.ROOT, "%,d", sender.backPressured()) + " tries of its first frame, which it retried"
            + " until the run ended (not connected, or full: is anything receiving?)", idle.get(0));
    }

    @Test
    void shouldGiveASenderThatFailedAfterSendingNothingItsFailureAndNoIdleWarning() throws Exception {
        // Refused three times, then failed for good (the output closed): the run reports the failure; the warning
        // said as well that it sent nothing because its output refused every try, as if it had been idle to the end.
        final RunTraffic traffic = new RunTraffic();
        traffic.start(0, TrafficProfile.defaults().withRate(1_000, 1), new Refusing(3, FrameOutput.FAILED));
        final SendLoop sender = traffic.senders().get(0);
        assertTrue(sender.await(30_000), "the sender ends on the failure");
        traffic.stop();
        assertEquals(0, sender.sent());
        assertEquals(3, sender.backPressured());
        assertEquals("the traffic sender stopped early: output refusing failed after 0 frames", traffic.failure());
        assertEquals(List.of(), traffic.idle());
    }

    @Test
    void shouldReportEverySenderThatFailedNotOnlyTheFirstWhenSeveralFail() throws Exception {
        // Queue 0 sent, queues 1 and 2 failed after sending nothing: the run reported queue 1's failure only, and
        // queue 2, no idle sender, got no line of its own.
        final RunTraffic traffic = new RunTraffic();
        traffic.start(0, TrafficProfile.defaults().withRate(1_000, 1), new Refusing(0, FrameOutput.SENT));
        traffic.start(1, TrafficProfile.defaults().withRate(1_000, 1), new Refusing(3, FrameOutput.FAILED));
        traffic.start(2, TrafficProfile.defaults().withRate(1_000, 1), new Refusing(1, FrameOutput.FAILED));
        assertTrue(traffic.senders().get(1).await(30_000) && traffic.senders().get(2).await(30_000));
        traffic.stop();
        assertEquals("2 traffic senders stopped early: queue 1: output refusing failed after 0 frames; queue 2: output"
            + " refusing failed after 0 frames", traffic.failure());
        assertEquals(List.of(), traffic.idle());
    }

    @Test
    void shouldNameTheFirstFewFailedSendersAndCountTheRestWhenManyFail() throws Exception {
        final RunTraffic traffic = new RunTraffic();
        for (int queue = 0; queue < 6; queue++) {
            traffic.start(queue, TrafficProfile.defaults().withRate(1_000, 1),
                new Refusing(queue, FrameOutput.FAILED));
        }
        for (SendLoop sender : traffic.senders()) {
            assertTrue(sender.await(30_000), "the sender ends on the failure");
        }
        traffic.stop();
        assertEquals("6 traffic senders stopped early: queue 0: output refusing failed after 0 frames; queue 1: output"
            + " refusing failed after 0 frames; queue 2: output refusing failed after 0 frames; and 3 more", traffic.failure());
    }

    /** Answers NOT_CONNECTED {@code refusals} times, then {@code then} on every send. */
    private static final class Refusing implements FrameOutput {
        private final int then;
        private int refusals;

        Refusing(int refusals, int then) {
            this.refusals = refusals;
            this.then = then;
        }

        @Override
        public int send(DirectBuffer buffer, int offset, int length) {
            if (refusals > 0) {
                refusals--;
                return NOT_CONNECTED;
            }
            return then;
        }

        @Override
        public String describe() {
            return "refusing";
        }
    }

    @Test
    void shouldNotNameAUdpSenderToAPortNothingListensOnWhoseDatagramsLeaveInTurn() throws Exception {
        // The kernel answers a datagram to a port nothing listens on with port unreachable, which fails the next send
        // once; that frame's retry leaves. Such a sender sends every other try: its frames count as sent and not
        // received, and it is no idle sender (docs/running.md said the warning named it).
        final int port;
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        final RunTraffic traffic = new RunTraffic();
        traffic.start(0, TrafficProfile.defaults().withRate(1_000, 1), new UdpOutput("127.0.0.1", port));
        final SendLoop sender = traffic.senders().get(0);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (sender.refused() < 3 && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(1_000_000);
        }
        traffic.stop();
        assertTrue(sender.sent() > 0, "sent " + sender.sent() + ", refused " + sender.refused());
        assertEquals(List.of(), traffic.idle());
    }
}
