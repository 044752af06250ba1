package dev.steer.ingress.afpacket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The sender's results for frames the interface cannot take, alone and inside a staged batch. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AfPacketSenderTest {
    @RegisterExtension
    static final VethPair veth = VethPair.perTestClass();
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[VethPair.MTU + 64]);

    @Test
    void shouldSendRestOfBatchWhenOneStagedFrameIsShorterThanEthernetHeader() {
        try (AfPacketFeed feed = AfPacketFeed.open(veth.feedSettings()); AfPacketSender sender = veth.sender()) {
            for (int i = 0; i < 10; i++) {
                TestFrames.write(frame, 100, 1, i);
                assertEquals(100, sender.stage(frame, 0, 100));
                if (i == 4) {
                    assertEquals(AfPacketSender.FAILED, sender.stage(frame, 0, 10), "a 10-byte frame has no Ethernet header");
                    assertEquals(Libc.EINVAL, sender.lastErrno());
                }
            }
            assertEquals(0, sender.flush(), "errno " + sender.lastErrno());
            final RecordingSink sink = new RecordingSink();
            AfPacketFeedTest.pollUntil(feed, sink, 64, () -> sink.marked() >= 10);
            assertEquals(10, sink.marked(), "the frames staged after the short one are sent too");
            assertEquals(10, sender.sent());
            assertEquals(1, sender.failed());
            assertEquals(0, sender.refused(), "a caller's mistake, not the kernel's refusal");
        }
    }

    @Test
    void shouldSendRestOfBatchWhenOneStagedFrameExceedsMtu() throws Exception {
        // A 1500-byte MTU, so that a frame that fits a batch slot (2048 bytes) can still be too long for the interface.
        AfPacketLifecycleTest.run("ip", "-n", veth.netns(), "link", "set", "dev", VethPair.A, "mtu", "1500");
        try (AfPacketFeed feed = AfPacketFeed.open(veth.feedSettings()); AfPacketSender sender = veth.sender()) {
            for (int i = 0; i < 10; i++) {
                final int length = i == 4 ? 1515 : i == 5 ? 1514 : 100;
                TestFrames.write(frame, length, 1, i);
                assertEquals(length, sender.stage(frame, 0, length));
            }
            sender.flush();
            final RecordingSink sink = new RecordingSink();
            AfPacketFeedTest.pollUntil(feed, sink, 64, () -> sink.marked() >= 9);
            assertEquals(9, sink.marked(), "an MTU-sized frame (1514 bytes) and the rest of the batch are sent; errno "
                + sender.lastErrno());
            assertEquals(9, sender.sent());
            assertEquals(1, sender.failed(), "the one frame above the MTU");
            assertEquals(1, sender.refused(), "refused by the kernel for itself, so a loadgen can report it");
            assertEquals(1515, sender.droppedBytes(), "staged, then refused: its bytes did not leave");
            assertEquals(Libc.EMSGSIZE, sender.lastErrno());
        } finally {
            AfPacketLifecycleTest.run("ip", "-n", veth.netns(), "link", "set", "dev", VethPair.A, "mtu",
                Integer.toString(VethPair.MTU));
        }
    }

    @Test
    void shouldCountStagedFramesDiscardedWhenTheSenderClosesBeforeTheyWent() {
        final AfPacketSender sender = veth.sender();
        TestFrames.write(frame, 100, 1, 0);
        for (int i = 0; i < 3; i++) {
            assertEquals(100, sender.stage(frame, 0, 100));
        }
        sender.close();
        assertEquals(3, sender.discarded(), "staged, never flushed: dropped by the close, and counted");
        assertEquals(300, sender.droppedBytes());
        assertEquals(3, sender.failed());
        assertEquals(0, sender.staged());
        assertEquals(0, sender.sent());
    }

    @Test
    void shouldFailTheStageThatFlushesWhenTheInterfaceIsDown() throws Exception {
        AfPacketLifecycleTest.run("ip", "-n", veth.netns(), "link", "set", "dev", VethPair.A, "down");
        try (AfPacketSender sender = veth.sender()) {
            TestFrames.write(frame, 100, 1, 0);
            for (int i = 0; i < AfPacketSender.BATCH; i++) {
                assertEquals(100, sender.stage(frame, 0, 100), "staging makes no syscall");
            }
            assertEquals(AfPacketSender.FAILED, sender.stage(frame, 0, 100),
                "the full batch's flush failed: this call says so, it does not stage on as if the batch had gone");
            assertEquals(AfPacketSender.BATCH, sender.discarded());
            assertEquals(0, sender.staged());
            assertEquals(0, sender.sent());
            assertTrue(sender.lastError().startsWith("ENETDOWN"), sender.lastError());
            assertEquals(100, sender.stage(frame, 0, 100));
            assertEquals(AfPacketSender.FAILED, sender.stage(frame, 0, AfPacketSender.BATCH_SLOT + 1),
                "a frame sent alone flushes first: the same");
            assertEquals(AfPacketSender.BATCH + 1, sender.discarded());
            assertEquals((AfPacketSender.BATCH + 1) * 100L, sender.droppedBytes(),
                "the staged frames discarded; not the one sent alone, which its own call refused");
        } finally {
            AfPacketLifecycleTest.run("ip", "-n", veth.netns(), "link", "set", "dev", VethPair.A, "up");
        }
    }

    @Test
    void shouldRefuseFrameShorterThanEthernetHeaderWhenSentAlone() {
        try (AfPacketSender sender = veth.sender()) {
            TestFrames.write(frame, 100, 1, 0);
            assertEquals(AfPacketSender.FAILED, sender.send(frame, 0, 13));
            assertEquals(Libc.EINVAL, sender.lastErrno());
            assertEquals(14, sender.send(frame, 0, 14), "errno " + sender.lastErrno());
            assertEquals(1, sender.failed());
            assertEquals(1, sender.sent());
        }
    }
}
