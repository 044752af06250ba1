package dev.steer.engine.path;

import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A feed that hands a fixed list of packets, in order, as a lossless feed must: a packet refused with
 * {@link FrameSink#BACK_PRESSURED} stays at the head and ends the poll.
 */
final class ScriptedFeed implements Feed {
    private final List<UnsafeBuffer> packets = new ArrayList<>();
    private int next;
    private int backPressured;

    ScriptedFeed(List<byte[]> packets) {
        for (byte[] packet : packets) {
            this.packets.add(new UnsafeBuffer(packet));
        }
    }

    @Override
    public int poll(FrameSink sink, int budget) {
        if (next == packets.size()) {
            return END;
        }
        int handed = 0;
        while (handed < budget && next < packets.size()) {
            final UnsafeBuffer packet = packets.get(next);
            if (sink.onFrame(packet, 0, packet.capacity(), next) == FrameSink.BACK_PRESSURED) {
                backPressured++;
                break;
            }
            next++;
            handed++;
        }
        return handed;
    }

    /** Packets not yet taken. */
    int remaining() {
        return packets.size() - next;
    }

    /** Times the sink refused a packet. */
    int backPressured() {
        return backPressured;
    }

    @Override
    public String name() {
        return "scripted";
    }
}
