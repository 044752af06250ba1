package dev.steer.cluster.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.steer.actors.SteerEngine;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters;
import dev.steer.engine.stats.PathStats;
import dev.steer.ingress.config.ConfigCheck;
import dev.steer.ingress.config.FeedConfig;
import dev.steer.ingress.config.HoconFile;
import dev.steer.ingress.udp.UdpFeed;

/** The embedding of docs/config.md ("From Java"), as written there, over a UDP feed on loopback. */
@Timeout(90)
class EmbeddingFromFileTest {
    private static final String FILE = """
        steer {
          engine { pinning = false, pool.frames = 1024 }
          map.entries = [
            { key = 0, qsize = 512 }
            { key = 1, qsize = 512, remote-program = l4-hash }   # redirects over the node's other entry, key 0
          ]
          feed { type = udp, mode = lossless, udp.bind = "127.0.0.1:0" }
        }
        """;

    @TempDir
    Path dir;

    @Test
    void shouldSteerAndAccountForEveryFrameWhenAServiceRunsTheDocumentedEmbeddingOfAFile() throws Exception {
        assumeTwoCpus();
        final Path file = Files.writeString(dir.resolve("udp.conf"), FILE);
        final AtomicLong handled = new AtomicLong();
        final FrameHandler myHandler = batch -> handled.addAndGet(batch.size());
        EngineStats stats;
        // docs/config.md, "From Java":
        Deployment d = new DeploymentLoader().load(file);
        try (FeedConfig.Opened feeds = FeedConfig.open(d.feed())) {
            SteerEngine.Builder b = d.engineBuilder().handler(myHandler);
            feeds.feeds().forEach(b::feed);
            try (SteerEngine engine = b.start()) {
                final int port = ((UdpFeed) feeds.feeds().get(0)).boundPort();
                send(port, 0, 200);
                while (handled.get() < 200) {   // lossless, rings of 512: every frame reaches the handler
                    Thread.sleep(5);
                }
                final EngineStats live = engine.stats();
                final PathStats ingress = live.ingresses().get(0);
                final PathStats key1 = live.consumers().stream().filter(c -> c.key() == 1).findFirst().orElseThrow();
                assertEquals(200, ingress.get(PathCounters.Counter.RECEIVED));
                assertEquals(200, ingress.get(PathCounters.Counter.REDIRECTED));
                assertEquals(200, ingress.enqueueProcessed(0) + ingress.enqueueProcessed(1));
                assertEquals(ingress.enqueueProcessed(1), key1.get(PathCounters.Counter.REMOTE_REDIRECT),
                    "key 1's remote program sends everything on to key 0");
                assertEquals(0, key1.get(PathCounters.Counter.DELIVERED));
                assertTrue(ingress.enqueueProcessed(1) > 0, "some flows hash to key 1");

                assertEquals(MapResult.OK, engine.update(0, EntryValue.of(128), CpuMap.ANY));
                assertEquals(128, engine.lookup(0).qsize());
                assertEquals(MapResult.OK, engine.delete(1));
                assertNull(engine.lookup(1));
                send(port, 200, 40);   // the flows of key 1 now meet no entry
                while (engine.stats().accounting().received() < 240) {
                    Thread.sleep(5);
                }
                stats = engine.shutdown();
            }
        }
        final long noEntry = stats.accounting().dropped(DropReason.NO_ENTRY);
        assertEquals(240, stats.accounting().received());
        assertEquals(handled.get(), stats.accounting().delivered());
        assertEquals(240, handled.get() + noEntry);
        assertTrue(noEntry > 0, "the deleted entry's flows are dropped as no_entry");
        assertEquals(noEntry, stats.accounting().droppedTotal());
        assertEquals(0, stats.accounting().inFlight());
        assertTrue(stats.poolsFull());
    }

    @Test
    void shouldTakeTheSettingsGivenOverTheFileWhenSetOnTheBuilderOrLaidOverItInHocon() {
        final CpuSet cpus = CpuSet.of(2, 0, 1);
        final Path file = ExampleFiles.file("single-node.conf");
        final ConfigCheck check = new ConfigCheck();
        // docs/config.md, "Settings over the file": a HOCON layer, then the builder.
        final Deployment d = new DeploymentLoader(cpus).parse(
            ConfigFactory.parseString("steer.engine.budget = 16").withFallback(HoconFile.parse(file, check)),
            null, file.toString(), file.toAbsolutePath().getParent());
        assertTrue(check.ok(), check.errors().toString());
        assertEquals(16, d.engine().budget());
        assertEquals(8, d.engine().consumerBatch());
        d.engineBuilder(cpus).consumerBatch(32).entry(1, 4096).conclude();
    }

    private static void send(int port, int from, int count) throws Exception {
        try (DatagramChannel channel = DatagramChannel.open()) {
            final InetSocketAddress to = new InetSocketAddress("127.0.0.1", port);
            for (int i = from; i < from + count; i++) {
                final byte[] frame = new byte[64];   // Ethernet, IPv4 10.0.<i>.1 -> 10.0.0.1, UDP
                frame[12] = 0x08;
                frame[14] = 0x45;
                frame[17] = 50;
                frame[23] = 17;
                frame[26] = 10;
                frame[28] = (byte) i;
                frame[29] = 1;
                frame[30] = 10;
                frame[33] = 1;
                channel.send(ByteBuffer.wrap(frame), to);
            }
        }
    }

    private static void assumeTwoCpus() {
        final CpuSet machine = CpuSet.fromMachine();
        org.junit.jupiter.api.Assumptions.assumeTrue(machine.isUsable(0) && machine.isUsable(1),
            "the file names entries on CPUs 0 and 1");
    }
}
