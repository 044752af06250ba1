package dev.steer.engine.path;

import java.util.BitSet;
import java.util.function.IntPredicate;

import org.agrona.collections.IntArrayList;


/**
 * A frame handler that records what it is given: the sequence of every delivered frame, batch sizes,
 * duplicates and order. It fails a whole batch, as a throwing user handler does, when told to or when the
 * batch holds a poisoned sequence. One thread at a time; read it after that thread is joined.
 */
final class Recorder implements FrameHandler {
    final IntArrayList seqs = new IntArrayList();
    final IntArrayList batchSizes = new IntArrayList();
    final BitSet seen = new BitSet();
    private final IntPredicate poison;
    boolean failAll;
    long delivered;
    long failedFrames;
    long failedBatches;
    long duplicates;
    long outOfOrder;
    private int last = -1;

    Recorder() {
        this(seq -> false);
    }

    Recorder(IntPredicate poison) {
        this.poison = poison;
    }

    @Override
    public void onFrames(FrameBatch batch) {
        final int count = batch.size();
        batchSizes.addInt(count);
        boolean fail = failAll;
        for (int i = 0; i < count && !fail; i++) {
            fail = poison.test(TestPackets.seq(batch.frame(i)));
        }
        if (fail) {
            failedFrames += count;
            failedBatches++;
            throw new IllegalStateException("handler failure");
        }
        for (int i = 0; i < count; i++) {
            final int seq = TestPackets.seq(batch.frame(i));
            if (seen.get(seq)) {
                duplicates++;
            }
            if (seq <= last) {
                outOfOrder++;
            }
            seen.set(seq);
            last = seq;
            seqs.addInt(seq);
            delivered++;
        }
    }
}
