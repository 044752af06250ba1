package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.remote.RemoteActorRefProvider;
import org.apache.pekko.remote.artery.aeron.ArteryAeronUdpTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.EngineStats;
import dev.steer.ingress.aeron.AeronMedia;

// 100 s: a healthy run takes about 5 s (20 s on a loaded machine). About 1 run in 10 under load used to hang in b's
// shutdown until the engine's close timeout (30 s, twice: b.shutdown() and Nodes.close()) and leave b's driver
// directory behind: the engine's drain stopped the actor system in the middle of coordinated shutdown, so a's
// Artery went before a had left, b's last control message to a waited on a's vanished driver, and Pekko 1.7's
// Aeron sink, told to finish while that offer was pending, waits for it up to give-up-system-message-after (6 h).
// The system now terminates in coordinated shutdown's last phase, after the leave, which makes that rare (1 run in
// 12), and ArteryShutdownBound aborts such a stuck stream 6 s into the termination, after which Artery stops its
// driver and deletes the directory (docs/cluster.md, "Shutting a node down").
@Timeout(value = 100, unit = TimeUnit.SECONDS)
class AeronTransportTest {
    @TempDir
    Path dir;

    /** Where embedded drivers' directories belong: /dev/shm on Linux. */
    private static final Path SHM = AeronMedia.directoryBase();

    /** A directory of the user's choice for each node's embedded media driver: it wins over Steer's own. */
    private ClusterSettings aeron(String node) {
        return Nodes.settings(ConfigFactory.empty().withValue("pekko.remote.artery.advanced.aeron.aeron-dir",
            ConfigValueFactory.fromAnyRef(dir.resolve(node).toString()))).transport(ClusterSettings.Transport.AERON_UDP);
    }

    @Test
    void shouldSteerAcrossNodesWhenArteryRunsOnAeronUdp() {
        try (Nodes nodes = new Nodes()) {
            final SequenceFeed feed = new SequenceFeed(5_000);
            final SequenceRecorder recorder = new SequenceRecorder();
            final Nodes.Pair pair = nodes.pair(aeron("a"), Nodes.engine(feed, FrameHandler.NO_OP, 1), aeron("b"),
                Nodes.engine(null, recorder));
            pair.placeOnB(1, 1024);
            feed.open();
            final Nodes.Stopped stopped = pair.settleAndStop(feed, 5_000, Duration.ofSeconds(20));
            final Accounting aa = stopped.a().accounting();
            final EngineStats sb = stopped.b();
            assertEquals(aa.received(), aa.forwarded() + aa.droppedTotal(), "a: " + aa);
            assertEquals(aa.forwarded(), sb.accounting().received(), "b received what a forwarded");
            assertTrue(recorder.delivered() > 0, "frames crossed over Aeron");
        }
    }

    /**
     * The directory of a node's embedded Artery media driver, from Artery's Aeron client (a public field of the
     * Scala class): what the driver really uses, whatever the configuration says.
     */
    private static Path arteryDriverDirectory(ClusterNode node) {
        final RemoteActorRefProvider provider =
            (RemoteActorRefProvider) ((ExtendedActorSystem) node.engine().actorSystem().classicSystem()).provider();
        final ArteryAeronUdpTransport transport = (ArteryAeronUdpTransport) provider.transport();
        return Path.of(transport.org$apache$pekko$remote$artery$aeron$ArteryAeronUdpTransport$$aeron.context()
            .aeronDirectoryName());
    }

    @Test
    void shouldGiveEachNodeAnArteryDriverDirectoryOfItsOwnInDevShmAndDeleteItWhenTheNodeStops() {
        final Path a;
        final Path b;
        try (Nodes nodes = new Nodes()) {
            final ClusterNode nodeA = nodes.start(Nodes.settings().transport(ClusterSettings.Transport.AERON_UDP),
                Nodes.engine(null, FrameHandler.NO_OP));
            final ClusterNode nodeB = nodes.start(Nodes.settings().transport(ClusterSettings.Transport.AERON_UDP)
                .seed(nodeA.address()), Nodes.engine(null, FrameHandler.NO_OP));
            assertTrue(nodeA.awaitMembers(2, Duration.ofSeconds(20)) && nodeB.awaitMembers(2, Duration.ofSeconds(20)),
                "the nodes join over Aeron UDP");
            a = arteryDriverDirectory(nodeA);
            b = arteryDriverDirectory(nodeB);
            assertNotEquals(a, b, "two nodes, two driver directories");
            final String named = "steer-aeron-" + ProcessHandle.current().pid() + "-"
                + ClusterSettings.ARTERY_DRIVER_OWNER + ClusterSettings.DEFAULT_SYSTEM_NAME + "-";
            for (Path driver : List.of(a, b)) {
                assertTrue(Files.exists(driver.resolve("cnc.dat")), "the driver runs in " + driver);
                // Directly in /dev/shm: deleting it leaves nothing behind (not a parent such as /dev/shm/aeron-USER).
                assertEquals(SHM, driver.getParent(), "directly in " + SHM + ": " + driver);
                assertTrue(driver.getFileName().toString().startsWith(named),
                    "named after the process and the actor system (" + named + "...), for the sweep: " + driver);
            }
            nodeA.shutdown();
            nodeB.shutdown();
        }
        assertFalse(Files.exists(a), "deleted when its node stopped: " + a);
        assertFalse(Files.exists(b), "deleted when its node stopped: " + b);
    }
}
