package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.path.FrameHandler;

/** The cluster map's slots against the engine's map, on a one-node cluster. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterMapSlotsTest {
    @Test
    void shouldDeleteEveryBuilderEntryWhenTheClusterMapHasFewerSlotsThanTheEngines() {
        try (Nodes nodes = new Nodes()) {
            final ClusterNode node = nodes.start(Nodes.settings().maxEntries(1), Nodes.engine(null, FrameHandler.NO_OP));
            assertTrue(node.awaitMembers(1, Duration.ofSeconds(20)), "the node is up");
            for (int key = 0; key < Nodes.MAX_ENTRIES; key++) {
                assertNull(node.engine().lookup(key), "key " + key + ": the cluster map replaces the builder's entries,"
                    + " also beyond its own slots");
            }
        }
    }

    @Test
    void shouldRefuseToStartWhenTheClusterMapHasMoreSlotsThanTheEngines() {
        try (Nodes nodes = new Nodes()) {
            final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> nodes.start(
                Nodes.settings().maxEntries(Nodes.MAX_ENTRIES + 1), Nodes.engine(null, FrameHandler.NO_OP)));
            assertTrue(refused.getMessage().contains("maxEntries=" + (Nodes.MAX_ENTRIES + 1)), refused.getMessage());
            assertNotNull(refused.getMessage());
        }
    }
}
