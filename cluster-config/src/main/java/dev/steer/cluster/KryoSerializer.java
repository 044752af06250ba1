package dev.steer.cluster;

import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.ByteBufferInput;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.ByteBufferSerializer;
import org.apache.pekko.serialization.JSerializer;

import dev.steer.cluster.config.Deployment;
import dev.steer.engine.map.MapResult;

/**
 * The Pekko serializer of every {@link ClusterMessage}, backed by Kryo: registered classes only
 * ({@code setRegistrationRequired(true)}), each with a hand-written field layout, so an unknown class is an
 * error rather than a silent fallback, and the wire format of a frame batch is exactly its header and bytes. A
 * message read is of one of those classes ({@link ClusterMessageClassResolver}): never one of the types Kryo
 * registers itself, a class by name, or null.
 * One Kryo and one output buffer per thread (Kryo is not thread-safe; Artery serialises on several threads).
 * Actor refs travel as their serialization format, resolved with {@link ActorRefResolver}.
 *
 * <p>It is also a {@link ByteBufferSerializer}: Artery then has it write straight into its envelope buffer and
 * read straight out of it, which saves a copy and an array of the whole message each way (per batch).
 *
 * <p>Bound in {@link ClusterSettings#toConfig()}; identifier {@value #IDENTIFIER}.
 */
public final class KryoSerializer extends JSerializer implements ByteBufferSerializer {
    /** The serializer's fixed identifier in Pekko's serialization registry. */
    public static final int IDENTIFIER = 741_100;

    /**
     * Kryo registration id of {@link ForwardBatch}, whose layout carries the incarnation it is for: not
     * {@link #RETIRED_FORWARD_BATCH_ID}, so that nodes of builds with the other layout refuse each other's batches as
     * an unregistered class instead of reading their bytes wrongly.
     */
    static final int FORWARD_BATCH_ID = 107;
    /** The id of {@link ForwardBatch} in builds whose batches name no incarnation: registered to nothing. */
    static final int RETIRED_FORWARD_BATCH_ID = 100;

    /** Serialised bytes of every frame batch this JVM sent: one add per batch. */
    private static final LongAdder BATCH_BYTES = new LongAdder();

    private final ExtendedActorSystem system;
    private volatile ActorRefResolver resolver;
    private final ThreadLocal<Kryo> kryos = ThreadLocal.withInitial(this::newKryo);
    private final ThreadLocal<Output> outputs = ThreadLocal.withInitial(() -> new Output(4096, -1));
    private final ThreadLocal<ByteBufferInput> inputs = ThreadLocal.withInitial(ByteBufferInput::new);

    /** Called by Pekko's serialization extension with the system it serves. */
    public KryoSerializer(ExtendedActorSystem system) {
        this.system = system;
    }

    /**
     * Bytes of frame batches serialised by this JVM so far (Kryo payload: class id, header, frames, reply ref;
     * without Artery's envelope). For benchmarks and monitoring; any thread.
     */
    public static long batchBytes() {
        return BATCH_BYTES.sum();
    }

    /** {@value #IDENTIFIER}: fixed, so that every node resolves the same serializer. */
    @Override
    public int identifier() {
        return IDENTIFIER;
    }

    /** False: Kryo writes its own registered class id. */
    @Override
    public boolean includeManifest() {
        return false;
    }

    /** Serialises into a new array (Pekko's general path). Any thread. */
    @Override
    public byte[] toBinary(Object message) {
        return write(message).toBytes();
    }

    /** Serialises into Artery's buffer (Artery's path); the buffer must have room. Any thread. */
    @Override
    public void toBinary(Object message, ByteBuffer buffer) {
        final Output output = write(message);
        buffer.put(output.getBuffer(), 0, output.position());
    }

