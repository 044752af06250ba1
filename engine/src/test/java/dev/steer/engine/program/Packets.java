package dev.steer.engine.program;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

import org.agrona.concurrent.UnsafeBuffer;

/** Crafts real packets for the parser and program tests: Ethernet, VLANs, IPv4 (options), IPv6 (extensions), L4. */
final class Packets {
    static final int IPV4 = 0x0800;
    static final int IPV6 = 0x86DD;
    static final int ARP = 0x0806;

    private Packets() {
    }

    /** Ethernet header with the given VLAN tags (TPIDs 0x8100, then 0x88A8 for the outer of two) and type. */
    static byte[] eth(int type, byte[] payload, int... vlans) {
        final ByteBuffer b = ByteBuffer.allocate(14 + 4 * vlans.length + payload.length);
        b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1});
        for (int i = 0; i < vlans.length; i++) {
            b.putShort((short) (vlans.length == 2 && i == 0 ? 0x88A8 : 0x8100));
            b.putShort((short) vlans[i]);
        }
        b.putShort((short) type);
        b.put(payload);
        return b.array();
    }

    static byte[] udp(int sport, int dport) {
        return ByteBuffer.allocate(12).putShort((short) sport).putShort((short) dport).putShort((short) 12)
            .putShort((short) 0).putInt(0xABCD).array();
    }

    static byte[] tcp(int sport, int dport) {
        return ByteBuffer.allocate(20).putShort((short) sport).putShort((short) dport).putInt(1).putInt(0)
            .put((byte) 0x50).put((byte) 0x02).putShort((short) 1024).putInt(0).array();
    }

    static byte[] icmp(int type, int code) {
        return ByteBuffer.allocate(8).put((byte) type).put((byte) code).putShort((short) 0).putInt(0x00010001).array();
    }

    /** IPv4 with {@code optionWords} words of options (NOPs) and the given fragment offset, correct checksum. */
    static byte[] ipv4(int protocol, int src, int dst, byte[] l4, int optionWords, int fragmentOffset) {
        final int headerLength = 20 + 4 * optionWords;
        final ByteBuffer b = ByteBuffer.allocate(headerLength + l4.length);
        b.put((byte) (0x40 | headerLength / 4)).put((byte) 0).putShort((short) (headerLength + l4.length))
            .putShort((short) 1).putShort((short) (fragmentOffset & 0x1FFF)).put((byte) 64).put((byte) protocol)
            .putShort((short) 0).putInt(src).putInt(dst);
        for (int i = 0; i < 4 * optionWords; i++) {
            b.put((byte) 1);
        }
        final byte[] out = b.array();
        long sum = 0;
        for (int i = 0; i < headerLength; i += 2) {
            sum += (out[i] & 0xFF) << 8 | out[i + 1] & 0xFF;
        }
        while (sum >>> 16 != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        ByteBuffer.wrap(out).putShort(10, (short) ~sum);
        System.arraycopy(l4, 0, out, headerLength, l4.length);
        return out;
    }

    static byte[] ipv4(int protocol, int src, int dst, byte[] l4) {
        return ipv4(protocol, src, dst, l4, 0, 0);
    }

    /** An IPv6 extension header: its type and its full bytes (the first byte, next header, is filled in). */
    record Ext(int type, byte[] bytes) {
        static Ext options(int type, int eightOctetUnits) {
            final byte[] bytes = new byte[8 * eightOctetUnits];
            bytes[1] = (byte) (eightOctetUnits - 1);
            return new Ext(type, bytes);
        }

        static Ext fragment(int offset) {
            final byte[] bytes = new byte[8];
            ByteBuffer.wrap(bytes).putShort(2, (short) (offset << 3));
            return new Ext(44, bytes);
        }

        static Ext auth(int fourOctetUnits) {
            final byte[] bytes = new byte[4 * fourOctetUnits];
            bytes[1] = (byte) (fourOctetUnits - 2);
            return new Ext(51, bytes);
        }
    }

    static byte[] ipv6(int protocol, byte[] src, byte[] dst, byte[] l4, Ext... exts) {
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int i = 0; i < exts.length; i++) {
            final byte[] bytes = exts[i].bytes().clone();
            bytes[0] = (byte) (i + 1 < exts.length ? exts[i + 1].type() : protocol);
            body.writeBytes(bytes);
        }
        body.writeBytes(l4);
        final byte[] payload = body.toByteArray();
        final ByteBuffer b = ByteBuffer.allocate(40 + payload.length);
        b.putInt(0x6000_0000).putShort((short) payload.length).put((byte) (exts.length > 0 ? exts[0].type() : protocol))
            .put((byte) 64).put(src).put(dst).put(payload);
        return b.array();
    }

    static byte[] v6(int last) {
        final byte[] address = new byte[16];
        address[0] = 0x20;
        address[1] = 0x01;
        address[2] = 0x0d;
        address[3] = (byte) 0xb8;
        address[15] = (byte) last;
        address[14] = (byte) (last >>> 8);
        return address;
    }

    static byte[] arp() {
        return eth(ARP, new byte[28]);
    }

    static PacketView view(byte[] packet) {
        return new PacketView().wrap(new UnsafeBuffer(packet), 0, packet.length);
    }

    static PacketView view(byte[] packet, int length) {
        return new PacketView().wrap(new UnsafeBuffer(packet), 0, length);
    }
}
