package dev.steer.engine.path;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import dev.steer.engine.frame.Frame;
import dev.steer.engine.program.SteeringProgram;
import dev.steer.engine.program.Verdict;

/**
 * Ethernet + IPv4 + UDP packets whose UDP payload scripts the verdicts of {@link #INGRESS} and
 * {@link #REMOTE}, so that a test decides per packet what happens to it, and carries a sequence number
 * that handlers read back.
 */
final class TestPackets {
    /** Length of the Ethernet, IPv4 and UDP headers: the payload starts here. */
    static final int PAYLOAD = 14 + 20 + 8;
    /** Payload offsets: the ingress command, its redirect key and fallback, the remote ones, the sequence. */
    static final int CMD = PAYLOAD;
    static final int KEY = PAYLOAD + 1;
    static final int FALLBACK = PAYLOAD + 2;
    static final int REMOTE_CMD = PAYLOAD + 3;
    static final int REMOTE_KEY = PAYLOAD + 4;
    static final int REMOTE_FALLBACK = PAYLOAD + 5;
    static final int SEQ = PAYLOAD + 6;
    /** Length of a scripted packet. */
    static final int LENGTH = 64;

    static final byte PASS = 'P';
    static final byte DROP = 'D';
    static final byte ABORT = 'A';
    /** Returns action 3, XDP_TX in the kernel, which Steer does not know. */
    static final byte UNKNOWN = 'U';
    static final byte THROW = 'X';
    static final byte REDIRECT = 'R';

    /** The ingress program: carries out the packet's CMD. */
    static final SteeringProgram INGRESS = packet -> verdict(packet.u8(CMD), packet.u8(KEY), packet.u8(FALLBACK));
    /** The remote program: carries out the packet's REMOTE_CMD. */
    static final SteeringProgram REMOTE =
        packet -> verdict(packet.u8(REMOTE_CMD), packet.u8(REMOTE_KEY), packet.u8(REMOTE_FALLBACK));

    private TestPackets() {
    }

    private static long verdict(int command, int key, int fallback) {
        return switch (command) {
            case PASS -> Verdict.of(Verdict.PASS);
            case DROP -> Verdict.of(Verdict.DROP);
            case UNKNOWN -> Verdict.of(3);
            case THROW -> throw new IllegalStateException("scripted program failure");
            case REDIRECT -> Verdict.redirect(key, fallback);
            default -> Verdict.of(Verdict.ABORTED);
        };
    }

    /** Writes the headers of a UDP packet of {@code length} bytes at {@code at}. */
    static void writeHeaders(MutableDirectBuffer buffer, int at, int length) {
        for (int i = 0; i < 6; i++) {
            buffer.putByte(at + i, (byte) 0x02);         // destination MAC, locally administered
            buffer.putByte(at + 6 + i, (byte) (0x10 + i)); // source MAC
        }
        buffer.putShort(at + 12, (short) 0x0800, ByteOrder.BIG_ENDIAN);
        final int ip = at + 14;
        buffer.putByte(ip, (byte) 0x45);
        buffer.putByte(ip + 1, (byte) 0);
        buffer.putShort(ip + 2, (short) (length - 14), ByteOrder.BIG_ENDIAN);
        buffer.putInt(ip + 4, 0x0000_4000, ByteOrder.BIG_ENDIAN);  // id 0, don't fragment
        buffer.putByte(ip + 8, (byte) 64);
        buffer.putByte(ip + 9, (byte) 17);
        buffer.putShort(ip + 10, (short) 0, ByteOrder.BIG_ENDIAN);
        buffer.putInt(ip + 12, 0x0A00_0001, ByteOrder.BIG_ENDIAN); // 10.0.0.1
        buffer.putInt(ip + 16, 0x0A00_0002, ByteOrder.BIG_ENDIAN); // 10.0.0.2
        buffer.putShort(ip + 10, (short) ipChecksum(buffer, ip), ByteOrder.BIG_ENDIAN);
        final int udp = ip + 20;
        buffer.putShort(udp, (short) 40000, ByteOrder.BIG_ENDIAN);
        buffer.putShort(udp + 2, (short) 9000, ByteOrder.BIG_ENDIAN);
        buffer.putShort(udp + 4, (short) (length - 34), ByteOrder.BIG_ENDIAN);
        buffer.putShort(udp + 6, (short) 0, ByteOrder.BIG_ENDIAN); // no UDP checksum, allowed on IPv4
    }

    private static int ipChecksum(DirectBuffer buffer, int ip) {
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += buffer.getShort(ip + i, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        }
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum += sum >>> 16;
        return ~sum & 0xFFFF;
    }

    /** Writes the script and sequence of a packet whose headers are at {@code at}. */
    static void script(MutableDirectBuffer buffer, int at, int seq, byte command, int key, int fallback,
                       byte remoteCommand, int remoteKey, int remoteFallback) {
        buffer.putByte(at + CMD, command);
        buffer.putByte(at + KEY, (byte) key);
        buffer.putByte(at + FALLBACK, (byte) fallback);
        buffer.putByte(at + REMOTE_CMD, remoteCommand);
        buffer.putByte(at + REMOTE_KEY, (byte) remoteKey);
        buffer.putByte(at + REMOTE_FALLBACK, (byte) remoteFallback);
        buffer.putInt(at + SEQ, seq, ByteOrder.BIG_ENDIAN);
    }

    /** A packet the ingress program handles with {@code command}, passed by any remote program. */
    static byte[] packet(int seq, byte command) {
        return packet(seq, command, 0, Verdict.ABORTED, PASS, 0, Verdict.ABORTED);
    }

    /** A packet the ingress program redirects to {@code key}. */
    static byte[] redirect(int seq, int key, int fallback) {
        return packet(seq, REDIRECT, key, fallback, PASS, 0, Verdict.ABORTED);
    }

    /** A packet redirected to {@code key} whose remote program there does {@code remoteCommand}. */
    static byte[] remote(int seq, int key, byte remoteCommand, int remoteKey, int remoteFallback) {
        return packet(seq, REDIRECT, key, Verdict.DROP, remoteCommand, remoteKey, remoteFallback);
    }

    static byte[] packet(int seq, byte command, int key, int fallback, byte remoteCommand, int remoteKey,
                         int remoteFallback) {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[LENGTH]);
        writeHeaders(buffer, 0, LENGTH);
        script(buffer, 0, seq, command, key, fallback, remoteCommand, remoteKey, remoteFallback);
        return buffer.byteArray();
    }

    /** {@code count} packets with sequences {@code first..}, all handled with {@code command}. */
    static List<byte[]> packets(int first, int count, byte command) {
        final List<byte[]> packets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            packets.add(command == REDIRECT ? redirect(first + i, 0, Verdict.DROP) : packet(first + i, command));
        }
        return packets;
    }

    /** The sequence number of the packet in {@code frame}. */
    static int seq(Frame frame) {
        return frame.buffer().getInt(frame.dataOffset() + SEQ, ByteOrder.BIG_ENDIAN);
    }
}
