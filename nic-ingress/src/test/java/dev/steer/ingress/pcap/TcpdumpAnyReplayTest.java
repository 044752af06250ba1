package dev.steer.ingress.pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;
import dev.steer.ingress.ChildProcesses;
import dev.steer.ingress.TestIngress;
import dev.steer.ingress.afpacket.NetNamespace;

/**
 * A real {@code tcpdump -i any} capture replayed: traffic the test makes itself between two network namespaces it
 * creates and deletes (a veth pair, one end in each), captured with tcpdump on {@code any} in the first, in both
 * Linux cooked formats. Every packet of the file (as {@code capinfos} counts them) is replayed as an Ethernet frame
 * whose header tshark's own decoding of the cooked header agrees with and whose L3 bytes are exactly the captured
 * ones; the datagrams the test sent are among them. Skipped, with the reason, when not root or when tcpdump, capinfos
 * or tshark is missing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TcpdumpAnyReplayTest {
    private static final int DATAGRAMS = 20;
    private static final int PORT = 9_400;
    private static final long COMMAND_SECONDS = 30;

    @TempDir
    Path dir;

    private static String missingTool() {
        for (String tool : List.of("tcpdump", "capinfos", "tshark")) {
            final boolean found = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(directory -> Files.isExecutable(Path.of(directory, tool)));
            if (!found) {
                return tool + " is not installed";
            }
        }
        return null;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        final ChildProcesses.Result result = ChildProcesses.run(COMMAND_SECONDS, List.of(command));
        assertTrue(result.finished() && result.exitValue() == 0, String.join(" ", command) + ": " + result);
        return result.output();
    }

    @ParameterizedTest
    @CsvSource({"LINUX_SLL2, 20", "LINUX_SLL, 16"})
    void shouldReplayEveryPacketWithItsL3BytesWhenTcpdumpCapturedOnAny(String dlt, int header) throws Exception {
        final String unavailable = NetNamespace.unavailableReason();
        Assumptions.assumeTrue(unavailable == null, () -> "tcpdump -i any test skipped: " + unavailable);
        final String missing = missingTool();
        Assumptions.assumeTrue(missing == null, () -> "tcpdump -i any test skipped: " + missing);
        final Path capture = dir.resolve("any.pcap");
        final List<byte[]> sent = new ArrayList<>();
        try (NetNamespace sender = NetNamespace.createUnique("steer");
             NetNamespace receiver = NetNamespace.createUnique("steer")) {
            sender.addVethPair("steer-tx", "steer-rx", 1500);
            run("ip", "-n", sender.name(), "link", "set", "dev", "steer-rx", "netns", receiver.name());
            run("ip", "netns", "exec", receiver.name(), "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
            run("ip", "-n", receiver.name(), "link", "set", "dev", "steer-rx", "up");
            sender.addAddress("steer-tx", "10.77.0.1/24");
            receiver.addAddress("steer-rx", "10.77.0.2/24");
            final Path log = dir.resolve("tcpdump.log");
            // -Z root: a tcpdump that drops to its own user could not write into the test's directory. -s 2048:
            // with the default snaplen (256 KiB) an immediate-mode ring of 2 MiB holds 8 packets, and the kernel
            // drops the rest of a burst; every packet sent here is shorter.
            final Process tcpdump = new ProcessBuilder("ip", "netns", "exec", sender.name(), "tcpdump", "-i", "any",
                "-y", dlt, "-s", "2048", "--immediate-mode", "-U", "-n", "-Z", "root", "-w", capture.toString(),
                "arp or udp")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                final long listening = System.nanoTime() + TimeUnit.SECONDS.toNanos(COMMAND_SECONDS);
                while (!Files.readString(log).contains("listening on")) {
                    assertTrue(tcpdump.isAlive() && System.nanoTime() < listening,
                        () -> "tcpdump is not listening: " + readQuietly(log));
                    Thread.sleep(10);
                }
                send(sender, receiver, sent);
                // Every datagram was received, so each crossed the veth; tcpdump writes each packet as it sees it.
                final long written = System.nanoTime() + TimeUnit.SECONDS.toNanos(COMMAND_SECONDS);
                while (udpRecords(capture, header) < DATAGRAMS) {
                    assertTrue(tcpdump.isAlive() && System.nanoTime() < written, () -> "tcpdump wrote "
                        + udpRecordsQuietly(capture, header) + " of " + DATAGRAMS + " datagrams: " + readQuietly(log));
                    Thread.sleep(10);
                }
            } finally {
                ChildProcesses.destroyWithDescendants(tcpdump); // SIGTERM: tcpdump closes the file
            }
        }
        replayAndCheck(capture, header, sent);
    }

    private static String readQuietly(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException ex) {
            return ex.toString();
        }
    }

    private static String udpRecordsQuietly(Path capture, int header) {
        try {
            return udpRecords(capture, header) + " (file of " + Files.size(capture) + " bytes, record lengths "
                + records(capture).stream().map(r -> r.length).toList() + ")";
        } catch (IOException | RuntimeException ex) {
            return ex.toString();
        }
    }

    /** The UDP packets tcpdump has written whole to {@code capture} so far. */
    private static long udpRecords(Path capture, int header) throws IOException {
        if (!Files.exists(capture) || Files.size(capture) < PcapFormat.FILE_HEADER_LENGTH) {
            return 0;
        }
        // The cooked protocol is the last field of a v1 header and the first of a v2 one.
        final int protocolAt = header == LinuxCooked.SLL_HEADER ? 14 : 0;
        return records(capture).stream().filter(record -> record.length > header + 9
            && (ByteBuffer.wrap(record, protocolAt, 2).getShort() & 0xffff) == 0x0800 && record[header + 9] == 17)
            .count();
    }

    /**
     * The destination MAC a frame of cooked packet type {@code packetType} and ARPHRD type {@code arphrd} must carry:
     * zeros on a device that is no Ethernet (ARPHRD other than 1); on Ethernet, all ones for a broadcast (1), for a
     * multicast (2) the IPv4 or IPv6 group's Ethernet address when the frame holds its whole header, else the group
     * bit alone, and for an outgoing packet (4) that group address, or all ones for an IPv4 packet to
     * 255.255.255.255, else zeros; zeros for the others.
     */
    private static byte[] destination(String packetType, String arphrd, byte[] frame) {
        final byte[] mac = new byte[6];
        if (!arphrd.equals("1")) {
            return mac;
        }
        final boolean outgoingOnEthernet = packetType.equals("4");
        if (packetType.equals("1")) {
            Arrays.fill(mac, (byte) -1);
        } else if (packetType.equals("2") || outgoingOnEthernet) {
            final int etherType = ByteBuffer.wrap(frame, 12, 2).getShort() & 0xffff;
            final boolean ipv4 = etherType == 0x0800 && frame.length >= 14 + 20;
            if (ipv4 && (frame[14 + 16] & 0xf0) == 0xe0) {
                mac[0] = 1;
                mac[2] = 0x5e;
                mac[3] = (byte) (frame[14 + 17] & 0x7f);
                mac[4] = frame[14 + 18];
                mac[5] = frame[14 + 19];
            } else if (etherType == 0x86dd && frame.length >= 14 + 40 && frame[14 + 24] == (byte) 0xff) {
                mac[0] = 0x33;
                mac[1] = 0x33;
                System.arraycopy(frame, 14 + 36, mac, 2, 4);
            } else if (outgoingOnEthernet && ipv4 && ByteBuffer.wrap(frame, 14 + 16, 4).getInt() == -1) {
                Arrays.fill(mac, (byte) -1);
            } else if (!outgoingOnEthernet) {
                mac[0] = 1;
            }
        }
        return mac;
    }

    /** Packets in {@code capture} as capinfos counts them. */
    private static long count(Path capture) throws IOException, InterruptedException {
        final String out = run("capinfos", "-c", "-M", capture.toString());
        final String line = out.lines().filter(l -> l.startsWith("Number of packets:")).findFirst().orElseThrow();
        return Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
    }

    /** Sends {@link #DATAGRAMS} UDP datagrams from the sender's namespace and receives each in the receiver's. */
    private static void send(NetNamespace sender, NetNamespace receiver, List<byte[]> sent) throws IOException {
        final DatagramSocket in;
        try (NetNamespace.Scope scope = receiver.enter()) {
            in = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("10.77.0.2"), PORT));
        }
        try (DatagramSocket inSocket = in) {
            final DatagramSocket out;
            try (NetNamespace.Scope scope = sender.enter()) {
                out = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("10.77.0.1"), 0));
            }
            inSocket.setSoTimeout(10_000);
            try (DatagramSocket outSocket = out) {
                for (int i = 0; i < DATAGRAMS; i++) {
                    final byte[] payload = ("steer cooked capture " + i + " " + "x".repeat(i * 37))
                        .getBytes(StandardCharsets.US_ASCII);
                    outSocket.send(new DatagramPacket(payload, payload.length, InetAddress.getByName("10.77.0.2"),
                        PORT));
                    final DatagramPacket received = new DatagramPacket(new byte[2048], 2048);
                    inSocket.receive(received);
                    sent.add(payload);
                }
            }
        }
    }

    private static void replayAndCheck(Path capture, int header, List<byte[]> sent) throws Exception {
        final long packets = count(capture);
        final List<byte[]> records = records(capture);
        assertEquals(packets, records.size(), "capinfos and the test's own reading of the file");
        // tshark's decoding of each cooked header: packet type, ARPHRD type, source MAC, protocol.
        final List<String> decoded = run("tshark", "-r", capture.toString(), "-T", "fields", "-E", "separator=,",
            "-e", "sll.pkttype", "-e", "sll.hatype", "-e", "sll.src.eth", "-e", "sll.etype").lines()
            .filter(line -> !line.startsWith("Running as user")).toList();
        assertEquals(records.size(), decoded.size(), String.join("\n", decoded));
        try (PcapFeed feed = new PcapFeed(PcapSettings.of(capture)); TestIngress ingress = new TestIngress()) {
            ingress.drain(feed, 1_000);
            assertEquals(packets, ingress.get(PathCounters.Counter.RECEIVED));
            assertEquals(packets, ingress.get(PathCounters.Counter.DELIVERED), "ARP and IPv4: every one an EtherType");
            assertEquals(0, ingress.dropped(DropReason.FEED_TRUNCATED));
            assertEquals(packets, header == LinuxCooked.SLL_HEADER ? feed.convertedLinuxSll()
                : feed.convertedLinuxSll2());
            final List<byte[]> payloads = new ArrayList<>();
            for (int i = 0; i < records.size(); i++) {
                final byte[] record = records.get(i);
                final byte[] frame = ingress.frames.get(i);
                assertArrayEquals(Arrays.copyOfRange(record, header, record.length),
                    Arrays.copyOfRange(frame, LinuxCooked.ETHERNET_HEADER, frame.length), "L3 bytes of packet " + i);
                final String[] fields = decoded.get(i).split(",", -1);
                assertArrayEquals(destination(fields[0], fields[1], frame), Arrays.copyOfRange(frame, 0, 6),
                    "destination of " + decoded.get(i));
                final byte[] source = fields[1].equals("1") ? mac(fields[2]) : new byte[6];
                assertArrayEquals(source, Arrays.copyOfRange(frame, 6, 12), "source of " + decoded.get(i));
                assertEquals(Integer.decode(fields[3]), ByteBuffer.wrap(frame, 12, 2).getShort() & 0xffff,
                    "EtherType of " + decoded.get(i));
                if ((ByteBuffer.wrap(frame, 12, 2).getShort() & 0xffff) == 0x0800 && frame[14 + 9] == 17) {
                    payloads.add(Arrays.copyOfRange(frame, 14 + 20 + 8, frame.length));
                }
            }
            assertEquals(sent.size(), payloads.size(), "the datagrams sent, each captured once (outgoing on tx)");
            for (int i = 0; i < sent.size(); i++) {
                assertArrayEquals(sent.get(i), payloads.get(i), "datagram " + i);
            }
        }
    }

    private static byte[] mac(String text) {
        final String[] parts = text.split(":");
        final byte[] bytes = new byte[6];
        for (int i = 0; i < 6; i++) {
            bytes[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return bytes;
    }

    /**
     * The records of a classic pcap file in the machine's byte order (tcpdump's), read without the feed, up to the
     * first one not yet written whole.
     */
    private static List<byte[]> records(Path capture) throws IOException {
        final ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(capture)).order(ByteOrder.nativeOrder());
        assertEquals(PcapFormat.MAGIC_MICROS, file.getInt(0), "a microsecond file in native byte order");
        final List<byte[]> records = new ArrayList<>();
        int at = PcapFormat.FILE_HEADER_LENGTH;
        while (at + PcapFormat.RECORD_HEADER_LENGTH <= file.limit()) {
            final int included = file.getInt(at + PcapFormat.OFFSET_INCL_LEN);
            if (at + PcapFormat.RECORD_HEADER_LENGTH + included > file.limit()) {
                break;
            }
            final byte[] record = new byte[included];
            file.get(at + PcapFormat.RECORD_HEADER_LENGTH, record);
            records.add(record);
            at += PcapFormat.RECORD_HEADER_LENGTH + included;
        }
        return records;
    }
}
