package dev.steer.cluster;

import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.ByteBufferSerializer;
import org.apache.pekko.serialization.JSerializer;

/**
 * Test support: {@link KryoSerializer} that refuses every {@value #EVERY}th frame batch it reads, as it refuses a
 * damaged one, with {@link NotSerializableException}. Bound in place of the real one on one node only, through
 * that node's {@code extraConfig}; Artery reads with the buffer method.
 */
public final class RefusingKryoSerializer extends JSerializer implements ByteBufferSerializer {
    static final int EVERY = 7;
    /** Batches refused so far, all nodes of the JVM that use this serializer together. */
    static final AtomicInteger REFUSED = new AtomicInteger();
    private static final AtomicInteger READ = new AtomicInteger();

    private final KryoSerializer kryo;

    /** Called by Pekko's serialization extension. */
    public RefusingKryoSerializer(ExtendedActorSystem system) {
        this.kryo = new KryoSerializer(system);
    }

    @Override
    public int identifier() {
        return KryoSerializer.IDENTIFIER;
    }

    @Override
    public boolean includeManifest() {
        return false;
    }

    @Override
    public byte[] toBinary(Object message) {
        return kryo.toBinary(message);
    }

    @Override
    public void toBinary(Object message, ByteBuffer buffer) {
        kryo.toBinary(message, buffer);
    }

    @Override
    public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
        return kryo.fromBinaryJava(bytes, manifest);
    }

    @Override
    public Object fromBinary(ByteBuffer buffer, String manifest) throws NotSerializableException {
        final Object message = kryo.fromBinary(buffer, manifest);
        if (message instanceof ForwardBatch && READ.incrementAndGet() % EVERY == 0) {
            REFUSED.incrementAndGet();
            throw new NotSerializableException("refused by the test: batch " + ((ForwardBatch) message).sequence());
        }
        return message;
    }
}
