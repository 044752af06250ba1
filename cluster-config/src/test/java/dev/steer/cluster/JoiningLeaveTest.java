package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.path.FrameHandler;

/**
 * A node shut down while it joins leaves the cluster, whatever its own view says yet. The seed takes a joining node
 * in before the node's own view does (the Welcome is on its way): {@link ClusterNode#shutdown()} read its own status,
 * {@code Removed} there, and stopped without leaving, and the seed kept it as a member (moved up, unreachable) until
 * the split-brain resolver downed it; meanwhile the leader could move no other node up (an unreachable member blocks
 * convergence). So a node stopped while joining held up the start of the others.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JoiningLeaveTest {
    private static String statusIn(ClusterNode view, String address) {
        for (Member member : Cluster.get(view.engine().actorSystem()).state().getMembers()) {
            if (member.address().toString().equals(address)) {
                return member.status().toString();
            }
        }
        return null;
    }

    @Test
    void shouldLeaveTheSeedsViewWhenShutDownAsSoonAsTheSeedTakesItIn() {
        try (Nodes nodes = new Nodes()) {
            // Downing far beyond the test's waits: only a leave takes b out of a's view in time.
            final ClusterNode a = nodes.start(Nodes.settings().downAfter(Duration.ofSeconds(90)),
                Nodes.engine(null, FrameHandler.NO_OP));
            assertTrue(a.awaitMembers(1, Duration.ofSeconds(20)), "a up");
            for (int round = 0; round < 3; round++) {
                final ClusterNode b = nodes.start(Nodes.settings().downAfter(Duration.ofSeconds(90)).seed(a.address()),
                    Nodes.engine(null, FrameHandler.NO_OP));
                final String address = b.address();
                assertTrue(Nodes.await(() -> statusIn(a, address) != null, Duration.ofSeconds(20)), "a takes b in");
                final String own = Cluster.get(b.engine().actorSystem()).selfMember().status().toString();
                b.shutdown();
                final int r = round;
                assertTrue(Nodes.await(() -> statusIn(a, address) == null, Duration.ofSeconds(15)),
                    () -> "round " + r + ": b (own status " + own + " at its shutdown) is still " + statusIn(a, address)
                        + " in a's view 15 s after it stopped, unreachable: " + !Cluster.get(a.engine().actorSystem())
                        .state().getUnreachable().isEmpty());
            }
        }
    }
}
