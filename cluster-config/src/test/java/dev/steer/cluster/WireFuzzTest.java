package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.NotSerializableException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.actors.DataPath;
import dev.steer.engine.frame.FramePool;
import dev.steer.engine.map.Capabilities;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryLifecycle;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.PathCounters;
import dev.steer.engine.stats.PathStats;
import dev.steer.ingress.AllocatedBytes;

/**
 * Hostile bytes on the cluster wire, seeded and bounded: every message type the serializer registers, and the
 * receiver's reading of a batch. The rule: bad input is refused with the serializer's one documented exception,
 * {@link NotSerializableException} (what Artery logs and drops), or counted as a drop at the receiver; never
 * another throwable, never an allocation out of proportion to the input, never a hang, and the receiver's
 * accounting stays exact case by case.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WireFuzzTest {
    private static final ActorTestKit KIT = KryoTestKit.create("wire-fuzz");
    /**
     * More than any case may allocate to read a message of a few hundred bytes: 64 MiB. An allocation bomb (an array
     * sized by a count or length of 2^31 - 1 read from the bytes) takes gigabytes or fails with OutOfMemoryError. A
     * bound of 1 MiB failed one run in a few: the same bytes (a damaged Delete, whose reply-to ref is resolved in the
     * test's actor system) allocated 2 MB on this thread in one run and not in the next.
     */
    private static final long ALLOCATION_BOUND = 64L << 20;
    /**
     * More CPU time than any case may take on its own thread: 1 s. CPU time, not wall clock: a loaded machine may
     * leave the thread descheduled for longer than that in the middle of a case, while a read that loops on a hostile
     * length or count burns the CPU it takes. Where the JVM gives no thread CPU time, no case's time is bounded
     * ({@link CaseClock}): the allocation bound and the class's {@code @Timeout} still hold.
     */
    private static final long CASE_CPU_BOUND_NS = TimeUnit.SECONDS.toNanos(1);

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    // ---------------------------------------------------------------- serializer

    private static KryoSerializer serializer() {
        return (KryoSerializer) SerializationExtension.get(KIT.system()).findSerializerFor(new MapOwner.Reply(MapResult.OK));
    }

    /** One of every registered message type, the optional parts present and absent. */
    private static List<Object> everyMessage() {
        final TestProbe<BatchAck> link = KIT.createTestProbe();
        final TestProbe<MapOwner.Reply> replies = KIT.createTestProbe();
        final TestProbe<MapOwner.Applied> owner = KIT.createTestProbe();
        final ByteBuffer batch = ByteBuffer.allocate(64).order(BatchWriter.ORDER);
        batch.putInt(1).putInt(2).putInt(3).put(new byte[] {7, 8, 9}).putInt(1).put((byte) 5);
        batch.putInt(2).putInt(1).putInt(0);
        final List<Object> messages = new ArrayList<>();
        messages.add(new ForwardBatch(77, 2, 3, Arrays.copyOf(batch.array(), batch.position()), batch.position(),
            link.ref(), ForwardBatch.ANY_INCARNATION));
        messages.add(new BatchAck(77, new int[] {5, 0, 250}, new int[] {2, 1, 0}));
        messages.add(new MapOwner.Update(1, 512, "pekko://steer@127.0.0.1:1", 3, CpuMap.ANY, replies.ref()));
        messages.add(new MapOwner.Update(1, 512, "pekko://steer@127.0.0.1:1", 3, new RemoteProgramSpec("l4-hash",
            new int[] {0, 2}), CpuMap.ANY, replies.ref()));
        messages.add(new MapOwner.Delete(2, replies.ref()));
        messages.add(new MapOwner.Reply(MapResult.ENODEV));
        messages.add(new MapAgent.Publish(9, Map.of(1, new Placement(64, "pekko://s@h:1", 0),
            2, new Placement(32, "pekko://s@h:2", 1, new RemoteProgramSpec("drop", new int[0])))));
        messages.add(new MapAgent.Publish(10, Map.of(1, new Placement(64, "pekko://s@h:1", 0)), owner.ref()));
        messages.add(new MapOwner.Applied(10, "pekko://s@h:1"));
        return messages;
    }

    /** Little-endian base-128 bytes of {@code value} as Kryo's variable-length int writes it (5 bytes at most). */
    private static byte[] varInt(int value) {
        final byte[] out = new byte[5];
        int n = 0;
        int v = value;
        while ((v & ~0x7F) != 0) {
            out[n++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out[n++] = (byte) v;
        return Arrays.copyOf(out, n);
    }

    /** {@code wire} with {@code insert} written over it at {@code at} (and past its end if need be). */
    private static byte[] overwrite(byte[] wire, int at, byte[] insert) {
        final byte[] out = Arrays.copyOf(wire, Math.max(wire.length, at + insert.length));
        System.arraycopy(insert, 0, out, at, insert.length);
        return out;
    }

    /** {@code wire} with {@code insert} in place of the {@code replaced} bytes at {@code at}. */
    private static byte[] splice(byte[] wire, int at, int replaced, byte[] insert) {
        final byte[] out = new byte[wire.length - replaced + insert.length];
        System.arraycopy(wire, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(wire, at + replaced, out, at + insert.length, wire.length - at - replaced);
        return out;
    }

    private static final int[] BOMBS = {Integer.MAX_VALUE, -1, Integer.MIN_VALUE, 1 << 30, 257, 4097, 1 << 20};

    /** Every damaged version of {@code wire} this test tries: a few hundred to a few thousand. */
    private static List<byte[]> damaged(byte[] wire, SplittableRandom random) {
        final List<byte[]> cases = new ArrayList<>();
        for (int length = 0; length < wire.length; length++) {
            cases.add(Arrays.copyOf(wire, length));
        }
        for (int bit = 0; bit < wire.length * 8; bit++) {
            final byte[] flipped = wire.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            cases.add(flipped);
        }
        for (int at = 0; at < wire.length; at++) {
            for (int bomb : BOMBS) {
                // A variable-length count or string length, written over the bytes there or in place of one byte.
                cases.add(overwrite(wire, at, varInt(bomb)));
                cases.add(splice(wire, at, 1, varInt(bomb)));
            }
            // A fixed int (a key, a cpu, a batch length) huge or negative, in either byte order (Kryo 5 writes
            // little-endian), and a version or sequence far in the future.
            for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                cases.add(overwrite(wire, at, ByteBuffer.allocate(4).order(order).putInt(Integer.MAX_VALUE).array()));
                cases.add(overwrite(wire, at, ByteBuffer.allocate(4).order(order).putInt(Integer.MIN_VALUE).array()));
                cases.add(overwrite(wire, at, ByteBuffer.allocate(8).order(order).putLong(Long.MAX_VALUE).array()));
            }
        }
        for (int id = 0; id < 130; id++) {
            // Every class id Kryo could find first, registered or not (ours are 101..107, written as id + 2).
            cases.add(overwrite(wire, 0, varInt(id)));
        }
        for (int i = 0; i < 100; i++) {
            final byte[] noise = new byte[random.nextInt(2 * wire.length + 1)];
            random.nextBytes(noise);
            if (noise.length > 0 && random.nextBoolean()) {
                noise[0] = wire[0];
            }
            cases.add(noise);
        }
        return cases;
    }

    @Test
    void shouldRefuseWithNotSerializableExceptionOrReadWhenAnyRegisteredMessageIsDamaged() {
        final KryoSerializer serializer = serializer();
        final CaseClock clock = new CaseClock(ManagementFactory.getThreadMXBean(), CASE_CPU_BOUND_NS);
        final SplittableRandom random = new SplittableRandom(20261206);
        int total = 0;
        int refused = 0;
        for (Object message : everyMessage()) {
            final byte[] wire = serializer.toBinary(message);
            final List<byte[]> cases = damaged(wire, random);
            for (int c = 0; c < cases.size(); c++) {
                final byte[] bad = cases.get(c);
                for (int path = 0; path < 2; path++) {
                    total++;
                    final String what = message.getClass().getSimpleName() + " case " + c + " "
                        + (path == 0 ? "array" : "direct buffer") + " " + Arrays.toString(bad);
                    // Artery's envelope buffers are direct, the message after a header.
                    final ByteBuffer direct = ByteBuffer.allocateDirect(bad.length + 3);
                    direct.position(3);
                    direct.put(bad).flip().position(3);
                    final long allocatedBefore = AllocatedBytes.ofCurrentThread();
                    final long timeBefore = clock.now();
                    try {
                        if (path == 0) {
                            serializer.fromBinary(bad, message.getClass());
                        } else {
                            serializer.fromBinary(direct, "");
                        }
                    } catch (NotSerializableException expected) {
                        refused++;
                    } catch (Throwable other) {
                        fail(what + ": refused with " + other + ", not the serializer's NotSerializableException",
                            other);
                    }
                    final long caseNs = clock.now() - timeBefore;
                    final long allocated = AllocatedBytes.ofCurrentThread() - allocatedBefore;
                    assertTrue(allocated < ALLOCATION_BOUND, what + ": allocated " + allocated + " bytes");
                    assertTrue(!clock.timeBounded() || caseNs < clock.boundNs(),
                        what + ": took " + caseNs + " ns of " + clock.measures());
                }
            }
        }
        assertTrue(total > 10_000, "cases: " + total);
        assertTrue(refused > total / 4, "most damage is refused: " + refused + " of " + total);
    }

    /**
     * Class bytes of this build's messages: Kryo writes registration id + 2, and ours are 101..107 (100, the frame
     * batch of builds whose batches name no incarnation, is refused like every id not registered).
     */
    private static final int FIRST_MESSAGE_CLASS_BYTE = 103;
    private static final int LAST_MESSAGE_CLASS_BYTE = 109;

    @Test
    void shouldRefuseAClassIdWhateverFollowsWhenItIsNotARegisteredClusterMessage() {
        // Class byte 0 is Kryo's null, 1 a class by name (a name id, then the name as a Kryo string), 2..10 the
        // registrations new Kryo() makes (int, String, float, boolean, byte, char, short, long, double); then
        // ids nobody registered. Each with a hostile length after it, as a plain variable-length int, as Kryo's
        // string length (2^31 - 1 and 2^26 + 1; a flag bit first), after a name id, and a short ASCII string.
        final List<byte[]> tails = new ArrayList<>();
        for (int bomb : BOMBS) {
            tails.add(varInt(bomb));
        }
        tails.add(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F, 'a', 'b'});
        tails.add(new byte[] {0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F});
        tails.add(new byte[] {(byte) 0xC1, (byte) 0x80, (byte) 0x80, 0x01, 'a', 'b'});
        tails.add(new byte[] {'h', (byte) ('i' | 0x80)});
        tails.add(new byte[0]);
        final KryoSerializer serializer = serializer();
        final List<String> failures = new ArrayList<>();
        final java.util.SortedSet<Integer> failedClassBytes = new java.util.TreeSet<>();
        int total = 0;
        try {
            // This thread's Kryo and input buffer are made on first use: not part of what a message costs.
            final byte[] reply = serializer.toBinary(new MapOwner.Reply(MapResult.OK));
            serializer.fromBinary(reply, (Class<?>) null);
            serializer.fromBinary(ByteBuffer.allocateDirect(reply.length).put(reply).flip(), "");
        } catch (NotSerializableException unexpected) {
            fail("a reply of this build refused", unexpected);
        }
        for (int classByte = 0; classByte < 130; classByte++) {
            if (classByte >= FIRST_MESSAGE_CLASS_BYTE && classByte <= LAST_MESSAGE_CLASS_BYTE) {
                continue;
            }
            for (byte[] tail : tails) {
                final byte[] id = varInt(classByte);
                final byte[] bad = Arrays.copyOf(id, id.length + tail.length);
                System.arraycopy(tail, 0, bad, id.length, tail.length);
                for (int path = 0; path < 2; path++) {
                    total++;
                    final int failedBefore = failures.size();
                    final String what = (path == 0 ? "array " : "direct buffer ") + Arrays.toString(bad);
                    final ByteBuffer direct = ByteBuffer.allocateDirect(bad.length + 3);
                    direct.position(3);
                    direct.put(bad).flip().position(3);
                    final long allocatedBefore = AllocatedBytes.ofCurrentThread();
                    try {
                        final Object read = path == 0 ? serializer.fromBinary(bad, (Class<?>) null)
                            : serializer.fromBinary(direct, "");
                        failures.add(what + ": read as " + (read == null ? "null" : read.getClass().getName()
                            + " " + read));
                    } catch (NotSerializableException expected) {
                        final long allocated = AllocatedBytes.ofCurrentThread() - allocatedBefore;
                        if (allocated >= 1 << 20) {
                            failures.add(what + ": refused, but allocated " + allocated + " bytes first");
                        }
                    } catch (Throwable other) {
                        failures.add(what + ": refused with " + other + ", not NotSerializableException");
                    }
                    if (failures.size() > failedBefore) {
                        failedClassBytes.add(classByte);
                    }
                }
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + total + " not refused cleanly, class bytes "
            + failedClassBytes + "; first: " + failures.subList(0, Math.min(8, failures.size())));
    }

    @Test
    void shouldRefuseAPublicationWhenItsEntryCountIsNegative() throws Exception {
        final KryoSerializer serializer = serializer();
        final byte[] wire = serializer.toBinary(new MapAgent.Publish(9, Map.of(1, new Placement(64, "pekko://s@h:1", 0))));
        // The entry count follows the class id (1 byte) and the version (8): -1 as a variable-length int. It read
        // as a map with no entries, so one damaged publication deleted every entry of the node.
        final byte[] corrupt = splice(wire, 9, 1, varInt(-1));
        try {
            final Object read = serializer.fromBinary(corrupt, MapAgent.Publish.class);
            fail("read as " + read);
        } catch (NotSerializableException refused) {
            assertTrue(String.valueOf(refused.getMessage()).contains("entries=-1"), refused.getMessage());
        }
    }

    @Test
    void shouldRefuseAPublicationWhenItNamesAKeyTwice() throws Exception {
        final KryoSerializer serializer = serializer();
        final byte[] wire = serializer.toBinary(new MapAgent.Publish(9, Map.of(1, new Placement(64, "pekko://s@h:1", 0),
            2, new Placement(64, "pekko://s@h:1", 1))));
        // Keys are written in order as 4-byte little-endian ints after the count: key 2 made key 1 silently
        // replaced the first placement.
        final byte[] two = {2, 0, 0, 0};
        int at = -1;
        for (int i = 10; i + 4 <= wire.length && at < 0; i++) {
            if (Arrays.equals(wire, i, i + 4, two, 0, 4)) {
                at = i;
            }
        }
        final byte[] corrupt = overwrite(wire, at, new byte[] {1, 0, 0, 0});
        try {
            final Object read = serializer.fromBinary(corrupt, MapAgent.Publish.class);
            fail("read as " + read);
        } catch (NotSerializableException refused) {
            assertTrue(String.valueOf(refused.getMessage()).contains("key 1 twice"), refused.getMessage());
        }
    }

    // ---------------------------------------------------------------- receiver

    /** The receiver and its world: keys 1 (a ring of 64) and 2 (a ring of 4) have an entry, 0 and 3 none. */
    private static final class Receiver {
        /** The node's incarnation, which the batches name, as a link's do once it has seen the node. */
        static final long INCARNATION = 0x5eed_0000_0000_0007L;
        final FramePool pool = new FramePool(new FramePool.Context().id("fuzz").frameCount(64).frameSize(256)
            .headroom(32));
        final PathCounters counters = new PathCounters("receiver", 4);
        final CpuMap map = CpuMap.create(4, 0, CpuSet.of(4, 0, 1, 2, 3), Capabilities.admin(), EntryLifecycle.NONE)
            .map();
        final ActorRef<DataPath.Command> receiver = KIT.spawn(FrameReceiver.create(pool, counters, INCARNATION,
            new ReceiverStats()));
        final TestProbe<BatchAck> link = KIT.createTestProbe();
        final int[] handles = new int[64];

        Receiver() {
            assertEquals(MapResult.OK, map.update(1, EntryValue.of(64), CpuMap.ANY));
            assertEquals(MapResult.OK, map.update(2, EntryValue.of(4), CpuMap.ANY));
            receiver.tell(new DataPath.MapView(map::snapshot));
        }

        private long dropped(DropReason reason) {
            return counters.snapshot(PathStats.Kind.INGRESS, -1).dropped(reason);
        }

        /**
         * Sends one batch and checks that it is answered and that every frame the receiver counted received is in a
         * ring (taken and released here: delivered) or dropped for one reason, the ack saying which, with every
         * counter accounted for.
         */
        void check(String what, ForwardBatch batch, long expectedReceived) {
            final long received = counters.get(PathCounters.Counter.RECEIVED);
            final long redirected = counters.get(PathCounters.Counter.REDIRECTED);
            final long[] drops = new long[DropReason.values().length];
            for (DropReason reason : DropReason.values()) {
                drops[reason.ordinal()] = dropped(reason);
            }
            receiver.tell(batch);
            final BatchAck ack = link.receiveMessage(Duration.ofSeconds(3));
            assertEquals(batch.sequence(), ack.sequence(), what + ": answered");
            final long got = counters.get(PathCounters.Counter.RECEIVED) - received;
            assertEquals(expectedReceived, got, what + ": received");
            long ringFull = 0;
            long other = 0;
            for (int i = 0; i < ack.segments(); i++) {
                assertTrue(ack.ringFull()[i] >= 0 && ack.otherDropped()[i] >= 0, what + ": " + ack);
                ringFull += ack.ringFull()[i];
                other += ack.otherDropped()[i];
            }
            long delivered = 0;
            for (int key = 1; key <= 2; key++) {
                int n;
                while ((n = map.snapshot().entry(key).ring().drain(handles, handles.length)) > 0) {
                    delivered += n;
                    FramePool.releaseAll(handles, 0, n);
                }
            }
            long droppedHere = 0;
            for (DropReason reason : DropReason.values()) {
                final long delta = dropped(reason) - drops[reason.ordinal()];
                switch (reason) {
                    case RING_FULL, NO_ENTRY, FEED_TRUNCATED, OVERSIZE, POOL_EXHAUSTED -> droppedHere += delta;
                    default -> assertEquals(0, delta, what + ": no " + reason + " at a receiver");
                }
            }
            assertEquals(got, delivered + droppedHere, what + ": received = delivered + dropped by reason");
            assertEquals(dropped(DropReason.RING_FULL) - drops[DropReason.RING_FULL.ordinal()], ringFull,
                what + ": the ack's ring_full");
            assertEquals(droppedHere - ringFull, other, what + ": the ack's other drops");
            assertEquals(got - (droppedHere - ringFull), counters.get(PathCounters.Counter.REDIRECTED) - redirected,
                what + ": redirected = what reached a ring, ring_full included");
            assertEquals(pool.capacity(), pool.available(), what + ": every frame back in the pool");
        }
    }

    /** A well-formed batch and where its ints are: [0] = segment headers' offsets, [1] = packet lengths' offsets. */
    private record Layout(byte[] bytes, int segments, int frames, int[] segmentAt, int[] lengthAt) {
    }

    private static Layout layout(SplittableRandom random) {
        final int[] keys = {0, 1, 1, 2, 3, -1, 4, Integer.MAX_VALUE};
        final ByteBuffer out = ByteBuffer.allocate(16 * 1024).order(BatchWriter.ORDER);
        final int segments = 1 + random.nextInt(4);
        final int[] segmentAt = new int[segments];
        final List<Integer> lengthAt = new ArrayList<>();
        int frames = 0;
        for (int s = 0; s < segments; s++) {
            final int count = 1 + random.nextInt(10);
            segmentAt[s] = out.position();
            out.putInt(keys[random.nextInt(keys.length)]).putInt(count);
            for (int i = 0; i < count; i++) {
                // Mostly packets that fit the receiver's 224-byte frames; now and then one that does not.
                final int size = random.nextInt(8) == 0 ? 225 + random.nextInt(200) : random.nextInt(100);
                lengthAt.add(out.position());
                out.putInt(size).put(new byte[size]);
            }
            frames += count;
        }
        return new Layout(Arrays.copyOf(out.array(), out.position()), segments, frames, segmentAt,
            lengthAt.stream().mapToInt(Integer::intValue).toArray());
    }

    private static void putInt(byte[] bytes, int at, int value) {
        ByteBuffer.wrap(bytes).order(BatchWriter.ORDER).putInt(at, value);
    }

    @Test
    void shouldAnswerAndCountEveryFrameWhenABatchIsHostile() {
        final Receiver r = new Receiver();
        final TestProbe<BatchAck> link = r.link;
        long sequence = 0;
        final SplittableRandom random = new SplittableRandom(7);
        // A valid batch cut at every length, and every bit of it flipped.
        final Layout small = layout(new SplittableRandom(3));
        for (int length = 0; length <= small.bytes().length; length++) {
            r.check("cut at " + length, new ForwardBatch(sequence++, small.segments(), small.frames(),
                Arrays.copyOf(small.bytes(), length), length, link.ref(), Receiver.INCARNATION), small.frames());
        }
        for (int bit = 0; bit < Math.min(small.bytes().length, 64) * 8; bit++) {
            final byte[] flipped = small.bytes().clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            r.check("bit " + bit, new ForwardBatch(sequence++, small.segments(), small.frames(), flipped,
                flipped.length, link.ref(), Receiver.INCARNATION), small.frames());
        }
        final int[] hostile = {Integer.MAX_VALUE, Integer.MIN_VALUE, -1, 0, 1 << 30, Integer.MAX_VALUE - 3};
        for (int c = 0; c < 1_500; c++) {
            final Layout l = layout(random);
            byte[] bytes = l.bytes().clone();
            int segments = l.segments();
            int frames = l.frames();
            int length = bytes.length;
            final int bomb = hostile[random.nextInt(hostile.length)];
            final int kind = random.nextInt(9);
            switch (kind) {
                case 0 -> { } // as written: keys without an entry, oversize packets, a small ring that fills
                case 1 -> putInt(bytes, l.segmentAt()[random.nextInt(segments)] + Integer.BYTES, bomb); // frame count
                case 2 -> putInt(bytes, l.lengthAt()[random.nextInt(l.lengthAt().length)], bomb); // packet length
                case 3 -> { // lengths that do not add up to the batch's size: bytes left over at the end
                    bytes = Arrays.copyOf(bytes, bytes.length + 1 + random.nextInt(64));
                    length = bytes.length;
                }
                case 4 -> frames = random.nextBoolean() ? frames + 1 + random.nextInt(5) : Math.max(0, frames - 1);
                case 5 -> random.nextBytes(bytes);
                case 6 -> length = random.nextInt(bytes.length + 1);
                case 7 -> {
                    for (int i = 1 + random.nextInt(8); i > 0; i--) {
                        bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                    }
                }
                default -> putInt(bytes, l.segmentAt()[random.nextInt(segments)], bomb); // the key
            }
            r.check("case " + c + " kind " + kind, new ForwardBatch(sequence++, segments, frames, bytes, length,
                link.ref(), Receiver.INCARNATION), frames);
        }
    }

    @Test
    void shouldCountAnImpossibleHeaderAsTruncatedWhenTheBatchDidNotComeThroughTheSerializer() {
        // The serializer refuses these; a batch that reaches the receiver another way (one JVM, a test, a future
        // transport) must still neither stop the receiver nor make up counts. Frames: what the header claims, at
        // most a batch's 256 and never below 0.
        final Receiver r = new Receiver();
        final Layout l = layout(new SplittableRandom(11));
        final byte[] bytes = l.bytes();
        long sequence = 1_000;
        final int max = ClusterSettings.MAX_BATCH_FRAMES;
        final int[][] headers = { // segments, frames, length
            {l.segments(), Integer.MAX_VALUE, bytes.length},
            {l.segments(), -1, bytes.length},
            {l.segments(), Integer.MIN_VALUE, bytes.length},
            {Integer.MAX_VALUE, l.frames(), bytes.length},
            {-1, l.frames(), bytes.length},
            {l.frames() + 1, l.frames(), bytes.length},
            {l.segments(), l.frames(), bytes.length + 1},
            {l.segments(), l.frames(), Integer.MAX_VALUE},
            {l.segments(), l.frames(), -1},
            {l.segments(), max + 1, bytes.length}};
        for (int[] header : headers) {
            final long expected = Math.max(0, Math.min(max, header[1]));
            r.check("header " + Arrays.toString(header), new ForwardBatch(sequence++, header[0], header[1], bytes,
                header[2], r.link.ref(), Receiver.INCARNATION), expected);
        }
        // Still alive and exact: a good batch is taken whole.
        r.check("a good batch after", new ForwardBatch(sequence, l.segments(), l.frames(), bytes, bytes.length,
            r.link.ref(), Receiver.INCARNATION), l.frames());
    }
}
