package dev.steer.loadgen.send;

import org.agrona.MutableDirectBuffer;

import dev.steer.loadgen.traffic.TrafficGenerator;

/** A {@link FrameSource} over the synthetic traffic model. */
public final class GeneratorSource implements FrameSource {
    private final TrafficGenerator generator;

    /** Frames of {@code generator}, which is then used by this source's thread only. */
    public GeneratorSource(TrafficGenerator generator) {
        this.generator = generator;
    }

    @Override
    public int next(MutableDirectBuffer buffer, int offset) {
        return generator.next(buffer, offset, buffer.capacity() - offset);
    }

    /** Largest frame the generator writes: the buffer size a sender needs. */
    public int maxFrameLength() {
        return generator.maxFrameLength();
    }
}
