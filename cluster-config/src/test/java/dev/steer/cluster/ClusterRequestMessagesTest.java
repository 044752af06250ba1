package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.NotSerializableException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.MapResult;

/**
 * The cluster's request messages refuse, where they are built, a field whose absence would make the receiver throw;
 * the wire refuses a request without its reply-to as a malformed message, never handing one to an actor.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ClusterRequestMessagesTest {
    private static final ActorTestKit KIT = KryoTestKit.create("cluster-requests");

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    @Test
    void shouldRefuseAForwardBatchWithoutAReplyToOrBytesWhereItIsBuilt() {
        // Sent, the receiver threw NullPointerException at the acknowledgement, or at the bytes' length.
        final ActorRef<BatchAck> link = KIT.<BatchAck>createTestProbe().ref();
        for (Map.Entry<String, Executable> build : List.of(
            Map.<String, Executable>entry("ForwardBatch replyTo=null",
                () -> new ForwardBatch(1, 1, 1, new byte[12], 12, null, ForwardBatch.ANY_INCARNATION)),
            Map.<String, Executable>entry("ForwardBatch bytes=null",
                () -> new ForwardBatch(1, 1, 1, null, 12, link, ForwardBatch.ANY_INCARNATION)))) {
            final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, build.getValue(),
                build.getKey());
            assertTrue(refused.getMessage().startsWith(build.getKey() + ": "), refused.getMessage());
        }
    }

    @Test
    void shouldRefuseAPublicationWithoutEntriesWhereItIsBuiltAndKeepItsReplyToOptional() {
        // Sent, the agent threw NullPointerException reading the entries. No reply-to is a publication that wants
        // no answer (the owner's republications).
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> new MapAgent.Publish(3, null));
        assertTrue(refused.getMessage().startsWith("Publish entries=null: "), refused.getMessage());
        assertNull(new MapAgent.Publish(3, Map.of()).replyTo());
    }

    @Test
    void shouldRefuseARequestWhoseReplyToIsAbsentOnTheWireAsAMalformedMessage() throws Exception {
        final KryoSerializer serializer = (KryoSerializer) SerializationExtension.get(KIT.system())
            .findSerializerFor(new MapOwner.Reply(MapResult.OK));
        final ActorRef<BatchAck> link = KIT.<BatchAck>createTestProbe().ref();
        final ActorRef<MapOwner.Reply> replies = KIT.<MapOwner.Reply>createTestProbe().ref();
        for (Object message : List.of(new ForwardBatch(1, 1, 1, new byte[12], 12, link,
            ForwardBatch.ANY_INCARNATION),
            new MapOwner.Update(1, 64, "pekko://steer@127.0.0.1:1", 0, CpuMap.ANY, replies),
            new MapOwner.Delete(1, replies))) {
            final byte[] wire = serializer.toBinary(message);
            // The reply-to is written last, as its text's length + 1 (one byte here) and its bytes: written as
            // absent (length + 1 = 0) instead.
            final ActorRef<?> ref = message instanceof ForwardBatch ? link : replies;
            final int refBytes = ActorRefResolver.get(KIT.system()).toSerializationFormat(ref).length();
            assertTrue(refBytes + 1 < 128, "one byte of length");
            final byte[] absent = Arrays.copyOf(wire, wire.length - refBytes);
            assertEquals(refBytes + 1, absent[absent.length - 1]);
            absent[absent.length - 1] = 0;
            try {
                fail("read as " + serializer.fromBinary(absent, message.getClass()));
            } catch (NotSerializableException refused) {
                assertTrue(String.valueOf(refused.getMessage()).contains("no actor ref"), refused.getMessage());
            }
        }
    }
}
