package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.MapResult;
import dev.steer.ingress.AllocatedBytes;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class KryoSerializerTest {
    private static final ActorTestKit KIT = KryoTestKit.create("kryo");

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    private static Object roundTrip(Object message) {
        final Serialization serialization = SerializationExtension.get(KIT.system());
        final Serializer serializer = serialization.findSerializerFor(message);
        assertInstanceOf(KryoSerializer.class, serializer, "bound to Kryo");
        assertEquals(KryoSerializer.IDENTIFIER, serializer.identifier());
        return serialization.deserialize(serializer.toBinary(message), serializer.identifier(), "").get();
    }

    @Test
    void shouldCarryAMapReplyAsItsErrnoSoThatCodesAddedBetweenOthersMoveNoneWhenSerialised() {
        final Serializer serializer = SerializationExtension.get(KIT.system())
            .findSerializerFor(new MapOwner.Reply(MapResult.OK));
        for (MapResult result : MapResult.values()) {
            final MapOwner.Reply reply = new MapOwner.Reply(result);
            assertEquals(reply, roundTrip(reply));
            final byte[] bytes = serializer.toBinary(reply);
            assertEquals(result.errno(), bytes[bytes.length - 1], "the errno on the wire, last: " + result);
        }
    }

    @Test
    void shouldCarryTheTargetIncarnationOfABatchWhenSerialisedWithKryo() {
        final TestProbe<BatchAck> link = KIT.createTestProbe();
        final byte[] bytes = {0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 7, 9};
        for (long target : new long[] {ForwardBatch.ANY_INCARNATION, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE,
            0x1234_5678_9abc_def0L}) {
            final ForwardBatch batch = (ForwardBatch) roundTrip(new ForwardBatch(77, 1, 1, bytes, 14, link.ref(),
                target));
            assertEquals(target, batch.target(), "the incarnation the batch is for");
            assertEquals(77, batch.sequence());
            assertEquals(link.ref(), batch.replyTo());
        }
    }

    @Test
    void shouldRefuseAFrameBatchWithAClearErrorWhenItComesInTheLayoutWithoutAnIncarnation() throws Exception {
        final KryoSerializer serializer = (KryoSerializer) SerializationExtension.get(KIT.system())
            .serializerFor(ForwardBatch.class);
        final TestProbe<BatchAck> link = KIT.createTestProbe();
        final byte[] bytes = {0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 7, 9};
        final byte[] wire = serializer.toBinary(new ForwardBatch(77, 1, 1, bytes, 14, link.ref(), 5));
        // A batch of a build whose batches name no incarnation: class byte 102 (id 100), no target before the ref.
        // The target follows class byte (1), sequence (8), segments and frames (1 each), length (4) and the bytes.
        final int target = 1 + 8 + 1 + 1 + 4 + bytes.length;
        final byte[] old = new byte[wire.length - Long.BYTES];
        System.arraycopy(wire, 0, old, 0, target);
        System.arraycopy(wire, target + Long.BYTES, old, target, wire.length - target - Long.BYTES);
        old[0] = 102;
        for (int path = 0; path < 2; path++) {
            final java.io.NotSerializableException refused = refusal(serializer, old, path);
            assertEquals(true, String.valueOf(refused.getMessage()).contains("class id 100 (not registered"),
                refused.getMessage());
        }
    }

    @Test
    void shouldRoundTripEveryClusterMessageWhenSerialisedWithKryo() {
        final TestProbe<BatchAck> link = KIT.createTestProbe();
        final TestProbe<MapOwner.Reply> replies = KIT.createTestProbe();
        final byte[] bytes = {0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 7, 9, 42};
        final ForwardBatch batch = (ForwardBatch) roundTrip(new ForwardBatch(77, 1, 1, bytes, 14, link.ref(),
            ForwardBatch.ANY_INCARNATION));
        assertEquals(77, batch.sequence());
        assertEquals(1, batch.segments());
        assertEquals(1, batch.frames());
        assertEquals(14, batch.length());
        assertArrayEquals(new byte[] {0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 7, 9}, batch.bytes(),
            "only the used bytes travel");
        assertEquals(link.ref(), batch.replyTo());
        final BatchAck ack = new BatchAck(77, new int[] {5, 0, 250}, new int[] {2, 1, 0});
        assertEquals(ack, roundTrip(ack));
        final MapOwner.Update update = new MapOwner.Update(1, 512, "pekko://steer@127.0.0.1:1", 3, CpuMap.ANY,
            replies.ref());
        assertEquals(update, roundTrip(update));
        assertEquals(new MapOwner.Delete(2, replies.ref()), roundTrip(new MapOwner.Delete(2, replies.ref())));
        assertEquals(new MapOwner.Reply(MapResult.ENODEV), roundTrip(new MapOwner.Reply(MapResult.ENODEV)));
        final MapOwner.Update withProgram = new MapOwner.Update(1, 512, "pekko://steer@127.0.0.1:1", 3,
            new RemoteProgramSpec("l4-hash", new int[] {0, 2, 70_000}), CpuMap.ANY, replies.ref());
        assertEquals(withProgram, roundTrip(withProgram));
        // A publication names the node that serialised it as its sender, whatever the record said.
        final String self = KIT.system().address().toString();
        final MapAgent.Publish publish = new MapAgent.Publish(9, Map.of(1, new Placement(64, "pekko://s@h:1", 0),
            2, new Placement(32, "pekko://s@h:2", 1, new RemoteProgramSpec("drop", new int[0]))));
        assertEquals(new MapAgent.Publish(9, publish.entries(), null, self), roundTrip(publish));
        final TestProbe<MapOwner.Applied> owner = KIT.createTestProbe();
        final MapAgent.Publish answered = new MapAgent.Publish(10, Map.of(1, new Placement(64, "pekko://s@h:1", 0)),
            owner.ref(), "pekko://steer@10.0.0.1:25520");
        assertEquals(new MapAgent.Publish(10, answered.entries(), owner.ref(), self), roundTrip(answered),
            "the sender the record claimed does not travel");
        assertEquals(new MapOwner.Applied(10, "pekko://s@h:1"), roundTrip(new MapOwner.Applied(10, "pekko://s@h:1")));
    }

    @Test
    void shouldReadWhatItWroteWhenArteryUsesDirectBuffers() throws Exception {
        final TestProbe<BatchAck> forwarder = KIT.createTestProbe();
        final KryoSerializer serializer = (KryoSerializer) SerializationExtension.get(KIT.system())
            .serializerFor(ForwardBatch.class);
        final java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocateDirect(1024);
        buffer.position(17); // Artery writes its envelope header first
        final long before = KryoSerializer.batchBytes();
        serializer.toBinary(new ForwardBatch(5, 1, 1, new byte[] {0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 99}, 13,
            forwarder.ref(), ForwardBatch.ANY_INCARNATION), buffer);
        assertEquals(buffer.position() - 17, KryoSerializer.batchBytes() - before, "batch bytes are counted");
        buffer.flip().position(17);
        final ForwardBatch batch = (ForwardBatch) serializer.fromBinary(buffer, "");
        assertArrayEquals(new byte[] {0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 99}, batch.bytes());
        assertEquals(forwarder.ref(), batch.replyTo());
        buffer.clear();
        serializer.toBinary(new BatchAck(5, new int[] {1}, new int[] {0}), buffer);
        buffer.flip();
        assertEquals(new BatchAck(5, new int[] {1}, new int[] {0}), serializer.fromBinary(buffer, ""));
    }

    /** A cluster message that nobody registered with Kryo. */
    record Unregistered(int value) implements ClusterMessage {
    }

    @Test
    void shouldRefuseAClassWhenItIsNotRegistered() {
        final Serializer serializer = SerializationExtension.get(KIT.system()).findSerializerFor(new Unregistered(1));
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> serializer.toBinary(new Unregistered(1)));
        assertEquals(true, refused.getMessage().contains("Unregistered"), refused.getMessage());
    }

    @Test
    void shouldRefuseABatchWhenItsLengthIsCorrupt() throws Exception {
        final TestProbe<BatchAck> link = KIT.createTestProbe();
        final Serializer serializer = SerializationExtension.get(KIT.system()).serializerFor(ForwardBatch.class);
        final byte[] wire = serializer.toBinary(new ForwardBatch(1, 1, 1, new byte[12], 12, link.ref(),
            ForwardBatch.ANY_INCARNATION));
        // The length follows the class id (1 byte), sequence (8), segments and frames (1 each): make it negative.
        wire[1 + 8 + 1 + 1] = (byte) 0xFF;
        assertThrows(java.io.NotSerializableException.class, () -> serializer.fromBinary(wire, ForwardBatch.class));
    }

    @Test
    void shouldRefuseABatchWhenItClaimsMoreSegmentsThanFrames() throws Exception {
        final TestProbe<BatchAck> link = KIT.createTestProbe();
        final Serializer serializer = SerializationExtension.get(KIT.system()).serializerFor(ForwardBatch.class);
        final byte[] wire = serializer.toBinary(new ForwardBatch(1, 1, 1, new byte[12], 12, link.ref(),
            ForwardBatch.ANY_INCARNATION));
        wire[1 + 8] = 2;
        final java.io.NotSerializableException refused = assertThrows(java.io.NotSerializableException.class,
            () -> serializer.fromBinary(wire, ForwardBatch.class));
        assertEquals(true, String.valueOf(refused.getMessage()).contains("segments=2 frames=1"), refused.getMessage());
    }

    @Test
    void shouldRefuseAnAcknowledgementWhenItClaimsMoreSegmentsThanABatchCanHold() throws Exception {
        final Serializer serializer = SerializationExtension.get(KIT.system()).serializerFor(BatchAck.class);
        final byte[] wire = serializer.toBinary(new BatchAck(1, new int[] {0}, new int[] {0}));
        // The segment count follows the class id (1 byte) and the sequence (8): 1,000,000 as a variable-length int.
        final byte[] corrupt = new byte[wire.length + 2];
        System.arraycopy(wire, 0, corrupt, 0, 9);
        corrupt[9] = (byte) 0xC0;
        corrupt[10] = (byte) 0x84;
        corrupt[11] = 0x3D;
        System.arraycopy(wire, 10, corrupt, 12, wire.length - 10);
        final java.io.NotSerializableException refused = assertThrows(java.io.NotSerializableException.class,
            () -> serializer.fromBinary(corrupt, BatchAck.class));
        assertEquals(true, String.valueOf(refused.getMessage()).contains("segments=1000000"), refused.getMessage());
    }

    @Test
    void shouldRefuseAnUpdateWhenItsProgramClaimsMoreTargetsThanAMapHasKeys() throws Exception {
        final TestProbe<MapOwner.Reply> replies = KIT.createTestProbe();
        final Serializer serializer = SerializationExtension.get(KIT.system()).serializerFor(MapOwner.Update.class);
        final byte[] wire = serializer.toBinary(new MapOwner.Update(1, 64, "pekko://s@h:1", 0,
            new RemoteProgramSpec("drop", new int[0]), CpuMap.ANY, replies.ref()));
        // A string is its UTF-8 length plus one, then its bytes; the target count follows the name.
        final byte[] name = {5, 'd', 'r', 'o', 'p'};
        int count = -1;
        for (int i = 0; i + name.length <= wire.length && count < 0; i++) {
            if (java.util.Arrays.equals(wire, i, i + name.length, name, 0, name.length)) {
                count = i + name.length;
            }
        }
        assertEquals(0, wire[count], "the target count of drop");
        final byte[] corrupt = new byte[wire.length + 2];
        System.arraycopy(wire, 0, corrupt, 0, count);
        // 1,000,000 as a variable-length int: more targets than the largest map has keys.
        corrupt[count] = (byte) 0xC0;
        corrupt[count + 1] = (byte) 0x84;
        corrupt[count + 2] = 0x3D;
        System.arraycopy(wire, count + 1, corrupt, count + 3, wire.length - count - 1);
        final java.io.NotSerializableException refused = assertThrows(java.io.NotSerializableException.class,
            () -> serializer.fromBinary(corrupt, MapOwner.Update.class));
        assertEquals(true, String.valueOf(refused.getMessage()).contains("1000000 targets"), refused.getMessage());
    }

    @Test
    void shouldRefuseOrReadEveryRandomlyDamagedMessageWithoutAFatalError() {
        final TestProbe<BatchAck> link = KIT.createTestProbe();
        final TestProbe<MapOwner.Reply> replies = KIT.createTestProbe();
        final Object[] messages = {
            new ForwardBatch(77, 1, 2, new byte[] {1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 9, 1, 0, 0, 0, 8}, 18,
                link.ref(), ForwardBatch.ANY_INCARNATION),
            new BatchAck(77, new int[] {5, 0, 250}, new int[] {2, 1, 0}),
            new MapOwner.Update(1, 512, "pekko://steer@127.0.0.1:1", 3, new RemoteProgramSpec("l4-hash",
                new int[] {0, 2}), CpuMap.ANY, replies.ref()),
            new MapOwner.Delete(2, replies.ref()),
            new MapOwner.Reply(MapResult.ENODEV),
            new MapAgent.Publish(9, Map.of(1, new Placement(64, "pekko://s@h:1", 0)), link.ref().unsafeUpcast()),
            new MapOwner.Applied(10, "pekko://s@h:1")};
        final Serialization serialization = SerializationExtension.get(KIT.system());
        for (Object message : messages) {
            final Serializer serializer = serialization.findSerializerFor(message);
            final byte[] wire = serializer.toBinary(message);
            for (int seed = 0; seed < 2_000; seed++) {
                final java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
                byte[] bad = wire.clone();
                // Random bytes, or a run of 0xFF/0x7F (the largest variable-length ints and string lengths), or a cut.
                switch (random.nextInt(3)) {
                    case 0 -> {
                        for (int i = 1 + random.nextInt(4); i > 0; i--) {
                            bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
                        }
                    }
                    case 1 -> {
                        // A variable-length int of up to 2^31 - 1 anywhere: a length or a count out of all measure.
                        final int at = random.nextInt(bad.length);
                        final int last = Math.min(bad.length, at + 5) - 1;
                        for (int i = at; i < last; i++) {
                            bad[i] = (byte) (0x80 | random.nextInt(128));
                        }
                        bad[last] = (byte) random.nextInt(8);
                    }
                    default -> bad = java.util.Arrays.copyOf(bad, random.nextInt(bad.length));
                }
                final byte[] input = bad;
                try {
                    serialization.deserialize(input, serializer.identifier(), "");
                } catch (VirtualMachineError fatal) {
                    throw new AssertionError(message.getClass().getSimpleName() + " seed " + seed
                        + ": a damaged message must be refused, not " + fatal, fatal);
                } catch (RuntimeException refused) {
                    // Refused: what Artery does with a message it cannot read (logged and dropped).
                }
            }
        }
    }


    @Test
    void shouldRefuseAStringThatClaimsMoreBytesThanTheMessageHolds() throws Exception {
        final TestProbe<MapOwner.Reply> replies = KIT.createTestProbe();
        final Serializer serializer = SerializationExtension.get(KIT.system()).serializerFor(MapOwner.Delete.class);
        final byte[] wire = serializer.toBinary(new MapOwner.Delete(2, replies.ref()));
        // The reply ref's length follows the class id (1 byte) and the key (4): 2^31 - 1 as a variable-length int.
        // Kryo's own string reader allocated that much before reading a byte: an OutOfMemoryError, fatal to a node.
        wire[5] = (byte) 0xFF;
        wire[6] = (byte) 0xFF;
        wire[7] = (byte) 0xFF;
        wire[8] = (byte) 0xFF;
        wire[9] = 0x07;
        final java.io.NotSerializableException refused = assertThrows(java.io.NotSerializableException.class,
            () -> serializer.fromBinary(wire, MapOwner.Delete.class));
        assertEquals(true, String.valueOf(refused.getMessage()).contains("corrupt string length 2147483646"),
            refused.getMessage());
    }

    /**
     * Kryo's own registrations that {@code new Kryo()} makes (class id 1 is {@code String}, class byte 3 on the wire)
     * and its class-by-name marker (class byte 1), each followed by a string length of 2^31 - 1 in Kryo's string
     * format: Kryo's reader asked for a char[2^31 - 2], an {@link OutOfMemoryError} that passed the serializer and
     * would stop a node. And a length of 2^26 + 1, which Kryo allocated (128 MiB) before finding the bytes missing.
     */
    private static final byte[][] KRYO_STRING_BOMBS = {
        {3, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F, 'a', 'b'},
        {1, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F},
        {3, (byte) 0xC1, (byte) 0x80, (byte) 0x80, 0x01, 'a', 'b'}};

    /**
     * Reads {@code bytes} from an array ({@code path} 0) or after a header in a direct buffer, as Artery does, and
     * returns the refusal. Anything else fails the test, an {@link OutOfMemoryError} too: JUnit rethrows that
     * one from {@code assertThrows}, which ended the test JVM as it ends a node.
     */
    private static java.io.NotSerializableException refusal(KryoSerializer serializer, byte[] bytes, int path) {
        final String what = java.util.Arrays.toString(bytes) + (path == 0 ? " from an array" : " from a buffer");
        final java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(bytes.length + 3);
        direct.position(3);
        direct.put(bytes).flip().position(3);
        final Object read;
        try {
            read = path == 0 ? serializer.fromBinary(bytes, (Class<?>) null) : serializer.fromBinary(direct, "");
        } catch (java.io.NotSerializableException refused) {
            return refused;
        } catch (Throwable other) {
            throw new AssertionError(what + ": refused with " + other + ", not NotSerializableException", other);
        }
        throw new AssertionError(what + ": read as " + (read == null ? null : read.getClass().getName() + " " + read));
    }

    @Test
    void shouldRefuseKryosOwnStringAndClassByNameWithoutAllocatingWhenTheyClaimAHugeLength() throws Exception {
        final KryoSerializer serializer = (KryoSerializer) SerializationExtension.get(KIT.system())
            .serializerFor(MapOwner.Reply.class);
        // This thread's Kryo and input buffer are made on first use: not part of what a message costs.
        final byte[] reply = serializer.toBinary(new MapOwner.Reply(MapResult.OK));
        assertEquals(new MapOwner.Reply(MapResult.OK), serializer.fromBinary(reply, (Class<?>) null));
        assertEquals(new MapOwner.Reply(MapResult.OK),
            serializer.fromBinary(java.nio.ByteBuffer.allocateDirect(reply.length).put(reply).flip(), ""));
        for (byte[] bomb : KRYO_STRING_BOMBS) {
            for (int path = 0; path < 2; path++) {
                final long before = AllocatedBytes.ofCurrentThread();
                final java.io.NotSerializableException refused = refusal(serializer, bomb, path);
                final long allocated = AllocatedBytes.ofCurrentThread() - before;
                assertEquals(true, allocated < (1 << 20), java.util.Arrays.toString(bomb) + " path " + path
                    + ": allocated " + allocated + " bytes");
                assertEquals(true, String.valueOf(refused.getMessage()).contains("class"), refused.getMessage());
            }
        }
    }

    @Test
    void shouldRefuseAStringWhenItComesAsKryosOwnRegisteredClass() throws Exception {
        final KryoSerializer serializer = (KryoSerializer) SerializationExtension.get(KIT.system())
            .serializerFor(MapOwner.Reply.class);
        // Class byte 3 is Kryo's String (id 1), then "hi" in Kryo's ASCII format: it was read and delivered.
        final byte[] hi = {3, 'h', (byte) ('i' | 0x80)};
        for (int path = 0; path < 2; path++) {
            final java.io.NotSerializableException refused = refusal(serializer, hi, path);
            assertEquals(true, String.valueOf(refused.getMessage()).contains("class id 1"), refused.getMessage());
        }
    }
}
