package dev.steer.loadgen.traffic;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Builds Ethernet / IPv4 / UDP packets with correct IPv4 header and UDP checksums, one per flow, for the
 * synthetic feed. Flow {@code i} goes from 10.0.(i/250).(i%250+1):(1024+i) to 10.1.0.1:(4000+i%16) so that
 * address- and port-based programs spread the flows. Off the hot path: packets are built once.
 */
public final class PacketTemplates {
    /** Smallest Ethernet frame without FCS: 60 bytes; a 64-byte frame on the wire. */
    public static final int MIN_FRAME = 60;
    private static final int ETH = 14;
    private static final int IP4 = 20;
    private static final int UDP = 8;

    private PacketTemplates() {
    }

    /**
     * {@code flows} UDP over IPv4 packets of {@code size} bytes each (Ethernet header included).
     *
     * @throws IllegalArgumentException when flows is below 1 or size below 42 or above 9014
     */
    public static byte[][] udp4(int flows, int size) {
        if (flows < 1) {
            throw new IllegalArgumentException("flows=" + flows + ": must be at least 1");
        }
        if (size < ETH + IP4 + UDP || size > 9014) {
            throw new IllegalArgumentException("size=" + size + ": must be " + (ETH + IP4 + UDP) + " to 9014 bytes");
        }
        final byte[][] packets = new byte[flows][];
        for (int i = 0; i < flows; i++) {
            final int src = 0x0A00_0000 | (i / 250) << 8 | (i % 250 + 1);
            packets[i] = udp4(src, 0x0A01_0001, 1024 + i, 4000 + i % 16, size);
        }
        return packets;
    }

    /** One UDP over IPv4 packet of {@code size} bytes with the given addresses and ports. */
    public static byte[] udp4(int srcAddress, int dstAddress, int srcPort, int dstPort, int size) {
        final byte[] packet = new byte[size];
        final ByteBuffer b = ByteBuffer.wrap(packet).order(ByteOrder.BIG_ENDIAN);
        b.put(0, new byte[] {0x02, 0, 0, 0, 0, 0x02}).put(6, new byte[] {0x02, 0, 0, 0, 0, 0x01});
        b.putShort(12, (short) 0x0800);
        final int ipLength = size - ETH;
        b.put(ETH, (byte) 0x45).putShort(ETH + 2, (short) ipLength).put(ETH + 8, (byte) 64).put(ETH + 9, (byte) 17);
        b.putInt(ETH + 12, srcAddress).putInt(ETH + 16, dstAddress);
        b.putShort(ETH + 10, (short) checksum(packet, ETH, IP4, 0));
        final int udp = ETH + IP4;
        final int udpLength = ipLength - IP4;
        b.putShort(udp, (short) srcPort).putShort(udp + 2, (short) dstPort).putShort(udp + 4, (short) udpLength);
        for (int i = udp + UDP; i < size; i++) {
            packet[i] = (byte) i;
        }
        final long pseudo = (srcAddress >>> 16) + (srcAddress & 0xFFFF) + (dstAddress >>> 16) + (dstAddress & 0xFFFF)
            + 17 + udpLength;
        int sum = checksum(packet, udp, udpLength, pseudo);
        b.putShort(udp + 6, (short) (sum == 0 ? 0xFFFF : sum));
        return packet;
    }

    /** RFC 1071 one's-complement checksum of {@code length} bytes from {@code offset}, plus {@code initial}. */
    public static int checksum(byte[] data, int offset, int length, long initial) {
        long sum = initial;
        for (int i = 0; i + 1 < length; i += 2) {
            sum += (data[offset + i] & 0xFF) << 8 | data[offset + i + 1] & 0xFF;
        }
        if ((length & 1) != 0) {
            sum += (data[offset + length - 1] & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }
}
