package dev.steer.ingress.pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.steer.engine.path.Feed;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;
import dev.steer.ingress.TestIngress;

/**
 * Structural corruption of small captures this test writes itself, where it knows where every record starts: bit
 * flips, cuts, huge length fields, block lengths that do not match their trailing copy, a section (or classic file)
 * header in the middle, interface ids that do not exist, snaplen 0 or huge, bytes inserted or removed. Seeded: a
 * failing case names its seed and replays exactly. For each damaged file the rule is checked whole: no exception
 * escapes, the replay ends within a bounded number of polls, every packet whose record lies wholly before the first
 * changed byte is delivered, in order and byte for byte, a reported damage names the file, lies at or after the
 * record holding the first change and says why, a cut inside a record is reported, and every counter adds up.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CaptureCorruptionTest {
    private static final int MUTATIONS = 1_500;
    private static final int MAX_POLLS = 200;
    private static final int[] HUGE = {0, 1, 3, 0xFFFF, 0x10000, 0x40001, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0xFFFF_FFFC};

    @TempDir
    Path dir;

    /** A capture the test built, with where each record starts and which of them hold packets. */
    private record Capture(String name, byte[] bytes, int headerLength, List<Integer> boundaries, List<Packet> packets,
                           List<Integer> lengthFields, List<Integer> interfaceFields, List<Integer> snaplenFields,
                           List<Integer> trailingFields, byte[] sectionHeader, ByteOrder order, int skippedBlocks) {
    }

    /** A packet the capture holds: its record's start and end, and the frame the feed must hand over. */
    private record Packet(int start, int end, byte[] frame) {
    }

    private static byte[] frame(int seq, int length) {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seq * 37 + i * 11);
        }
        return bytes;
    }

    /** Classic pcap: 24-byte header, then 12 records of 60 to 137 bytes. */
    private static Capture classic(ByteOrder order, boolean nanos) {
        final ByteBuffer b = ByteBuffer.allocate(4096).order(order);
        b.putInt(nanos ? PcapFormat.MAGIC_NANOS : PcapFormat.MAGIC_MICROS).putShort((short) 2).putShort((short) 4)
            .putInt(0).putInt(0).putInt(65535).putInt(1);
        final List<Integer> boundaries = new ArrayList<>(List.of(0));
        final List<Packet> packets = new ArrayList<>();
        final List<Integer> lengths = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            final int start = b.position();
            final byte[] f = frame(i, 60 + 7 * i);
            b.putInt(1_000 + i).putInt(i * 10).putInt(f.length).putInt(f.length).put(f);
            boundaries.add(start);
            lengths.add(start + 8);
            lengths.add(start + 12);
            packets.add(new Packet(start, b.position(), f));
        }
        final byte[] header = Arrays.copyOf(b.array(), 24);
        return new Capture("classic-" + order + (nanos ? "-nanos" : "-micros"), Arrays.copyOf(b.array(), b.position()),
            24, boundaries, packets, lengths, List.of(), List.of(16), List.of(), header, order, 0);
    }

    /** Builds pcapng blocks, remembering where each starts and which fields the mutations aim at. */
    private static final class Ng {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final List<Integer> boundaries = new ArrayList<>();
        final List<Packet> packets = new ArrayList<>();
        final List<Integer> lengths = new ArrayList<>();
        final List<Integer> interfaces = new ArrayList<>();
        final List<Integer> snaplens = new ArrayList<>();
        final List<Integer> trailing = new ArrayList<>();
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;

        int block(int type, byte[] body) {
            final int start = out.size();
            final int length = 12 + body.length;
            final ByteBuffer b = ByteBuffer.allocate(length).order(order);
            b.putInt(type).putInt(length).put(body).putInt(length);
            out.writeBytes(b.array());
            boundaries.add(start);
            lengths.add(start + 4);
            trailing.add(start + length - 4);
            return start;
        }

        void section(ByteOrder sectionOrder) {
            order = sectionOrder;
            block(PcapngFormat.SHB, sectionBody(sectionOrder));
        }

        void idb(int linkType, int snaplen, int tsresol) {
            final ByteBuffer b = ByteBuffer.allocate(16).order(order);
            b.putShort((short) linkType).putShort((short) 0).putInt(snaplen)
                .putShort((short) PcapngFormat.IF_TSRESOL).putShort((short) 1).put((byte) tsresol).put(new byte[3]);
            final int start = block(PcapngFormat.IDB, b.array());
            snaplens.add(start + 12);
        }

        void epb(int interfaceId, byte[] f, long units) {
            final int padded = PcapngFormat.pad4(f.length);
            final ByteBuffer b = ByteBuffer.allocate(20 + padded).order(order);
            b.putInt(interfaceId).putInt((int) (units >>> 32)).putInt((int) units).putInt(f.length).putInt(f.length).put(f);
            final int start = block(PcapngFormat.EPB, b.array());
            interfaces.add(start + 8);
            lengths.add(start + 20);
            lengths.add(start + 24);
            packets.add(new Packet(start, out.size(), f));
        }

        void spb(byte[] f) {
            final ByteBuffer b = ByteBuffer.allocate(4 + PcapngFormat.pad4(f.length)).order(order);
            b.putInt(f.length).put(f);
            final int start = block(PcapngFormat.SPB, b.array());
            lengths.add(start + 8);
            packets.add(new Packet(start, out.size(), f));
        }
    }

    private static byte[] sectionBody(ByteOrder order) {
        return ByteBuffer.allocate(16).order(order).putInt(PcapngFormat.BYTE_ORDER_MAGIC).putShort((short) 1)
            .putShort((short) 0).putLong(-1).array();
    }

    /** pcapng: two sections (little- then big-endian), three interfaces, a skipped block, EPBs and an SPB. */
    private static Capture pcapng() {
        final Ng ng = new Ng();
        ng.section(ByteOrder.LITTLE_ENDIAN);
        ng.idb(1, 0, 6);
        ng.idb(1, 1500, 9);
        int seq = 0;
        for (int i = 0; i < 4; i++) {
            ng.epb(i & 1, frame(seq, 60 + 5 * seq), 1_000_000L * seq);
            seq++;
        }
        ng.block(0x0000_0BAD, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        ng.spb(frame(seq, 64 + seq));
        seq++;
        ng.epb(1, frame(seq, 99), 5_000_000L);
        seq++;
        ng.section(ByteOrder.BIG_ENDIAN);
        ng.idb(1, 65535, 6);
        for (int i = 0; i < 4; i++) {
            ng.epb(0, frame(seq, 61 + 3 * seq), 1_000_000L * seq);
            seq++;
        }
        final byte[] bytes = ng.out.toByteArray();
        return new Capture("pcapng", bytes, 28, ng.boundaries, ng.packets, ng.lengths, ng.interfaces, ng.snaplens,
            ng.trailing, Arrays.copyOf(bytes, 28), ByteOrder.LITTLE_ENDIAN, 1);
    }

    @Test
    void shouldDeliverEveryPacketBeforeTheDamageAndReportTheRestWhenAClassicCaptureIsCorrupted() throws IOException {
        corruptAndReplay(classic(ByteOrder.LITTLE_ENDIAN, false), 11);
        corruptAndReplay(classic(ByteOrder.BIG_ENDIAN, true), 12);
    }

    @Test
    void shouldDeliverEveryPacketBeforeTheDamageAndReportTheRestWhenAPcapngCaptureIsCorrupted() throws IOException {
        corruptAndReplay(pcapng(), 13);
    }

    @Test
    void shouldReplayTheBaseCapturesWholeWhenNothingIsCorrupted() throws IOException {
        for (Capture capture : List.of(classic(ByteOrder.LITTLE_ENDIAN, false), classic(ByteOrder.BIG_ENDIAN, true),
            pcapng())) {
            final Path file = dir.resolve(capture.name());
            Files.write(file, capture.bytes());
            final Outcome outcome = replay(file, capture.bytes(), capture.name());
            assertFalse(outcome.damage != null, capture.name() + ": " + outcome.damage);
            assertEquals(capture.packets().size(), outcome.frames.size(), capture.name());
        }
    }

    private record Outcome(List<byte[]> frames, PcapDamage damage, long received, long skippedBlocks) {
    }

    /** A mutated file and where its first change is: records wholly before {@code firstChange} must replay. */
    private record Mutation(byte[] bytes, int firstChange, String what, boolean cutInsideRecord, boolean mayLose) {
    }

    private void corruptAndReplay(Capture capture, long stream) throws IOException {
        final Path file = dir.resolve(capture.name() + ".damaged");
        for (int seed = 0; seed < MUTATIONS; seed++) {
            final SplittableRandom random = new SplittableRandom(stream * 1_000_003L + seed);
            final Mutation m = mutate(capture, random);
            final String what = capture.name() + " seed " + seed + " (" + m.what() + ", first change at " + m.firstChange()
                + " of " + m.bytes().length + ")";
            Files.write(file, m.bytes());
            final Outcome outcome;
            try {
                outcome = replay(file, m.bytes(), what);
            } catch (IllegalArgumentException refused) {
                // Only an unsupported header (version, link type) is refused at open, always naming the file.
                assertTrue(m.firstChange() < capture.headerLength(), what + ": refused at open: " + refused.getMessage());
                assertTrue(refused.getMessage().contains(file.toString()), what + ": " + refused.getMessage());
                continue;
            }
            // Every packet whose record lies wholly before the first change is delivered, in order, byte for byte.
            int before = 0;
            for (Packet p : capture.packets()) {
                if (p.end() <= m.firstChange()) {
                    assertTrue(before < outcome.frames.size(), what + ": packet " + before + " before the damage was"
                        + " not delivered; delivered " + outcome.frames.size() + ", damage " + outcome.damage);
                    assertArrayEquals(p.frame(), outcome.frames.get(before), what + ": packet " + before);
                    before++;
                }
            }
            if (outcome.damage == null && !m.mayLose()) {
                // No silent loss: with no damage reported, every packet is counted (delivered or dropped), or its
                // block, its type damaged, is among the skipped ones (the base capture skips one custom block).
                assertTrue(outcome.received + outcome.skippedBlocks - capture.skippedBlocks() >= capture.packets().size(),
                    what + ": " + outcome.received + " packets counted and " + outcome.skippedBlocks
                        + " blocks skipped of " + capture.packets().size() + " packets, and no damage reported");
            }
            if (m.cutInsideRecord()) {
                assertNotNull(outcome.damage, what + ": a file cut inside a record must be reported");
            }
            if (outcome.damage != null) {
                int floor = 0;
                for (int boundary : capture.boundaries()) {
                    if (boundary <= m.firstChange()) {
                        floor = Math.max(floor, boundary);
                    }
                }
                final PcapDamage d = outcome.damage;
                assertEquals(file, d.file(), what);
                assertNotNull(d.reason(), what);
                assertFalse(d.detail() == null || d.detail().isBlank(), what + ": " + d);
                assertTrue(d.offset() >= floor && d.offset() <= m.bytes().length, what + ": damage " + d
                    + " before the record holding the first change (" + floor + ")");
                assertTrue(d.toString().contains(file.toString()) && d.toString().contains("offset " + d.offset()), what);
            }
        }
    }

    /** Replays {@code file} once, bounded in polls, and checks that every counter adds up. */
    private static Outcome replay(Path file, byte[] bytes, String what) {
        final PcapDamage[] told = new PcapDamage[1];
        final int[] tellings = new int[1];
        final PcapFeed opened = new PcapFeed(PcapSettings.of(file).withDamageListener(d -> {
            told[0] = d;
            tellings[0]++;
        }));
        try (PcapFeed feed = opened; TestIngress ingress = new TestIngress(64, 2048, 8, false)) {
            int polls = 0;
            int result = 0;
            while (result != Feed.END) {
                try {
                    result = ingress.poll(feed);
                } catch (RuntimeException escaped) {
                    throw new AssertionError(what + ": poll threw", escaped);
                }
                if (++polls > MAX_POLLS) {
                    fail(what + ": did not end within " + MAX_POLLS + " polls");
                }
            }
            final long received = ingress.get(PathCounters.Counter.RECEIVED);
            final long oversize = ingress.dropped(DropReason.OVERSIZE);
            final long truncated = ingress.dropped(DropReason.FEED_TRUNCATED);
            long otherDrops = 0;
            for (DropReason reason : DropReason.values()) {
                if (reason != DropReason.OVERSIZE && reason != DropReason.FEED_TRUNCATED) {
                    otherDrops += ingress.dropped(reason);
                }
            }
            assertEquals(0, otherDrops, what + ": only oversize and feed_truncated drops can come from a file");
            assertEquals(received, ingress.delivered + oversize + truncated, what + ": received = delivered + dropped");
            assertEquals(feed.records(), ingress.delivered + oversize, what + ": every record handed over is delivered"
                + " or counted oversize");
            assertEquals(truncated, feed.truncated() + feed.foreignLink(), what + ": feed_truncated drops");
            assertTrue(received <= bytes.length / 12, what + ": more packets than the file can hold: " + received);
            assertEquals(ingress.pool.capacity(), ingress.pool.available(), what + ": every frame back in the pool");
            final PcapDamage damage = feed.damage().orElse(null);
            assertEquals(damage == null ? 0 : 1, tellings[0], what + ": the listener is told once");
            assertTrue(damage == null || damage == told[0], what);
            assertEquals(0, feed.listenerFailures(), what);
            return new Outcome(List.copyOf(ingress.frames), damage, received, feed.skippedBlocks());
        }
    }

    private static int pick(List<Integer> from, SplittableRandom random) {
        return from.get(random.nextInt(from.size()));
    }

    private static void putInt(byte[] bytes, int at, int value, ByteOrder order) {
        if (at >= 0 && at + 4 <= bytes.length) {
            ByteBuffer.wrap(bytes).order(order).putInt(at, value);
        }
    }

    /** The byte order of the section holding {@code at}: pcapng sections may differ. */
    private static ByteOrder orderAt(Capture capture, byte[] bytes, int at) {
        if (!capture.name().equals("pcapng")) {
            return capture.order();
        }
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        for (int boundary : capture.boundaries()) {
            if (boundary > at) {
                break;
            }
            if (ByteBuffer.wrap(capture.bytes()).order(ByteOrder.LITTLE_ENDIAN).getInt(boundary) == PcapngFormat.SHB) {
                order = ByteBuffer.wrap(capture.bytes()).order(ByteOrder.LITTLE_ENDIAN).getInt(boundary + 8)
                    == PcapngFormat.BYTE_ORDER_MAGIC ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
            }
        }
        return order;
    }

    private static Mutation mutate(Capture capture, SplittableRandom random) {
        final byte[] good = capture.bytes();
        byte[] bytes = good.clone();
        final String what;
        boolean cutInside = false;
        // Bytes cut or removed at a record boundary leave a shorter well-formed capture: nothing tells it apart.
        boolean mayLose = false;
        final boolean ng = capture.name().equals("pcapng");
        switch (random.nextInt(10)) {
            case 0 -> {
                final int flips = 1 + random.nextInt(3);
                for (int i = 0; i < flips; i++) {
                    final int at = random.nextInt(bytes.length);
                    bytes[at] ^= (byte) (1 << random.nextInt(8));
                }
                what = flips + " bit flips";
            }
            case 1 -> {
                final int cut = random.nextInt(bytes.length);
                bytes = Arrays.copyOf(bytes, cut);
                cutInside = !capture.boundaries().contains(cut);
                mayLose = true;
                what = "cut at " + cut;
            }
            case 2 -> {
                final int at = pick(capture.lengthFields(), random);
                putInt(bytes, at, HUGE[random.nextInt(HUGE.length)], orderAt(capture, bytes, at));
                what = "length field at " + at;
            }
            case 3 -> {
                if (ng) {
                    final int at = pick(capture.trailingFields(), random);
                    final int old = ByteBuffer.wrap(good).order(orderAt(capture, good, at)).getInt(at);
                    putInt(bytes, at, old + 4 * (1 + random.nextInt(4)) * (random.nextBoolean() ? 1 : -1),
                        orderAt(capture, bytes, at));
                    what = "trailing block length at " + at;
                } else {
                    final int at = pick(capture.lengthFields(), random);
                    final int old = ByteBuffer.wrap(good).order(capture.order()).getInt(at);
                    putInt(bytes, at, old + (1 + random.nextInt(8)) * (random.nextBoolean() ? 1 : -1), capture.order());
                    what = "length field at " + at + " off by a little";
                }
            }
            case 4 -> {
                // A (section or file) header at a record boundary in the middle, optionally in the other byte order.
                final int at = capture.boundaries().get(1 + random.nextInt(capture.boundaries().size() - 1));
                byte[] header = capture.sectionHeader();
                if (ng && random.nextBoolean()) {
                    final ByteBuffer b = ByteBuffer.allocate(28).order(ByteOrder.BIG_ENDIAN);
                    b.putInt(PcapngFormat.SHB).putInt(28).put(sectionBody(ByteOrder.BIG_ENDIAN)).putInt(28);
                    header = b.array();
                }
                final ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(good, 0, at);
                out.writeBytes(header);
                out.write(good, at, good.length - at);
                bytes = out.toByteArray();
                what = "header inserted at " + at;
            }
            case 5 -> {
                if (ng) {
                    final int at = pick(capture.interfaceFields(), random);
                    final int id = new int[] {2, 3, 7, 1023, 1024, 65535, -1}[random.nextInt(7)];
                    putInt(bytes, at, id, orderAt(capture, bytes, at));
                    what = "interface id " + id + " at " + at;
                } else {
                    final int at = capture.lengthFields().get(random.nextInt(capture.lengthFields().size() / 2) * 2);
                    final ByteBuffer b = ByteBuffer.wrap(bytes).order(capture.order());
                    final int captured = b.getInt(at);
                    b.putInt(at + 4, captured - 1 - random.nextInt(8));
                    what = "orig_len below incl_len at " + (at + 4);
                }
            }
            case 6 -> {
                final int at = pick(capture.snaplenFields(), random);
                final int snaplen = new int[] {0, 1, 59, 60, 64, 0x7FFF_FFFF, -1}[random.nextInt(7)];
                putInt(bytes, at, snaplen, orderAt(capture, bytes, at));
                what = "snaplen " + snaplen + " at " + at;
            }
            case 7 -> {
                final int at = random.nextInt(bytes.length);
                final int count = 1 + random.nextInt(16);
                final ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(good, 0, at);
                for (int i = 0; i < count; i++) {
                    out.write(random.nextInt(256));
                }
                out.write(good, at, good.length - at);
                bytes = out.toByteArray();
                what = count + " bytes inserted at " + at;
            }
            case 8 -> {
                final int at = random.nextInt(bytes.length);
                final int count = 1 + random.nextInt(Math.min(64, bytes.length - at));
                final ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(good, 0, at);
                out.write(good, at + count, good.length - at - count);
                bytes = out.toByteArray();
                mayLose = true;
                what = count + " bytes removed at " + at;
            }
            default -> {
                // A whole record repeated or a block type changed: structure that parses but says something else.
                final int index = 1 + random.nextInt(capture.boundaries().size() - 1);
                final int at = capture.boundaries().get(index);
                if (ng) {
                    final int type = new int[] {PcapngFormat.SHB, PcapngFormat.IDB, PcapngFormat.PB, PcapngFormat.SPB,
                        PcapngFormat.EPB, 0x40000BAD}[random.nextInt(6)];
                    putInt(bytes, at, type, orderAt(capture, bytes, at));
                    // A packet block turned into a section or interface header is structure, not a packet.
                    mayLose = type == PcapngFormat.SHB || type == PcapngFormat.IDB;
                    what = "block type " + type + " at " + at;
                } else {
                    final int end = index + 1 < capture.boundaries().size() ? capture.boundaries().get(index + 1) : good.length;
                    final ByteArrayOutputStream out = new ByteArrayOutputStream();
                    out.write(good, 0, end);
                    out.write(good, at, good.length - at);
                    bytes = out.toByteArray();
                    what = "record at " + at + " repeated";
                }
            }
        }
        int first = 0;
        while (first < Math.min(good.length, bytes.length) && good[first] == bytes[first]) {
            first++;
        }
        return new Mutation(bytes, first, what, cutInside, mayLose);
    }
}
