package dev.steer.ingress.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of pcapng damage: the packets before it are delivered, the feed ends, and the damage names the
 * file, the exact byte offset of the damaged block and the reason; poll never throws.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PcapngDamageTest {
    private static final long T0 = 1_700_000_000_000_000_000L;
    /** Section header 28 + interface 32 (if_tsresol, opt_endofopt) + 3 x enhanced packet block (32 + 64). */
    private static final long FOURTH = 28 + 32 + 3 * 96;

    @TempDir
    Path dir;

    /** Writes a damaged file into {@code file}, starting with {@link #goodFile} unless it says otherwise. */
    @FunctionalInterface
    interface Damager {
        void damage(Path file, PcapngWriter writer) throws IOException;
    }

    /** Body of an enhanced packet block without its header and trailer. */
    static byte[] epbBody(int interfaceId, int captured, int original, int dataBytes) {
        final ByteBuffer body = ByteBuffer.allocate(20 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        body.putInt(interfaceId).putInt(0).putInt(0).putInt(captured).putInt(original);
        return body.array();
    }

    static Stream<Arguments> damages() {
        return Stream.of(
            Arguments.of("section header cut", (Damager) (file, writer) -> {
                writer.close();
                PcapDamageTest.cut(file, 20);
            }, 0, PcapDamage.Reason.HEADER_CUT, 0L, 0),
            Arguments.of("bad byte-order magic", (Damager) (file, writer) -> {
                writer.close();
                patchInt(file, 8, 0x11223344);
            }, 0, PcapDamage.Reason.BAD_MAGIC, 0L, 0),
            Arguments.of("block header cut", appended(new byte[] {6, 0, 0, 0, 32}),
                3, PcapDamage.Reason.RECORD_HEADER_CUT, FOURTH, 0),
            Arguments.of("block length not a multiple of 4", (Damager) (file, writer) -> {
                writer.write(0, PcapFeedTest.frame(3, 64), T0);
                writer.close();
                patchInt(file, FOURTH + 4, 97);
            }, 3, PcapDamage.Reason.BAD_BLOCK_LENGTH, FOURTH, 0),
            Arguments.of("block length below 12", appended(block(5, 8, 8)),
                3, PcapDamage.Reason.BAD_BLOCK_LENGTH, FOURTH, 0),
            Arguments.of("block length below the enhanced packet block's 32", appended(block(6, 16, 16)),
                3, PcapDamage.Reason.BAD_BLOCK_LENGTH, FOURTH, 0),
            // A block that is read whole must fit the window; one without a packet is skipped by its length, whatever
            // its size, so only the end of the file inside it is damage (it was BAD_BLOCK_LENGTH, which refused
            // valid captures with large decryption secrets or name resolution blocks).
            Arguments.of("packet block length above the largest block",
                appended(block(6, PcapFeed.MAX_BLOCK_LENGTH + 4, 0)), 3, PcapDamage.Reason.BAD_BLOCK_LENGTH, FOURTH, 0),
            Arguments.of("interface block length above the largest block",
                appended(block(1, PcapFeed.MAX_BLOCK_LENGTH + 4, 0)), 3, PcapDamage.Reason.BAD_BLOCK_LENGTH, FOURTH, 0),
            Arguments.of("packet block length negative as a signed int", appended(block(6, -4, 0)),
                3, PcapDamage.Reason.BAD_BLOCK_LENGTH, FOURTH, 0),
            Arguments.of("block without a packet above the largest block cut by the end",
                appended(block(5, PcapFeed.MAX_BLOCK_LENGTH + 4, 0)), 3, PcapDamage.Reason.BLOCK_CUT, FOURTH, 0),
            Arguments.of("block without a packet of 4 GiB cut by the end", appended(block(5, -4, 0)),
                3, PcapDamage.Reason.BLOCK_CUT, FOURTH, 0),
            Arguments.of("block without a packet above the largest block, trailing length differs",
                (Damager) (file, writer) -> {
                    writer.writeBlock(0x0A, new byte[400_000]);
                    writer.write(0, PcapFeedTest.frame(3, 64), T0);
                    writer.close();
                    patchInt(file, FOURTH + 400_012 - 4, 400_016);
                }, 3, PcapDamage.Reason.BLOCK_LENGTH_MISMATCH, FOURTH, 0),
            Arguments.of("trailing length differs", (Damager) (file, writer) -> {
                writer.write(0, PcapFeedTest.frame(3, 64), T0);
                writer.close();
                patchInt(file, FOURTH + 96 - 4, 100);
            }, 3, PcapDamage.Reason.BLOCK_LENGTH_MISMATCH, FOURTH, 0),
            Arguments.of("enhanced packet block cut mid-data", (Damager) (file, writer) -> {
                writer.write(0, PcapFeedTest.frame(3, 64), T0);
                writer.close();
                PcapDamageTest.cut(file, (int) FOURTH + 50);
            }, 3, PcapDamage.Reason.RECORD_DATA_CUT, FOURTH, 1),
            Arguments.of("simple packet block cut mid-data", (Damager) (file, writer) -> {
                writer.writeSimple(PcapFeedTest.frame(3, 64), 64);
                writer.close();
                PcapDamageTest.cut(file, (int) FOURTH + 20);
            }, 3, PcapDamage.Reason.RECORD_DATA_CUT, FOURTH, 1),
            Arguments.of("statistics block cut", (Damager) (file, writer) -> {
                writer.writeBlock(5, new byte[40]);
                writer.close();
                PcapDamageTest.cut(file, (int) FOURTH + 30);
            }, 3, PcapDamage.Reason.BLOCK_CUT, FOURTH, 0),
            Arguments.of("unknown interface id", (Damager) (file, writer) -> {
                writer.writeBlock(PcapngFormat.EPB, epbBody(1, 64, 64, 64));
            }, 3, PcapDamage.Reason.UNKNOWN_INTERFACE, FOURTH, 0),
            Arguments.of("captured above original", (Damager) (file, writer) -> {
                writer.writeBlock(PcapngFormat.EPB, epbBody(0, 64, 60, 64));
            }, 3, PcapDamage.Reason.CAPTURED_ABOVE_ORIGINAL, FOURTH, 0),
            Arguments.of("captured length larger than the block", (Damager) (file, writer) -> {
                writer.writeBlock(PcapngFormat.EPB, epbBody(0, 200, 200, 64));
            }, 3, PcapDamage.Reason.BAD_BLOCK_LENGTH, FOURTH, 0),
            Arguments.of("later section with a bad byte-order magic", (Damager) (file, writer) -> {
                writer.startSection(ByteOrder.BIG_ENDIAN);
                writer.close();
                patchInt(file, FOURTH + 8, 0x11223344);
            }, 3, PcapDamage.Reason.BAD_SECTION, FOURTH, 0),
            Arguments.of("if_tsresol finer than 10^-18", (Damager) (file, writer) -> {
                writer.addInterface(PcapngWriter.LINKTYPE_ETHERNET, 0, PcapngWriter.TSRESOL_MICROS, 0);
                writer.close();
                Files.write(file, patched(Files.readAllBytes(file), (int) FOURTH + 20, (byte) 19));
            }, 3, PcapDamage.Reason.BAD_INTERFACE, FOURTH, 0),
            Arguments.of("interface option running past the block", (Damager) (file, writer) -> {
                writer.addInterface(PcapngWriter.LINKTYPE_ETHERNET, 0, PcapngWriter.TSRESOL_MICROS, 0);
                writer.close();
                patchShort(file, FOURTH + 18, 200);
            }, 3, PcapDamage.Reason.BAD_INTERFACE, FOURTH, 0),
            Arguments.of("simple packet block before any interface", (Damager) (file, writer) -> {
                writer.startSection(ByteOrder.LITTLE_ENDIAN);
                writer.writeBlock(PcapngFormat.SPB, new byte[] {64, 0, 0, 0});
            }, 3, PcapDamage.Reason.UNKNOWN_INTERFACE, FOURTH + 28, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damages")
    void shouldDeliverPacketsBeforeDamageThenEndAndReportFileOffsetAndReasonWhenPcapngIsDamaged(
        String name, Damager damager, int framesBefore, PcapDamage.Reason reason, long offset, int truncatedDrops)
        throws IOException {
        final Path file = dir.resolve("damaged.pcapng");
        try (PcapngWriter writer = goodFile(file)) {
            assertEquals(FOURTH, writer.position());
            damager.damage(file, writer);
        }
        ReplayChecks.assertEndsAtTheDamage(file, framesBefore, reason, offset, truncatedDrops);
    }

    /** Section header, one Ethernet interface of microseconds, three 64-byte packets; open for more. */
    static PcapngWriter goodFile(Path file) {
        final PcapngWriter writer = PcapngWriter.create(file);
        for (int i = 0; i < 3; i++) {
            writer.write(0, PcapFeedTest.frame(i, 64), T0 + i * 1000L);
        }
        return writer;
    }

    /** Closes the good file, then appends {@code tail} to it. */
    static Damager appended(byte[] tail) {
        return (file, writer) -> {
            writer.close();
            PcapDamageTest.append(file, tail);
        };
    }

    /** A little-endian block of {@code type} that states {@code length} but holds {@code bodyBytes} of zeros. */
    static byte[] block(int type, int length, int bodyBytes) {
        return ByteBuffer.allocate(8 + bodyBytes).order(ByteOrder.LITTLE_ENDIAN).putInt(type).putInt(length).array();
    }

    static void patchInt(Path file, long at, int value) throws IOException {
        final byte[] bytes = Files.readAllBytes(file);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt((int) at, value);
        Files.write(file, bytes);
    }

    static void patchShort(Path file, long at, int value) throws IOException {
        final byte[] bytes = Files.readAllBytes(file);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putShort((int) at, (short) value);
        Files.write(file, bytes);
    }

    static byte[] patched(byte[] bytes, int at, byte value) {
        bytes[at] = value;
        return bytes;
    }
}
