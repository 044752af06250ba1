package dev.steer.ingress.afpacket;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.agrona.DirectBuffer;

import dev.steer.engine.path.FrameSink;
import dev.steer.engine.stats.DropReason;

/** A sink that keeps a copy of every frame it takes and counts drops by reason; refuses every n-th offer if asked. */
final class RecordingSink implements FrameSink {
    final List<byte[]> frames = new ArrayList<>();
    final Map<DropReason, Long> drops = new EnumMap<>(DropReason.class);
    final List<Long> refusedSequences = new ArrayList<>();
    private final int refuseEvery;
    private int offers;

    RecordingSink() {
        this(0);
    }

    RecordingSink(int refuseEvery) {
        this.refuseEvery = refuseEvery;
    }

    @Override
    public int onFrame(DirectBuffer buffer, int offset, int length, long timestampNs) {
        offers++;
        if (refuseEvery > 0 && offers % refuseEvery == 0) {
            refusedSequences.add(TestFrames.marked(buffer, offset, length) ? TestFrames.sequence(buffer, offset) : -1);
            return BACK_PRESSURED;
        }
        final byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        frames.add(copy);
        return ACCEPTED;
    }

    @Override
    public void onDropped(DropReason reason, int count) {
        drops.merge(reason, (long) count, Long::sum);
    }

    @Override
    public void onFeedError(Throwable error) {
        throw new AssertionError("an AF_PACKET feed reports no error", error);
    }

    long dropped(DropReason reason) {
        return drops.getOrDefault(reason, 0L);
    }

    long marked() {
        return frames.stream().filter(f -> TestFrames.marked(new org.agrona.concurrent.UnsafeBuffer(f), 0, f.length)).count();
    }
}
