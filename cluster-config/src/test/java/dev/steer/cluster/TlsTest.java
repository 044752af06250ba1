package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.steer.actors.DataPath;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.EngineStats;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsTest {
    @TempDir
    static Path dir;
    private static Path key;
    private static Path trust;
    private static Path rogueKey;
    private static Path rogueTrust;

    @BeforeAll
    static void makeStores() {
        key = Keystores.keyPair(dir, "node");
        trust = Keystores.trustStore(dir, "trust", "node");
        rogueKey = Keystores.keyPair(dir, "rogue");
        // The rogue trusts the cluster's certificate, so only the cluster's refusal can keep it out.
        rogueTrust = Keystores.trustStore(dir, "rogue-trust", "rogue", "node");
    }

    @Test
    void shouldSteerOverTlsWhenBothNodesPresentTrustedCertificates() {
        try (Nodes nodes = new Nodes()) {
            final SequenceFeed feed = new SequenceFeed(5_000);
            final SequenceRecorder recorder = new SequenceRecorder();
            final Nodes.Pair pair = nodes.pair(Nodes.settings().tls(key, trust, Keystores.PASSWORD),
                Nodes.engine(feed, FrameHandler.NO_OP, 1), Nodes.settings().tls(key, trust, Keystores.PASSWORD),
                Nodes.engine(null, recorder));
            pair.placeOnB(1, 1024);
            feed.open();
            final Nodes.Stopped stopped = pair.settleAndStop(feed, 5_000, Duration.ofSeconds(20));
            final Accounting aa = stopped.a().accounting();
            final EngineStats sb = stopped.b();
            assertEquals(5_000, aa.received());
            assertEquals(aa.received(), aa.forwarded() + aa.droppedTotal(), "a: " + aa);
            assertEquals(aa.forwarded(), sb.accounting().received(), "b received what a forwarded");
            assertEquals(sb.accounting().delivered(), recorder.delivered());
            assertTrue(recorder.delivered() > 0, "frames crossed the TLS link");
        }
    }

    @Test
    void shouldRefuseANodeWhenItsCertificateIsNotTrusted() {
        try (Nodes nodes = new Nodes()) {
            final ClusterNode a = nodes.start(Nodes.settings().tls(key, trust, Keystores.PASSWORD),
                Nodes.engine(null, FrameHandler.NO_OP));
            assertTrue(a.awaitMembers(1, Duration.ofSeconds(20)), "a is up");
            final ClusterNode rogue = nodes.start(
                Nodes.settings().tls(rogueKey, rogueTrust, Keystores.PASSWORD).seed(a.address()),
                Nodes.engine(null, FrameHandler.NO_OP));
            // Frames sent straight at a's receiver, bypassing the cluster, must not arrive either.
            final ActorRef<DataPath.Command> receiver = ActorRefResolver.get(rogue.engine().actorSystem())
                .resolveActorRef(a.address() + FrameReceiver.PATH);
            // One segment (key 1, one frame) of an 8-byte packet, little-endian as a link writes it. For any
            // incarnation, which every receiver takes: only TLS keeps the batches out, not the incarnation check.
            final byte[] bytes = {1, 0, 0, 0, 1, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
            for (int i = 0; i < 20; i++) {
                receiver.tell(new ForwardBatch(i, 1, 1, bytes, bytes.length,
                    ActorRefResolver.get(rogue.engine().actorSystem()).resolveActorRef(rogue.address() + "/user"),
                    ForwardBatch.ANY_INCARNATION));
            }
            assertFalse(rogue.awaitMembers(2, Duration.ofSeconds(6)), "the rogue never joins");
            assertEquals(1, a.upMembers(), "a's cluster is a alone");
            assertEquals(0, a.stats().accounting().received(), "no frame of the rogue reached a");
        }
    }
}
