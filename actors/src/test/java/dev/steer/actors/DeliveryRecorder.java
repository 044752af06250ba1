package dev.steer.actors;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import dev.steer.engine.frame.Frame;
import dev.steer.engine.path.FrameBatch;
import dev.steer.engine.path.FrameHandler;

/**
 * Test handler: records every delivered (flow, sequence), counts duplicates, and per flow whether the
 * sequence ever went backwards. Synchronised: test code, not the data path.
 */
final class DeliveryRecorder implements FrameHandler {
    private final Map<Integer, java.util.BitSet> seen = new HashMap<>();
    private final Map<Integer, Long> last = new HashMap<>();
    private final Map<Integer, Long> reorders = new HashMap<>();
    private final AtomicLong delivered = new AtomicLong();
    private long duplicates;

    @Override
    public synchronized void onFrames(FrameBatch batch) {
        final int count = batch.size();
        for (int i = 0; i < count; i++) {
            final Frame frame = batch.frame(i);
            final int flow = frame.buffer().getInt(frame.dataOffset() + SequencedFeed.FLOW_OFFSET);
            final long seq = frame.buffer().getLong(frame.dataOffset() + SequencedFeed.SEQ_OFFSET);
            final java.util.BitSet bits = seen.computeIfAbsent(flow, f -> new java.util.BitSet());
            if (bits.get((int) seq)) {
                duplicates++;
            }
            bits.set((int) seq);
            final Long previous = last.put(flow, seq);
            if (previous != null && previous >= seq) {
                reorders.merge(flow, 1L, Long::sum);
            }
        }
        delivered.addAndGet(count);
    }

    long delivered() {
        return delivered.get();
    }

    synchronized long duplicates() {
        return duplicates;
    }

    synchronized long reorders(int flow) {
        return reorders.getOrDefault(flow, 0L);
    }
}
