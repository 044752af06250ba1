package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.path.FrameHandler;

/**
 * A new map owner's changes reach every node, also a node that applied a change of the previous owner that the new
 * owner's node never got: the owner's node crashes while a rollout waits for its first step, so the node placed on
 * is one version ahead of the others. Versions restarted from the new owner's copy used to repeat that version, and
 * the node ahead ignored the new owner's map and its next change for good.
 */
@Timeout(value = 58, unit = TimeUnit.SECONDS)
class OwnerMoveVersionTest {
    @Test
    void shouldApplyTheNewOwnersChangesWhenANodeAppliedAChangeTheNewOwnersNodeMissed() throws Exception {
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicBoolean hold = new AtomicBoolean();
        final CountDownLatch holding = new CountDownLatch(1);
        // b's handler holds its consumer once asked: the replaced entry of key 2 cannot drain, so b does not answer
        // the owner and the rollout stays in its first step.
        final FrameHandler holder = batch -> {
            if (hold.get()) {
                holding.countDown();
                try {
                    release.await(40, TimeUnit.SECONDS);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try (Nodes nodes = new Nodes()) {
            // a is the oldest (the owner), c the next oldest (the next owner), b the youngest.
            final ClusterNode a = nodes.start(Nodes.settings(ConfigFactory.parseString(
                "pekko.remote.artery.advanced.test-mode = on")), Nodes.engine(null, FrameHandler.NO_OP));
            assertTrue(a.awaitMembers(1, Duration.ofSeconds(20)));
            final ClusterNode c = nodes.start(Nodes.settings().seed(a.address()), Nodes.engine(null, FrameHandler.NO_OP));
            assertTrue(c.awaitMembers(2, Duration.ofSeconds(20)));
            final SequenceFeed feed = new SequenceFeed(100_000_000, 20);
            final ClusterNode b = nodes.start(Nodes.settings().seed(a.address()), Nodes.engine(feed, holder, 2));
            assertTrue(a.awaitMembers(3, Duration.ofSeconds(20)) && b.awaitMembers(3, Duration.ofSeconds(20))
                && c.awaitMembers(3, Duration.ofSeconds(20)), "three members up");
            assertEquals(MapResult.OK, a.update(2, 256, b.address(), 0, CpuMap.ANY));
            assertTrue(a.awaitEntry(2, 256, Duration.ofSeconds(10)) && b.awaitEntry(2, 256, Duration.ofSeconds(10))
                && c.awaitEntry(2, 256, Duration.ofSeconds(10)), "key 2 on b everywhere");
            feed.open();
            hold.set(true);
            assertTrue(holding.await(10, TimeUnit.SECONDS), "b's consumer is held with frames in its ring");

            assertEquals(MapResult.OK, a.update(2, 512, b.address(), 0, CpuMap.ANY));
            assertTrue(b.awaitEntry(2, 512, Duration.ofSeconds(5)), "b applied the change (its first step)");
            MembershipTest.partition(a, b, c); // a crashes while its rollout waits for b
            assertTrue(Nodes.await(() -> b.upMembers() == 2 && c.upMembers() == 2, Duration.ofSeconds(30)),
                "b and c removed a");
            release.countDown();
            hold.set(false);

            // The owner is now on c, whose copy never had the change: its next change must reach b all the same.
            assertTrue(Nodes.await(() -> updated(c), Duration.ofSeconds(20)), "the new owner answers");
            assertTrue(c.awaitEntry(3, 64, Duration.ofSeconds(10)), "c applied the new owner's change");
            assertTrue(b.awaitEntry(3, 64, Duration.ofSeconds(8)), "b applied the new owner's change: "
                + b.engine().lookup(3));
            assertTrue(b.awaitEntry(2, c.engine().lookup(2).qsize(), Duration.ofSeconds(5)),
                "b has the new owner's map of key 2 as well: " + b.engine().lookup(2) + " " + c.engine().lookup(2));
        } finally {
            release.countDown();
        }
    }

    /** Key 3 placed on {@code node}, through it; false while the owner singleton is not running anywhere. */
    private static boolean updated(ClusterNode node) {
        try {
            return node.update(3, 64, node.address(), 1, CpuMap.ANY) == MapResult.OK;
        } catch (IllegalStateException ex) {
            return false; // no owner answered: the singleton is still moving
        }
    }
}
