package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.steer.engine.map.MapResult;
import dev.steer.engine.path.FrameHandler;
import dev.steer.ingress.HeldPorts;

/** What becomes of the map owner singleton when an exception escapes it, on a real two-node cluster. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MapOwnerSupervisionTest {
    /** x's port, held from before its first incarnation binds until the test ends: its second binds it again. */
    @RegisterExtension
    final HeldPorts ports = new HeldPorts();

    @Test
    void shouldRestartTheOwnerWithTheMapOfItsMembersWhenAnExceptionEscapesIt() {
        try (Nodes nodes = new Nodes()) {
            final AtomicBoolean fail = new AtomicBoolean();
            // a is the oldest node, where the owner runs: its next republication throws once armed.
            final ClusterNode a = nodes.start(Nodes.settings(), Nodes.engine(null, FrameHandler.NO_OP),
                new MapOwner.TestHook() {
                    @Override
                    public void republishing() {
                        if (fail.compareAndSet(true, false)) {
                            throw new IllegalStateException("a republication that fails (test)");
                        }
                    }
                });
            final ClusterNode b = nodes.start(Nodes.settings().seed(a.address()), Nodes.engine(null, FrameHandler.NO_OP));
            assertTrue(a.awaitMembers(2, Duration.ofSeconds(20)) && b.awaitMembers(2, Duration.ofSeconds(20)),
                "a and b are up");
            Nodes.place(a, 1, 64, b);
            final long incarnation = MapOwner.incarnation(b.mapVersion());

            fail.set(true);
            assertTrue(Nodes.await(() -> a.mapOwnerRestarts() == 1, Duration.ofSeconds(20)), "restarted on a");

            // The owner answers again and places through both nodes; key 1 is still in place everywhere.
            Nodes.place(a, 2, 64, b);
            Nodes.place(b, 3, 64, a);
            assertTrue(a.awaitEntry(1, 64, Duration.ofSeconds(10)) && b.awaitEntry(1, 64, Duration.ofSeconds(10)),
                "key 1 kept on both nodes");
            assertEquals(1, a.mapOwnerRestarts(), "restarted once, on a, the oldest node");
            assertEquals(0, b.mapOwnerRestarts());
            // Restarted, not resumed: it started as a new owner does, at the incarnation after its members' maps.
            assertEquals(incarnation + 1, MapOwner.incarnation(b.mapVersion()), "b's version");
            assertEquals(incarnation + 1, MapOwner.incarnation(a.mapVersion()), "a's version");
        }
    }

    @Test
    void shouldKeepTheEntryAtARejoinedNodesAddressWhenEventsOfItsOldIncarnationComeToTheRestartedOwner()
        throws Exception {
        final CountDownLatch held = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        try (Nodes nodes = new Nodes()) {
            try {
                final AtomicInteger phase = new AtomicInteger();
                // The owner on a: once armed, its next republication throws; the start after it (subscribed: its
                // subscription replays x's first incarnation up) is held while x leaves and a new x joins at its
                // address, then throws too. The start after that is the owner under test.
                final ClusterNode a = nodes.start(Nodes.settings(), Nodes.engine(null, FrameHandler.NO_OP),
                    new MapOwner.TestHook() {
                        @Override
                        public void republishing() {
                            if (phase.compareAndSet(1, 2)) {
                                throw new IllegalStateException("a republication that fails (test)");
                            }
                        }

                        @Override
                        public void started() {
                            if (phase.compareAndSet(2, 3)) {
                                held.countDown();
                                try {
                                    release.await(60, TimeUnit.SECONDS);
                                } catch (InterruptedException ex) {
                                    Thread.currentThread().interrupt();
                                }
                                throw new IllegalStateException("a start that fails after a wait (test)");
                            }
                        }
                    });
                // x's port is held, not found free: released between x's two incarnations, any socket could take it.
                final int port = ports.next();
                final ClusterNode x = nodes.start(Nodes.settings().port(port).seed(a.address()),
                    Nodes.engine(null, FrameHandler.NO_OP));
                assertTrue(a.awaitMembers(2, Duration.ofSeconds(20)) && x.awaitMembers(2, Duration.ofSeconds(20)),
                    "a and x are up");
                Nodes.place(a, 1, 64, x);

                phase.set(1);
                assertTrue(held.await(20, TimeUnit.SECONDS), "the owner failed and its next start is held");
                // x leaves and runs again at its address: a new incarnation, with no map. The held owner sees none of
                // it.
                x.shutdown();
                assertTrue(Nodes.await(() -> a.members().size() == 1, Duration.ofSeconds(30)), "x removed");
                final ClusterNode x2 = nodes.start(Nodes.settings().port(port).seed(a.address()),
                    Nodes.engine(null, FrameHandler.NO_OP));
                assertEquals(x.address(), x2.address());
                assertTrue(a.awaitMembers(2, Duration.ofSeconds(20)) && x2.awaitMembers(2, Duration.ofSeconds(20)),
                    "the new x is up");
                release.countDown();

                // The owner after the held start starts from a's map: key 1 at x's address, which the new x serves.
                // Placing key 2 is answered after the events held for the failed starts, and applied on both nodes.
                Nodes.place(a, 2, 64, x2);
                assertEquals(2, a.mapOwnerRestarts());
                for (ClusterNode node : List.of(a, x2)) {
                    assertNotNull(node.engine().lookup(1), node.address() + ": key 1 kept at x's address (the events"
                        + " of x's first incarnation were the failed owner's)");
                }
            } finally {
                // Also when an assertion fails first: a held start kept a's owner, and a's shutdown, waiting out its
                // 60 s.
                release.countDown();
            }
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
                new MapOwner.TestHook() {
                    @Override
                    public void started() {
                        if (failed.compareAndSet(false, true)) {
                            throw new IllegalStateException("a start that fails once (test)");
                        }
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
