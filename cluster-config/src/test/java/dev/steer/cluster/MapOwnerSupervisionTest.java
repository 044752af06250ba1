package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.path.FrameHandler;

/** What becomes of the map owner singleton when an exception escapes it, on a real two-node cluster. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MapOwnerSupervisionTest {
    /** The proxy of {@code node}'s owner singleton: the one {@link ClusterNode#start} made (it is kept by name). */
    private static ActorRef<MapOwner.Command> owner(ClusterNode node) {
        return ClusterSingleton.get(node.engine().actorSystem())
            .init(SingletonActor.of(Behaviors.<MapOwner.Command>empty(), "steer-map-owner"));
    }

    @Test
    void shouldRestartTheOwnerWithTheMapOfItsMembersWhenAnExceptionEscapesIt() {
        try (Nodes nodes = new Nodes()) {
            final Nodes.Pair pair = nodes.pair(null, FrameHandler.NO_OP);
            Nodes.place(pair.a(), 1, 64, pair.b());
            final long incarnation = MapOwner.incarnation(pair.b().mapVersion());

            // An update without a reply-to: the owner refuses it (E2BIG, the map unchanged), and its reply throws
            // NullPointerException in the owner.
            owner(pair.a()).tell(new MapOwner.Update(Nodes.MAX_ENTRIES, 64, pair.b().address(), 0, CpuMap.ANY, null));

            // The owner answers again and places through both nodes; key 1 is still in place everywhere.
            Nodes.place(pair.a(), 2, 64, pair.b());
            Nodes.place(pair.b(), 3, 64, pair.a());
            assertTrue(pair.a().awaitEntry(1, 64, Duration.ofSeconds(10))
                && pair.b().awaitEntry(1, 64, Duration.ofSeconds(10)), "key 1 kept on both nodes");
            assertEquals(1, pair.a().mapOwnerRestarts(), "restarted once, on a, the oldest node");
            assertEquals(0, pair.b().mapOwnerRestarts());
            // Restarted, not resumed: it started as a new owner does, at the incarnation after its members' maps.
            assertEquals(incarnation + 1, MapOwner.incarnation(pair.b().mapVersion()), "b's version");
            assertEquals(incarnation + 1, MapOwner.incarnation(pair.a().mapVersion()), "a's version");
        }
    }
}
