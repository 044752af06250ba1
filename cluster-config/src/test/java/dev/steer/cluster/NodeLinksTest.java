package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The links' statistics come sorted by node name, so a run's {@code link to} lines and its JSON {@code links} keep one
 * order from run to run (they came in the order of a hash map of addresses).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NodeLinksTest {
    @Test
    void shouldListTheLinksByNodeNameWhateverOrderTheyWereMadeIn() {
        final ActorTestKit kit = ActorTestKit.create("node-links", ConfigFactory.parseString("""
            pekko.actor.provider = cluster
            pekko.remote.artery.canonical { hostname = "127.0.0.1", port = 0 }
            pekko.loglevel = OFF
            """));
        try {
            final ClusterSettings settings = new ClusterSettings();
            final List<Integer> made = List.of(7, 3, 9, 1, 5, 8, 2, 6, 4);
            for (int n : made) {
                settings.nodeName(address(n), "node-" + n);
            }
            final NodeLinks links = new NodeLinks(settings);
            for (int n : made) {
                links.link(kit.system(), address(n));
            }
            assertEquals(List.of("node-1", "node-2", "node-3", "node-4", "node-5", "node-6", "node-7", "node-8", "node-9"),
                links.stats().stream().map(LinkStats::node).toList());
        } finally {
            kit.shutdownTestKit();
        }
    }

    private static String address(int n) {
        return "pekko://steer@127.0.0.1:" + (25_520 + n);
    }
}
