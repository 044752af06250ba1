package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.actors.MapSupervisor;
import dev.steer.engine.map.MapResult;

/** The map agent against a probe standing in for its node's supervisor: what it applies, and what it survives. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MapAgentTest {
    private static final String SELF = "pekko://steer@127.0.0.1:25520";
    private static final ActorTestKit KIT = ActorTestKit.create("map-agent", ConfigFactory.parseString("""
        pekko.actor.serializers.steer-kryo = "dev.steer.cluster.KryoSerializer"
        pekko.actor.serialization-bindings { "dev.steer.cluster.ClusterMessage" = steer-kryo }
        """));

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    @Test
    void shouldEmptyTheRefusedKeyWhenOnePublicationChangesSeveralKeys() {
        final TestProbe<MapSupervisor.Command> supervisor = KIT.createTestProbe();
        final ActorRef<MapAgent.Command> agent = KIT.spawn(MapAgent.create(SELF, supervisor.ref(), new AtomicReference<>()));
        final TreeMap<Integer, Placement> map = new TreeMap<>();
        map.put(1, new Placement(64, SELF, 7)); // refused here (ENODEV)
        map.put(2, new Placement(64, SELF, 0));
        map.put(3, new Placement(64, SELF, 1));
        agent.tell(new MapAgent.Publish(1, map));
        final MapSupervisor.Update first = (MapSupervisor.Update) supervisor.receiveMessage();
        final MapSupervisor.Update second = (MapSupervisor.Update) supervisor.receiveMessage();
        final MapSupervisor.Update third = (MapSupervisor.Update) supervisor.receiveMessage();
        assertEquals(1, first.key());
        first.replyTo().tell(new MapSupervisor.MapReply(MapResult.ENODEV));
        second.replyTo().tell(new MapSupervisor.MapReply(MapResult.OK));
        third.replyTo().tell(new MapSupervisor.MapReply(MapResult.OK));
        final MapSupervisor.Delete delete = assertInstanceOf(MapSupervisor.Delete.class,
            supervisor.receiveMessage(Duration.ofSeconds(3)));
        assertEquals(1, delete.key(), "the refused key is emptied, not one that was accepted");
        supervisor.expectNoMessage(Duration.ofMillis(300));
    }

    @Test
    void shouldRefuseToReadAPublicationThatPlacesAKeyOnNoNode() {
        final TreeMap<Integer, Placement> bad = new TreeMap<>(Map.of(1, new Placement(64, null, 0)));
        final Serialization serialization = SerializationExtension.get(KIT.system());
        final MapAgent.Publish publish = new MapAgent.Publish(5, bad);
        final Serializer serializer = serialization.findSerializerFor(publish);
        final byte[] bytes = serializer.toBinary(publish);
        final Throwable error = assertThrows(Throwable.class,
            () -> serialization.deserialize(bytes, serializer.identifier(), "").get());
        assertEquals("map publication 5: key 1 has no node", rootCause(error).getMessage());
    }

    @Test
    void shouldKeepApplyingPublicationsWhenOnePlacesAKeyOnNoNode() {
        final TestProbe<MapSupervisor.Command> supervisor = KIT.createTestProbe();
        final ActorRef<MapAgent.Command> agent = KIT.spawn(MapAgent.create(SELF, supervisor.ref(), new AtomicReference<>()));
        agent.tell(new MapAgent.Publish(5, new TreeMap<>(Map.of(1, new Placement(64, null, 0)))));
        agent.tell(new MapAgent.Publish(6, new TreeMap<>(Map.of(2, new Placement(64, SELF, 0)))));
        MapSupervisor.Command command = supervisor.receiveMessage(Duration.ofSeconds(3));
        while (command instanceof MapSupervisor.Delete) {
            command = supervisor.receiveMessage(Duration.ofSeconds(3));
        }
        assertEquals(2, assertInstanceOf(MapSupervisor.Update.class, command).key(), "the next publication applies");
    }

    @Test
    void shouldConfirmAPublicationToTheOwnerOnlyWhenTheSupervisorAnswersRetired() {
        final TestProbe<MapSupervisor.Command> supervisor = KIT.createTestProbe();
        final TestProbe<MapOwner.Applied> owner = KIT.createTestProbe();
        final ActorRef<MapAgent.Command> agent = KIT.spawn(MapAgent.create(SELF, supervisor.ref(), new AtomicReference<>()));
        final MapSupervisor.Retired.Outcome[] answers = {MapSupervisor.Retired.Outcome.TIMED_OUT,
            MapSupervisor.Retired.Outcome.REFUSED, MapSupervisor.Retired.Outcome.RETIRED};
        for (int version = 1; version <= answers.length; version++) {
            agent.tell(new MapAgent.Publish(version, new TreeMap<>(Map.of(1, new Placement(64 + version, SELF, 0))), owner.ref()));
            final MapSupervisor.Update update = assertInstanceOf(MapSupervisor.Update.class,
                supervisor.receiveMessage(Duration.ofSeconds(3)));
            update.replyTo().tell(new MapSupervisor.MapReply(MapResult.OK));
            final MapSupervisor.AwaitRetired wait = assertInstanceOf(MapSupervisor.AwaitRetired.class,
                supervisor.receiveMessage(Duration.ofSeconds(3)));
            assertEquals(MapAgent.ANSWER_TIMEOUT, wait.timeout(), "the supervisor holds the wait as long as the agent waits");
            wait.replyTo().tell(new MapSupervisor.Retired(answers[version - 1]));
            if (answers[version - 1] == MapSupervisor.Retired.Outcome.RETIRED) {
                assertEquals(new MapOwner.Applied(version, SELF), owner.receiveMessage(Duration.ofSeconds(3)));
            } else {
                owner.expectNoMessage(Duration.ofMillis(300)); // not confirmed: the owner goes on after its step timeout
            }
        }
    }

    private static Throwable rootCause(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
