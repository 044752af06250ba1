package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.stats.PathCounters;

/**
 * The supervisor's and the data path's request messages refuse, where they are built, a field whose absence would
 * make the receiver throw: a null reply-to (the answer went nowhere, the receiver threw NullPointerException at it),
 * the producer an attach names, its counters, the snapshot source of a map view.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RequestMessagesTest {
    private static final ActorTestKit KIT = ActorTestKit.create("request-messages");

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    @Test
    void shouldRefuseARequestWithoutAReplyToWhereTheRequestIsBuilt() {
        final Map<String, Executable> builds = Map.of(
            "Update", () -> new MapSupervisor.Update(1, EntryValue.of(64), CpuMap.ANY, null),
            "Delete", () -> new MapSupervisor.Delete(1, null),
            "Lookup", () -> new MapSupervisor.Lookup(1, null),
            "NextKey", () -> new MapSupervisor.NextKey(CpuMap.NO_KEY, null),
            "GetStats", () -> new MapSupervisor.GetStats(null),
            "GetFeedsEnded", () -> new MapSupervisor.GetFeedsEnded(null),
            "AwaitRetired", () -> new MapSupervisor.AwaitRetired(null),
            "Shutdown", () -> new MapSupervisor.Shutdown(null),
            "GetRetiredWaiters", () -> new MapSupervisor.GetRetiredWaiters(null),
            "Quiesce", () -> new DataPath.Quiesce(1, null));
        builds.forEach((message, build) -> {
            final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, build, message);
            assertTrue(refused.getMessage().startsWith(message + " replyTo=null: "), refused.getMessage());
        });
    }

    @Test
    void shouldRefuseAnAttachWithoutItsProducerOrCountersAndAMapViewWithoutItsSnapshotsWhereTheyAreBuilt() {
        final ActorRef<DataPath.Command> producer = KIT.<DataPath.Command>createTestProbe().ref();
        final PathCounters counters = new PathCounters("receiver", 1);
        for (Map.Entry<String, Executable> build : List.of(
            Map.<String, Executable>entry("AttachProducer ref=null",
                () -> new MapSupervisor.AttachProducer("receiver", null, counters, null)),
            Map.<String, Executable>entry("AttachProducer counters=null",
                () -> new MapSupervisor.AttachProducer("receiver", producer, null, null)),
            Map.<String, Executable>entry("MapView snapshots=null", () -> new DataPath.MapView(null)))) {
            final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, build.getValue(),
                build.getKey());
            assertTrue(refused.getMessage().startsWith(build.getKey() + ": "), refused.getMessage());
        }
        // The pool is optional: a producer that leases from no pool of its own.
        new MapSupervisor.AttachProducer("receiver", producer, counters, null);
    }
}
