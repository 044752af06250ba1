package dev.steer.actors;

import java.nio.ByteOrder;
import java.util.function.BooleanSupplier;

import org.agrona.concurrent.UnsafeBuffer;

import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameSink;
import dev.steer.engine.program.PacketView;
import dev.steer.engine.program.SteeringProgram;
import dev.steer.engine.program.Verdict;

/**
 * Test feed: well-formed 60-byte Ethernet/IPv4/UDP frames (10.0.0.1:5000 to 10.0.0.2:5001, IPv4 total length,
 * header checksum and UDP length set) whose UDP payload carries a flow id and the flow's sequence number, cycling over
 * {@code flows} flows starting at {@code firstFlow}, for {@code limit} frames in all. Well-formed so that every
 * built-in program steers them: a program that drops them all would leave a test's handler unchecked.
 */
final class SequencedFeed implements Feed {
    static final int FLOW_OFFSET = 42;
    static final int SEQ_OFFSET = 46;
    static final int SIZE = 60;
    private static final int ETH_HEADER = 14;
    private static final int IPV4_HEADER = 20;

    private final String name;
    private final int firstFlow;
    private final int flows;
    private final long limit;
    private final long[] nextSeq;
    private final UnsafeBuffer packet = new UnsafeBuffer(new byte[SIZE]);
    private volatile long sent;
    private int flow;

    SequencedFeed(String name, int firstFlow, int flows, long limit) {
        this.name = name;
        this.firstFlow = firstFlow;
        this.flows = flows;
        this.limit = limit;
        this.nextSeq = new long[flows];
        packet.putShort(12, (short) 0x0800, ByteOrder.BIG_ENDIAN); // IPv4
        packet.putByte(14, (byte) 0x45); // version 4, 20-byte header
        packet.putShort(16, (short) (SIZE - ETH_HEADER), ByteOrder.BIG_ENDIAN); // total length: the rest of the frame
        packet.putByte(22, (byte) 64); // TTL
        packet.putByte(23, (byte) 17); // UDP
        packet.putInt(26, 0x0A00_0001, ByteOrder.BIG_ENDIAN); // 10.0.0.1
        packet.putInt(30, 0x0A00_0002, ByteOrder.BIG_ENDIAN); // 10.0.0.2
        packet.putShort(24, (short) ipv4HeaderChecksum(packet), ByteOrder.BIG_ENDIAN);
        packet.putShort(34, (short) 5000, ByteOrder.BIG_ENDIAN); // source port
        packet.putShort(36, (short) 5001, ByteOrder.BIG_ENDIAN); // destination port
        packet.putShort(38, (short) (SIZE - ETH_HEADER - IPV4_HEADER), ByteOrder.BIG_ENDIAN); // UDP length
        // UDP checksum 0: none, which IPv4 allows; the flow id and sequence number change per frame, the headers not.
    }

    /** RFC 1071 over the IPv4 header, its checksum field still 0. */
    private static int ipv4HeaderChecksum(UnsafeBuffer packet) {
        int sum = 0;
        for (int i = ETH_HEADER; i < ETH_HEADER + IPV4_HEADER; i += 2) {
            sum += packet.getShort(i, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        }
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        return ~sum & 0xFFFF;
    }

    @Override
    public int poll(FrameSink sink, int budget) {
        long count = sent;
        if (count >= limit) {
            return END;
        }
        final long now = System.nanoTime();
        int taken = 0;
        while (taken < budget && count < limit) {
            packet.putInt(FLOW_OFFSET, firstFlow + flow);
            packet.putLong(SEQ_OFFSET, nextSeq[flow]);
            if (sink.onFrame(packet, 0, SIZE, now) == FrameSink.BACK_PRESSURED) {
                break;
            }
            nextSeq[flow]++;
            flow = flow + 1 == flows ? 0 : flow + 1;
            taken++;
            count++;
        }
        sent = count;
        return taken;
    }

    long sent() {
        return sent;
    }

    @Override
    public String name() {
        return name;
    }

    /** Flow id written in a packet, read through the program's view (little-endian as written). */
    static int flowOf(PacketView view) {
        final long b0 = view.u8(FLOW_OFFSET);
        final long b1 = view.u8(FLOW_OFFSET + 1);
        final long b2 = view.u8(FLOW_OFFSET + 2);
        final long b3 = view.u8(FLOW_OFFSET + 3);
        return (int) (b0 | b1 << 8 | b2 << 16 | b3 << 24);
    }

    /** A program that redirects flow f to key {@code f % keys}, fallback DROP. */
    static SteeringProgram byFlow(int keys) {
        return view -> Verdict.redirect(Math.floorMod(flowOf(view), keys), Verdict.DROP);
    }

    /**
     * A feed named {@code gated} that offers nothing until {@code open} is true, then polls {@code inner}: no traffic
     * before a handler can call the engine it needs.
     */
    static Feed gated(Feed inner, BooleanSupplier open) {
        return new Feed() {
            @Override
            public int poll(FrameSink sink, int budget) {
                return open.getAsBoolean() ? inner.poll(sink, budget) : 0;
            }

            @Override
            public String name() {
                return "gated";
            }
        };
    }
}
