package dev.steer.cluster;

import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.util.DefaultClassResolver;

/**
 * Kryo's class resolver for {@link KryoSerializer}: a message read from the wire is of a {@link ClusterMessage}
 * class registered with the serializer, or it is refused before Kryo reads another byte of it.
 *
 * <p>{@code setRegistrationRequired(true)} alone did not make that so. {@code new Kryo()} registers Kryo's own
 * types (ids 0..8: int, String, float, boolean, byte, char, short, long, double), and its resolver reads class byte
 * 0 as a null message and class byte 1 as a class by name, whatever is registered. Their readers trust the bytes:
 * Kryo's string reader (a String, or a class name) allocates whatever length the string claims, up to an
 * {@link OutOfMemoryError} that Pekko treats as fatal, and a name went to {@code Class.forName} before the
 * registration check refused it; a String or an Integer read that way was delivered as a message.
 *
 * <p>Writing is {@link DefaultClassResolver}'s: a registered class as its id + 2. Used by one Kryo, so by one
 * thread at a time; costs a variable-length int and a type check per message.
 */
final class ClusterMessageClassResolver extends DefaultClassResolver {
    /** Kryo writes a registered class as its id plus this; 0 is null and 1 a class by name. */
    private static final int ID_OFFSET = 2;

    /**
     * Reads the class of a message and refuses, with {@link KryoSerializer.CorruptMessage}, a null, a class by name,
     * and every id that is not a registered {@link ClusterMessage}.
     */
    @Override
    public Registration readClass(Input input) {
        final int classByte = input.readVarInt(true);
        if (classByte == NAME + ID_OFFSET) {
            throw new KryoSerializer.CorruptMessage("corrupt cluster message: class byte " + classByte
                + ", a class by name, which this serializer never writes");
        }
        if (classByte < ID_OFFSET) {
            throw new KryoSerializer.CorruptMessage("corrupt cluster message: class byte " + classByte
                + ", a null or negative class id");
        }
        final int id = classByte - ID_OFFSET;
        final Registration registration = idToRegistration.get(id);
        if (registration == null || !ClusterMessage.class.isAssignableFrom(registration.getType())) {
            throw new KryoSerializer.CorruptMessage("corrupt cluster message: class id " + id + " ("
                + (registration != null ? registration.getType().getName()
                    : id == KryoSerializer.RETIRED_FORWARD_BATCH_ID ? "not registered: the frame batch of a build"
                        + " whose batches name no incarnation, id " + KryoSerializer.FORWARD_BATCH_ID
                        + " in this one; a cluster is upgraded as a whole" : "not registered")
                + ") is not a cluster message");
        }
        return registration;
    }
}
