package dev.steer.ingress.afpacket;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Ethernet/IPv4/UDP test frames carrying a marker and a sequence number, so that a test can tell its own
 * frames from anything else and check order; the flow is the UDP source port.
 */
final class TestFrames {
    static final long MARKER = 0x5354454552414650L; // "STEERAFP"
    static final int PAYLOAD = 42;
    static final int MIN_LENGTH = PAYLOAD + 16;

    private TestFrames() {
    }

    /** Writes a frame of {@code length} bytes (at least {@link #MIN_LENGTH}) for {@code flow} into {@code buffer}. */
    static void write(UnsafeBuffer buffer, int length, int flow, long sequence) {
        buffer.setMemory(0, length, (byte) 0);
        // Locally administered unicast MACs that no interface has: the namespace's stack ignores the frames.
        buffer.putBytes(0, new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1});
        buffer.putShort(12, (short) 0x0800, java.nio.ByteOrder.BIG_ENDIAN);
        buffer.putByte(14, (byte) 0x45);
        buffer.putShort(16, (short) (length - 14), java.nio.ByteOrder.BIG_ENDIAN);
        buffer.putByte(22, (byte) 64);
        buffer.putByte(23, (byte) 17);
        buffer.putInt(26, 0x0a000001, java.nio.ByteOrder.BIG_ENDIAN);
        buffer.putInt(30, 0x0a000002, java.nio.ByteOrder.BIG_ENDIAN);
        buffer.putShort(34, (short) (10_000 + flow), java.nio.ByteOrder.BIG_ENDIAN);
        buffer.putShort(36, (short) 9, java.nio.ByteOrder.BIG_ENDIAN);
        buffer.putShort(38, (short) (length - 34), java.nio.ByteOrder.BIG_ENDIAN);
        buffer.putLong(PAYLOAD, MARKER);
        buffer.putLong(PAYLOAD + 8, sequence);
        for (int i = MIN_LENGTH; i < length; i++) {
            buffer.putByte(i, (byte) (sequence * 31 + i));
        }
    }

    static boolean marked(DirectBuffer buffer, int offset, int length) {
        return length >= MIN_LENGTH && buffer.getLong(offset + PAYLOAD) == MARKER;
    }

    static long sequence(DirectBuffer buffer, int offset) {
        return buffer.getLong(offset + PAYLOAD + 8);
    }

    static int flow(DirectBuffer buffer, int offset) {
        return (buffer.getShort(offset + 34, java.nio.ByteOrder.BIG_ENDIAN) & 0xffff) - 10_000;
    }
}
