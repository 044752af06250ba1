package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.steer.engine.path.FrameSink;
import dev.steer.engine.program.PacketHeaders;
import dev.steer.engine.program.PacketParser;
import dev.steer.engine.program.PacketView;
import dev.steer.engine.program.Programs;
import dev.steer.engine.program.SteeringProgram;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.DropReason;

/**
 * The test feed's frames are well-formed Ethernet/IPv4/UDP, so that a test steering them with a built-in program
 * sees them steered, not dropped as malformed: a test whose frames are all dropped checks its handler vacuously.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SequencedFeedTest {
    private static final int FRAMES = 8;

    /** Copies of the frames one poll of {@code FRAMES} over three flows hands over. */
    private static List<byte[]> poll() {
        final List<byte[]> frames = new ArrayList<>();
        final FrameSink sink = new FrameSink() {
            @Override
            public int onFrame(DirectBuffer buffer, int offset, int length, long timestampNs) {
                final byte[] copy = new byte[length];
                buffer.getBytes(offset, copy);
                frames.add(copy);
                return ACCEPTED;
            }

            @Override
            public void onDropped(DropReason reason, int count) {
                throw new AssertionError("the feed drops nothing");
            }

            @Override
            public void onFeedError(Throwable error) {
                throw new AssertionError(error);
            }
        };
        assertEquals(FRAMES, new SequencedFeed("f", 5, 3, FRAMES).poll(sink, FRAMES * 2));
        return frames;
    }

    private static int u16(byte[] f, int at) {
        return (f[at] & 0xFF) << 8 | f[at + 1] & 0xFF;
    }

    /** RFC 1071, byte by byte: 0xFFFF over a header whose checksum is right. */
    private static int onesComplementSum(byte[] f, int from, int length) {
        int sum = 0;
        for (int i = 0; i < length; i += 2) {
            sum += u16(f, from + i);
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return sum;
    }

    @Test
    void shouldWriteWellFormedIpv4UdpFramesWhenPolled() {
        final PacketView view = new PacketView();
        final PacketHeaders headers = new PacketHeaders();
        for (byte[] f : poll()) {
            assertEquals(SequencedFeed.SIZE, f.length);
            view.wrap(new UnsafeBuffer(f), 0, f.length);
            assertEquals(PacketHeaders.OK, PacketParser.parse(view, headers), "parse status");
            assertEquals(PacketHeaders.L3_IPV4, headers.l3Kind());
            assertEquals(PacketHeaders.PROTO_UDP, headers.l4Protocol());
            assertEquals(SequencedFeed.SIZE - 14, u16(f, 16), "IPv4 total length: the frame less Ethernet's header");
            assertEquals(0xFFFF, onesComplementSum(f, 14, 20), "IPv4 header checksum");
            assertEquals(SequencedFeed.SIZE - 14 - 20, u16(f, 38), "UDP length: the IP packet less its header");
            assertEquals(SequencedFeed.FLOW_OFFSET, headers.l4Offset() + 8, "the flow id opens the UDP payload");
        }
    }

    static List<String> programs() {
        return Programs.names();
    }

    @ParameterizedTest
    @MethodSource("programs")
    void shouldGiveFramesThatAProgramSteersWhenItIsBuiltIn(String name) {
        final SteeringProgram program = Programs.create(name, new int[] {0, 1}, Verdict.DROP).forIngress();
        final PacketView view = new PacketView();
        for (byte[] f : poll()) {
            final long verdict = program.run(view.wrap(new UnsafeBuffer(f), 0, f.length));
            assertNotEquals(Verdict.DROP, Verdict.action(verdict), name + " dropped a frame of the feed");
        }
    }
}
