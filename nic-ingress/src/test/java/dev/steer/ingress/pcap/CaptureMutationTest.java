package dev.steer.ingress.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;
import dev.steer.ingress.TestIngress;

/**
 * Damage nobody wrote a case for: classic pcap (both byte orders, micro- and nanosecond timestamps) and pcapng
 * files of 20 packets with random bytes overwritten, random cuts and extreme length fields, 300 seeded
 * mutations each. Whatever the damage, the feed either refuses the file at open with a message naming it (a header
 * it does not support) or opens, never throws from a poll, ends within a few polls, and delivers or counts every
 * packet it read; the pool is full at the end; a reported damage lies inside the file. A failing seed replays
 * exactly. Every tenth file is also replayed at the capture's pace (speeds 0.1, 1 and 1000, max-gap 1 ms), where
 * damaged timestamps decide the waits: it must end within a few seconds.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CaptureMutationTest {
    private static final int RECORDS = 20;
    private static final int MUTATIONS = 300;
    private static final int[] EXTREMES = {0, 1, 3, 11, 12, 31, 32, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x0004_0000,
        0x0A0D_0D0A, 0x1A2B_3C4D, 0xA1B2_C3D4, 0xA1B2_3C4D};

    @TempDir
    Path dir;

    @Test
    void shouldEndAndAccountForEveryPacketWhateverTheDamageToAClassicPcapFile() throws IOException {
        final Path little = dir.resolve("little-micros.pcap");
        try (PcapWriter writer = PcapWriter.create(little, ByteOrder.LITTLE_ENDIAN, PcapWriter.Resolution.MICROS,
            PcapWriter.DEFAULT_SNAPLEN, PcapWriter.LINKTYPE_ETHERNET)) {
            for (int i = 0; i < RECORDS; i++) {
                writer.write(PcapFeedTest.frame(i, 60 + 7 * i), 1_000_000_000L * (i + 1));
            }
        }
        final Path big = dir.resolve("big-nanos.pcap");
        try (PcapWriter writer = PcapWriter.create(big, ByteOrder.BIG_ENDIAN, PcapWriter.Resolution.NANOS,
            PcapWriter.DEFAULT_SNAPLEN, PcapWriter.LINKTYPE_ETHERNET)) {
            for (int i = 0; i < RECORDS; i++) {
                writer.write(PcapFeedTest.frame(i, 60 + 7 * i), 1_000_000_000L * (i + 1));
            }
        }
        mutateAndReplay(Files.readAllBytes(little), 1);
        mutateAndReplay(Files.readAllBytes(big), 2);
    }

    @Test
    void shouldEndAndAccountForEveryPacketWhateverTheDamageToAPcapngFile() throws IOException {
        final Path little = dir.resolve("little.pcapng");
        try (PcapngWriter writer = PcapngWriter.create(little)) {
            for (int i = 0; i < RECORDS; i++) {
                writer.write(0, PcapFeedTest.frame(i, 60 + 7 * i), 1_000_000_000L * (i + 1));
            }
        }
        mutateAndReplay(Files.readAllBytes(little), 3);
    }

    private void mutateAndReplay(byte[] good, long stream) throws IOException {
        final Path file = dir.resolve("mutated-" + stream);
        for (int seed = 0; seed < MUTATIONS; seed++) {
            final SplittableRandom random = new SplittableRandom(stream * 1_000_003L + seed);
            final byte[] bad = mutate(good, random);
            Files.write(file, bad);
            replay(file, bad.length, "stream " + stream + " seed " + seed);
            if (seed % 10 == 0) {
                // At the capture's pace too, where damaged timestamps decide the waits: bounded by max-gap.
                final double speed = new double[] {0.1, 1.0, 1000.0}[seed / 10 % 3];
                replayPaced(file, speed, "stream " + stream + " seed " + seed + " speed " + speed);
            }
        }
    }

    /** One to three of: random bytes overwritten, a cut, an aligned 32-bit field set to an extreme value. */
    private static byte[] mutate(byte[] good, SplittableRandom random) {
        byte[] bytes = good.clone();
        final int steps = 1 + random.nextInt(3);
        for (int step = 0; step < steps && bytes.length > 0; step++) {
            switch (random.nextInt(3)) {
                case 0 -> {
                    final int count = 1 + random.nextInt(4);
                    for (int i = 0; i < count; i++) {
                        bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                    }
                }
                case 1 -> bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length));
                default -> {
                    if (bytes.length >= 4) {
                        final int at = random.nextInt(bytes.length / 4) * 4;
                        final int value = EXTREMES[random.nextInt(EXTREMES.length)];
                        for (int i = 0; i < 4; i++) {
                            bytes[at + i] = (byte) (random.nextBoolean() ? value >>> (8 * i) : value >>> (24 - 8 * i));
                        }
                    }
                }
            }
        }
        return bytes;
    }

    private static void replayPaced(Path file, double speed, String what) {
        final PcapFeed opened;
        try {
            opened = new PcapFeed(PcapSettings.of(file).withPace(PcapSettings.Pace.CAPTURE, speed)
                .withMaxGap(java.time.Duration.ofMillis(1)));
        } catch (IllegalArgumentException refused) {
            return;
        }
        try (PcapFeed feed = opened; TestIngress ingress = new TestIngress()) {
            ingress.keep = false;
            // At most a millisecond per record, whatever the timestamps say: far within five seconds.
            final long deadline = System.nanoTime() + 5_000_000_000L;
            int result = 0;
            while (result != dev.steer.engine.path.Feed.END && System.nanoTime() < deadline) {
                result = ingress.poll(feed);
                if (result == 0) {
                    Thread.onSpinWait();
                }
            }
            assertEquals(dev.steer.engine.path.Feed.END, result, what + ": the paced replay ended");
        }
    }

    private static void replay(Path file, long length, String what) {
        final PcapFeed opened;
        try {
            opened = new PcapFeed(PcapSettings.of(file));
        } catch (IllegalArgumentException refused) {
            // A header the feed does not support (another link type, a pcapng version 2) is refused at open, with
            // a message that names the file; anything else must open and end as damage.
            assertTrue(refused.getMessage().contains(file.toString()), what + ": " + refused.getMessage());
            return;
        }
        try (PcapFeed feed = opened; TestIngress ingress = new TestIngress()) {
            ingress.keep = false;
            // 20 packets fit one poll; a reader that loops on damage instead of ending fails here.
            ingress.drain(feed, 50);
            final long received = ingress.get(PathCounters.Counter.RECEIVED);
            long dropped = 0;
            for (DropReason reason : DropReason.values()) {
                dropped += ingress.dropped(reason);
            }
            assertEquals(received, ingress.get(PathCounters.Counter.DELIVERED) + dropped, what);
            // A damaged length may split one record into several, but each needs a 12-byte header at least.
            assertTrue(received <= length / 12, what + ": no more packets than the file could hold: " + received);
            assertEquals(ingress.pool.capacity(), ingress.pool.available(), what + ": every frame back in the pool");
            feed.damage().ifPresent(damage -> assertTrue(damage.offset() >= 0 && damage.offset() <= length,
                what + ": " + damage));
        }
    }
}
