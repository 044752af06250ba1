package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/**
 * The map agent against a probe standing in for its node's supervisor: what it applies (only its owner's map, by
 * version within one owner incarnation), and what it survives.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MapAgentTest {
    private static final String SELF = "pekko://steer@127.0.0.1:25520";
    private static final String OWNER = "pekko://steer@127.0.0.1:25521";
    private static final String OTHER = "pekko://steer@127.0.0.1:25522";
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

    @Test
    void shouldApplyOnlyTheOwnersPublicationsWhateverVersionAnotherMemberClaims() {
        final TestProbe<MapSupervisor.Command> supervisor = KIT.createTestProbe();
        final PublicationStats stats = new PublicationStats();
        final ActorRef<MapAgent.Command> agent = KIT.spawn(MapAgent.create(SELF, supervisor.ref(),
            new AtomicReference<>(), () -> false, () -> OWNER, stats));
        agent.tell(new MapAgent.Publish(Long.MAX_VALUE, placing(1, 64), null, OTHER));
        agent.tell(new MapAgent.Publish(1L << 32, placing(2, 64), null, OWNER));
        assertEquals(2, ((MapSupervisor.Update) supervisor.receiveMessage(Duration.ofSeconds(3))).key(),
            "only the owner's map is applied");
        supervisor.expectNoMessage(Duration.ofMillis(200));
        assertCounts(stats, 1, 0, 1);
        assertEquals(OTHER, stats.lastRefusedSender());
    }

    @Test
    void shouldIgnoreAPublicationWhenItIsNotNewerThanTheCopyOfTheSameOwnerIncarnation() {
        final TestProbe<MapSupervisor.Command> supervisor = KIT.createTestProbe();
        final PublicationStats stats = new PublicationStats();
        final ActorRef<MapAgent.Command> agent = KIT.spawn(MapAgent.create(SELF, supervisor.ref(),
            new AtomicReference<>(), () -> false, () -> OWNER, stats));
        agent.tell(new MapAgent.Publish((1L << 32) + 2, placing(1, 64), null, OWNER));
        assertEquals(1, ((MapSupervisor.Update) supervisor.receiveMessage(Duration.ofSeconds(3))).key());
        // The stable map the owner republishes while the change rolls out: the node keeps the change.
        agent.tell(new MapAgent.Publish((1L << 32) + 1, placing(2, 64), null, OWNER));
        agent.tell(new MapAgent.Publish((1L << 32) + 2, placing(2, 64), null, OWNER));
        supervisor.expectNoMessage(Duration.ofMillis(300));
        assertCounts(stats, 1, 2, 0);
    }

    @Test
    void shouldApplyTheOwnersPublicationWhenItIsOfAnotherIncarnationThanTheCopy() {
        final TestProbe<MapSupervisor.Command> supervisor = KIT.createTestProbe();
        final PublicationStats stats = new PublicationStats();
        final ActorRef<MapAgent.Command> agent = KIT.spawn(MapAgent.create(SELF, supervisor.ref(),
            new AtomicReference<>(), () -> false, () -> OWNER, stats));
        // From the owner's node but of an incarnation that owner never had (damaged, or sent by an earlier build).
        agent.tell(new MapAgent.Publish(Long.MAX_VALUE, placing(1, 64), null, OWNER));
        assertEquals(1, ((MapSupervisor.Update) supervisor.receiveMessage(Duration.ofSeconds(3))).key());
        agent.tell(new MapAgent.Publish((1L << 32) + 5, placing(1, 128), null, OWNER));
        assertEquals(128, ((MapSupervisor.Update) supervisor.receiveMessage(Duration.ofSeconds(3))).value().qsize(),
            "the owner's own incarnation replaces it, though its version is lower");
        agent.tell(new MapAgent.Publish((1L << 32) + 4, placing(1, 256), null, OWNER));
        supervisor.expectNoMessage(Duration.ofMillis(300));
        assertCounts(stats, 2, 1, 0);
    }

    @Test
    void shouldApplyTheNewOwnersMapWhenItsVersionIsBelowTheCopyOfThePreviousOwner() {
        final TestProbe<MapSupervisor.Command> supervisor = KIT.createTestProbe();
        final PublicationStats stats = new PublicationStats();
        final AtomicReference<String> owner = new AtomicReference<>(OWNER);
        final AtomicReference<MapAgent.Publish> applied = new AtomicReference<>();
        final ActorRef<MapAgent.Command> agent = KIT.spawn(MapAgent.create(SELF, supervisor.ref(), applied,
            () -> false, owner::get, stats));
        agent.tell(new MapAgent.Publish((7L << 32) + 3, placing(1, 64), null, OWNER));
        assertEquals(1, ((MapSupervisor.Update) supervisor.receiveMessage(Duration.ofSeconds(3))).key());
        owner.set(OTHER); // the singleton moved
        agent.tell(new MapAgent.Publish((7L << 32) + 9, placing(1, 512), null, OWNER)); // the old owner, late
        agent.tell(new MapAgent.Publish(2L << 32, placing(1, 128), null, OTHER));
        assertEquals(128, ((MapSupervisor.Update) supervisor.receiveMessage(Duration.ofSeconds(3))).value().qsize(),
            "the new owner's map, though its version is lower");
        supervisor.expectNoMessage(Duration.ofMillis(200));
        assertCounts(stats, 2, 0, 1);
        assertEquals(OTHER, applied.get().sender(), "the copy names the owner it came from");
        assertEquals(2L << 32, applied.get().version());
    }

    @Test
    void shouldApplyItsOwnNodesPublicationWhenThisNodeIsTheOwner() {
        final TestProbe<MapSupervisor.Command> supervisor = KIT.createTestProbe();
        final PublicationStats stats = new PublicationStats();
        final AtomicReference<String> owner = new AtomicReference<>(null);
        final ActorRef<MapAgent.Command> agent = KIT.spawn(MapAgent.create(SELF, supervisor.ref(),
            new AtomicReference<>(), () -> false, owner::get, stats));
        agent.tell(new MapAgent.Publish(1L << 32, placing(1, 64))); // no owner in the view yet
        supervisor.expectNoMessage(Duration.ofMillis(200));
        owner.set(SELF);
        agent.tell(new MapAgent.Publish(1L << 32, placing(1, 64))); // did not leave this node: no sender
        assertEquals(1, ((MapSupervisor.Update) supervisor.receiveMessage(Duration.ofSeconds(3))).key());
        assertCounts(stats, 1, 0, 1);
        assertEquals(SELF, stats.lastRefusedSender());
    }

    /** Key {@code key} on this node's CPU 0 with a ring of {@code qsize}. */
    private static Map<Integer, Placement> placing(int key, int qsize) {
        return new TreeMap<>(Map.of(key, new Placement(qsize, SELF, 0)));
    }

    private static void assertCounts(PublicationStats stats, long applied, long notNewer, long refused) {
        assertTrue(Nodes.await(() -> stats.applied() + stats.notNewer() + stats.refused() == applied + notNewer + refused,
            Duration.ofSeconds(3)), "every publication counted: " + stats);
        assertEquals(applied, stats.applied(), "applied: " + stats);
        assertEquals(notNewer, stats.notNewer(), "not newer: " + stats);
        assertEquals(refused, stats.refused(), "refused: " + stats);
    }

    private static Throwable rootCause(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
