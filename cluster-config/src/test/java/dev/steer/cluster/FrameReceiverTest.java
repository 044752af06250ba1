package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.actors.DataPath;
import dev.steer.engine.frame.Frame;
import dev.steer.engine.frame.FramePool;
import dev.steer.engine.map.Capabilities;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryLifecycle;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;
import dev.steer.engine.stats.PathStats;

/** The receiver driven directly: one batch, several key segments, each accounted for on its own. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class FrameReceiverTest {
    private static final ActorTestKit KIT = ActorTestKit.create("receiver");
    /** The node's incarnation, which {@link #send} names, as a link does once it has seen the node. */
    private static final long SELF = 0x5eed_0000_0000_0007L;

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    private final FramePool pool = new FramePool(new FramePool.Context().id("test").frameCount(64).frameSize(256)
        .headroom(32));
    private final PathCounters counters = new PathCounters("receiver", 4);
    private final CpuMap map = CpuMap.create(4, 0, CpuSet.of(4, 0, 1, 2, 3), Capabilities.admin(),
        EntryLifecycle.NONE).map();
    private final ActorRef<DataPath.Command> receiver = KIT.spawn(FrameReceiver.create(pool, counters, SELF,
        new ReceiverStats()));
    private final TestProbe<BatchAck> link = KIT.createTestProbe();

    /** Segments of (key, packets); each packet is {@code size} bytes. */
    private static ByteBuffer batch(int[][] segments, int size) {
        final ByteBuffer out = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        for (int[] segment : segments) {
            out.putInt(segment[0]).putInt(segment[1]);
            for (int i = 0; i < segment[1]; i++) {
                out.putInt(size).put(new byte[size]);
            }
        }
        return out.flip();
    }

    private BatchAck send(long sequence, int segments, int frames, ByteBuffer bytes) {
        final byte[] data = new byte[bytes.remaining()];
        bytes.get(data);
        receiver.tell(new DataPath.MapView(map::snapshot));
        receiver.tell(new ForwardBatch(sequence, segments, frames, data, data.length, link.ref(), SELF));
        return link.receiveMessage();
    }

    @Test
    void shouldAnswerEverySegmentOnItsOwnWhenOneBatchCarriesSeveralKeys() {
        // Key 1: a ring of 4 (3 of 5 frames do not fit); key 2: room; key 3: no entry on this node.
        assertEquals(MapResult.OK, map.update(1, EntryValue.of(4), CpuMap.ANY));
        assertEquals(MapResult.OK, map.update(2, EntryValue.of(64), CpuMap.ANY));
        final long before = System.nanoTime();
        final BatchAck ack = send(7, 3, 5 + 2 + 3, batch(new int[][] {{1, 5}, {2, 2}, {3, 3}}, 60));
        final long after = System.nanoTime();

        assertEquals(7, ack.sequence());
        assertArrayEquals(new int[] {1, 0, 0}, ack.ringFull(), "per segment: " + ack);
        assertArrayEquals(new int[] {0, 0, 3}, ack.otherDropped(), "per segment: " + ack);
        final PathStats stats = counters.snapshot(PathStats.Kind.INGRESS, -1);
        assertEquals(10, stats.get(PathCounters.Counter.RECEIVED));
        assertEquals(7, stats.get(PathCounters.Counter.REDIRECTED), "frames that reached a ring of this node");
        assertEquals(1, stats.dropped(DropReason.RING_FULL));
        assertEquals(3, stats.dropped(DropReason.NO_ENTRY));
        assertEquals(4, map.snapshot().entry(1).ring().size());
        assertEquals(2, map.snapshot().entry(2).ring().size());
        final int[] handles = new int[2];
        assertEquals(2, map.snapshot().entry(2).ring().drain(handles, 2));
        for (int handle : handles) {
            final Frame frame = FramePool.frame(handle);
            assertEquals(60, frame.length());
            assertTrue(frame.timestampNs() >= before && frame.timestampNs() <= after,
                "stamped on arrival, on this node's clock: " + frame.timestampNs() + " not in " + before + ".." + after);
            frame.release();
        }
    }

    @Test
    void shouldTakeAndAnswerNoBatchWhenItNamesAnotherIncarnationOfThisAddress() {
        final long self = 0x5eed_0000_0000_0042L;
        final PathCounters own = new PathCounters("receiver", 4);
        final ReceiverStats refused = new ReceiverStats();
        final ActorRef<DataPath.Command> incarnation = KIT.spawn(FrameReceiver.create(pool, own, self, refused));
        assertEquals(MapResult.OK, map.update(1, EntryValue.of(64), CpuMap.ANY));
        incarnation.tell(new DataPath.MapView(map::snapshot));
        final ByteBuffer two = batch(new int[][] {{1, 2}}, 40);
        final byte[] data = new byte[two.remaining()];
        two.get(data);
        // Sent to a node that ran at this address before: neither counted nor answered. The actor takes its mail in
        // order, so the first answer the link sees is that of the batch after it.
        incarnation.tell(new ForwardBatch(1, 1, 2, data, data.length, link.ref(), self + 1));
        incarnation.tell(new ForwardBatch(2, 1, 2, data, data.length, link.ref(), self));
        assertEquals(2, link.receiveMessage().sequence(), "the batch for another incarnation is not answered");
        incarnation.tell(new ForwardBatch(3, 1, 2, data, data.length, link.ref(), ForwardBatch.ANY_INCARNATION));
        assertEquals(3, link.receiveMessage().sequence(), "a batch for any incarnation is taken");
        final PathStats stats = own.snapshot(PathStats.Kind.INGRESS, -1);
        assertEquals(4, stats.get(PathCounters.Counter.RECEIVED), "only the batches for this incarnation or any");
        assertEquals(4, stats.get(PathCounters.Counter.REDIRECTED));
        assertEquals(0, stats.dropped(DropReason.NO_ENTRY));
        assertEquals(1, refused.refusedBatches(), "the batch for another incarnation is counted refused: " + refused);
        assertEquals(2, refused.refusedFrames(), "with the frames it held: " + refused);
        assertEquals(4, map.snapshot().entry(1).ring().size());
        final int[] handles = new int[4];
        assertEquals(4, map.snapshot().entry(1).ring().drain(handles, 4));
        FramePool.releaseAll(handles, 0, 4);
    }

    @Test
    void shouldCountTheRestAsTruncatedWhenASegmentRunsPastTheBatch() {
        assertEquals(MapResult.OK, map.update(1, EntryValue.of(64), CpuMap.ANY));
        assertEquals(MapResult.OK, map.update(2, EntryValue.of(64), CpuMap.ANY));
        final ByteBuffer whole = batch(new int[][] {{1, 2}, {2, 3}}, 40);
        // Cut inside the second segment's last packet.
        final ByteBuffer cut = whole.limit(whole.limit() - 10);
        final BatchAck ack = send(8, 2, 5, cut);

        assertArrayEquals(new int[] {0, 0}, ack.ringFull());
        assertArrayEquals(new int[] {0, 1}, ack.otherDropped(), "the last packet of key 2 is lost: " + ack);
        final PathStats stats = counters.snapshot(PathStats.Kind.INGRESS, -1);
        assertEquals(5, stats.get(PathCounters.Counter.RECEIVED));
        assertEquals(1, stats.dropped(DropReason.FEED_TRUNCATED));
        assertEquals(2, map.snapshot().entry(1).ring().size());
        assertEquals(2, map.snapshot().entry(2).ring().size());
    }

    @Test
    void shouldCountEveryFrameWhenTheSegmentHeadersLie() {
        assertEquals(MapResult.OK, map.update(1, EntryValue.of(64), CpuMap.ANY));
        // The batch says 6 frames; its one segment says 9.
        final BatchAck ack = send(9, 1, 6, batch(new int[][] {{1, 9}}, 8));

        assertArrayEquals(new int[] {6}, ack.otherDropped(), "all six counted, none taken: " + ack);
        assertEquals(6, counters.snapshot(PathStats.Kind.INGRESS, -1).dropped(DropReason.FEED_TRUNCATED));
        assertEquals(0, map.snapshot().entry(1).ring().size());
    }

    @Test
    void shouldAnswerAndAccountForEveryFrameOfRandomlyDamagedBatches() {
        assertEquals(MapResult.OK, map.update(1, EntryValue.of(64), CpuMap.ANY));
        assertEquals(MapResult.OK, map.update(2, EntryValue.of(8), CpuMap.ANY));
        final int[] handles = new int[64];
        for (int seed = 0; seed < 500; seed++) {
            final java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
            // A well-formed batch of keys 0..3 (0 and 3 have no entry here), then random bytes overwritten or a cut.
            final int segments = 1 + random.nextInt(4);
            final int[][] layout = new int[segments][];
            int frames = 0;
            for (int i = 0; i < segments; i++) {
                layout[i] = new int[] {random.nextInt(4), 1 + random.nextInt(12)};
                frames += layout[i][1];
            }
            final ByteBuffer whole = batch(layout, 1 + random.nextInt(60));
            final byte[] bytes = new byte[whole.remaining()];
            whole.get(bytes);
            for (int i = random.nextInt(6); i > 0; i--) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            final int length = random.nextInt(4) == 0 ? random.nextInt(bytes.length + 1) : bytes.length;
            final long receivedBefore = counters.get(PathCounters.Counter.RECEIVED);
            final BatchAck ack = send(seed, segments, frames, ByteBuffer.wrap(bytes, 0, length));

            assertEquals(seed, ack.sequence(), "seed " + seed + ": answered");
            assertEquals(frames, counters.get(PathCounters.Counter.RECEIVED) - receivedBefore, "seed " + seed);
            final PathStats stats = counters.snapshot(PathStats.Kind.INGRESS, -1);
            // REDIRECTED counts what went into a bulk queue, the frames a full ring then dropped included (as on an
            // ingress): every frame received is redirected or dropped for another reason, once.
            assertEquals(stats.get(PathCounters.Counter.RECEIVED), stats.get(PathCounters.Counter.REDIRECTED)
                + stats.droppedTotal() - stats.dropped(DropReason.RING_FULL), "seed " + seed + ": every frame once");
            int noted = 0;
            for (int i = 0; i < ack.ringFull().length; i++) {
                noted += ack.ringFull()[i] + ack.otherDropped()[i];
            }
            int queued = 0;
            for (int key = 1; key <= 2; key++) {
                int n;
                while ((n = map.snapshot().entry(key).ring().drain(handles, handles.length)) > 0) {
                    queued += n;
                    FramePool.releaseAll(handles, 0, n);
                }
            }
            assertEquals(frames, queued + noted, "seed " + seed + ": the ack and the rings account for the batch");
            assertEquals(pool.capacity(), pool.available(), "seed " + seed + ": every frame back");
        }
    }

    @Test
    void shouldCountTheRestAsTruncatedWhenAPacketLengthWouldOverflow() {
        assertEquals(MapResult.OK, map.update(1, EntryValue.of(64), CpuMap.ANY));
        final ByteBuffer out = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(1).putInt(2).putInt(Integer.MAX_VALUE - 8).putInt(0).putInt(0).flip();
        final BatchAck ack = send(10, 1, 2, out);

        assertArrayEquals(new int[] {2}, ack.otherDropped(), "both counted, none taken: " + ack);
        assertEquals(2, counters.snapshot(PathStats.Kind.INGRESS, -1).dropped(DropReason.FEED_TRUNCATED));
        assertEquals(0, map.snapshot().entry(1).ring().size());
        // Still alive: the next batch is answered.
        assertEquals(11, send(11, 1, 1, batch(new int[][] {{1, 1}}, 8)).sequence());
    }
}
