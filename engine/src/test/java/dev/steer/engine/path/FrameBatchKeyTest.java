package dev.steer.engine.path;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.collections.IntArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.frame.FramePool;
import dev.steer.engine.map.Capabilities;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryLifecycle;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.PathCounters;

/**
 * One handler instance serves every path, as the engine uses it: each batch tells it which entry's consumer called
 * ({@link FrameBatch#key()}, {@link FrameBatch#cpu()}), and an ingress' local handler gets {@link FrameBatch#LOCAL}.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class FrameBatchKeyTest {
    private final FramePool pool = new FramePool(new FramePool.Context().id("keys").frameCount(64).frameSize(256)
        .headroom(64).checked(true));
    private final CpuMap map = CpuMap.create(2, 0, CpuSet.all(2), Capabilities.admin(), EntryLifecycle.NONE).map();

    /** Records, per key, the sequences of the frames it was handed under that key, and the CPU each batch named. */
    private static final class ByKey implements FrameHandler {
        /** Index 0 and 1: keys 0 and 1; index 2: {@link FrameBatch#LOCAL}. */
        final IntArrayList[] seqs = {new IntArrayList(), new IntArrayList(), new IntArrayList()};
        final IntArrayList[] cpus = {new IntArrayList(), new IntArrayList(), new IntArrayList()};

        @Override
        public void onFrames(FrameBatch batch) {
            final int at = batch.key() == FrameBatch.LOCAL ? 2 : batch.key();
            for (int i = 0; i < batch.size(); i++) {
                seqs[at].addInt(TestPackets.seq(batch.frame(i)));
            }
            cpus[at].addInt(batch.cpu());
        }
    }

    @Test
    void shouldTellTheHandlerEachEntrysKeyWhenOneHandlerServesTwoEntriesAndTheIngress() {
        assertEquals(MapResult.OK, map.update(0, EntryValue.of(64), CpuMap.ANY));
        assertEquals(MapResult.OK, map.update(1, EntryValue.of(64), CpuMap.ANY));
        final ByKey handler = new ByKey();
        final List<Throwable> errors = new ArrayList<>();
        final HandlerBatch.ErrorSink errorSink = (where, error) -> errors.add(error);
        final IngressPath ingress = new IngressPath(1, 0, pool, TestPackets.INGRESS, map, handler, 8,
            IngressPath.DEFAULT_BUDGET, false, new PathCounters("ingress-0", 2), errorSink);
        final ConsumerPath consumer0 = new ConsumerPath(map.snapshot().entry(0), map, handler, 8, errorSink);
        final ConsumerPath consumer1 = new ConsumerPath(map.snapshot().entry(1), map, handler, 8, errorSink);
        final List<byte[]> packets = new ArrayList<>();
        final IntArrayList expected0 = new IntArrayList();
        final IntArrayList expected1 = new IntArrayList();
        final IntArrayList expectedLocal = new IntArrayList();
        for (int seq = 0; seq < 30; seq++) {
            if (seq % 3 == 2) {
                packets.add(TestPackets.packet(seq, TestPackets.PASS));
                expectedLocal.addInt(seq);
            } else {
                packets.add(TestPackets.redirect(seq, seq % 3, Verdict.DROP));
                (seq % 3 == 0 ? expected0 : expected1).addInt(seq);
            }
        }
        assertEquals(30, ingress.poll(new ScriptedFeed(packets)));
        assertEquals(10, consumer0.doWork());
        assertEquals(10, consumer1.doWork());

        assertEquals(expected0, handler.seqs[0], "entry 0's frames, and only they, under key 0");
        assertEquals(expected1, handler.seqs[1], "entry 1's frames, and only they, under key 1");
        assertEquals(expectedLocal, handler.seqs[2], "the ingress' passed frames under LOCAL");
        // On one node an entry's CPU is its key; the local handler's batches name none.
        assertEquals(new IntArrayList(new int[] {0, 0}, 2, IntArrayList.DEFAULT_NULL_VALUE), handler.cpus[0]);
        assertEquals(new IntArrayList(new int[] {1, 1}, 2, IntArrayList.DEFAULT_NULL_VALUE), handler.cpus[1]);
        assertEquals(new IntArrayList(new int[] {FrameBatch.LOCAL, FrameBatch.LOCAL}, 2, IntArrayList.DEFAULT_NULL_VALUE),
            handler.cpus[2]);
        assertEquals(List.of(), errors);
        assertEquals(64, pool.available());
    }
}
