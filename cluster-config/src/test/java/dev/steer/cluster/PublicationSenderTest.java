package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.path.FrameHandler;

/**
 * A node follows the map owner its own cluster view names, whatever version another member's publication claims:
 * a publication near {@code Long.MAX_VALUE} used to freeze the node's map for good, every later publication of the
 * real owner ignored as older. Three real nodes; the bad publication goes straight to b's map agent over Artery,
 * as a misbehaving member's would.
 */
@Timeout(value = 58, unit = TimeUnit.SECONDS)
class PublicationSenderTest {
    @Test
    void shouldFollowTheOwnerWhenAnotherMemberPublishesAHigherVersion() {
        try (Nodes nodes = new Nodes()) {
            final ClusterNode[] abc = cluster(nodes);
            final ClusterNode a = abc[0];
            final ClusterNode b = abc[1];
            final ClusterNode c = abc[2];

            // c is not the owner (a, the oldest, is): its publication of an empty map at the highest version.
            final long refusedBefore = b.publications().refused();
            agentOf(c, b).tell(new MapAgent.Publish(Long.MAX_VALUE, Map.of()));
            assertTrue(Nodes.await(() -> b.publications().refused() == refusedBefore + 1, Duration.ofSeconds(5)),
                "b counted the refusal: " + b.publications());
            assertEquals(c.address(), b.publications().lastRefusedSender(), "the refused publication was c's");

            assertEquals(MapResult.OK, a.update(2, 128, b.address(), 1, CpuMap.ANY));
            assertTrue(b.awaitEntry(2, 128, Duration.ofSeconds(10)), "the owner's change reaches b: " + b.engine().lookup(2));
            assertTrue(b.awaitEntry(1, 256, Duration.ofSeconds(1)), "b kept the owner's key 1: " + b.engine().lookup(1));
            assertTrue(Nodes.await(() -> b.mapVersion() == a.mapVersion(), Duration.ofSeconds(5)),
                "b is at the owner's version: " + b.mapVersion() + " vs " + a.mapVersion());
        }
    }

    @Test
    void shouldRecoverWhenTheOwnersNodeSentAVersionOfAnotherIncarnation() {
        try (Nodes nodes = new Nodes()) {
            final ClusterNode[] abc = cluster(nodes);
            final ClusterNode a = abc[0];
            final ClusterNode b = abc[1];

            // Well-formed but wrong, from the owner's own node: an incarnation its owner never had.
            final long refusedBefore = b.publications().refused();
            agentOf(a, b).tell(new MapAgent.Publish(Long.MAX_VALUE, Map.of()));
            assertTrue(b.awaitEntry(1, 0, Duration.ofSeconds(5)), "b applied it: it came from the owner's node");
            assertEquals(refusedBefore, b.publications().refused(), "nothing refused: " + b.publications());

            // The owner's republication (its own, lower incarnation) puts b back on its map.
            assertTrue(b.awaitEntry(1, 256, Duration.ofSeconds(8)), "b is back on the owner's map: " + b.engine().lookup(1));
            assertEquals(MapResult.OK, a.update(2, 128, b.address(), 1, CpuMap.ANY));
            assertTrue(b.awaitEntry(2, 128, Duration.ofSeconds(10)), "the owner's change reaches b: " + b.engine().lookup(2));
            assertTrue(Nodes.await(() -> b.mapVersion() == a.mapVersion(), Duration.ofSeconds(5)),
                "b is at the owner's version: " + b.mapVersion() + " vs " + a.mapVersion());
        }
    }

    /** a (the oldest, so the owner), b and c up, key 1 placed on b through the owner and applied everywhere. */
    private static ClusterNode[] cluster(Nodes nodes) {
        final ClusterNode a = nodes.start(Nodes.settings(), Nodes.engine(null, FrameHandler.NO_OP));
        assertTrue(a.awaitMembers(1, Duration.ofSeconds(20)), "a up");
        final ClusterNode b = nodes.start(Nodes.settings().seed(a.address()), Nodes.engine(null, FrameHandler.NO_OP));
        final ClusterNode c = nodes.start(Nodes.settings().seed(a.address()), Nodes.engine(null, FrameHandler.NO_OP));
        assertTrue(a.awaitMembers(3, Duration.ofSeconds(20)) && b.awaitMembers(3, Duration.ofSeconds(20))
            && c.awaitMembers(3, Duration.ofSeconds(20)), "three members up");
        assertEquals(MapResult.OK, a.update(1, 256, b.address(), 0, CpuMap.ANY));
        for (ClusterNode node : new ClusterNode[] {a, b, c}) {
            assertTrue(node.awaitEntry(1, 256, Duration.ofSeconds(10)), "key 1 on " + node.address());
        }
        return new ClusterNode[] {a, b, c};
    }

    /** {@code to}'s map agent as {@code from}'s actor system reaches it: what {@code from} sends crosses Artery. */
    private static ActorRef<MapAgent.Command> agentOf(ClusterNode from, ClusterNode to) {
        return ActorRefResolver.get(from.engine().actorSystem()).resolveActorRef(to.address() + MapAgent.PATH);
    }
}
