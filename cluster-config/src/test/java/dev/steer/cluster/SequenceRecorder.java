package dev.steer.cluster;

import java.util.BitSet;

import dev.steer.engine.frame.Frame;
import dev.steer.engine.path.FrameBatch;
import dev.steer.engine.path.FrameHandler;

/** Test handler: records the sequence numbers it is handed, counting duplicates and wrong lengths. */
final class SequenceRecorder implements FrameHandler {
    private final BitSet seen = new BitSet();
    private long delivered;
    private long duplicates;
    private long malformed;
    private final long delayNanosPerBatch;

    SequenceRecorder() {
        this(0);
    }

    SequenceRecorder(long delayNanosPerBatch) {
        this.delayNanosPerBatch = delayNanosPerBatch;
    }

    @Override
    public synchronized void onFrames(FrameBatch batch) {
        for (int i = 0; i < batch.size(); i++) {
            final Frame frame = batch.frame(i);
            if (frame.length() != SequenceFeed.LENGTH) {
                malformed++;
                continue;
            }
            final int seq = (int) frame.buffer().getLong(frame.dataOffset() + SequenceFeed.SEQ_OFFSET);
            if (seen.get(seq)) {
                duplicates++;
            }
            seen.set(seq);
            delivered++;
        }
        if (delayNanosPerBatch > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(delayNanosPerBatch);
        }
    }

    synchronized long delivered() {
        return delivered;
    }

    synchronized long duplicates() {
        return duplicates;
    }

    synchronized long malformed() {
        return malformed;
    }
}