    /**
     * Reads a message from an array. Any thread.
     *
     * <p>Bytes that are not a message of this build (damaged, cut short, an unknown class id, a count or length
     * the message cannot hold) are refused with {@link NotSerializableException}, and only with it: the exception
     * Pekko's {@code fromBinary} declares, which Artery logs and drops the message on. Nothing is allocated beyond
     * what the bytes can fill before a length is checked.
     */
    @Override
    public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
        try {
            return kryos.get().readClassAndObject(new Input(bytes));
        } catch (VirtualMachineError fatal) {
            // Out of memory or stack: the JVM's trouble, not these bytes' (no reader allocates from a length it has
            // not checked), so it is not passed off as a refused message; Pekko decides.
            throw fatal;
        } catch (Throwable corrupt) {
            // JSerializer's fromBinary declares NotSerializableException, its fromBinaryJava does not.
            throw KryoSerializer.<RuntimeException>sneaky(refusal(corrupt));
        }
    }

    /** Reads a message from Artery's buffer, from its position to its limit; refuses as {@link #fromBinaryJava}. */
    @Override
    public Object fromBinary(ByteBuffer buffer, String manifest) throws NotSerializableException {
        final ByteBufferInput input = inputs.get();
        input.setBuffer(buffer);
        try {
            return kryos.get().readClassAndObject(input);
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable corrupt) {
            throw refusal(corrupt);
        } finally {
            input.setBuffer(EMPTY);
        }
    }

    /**
     * The one exception of a refused message: Kryo's (buffer underflow), this class's own checks and any other
     * throwable but a {@link VirtualMachineError} alike, the reason in the message and the original as the cause.
     */
    private static NotSerializableException refusal(Throwable corrupt) {
        final NotSerializableException refused = new NotSerializableException(corrupt instanceof CorruptMessage
            ? corrupt.getMessage() : "corrupt cluster message: " + corrupt);
        refused.initCause(corrupt);
        return refused;
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable checked) throws T {
        throw (T) checked;
    }

    /** A check of this serializer refused the bytes; becomes a {@link NotSerializableException}. */
    static final class CorruptMessage extends IllegalArgumentException {
        CorruptMessage(String message) {
            super(message);
        }
    }

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** Most targets a remote program can have: one per key of the largest cluster map. */
    private static final int MAX_PROGRAM_TARGETS = Deployment.MapSettings.MAX_CLUSTER_ENTRIES;
    /** Most entries of a map publication: the keys of the largest cluster map. */
    private static final int MAX_MAP_ENTRIES = Deployment.MapSettings.MAX_CLUSTER_ENTRIES;
    /** Longest string in a cluster message, in UTF-8 bytes: an actor ref, a node address, a program name. */
    static final int MAX_TEXT_BYTES = 4096;

    private Output write(Object message) {
        final Output output = outputs.get();
        output.reset();
        kryos.get().writeClassAndObject(output, message);
        if (message instanceof ForwardBatch) {
            BATCH_BYTES.add(output.position());
        }
        return output;
    }

    private ActorRefResolver resolver() {
        ActorRefResolver current = resolver;
        if (current == null) {
            current = ActorRefResolver.get(Adapter.toTyped(system));
            resolver = current;
        }
        return current;
    }

    /**
     * This node's address, {@code pekko://system@host:port}: what a {@link MapAgent.Publish} names as its sender. The
     * serializer of the sending node writes it, so a publication says truthfully which member it came from.
     */
    private String selfAddress() {
        return system.provider().getDefaultAddress().toString();
    }

    private void writeRef(Output output, ActorRef<?> ref) {
        writeText(output, resolver().toSerializationFormat(ref));
    }

    private <T> ActorRef<T> readRef(Input input) {
        final String ref = readText(input);
        if (ref == null) {
            throw new CorruptMessage("corrupt message: no actor ref");
        }
        return resolver().resolveActorRef(ref);
    }

    /**
     * Writes {@code text} (or null) as its UTF-8 length plus one, then its bytes. Not Kryo's own string format:
     * Kryo's reader allocates whatever length a string claims before it reads a byte, so one damaged or hostile
     * length cost a node an {@link OutOfMemoryError}; {@link #readText} checks the length first.
     */
    static void writeText(Output output, String text) {
        if (text == null) {
            output.writeVarInt(0, true);
            return;
        }
        final int chars = text.length();
        boolean ascii = chars <= MAX_TEXT_BYTES;
        for (int i = 0; i < chars && ascii; i++) {
            ascii = text.charAt(i) < 0x80;
        }
        if (ascii) {
            // The common case (actor paths, node addresses, program names): one byte per char, nothing allocated.
            output.writeVarInt(chars + 1, true);
            for (int i = 0; i < chars; i++) {
                output.writeByte((byte) text.charAt(i));
            }
            return;
        }
        final byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > MAX_TEXT_BYTES) {
            throw new IllegalArgumentException("string of " + utf8.length + " bytes in a cluster message: at most "
                + MAX_TEXT_BYTES);
        }
        output.writeVarInt(utf8.length + 1, true);
        output.writeBytes(utf8);
    }

    /** Reads what {@link #writeText} wrote, refusing a length above {@value #MAX_TEXT_BYTES} or past the input. */
    static String readText(Input input) {
        final int lengthPlusOne = input.readVarInt(true);
        if (lengthPlusOne == 0) {
            return null;
        }
        final int length = lengthPlusOne - 1;
        if (length < 0 || length > MAX_TEXT_BYTES || length > input.limit() - input.position()) {
            throw new CorruptMessage("corrupt string length " + length + " (at most " + MAX_TEXT_BYTES
                + ", " + (input.limit() - input.position()) + " bytes left)");
        }
        return new String(input.readBytes(length), StandardCharsets.UTF_8);
    }

    /** A remote program: its name (null for none) and, when there is one, its targets. */
    private static void writeProgram(Output output, RemoteProgramSpec program) {
        writeText(output, program == null ? null : program.name());
        if (program != null) {
            output.writeVarInt(program.targetCount(), true);
            for (int i = 0; i < program.targetCount(); i++) {
                output.writeVarInt(program.target(i), true);
            }
        }
    }

    private static RemoteProgramSpec readProgram(Input input) {
        final String name = readText(input);
        if (name == null) {
            return null;
        }
        final int n = input.readVarInt(true);
        // Each target takes at least one byte: a count the message cannot hold is refused before any array is made.
        if (n < 0 || n > MAX_PROGRAM_TARGETS || n > input.limit() - input.position()) {
            throw new CorruptMessage("corrupt remote program " + name + ": " + n + " targets");
        }
        final int[] targets = new int[n];
        for (int i = 0; i < n; i++) {
            targets[i] = input.readVarInt(true);
        }
        return new RemoteProgramSpec(name, targets);
    }

    private Kryo newKryo() {
        final Kryo kryo = new Kryo(new ClusterMessageClassResolver(), null);
        kryo.setRegistrationRequired(true);
        kryo.setReferences(false);
        kryo.register(ForwardBatch.class, new Serializer<ForwardBatch>() {
            @Override
            public void write(Kryo k, Output output, ForwardBatch m) {
                output.writeLong(m.sequence());
                output.writeVarInt(m.segments(), true);
                output.writeVarInt(m.frames(), true);
                output.writeInt(m.length());
                output.writeBytes(m.bytes(), 0, m.length());
                output.writeLong(m.target());
                writeRef(output, m.replyTo());
            }

            @Override
            public ForwardBatch read(Kryo k, Input input, Class<? extends ForwardBatch> type) {
                final long sequence = input.readLong();
                final int segments = input.readVarInt(true);
                final int frames = input.readVarInt(true);
                final int length = input.readInt();
                if (segments < 0 || segments > ClusterSettings.MAX_BATCH_FRAMES || frames < segments
                    || frames > ClusterSettings.MAX_BATCH_FRAMES
                    || length < 0 || length > ClusterSettings.MAX_FRAME_BYTES || length > input.limit() - input.position()) {
                    throw new CorruptMessage("corrupt frame batch: segments=" + segments + " frames="
                        + frames + " length=" + length);
                }
                final byte[] bytes = input.readBytes(length);
                final long target = input.readLong();
                return new ForwardBatch(sequence, segments, frames, bytes, length, readRef(input), target);
            }
        }, FORWARD_BATCH_ID);
        kryo.register(BatchAck.class, new Serializer<BatchAck>() {
            @Override
            public void write(Kryo k, Output output, BatchAck m) {
                output.writeLong(m.sequence());
                output.writeVarInt(m.segments(), true);
                for (int i = 0; i < m.segments(); i++) {
                    output.writeVarInt(m.ringFull()[i], true);
                    output.writeVarInt(m.otherDropped()[i], true);
                }
            }

            @Override
            public BatchAck read(Kryo k, Input input, Class<? extends BatchAck> type) {
                final long sequence = input.readLong();
                final int segments = input.readVarInt(true);
                if (segments < 0 || segments > ClusterSettings.MAX_BATCH_FRAMES) {
                    throw new CorruptMessage("corrupt batch acknowledgement: segments=" + segments);
                }
                final int[] ringFull = new int[segments];
                final int[] other = new int[segments];
                for (int i = 0; i < segments; i++) {
                    ringFull[i] = input.readVarInt(true);
                    other[i] = input.readVarInt(true);
                    if (ringFull[i] < 0 || ringFull[i] > ClusterSettings.MAX_BATCH_FRAMES || other[i] < 0
                        || other[i] > ClusterSettings.MAX_BATCH_FRAMES) {
                        throw new CorruptMessage("corrupt batch acknowledgement: segment " + i + " counts "
                            + ringFull[i] + " and " + other[i] + " frames");
                    }
                }
                return new BatchAck(sequence, ringFull, other);
            }
        }, 101);
        kryo.register(MapOwner.Update.class, new Serializer<MapOwner.Update>() {
            @Override
            public void write(Kryo k, Output output, MapOwner.Update m) {
                output.writeInt(m.key());
                output.writeInt(m.qsize());
                writeText(output, m.node());
                output.writeInt(m.cpu());
                writeProgram(output, m.program());
                output.writeLong(m.flags());
                writeRef(output, m.replyTo());
            }

            @Override
            public MapOwner.Update read(Kryo k, Input input, Class<? extends MapOwner.Update> type) {
                return new MapOwner.Update(input.readInt(), input.readInt(), readText(input), input.readInt(),
                    readProgram(input), input.readLong(), readRef(input));
            }
        }, 102);
        kryo.register(MapOwner.Delete.class, new Serializer<MapOwner.Delete>() {
            @Override
            public void write(Kryo k, Output output, MapOwner.Delete m) {
                output.writeInt(m.key());
                writeRef(output, m.replyTo());
            }

            @Override
            public MapOwner.Delete read(Kryo k, Input input, Class<? extends MapOwner.Delete> type) {
                return new MapOwner.Delete(input.readInt(), readRef(input));
            }
        }, 103);
        kryo.register(MapOwner.Reply.class, new Serializer<MapOwner.Reply>() {
            @Override
            public void write(Kryo k, Output output, MapOwner.Reply m) {
                // The errno, not the enum's position: a code added between two others (EBUSY) moves the positions.
                output.writeVarInt(m.result().errno(), true);
            }

            @Override
            public MapOwner.Reply read(Kryo k, Input input, Class<? extends MapOwner.Reply> type) {
                final int errno = input.readVarInt(true);
                for (MapResult result : MapResult.values()) {
                    if (result.errno() == errno) {
                        return new MapOwner.Reply(result);
                    }
                }
                throw new CorruptMessage("map reply with result errno " + errno + ": no such result code");
            }
        }, 104);
        kryo.register(MapAgent.Publish.class, new Serializer<MapAgent.Publish>() {
            @Override
            public void write(Kryo k, Output output, MapAgent.Publish m) {
                output.writeLong(m.version());
                output.writeVarInt(m.entries().size(), true);
                for (Map.Entry<Integer, Placement> entry : m.entries().entrySet()) {
                    output.writeInt(entry.getKey());
                    output.writeInt(entry.getValue().qsize());
                    writeText(output, entry.getValue().node());
                    output.writeInt(entry.getValue().cpu());
                    writeProgram(output, entry.getValue().program());
                }
                writeText(output, m.replyTo() == null ? null : resolver().toSerializationFormat(m.replyTo()));
                // The sender is this node, whatever the record says: the receiver applies only its owner's map.
                writeText(output, selfAddress());
            }

            @Override
            public MapAgent.Publish read(Kryo k, Input input, Class<? extends MapAgent.Publish> type) {
                final long version = input.readLong();
                final int size = input.readVarInt(true);
                // A negative count read as no entries: one damaged publication deleted every entry of the node.
                if (size < 0 || size > MAX_MAP_ENTRIES) {
                    throw new CorruptMessage("corrupt map publication " + version + ": entries=" + size + " (at most "
                        + MAX_MAP_ENTRIES + ")");
                }
                final TreeMap<Integer, Placement> entries = new TreeMap<>();
                for (int i = 0; i < size; i++) {
                    final int key = input.readInt();
                    final Placement placement = new Placement(input.readInt(), readText(input), input.readInt(),
                        readProgram(input));
                    if (placement.node() == null) {
                        throw new CorruptMessage("map publication " + version + ": key " + key + " has no node");
                    }
                    if (entries.put(key, placement) != null) {
                        // The owner writes each key once: a second one would silently replace the first placement.
                        throw new CorruptMessage("corrupt map publication " + version + ": key " + key + " twice");
                    }
                }
                final String replyTo = readText(input);
                final String sender = readText(input);
                if (sender == null) {
                    throw new CorruptMessage("map publication " + version + ": no sender");
                }
                return new MapAgent.Publish(version, entries,
                    replyTo == null ? null : resolver().<MapOwner.Applied>resolveActorRef(replyTo), sender);
            }
        }, 105);
        kryo.register(MapOwner.Applied.class, new Serializer<MapOwner.Applied>() {
            @Override
            public void write(Kryo k, Output output, MapOwner.Applied m) {
                output.writeLong(m.version());
                writeText(output, m.node());
            }

            @Override
            public MapOwner.Applied read(Kryo k, Input input, Class<? extends MapOwner.Applied> type) {
                return new MapOwner.Applied(input.readLong(), readText(input));
            }
        }, 106);
        return kryo;
    }
}
