package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.MapResult;
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

    @Test
    void shouldCountARestartAfterAFailureInTheOwnersStartAsAfterOneInAMessage() throws Exception {
        try (Nodes nodes = new Nodes()) {
            final ClusterNode node = nodes.start(Nodes.settings(), Nodes.engine(null, FrameHandler.NO_OP));
            assertTrue(node.awaitMembers(1, Duration.ofSeconds(20)), "the node is up");
            final ActorSystem<?> system = node.engine().actorSystem();
            final AtomicLong restarts = new AtomicLong();
            final AtomicBoolean failed = new AtomicBoolean();
            // An owner beside the node's singleton whose first start fails after it subscribed: Pekko signals no
            // PreRestart to a behavior that failed while it started.
            final ActorRef<MapOwner.Command> owner = system.systemActorOf(MapOwner.create(Nodes.MAX_ENTRIES,
                new AtomicReference<>(), MapOwner.stepTimeout(Duration.ofSeconds(1)), new AtomicLong(), restarts,
                () -> {
                    if (failed.compareAndSet(false, true)) {
                        throw new IllegalStateException("a start that fails once (test)");
                    }
                }), "failing-start-owner", Props.empty());

            // The restarted owner answers (the delete waits for it, and for its start's probes).
            final MapOwner.Reply reply = AskPattern.<MapOwner.Command, MapOwner.Reply>ask(owner,
                replyTo -> new MapOwner.Delete(0, replyTo), Duration.ofSeconds(20), system.scheduler())
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertEquals(MapResult.OK, reply.result());
            assertTrue(failed.get(), "the first start failed");
            assertEquals(1, restarts.get(), "the restart after the failed start is counted");
        }
    }
}
