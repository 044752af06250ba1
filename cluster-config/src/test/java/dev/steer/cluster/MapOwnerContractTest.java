package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.path.FrameHandler;

/** The cluster map's contract, on a one-node cluster. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MapOwnerContractTest {
    private static Nodes nodes;
    private static ClusterNode node;

    @BeforeAll
    static void start() {
        nodes = new Nodes();
        node = nodes.start(Nodes.settings(), Nodes.engine(null, FrameHandler.NO_OP));
        assertTrue(node.awaitMembers(1, Duration.ofSeconds(20)), "the node is up");
    }

    @AfterAll
    static void stop() {
        nodes.close();
    }

    @Test
    void shouldReplaceTheBuildersEntriesWithTheClusterMapWhenStarted() {
        assertTrue(node.awaitEntry(0, 0, Duration.ofSeconds(5)) && node.awaitEntry(1, 0, Duration.ofSeconds(5)),
            "the builder's default entries are gone");
    }

    @Test
    void shouldRefuseAnUpdateOrDeleteWithoutAReplyToWhereTheMessageIsBuilt() {
        // Sent to the owner, such a message had it throw NullPointerException at its answer, and restart.
        for (Executable build : List.<Executable>of(
            () -> new MapOwner.Update(1, 64, node.address(), 0, CpuMap.ANY, null),
            () -> new MapOwner.Update(1, 64, node.address(), 0, new RemoteProgramSpec("pass", new int[0]), CpuMap.ANY,
                null),
            () -> new MapOwner.Delete(1, null))) {
            final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, build);
            assertTrue(refused.getMessage().contains("replyTo=null"), refused.getMessage());
        }
    }

    @Test
    void shouldRefuseWithTheContractsCodesWhenAnUpdateIsInvalid() {
        assertEquals(MapResult.EINVAL, node.update(1, 64, node.address(), 0, 7));
        assertEquals(MapResult.E2BIG, node.update(Nodes.MAX_ENTRIES, 64, node.address(), 0, CpuMap.ANY));
        assertEquals(MapResult.EEXIST, node.update(1, 64, node.address(), 0, CpuMap.NOEXIST));
        assertEquals(MapResult.EOVERFLOW, node.update(1, CpuMap.MAX_QSIZE + 1, node.address(), 0, CpuMap.ANY));
        assertEquals(MapResult.ENODEV, node.update(1, 64, "pekko://steer@127.0.0.1:1", 0, CpuMap.ANY),
            "a node that is not an up member");
        assertEquals(MapResult.ENODEV, node.update(1, 0, "pekko://steer@127.0.0.1:1", 0, CpuMap.ANY),
            "ENODEV comes before 'qsize 0 deletes', as in the local map");
        assertEquals(MapResult.ENODEV, node.update(1, 0, node.address(), -1, CpuMap.ANY));
        assertEquals(MapResult.EINVAL, node.delete(Nodes.MAX_ENTRIES));
        assertEquals(MapResult.OK, node.delete(3), "deleting an empty slot is OK");
    }

    @Test
    void shouldRefuseWithEinvalWhenTheRemoteProgramIsUnknownOrItsTargetsAreWrong() {
        final String self = node.address();
        assertEquals(MapResult.EINVAL, node.update(2, 64, self, 0, new RemoteProgramSpec("dorp", new int[0]), CpuMap.ANY));
        assertEquals(MapResult.EINVAL, node.update(2, 64, self, 0, new RemoteProgramSpec("l4-hash", new int[0]),
            CpuMap.ANY), "a steering program needs targets");
        assertEquals(MapResult.EINVAL, node.update(2, 64, self, 0, new RemoteProgramSpec("l4-hash", new int[] {1, 2}),
            CpuMap.ANY), "never the entry's own key");
        assertEquals(MapResult.EINVAL, node.update(2, 64, self, 0,
            new RemoteProgramSpec("l4-hash", new int[] {Nodes.MAX_ENTRIES}), CpuMap.ANY), "a target beyond the map");
        assertEquals(MapResult.EINVAL, node.update(2, 64, self, 0, new RemoteProgramSpec("drop", new int[] {1}),
            CpuMap.ANY), "drop takes no targets");
        assertNull(node.engine().lookup(2));
    }

    @Test
    void shouldRunTheRemoteProgramOnTheLocalEntryWhenThePlacementCarriesOne() {
        assertEquals(MapResult.OK, node.update(2, 96, node.address(), 0, new RemoteProgramSpec("l4-hash", new int[] {1}),
            CpuMap.ANY));
        assertTrue(node.awaitEntry(2, 96, Duration.ofSeconds(10)));
        assertEquals("l4-hash", node.engine().lookup(2).remoteProgram().name());
        assertEquals(MapResult.OK, node.delete(2));
        assertTrue(node.awaitEntry(2, 0, Duration.ofSeconds(10)));
    }

    @Test
    void shouldRunALocalEntryPinnedToTheCpuWhenPlacedOnThisNode() {
        assertEquals(MapResult.OK, node.update(2, 128, node.address(), 1, CpuMap.ANY));
        assertTrue(node.awaitEntry(2, 128, Duration.ofSeconds(10)));
        final EntryValue value = node.engine().lookup(2);
        assertFalse(value.isRemote());
        assertEquals(1, value.cpu(2), "pinned to the placement's CPU, not the key");
        assertEquals(MapResult.OK, node.update(2, 0, node.address(), 1, CpuMap.ANY), "qsize 0 deletes");
        assertTrue(node.awaitEntry(2, 0, Duration.ofSeconds(10)));
    }

    @Test
    void shouldLeaveTheKeyEmptyWhenThisNodeRefusesItsPlacement() {
        assertEquals(MapResult.OK, node.update(3, 64, node.address(), 0, CpuMap.ANY));
        assertTrue(node.awaitEntry(3, 64, Duration.ofSeconds(10)));
        // CPU 3 is not usable on this node: the owner cannot know, the node refuses (ENODEV) and empties the key.
        assertEquals(MapResult.OK, node.update(3, 32, node.address(), 3, CpuMap.ANY));
        assertTrue(Nodes.await(() -> node.engine().lookup(3) == null, Duration.ofSeconds(10)),
            "the old entry does not stay in place of the refused one");
        assertNull(node.engine().lookup(3));
        assertEquals(MapResult.OK, node.delete(3));
    }
}
