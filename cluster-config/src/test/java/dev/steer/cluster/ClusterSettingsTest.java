package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.steer.ingress.aeron.AeronMedia;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ClusterSettingsTest {
    @Test
    void shouldNameEveryBadSettingWithItsValueWhenConcluding() {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> new ClusterSettings()
            .port(70_000).seed("steer@host").batchFrames(0).maxInFlight(5_000).drainTimeout(Duration.ZERO)
            .ackTimeout(Duration.ofSeconds(-1))
            .downingStrategy("coin-flip").tls(Path.of("/nonexistent.p12"), Path.of("/nonexistent.p12"), "")
            .conclude());
        final String message = error.getMessage();
        for (String expected : new String[] {"port=70000: must be 0..65535", "seed='steer@host'",
            "batchFrames=0: must be 1..256", "maxInFlight=5000: must be 1..1024", "drainTimeout=PT0S: must be positive",
            "ackTimeout=PT-1S: must be positive",
            "downingStrategy='coin-flip'", "tls.keyStore=/nonexistent.p12", "tls.keyStorePassword"}) {
            assertTrue(message.contains(expected), "message names " + expected + ": " + message);
        }
    }

    @Test
    void shouldNameTheReceiverPoolsSettingsByTheirClusterSettingsNamesWhenTheyAreBad() {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> new ClusterSettings()
            .receiverFrames(0).receiverFrameSize(100, 256).conclude());
        final String message = error.getMessage();
        assertTrue(message.contains("receiver pool: invalid frame pool settings: receiverFrames=0: must be 1 to "),
            message);
        assertTrue(message.contains(" receiverFrameSize=100: must be a multiple of 64"), message);
    }

    /**
     * The receiver's headroom is set by the second argument of {@code receiverFrameSize(frameSize, headroom)}; no
     * ClusterSettings call is named {@code pool.headroom}. (A deployment file never gets this far: the loader refuses
     * the same value first, naming {@code steer.engine.pool.headroom}, DeploymentLoaderTest.)
     */
    @Test
    void shouldNameTheReceiverHeadroomByTheCallThatSetsItWhenItIsBad() {
        final String message = assertThrows(IllegalArgumentException.class, () -> new ClusterSettings()
            .receiverFrameSize(1024, 16).conclude()).getMessage();
        assertTrue(message.contains("receiverFrameSize headroom=16: must be 32 to receiverFrameSize - 64 (960)"),
            message);
        assertFalse(message.contains("pool.headroom"), message);
    }

    @Test
    void shouldValidateASettingChangedAfterConcludeWhenConcludedAgain() {
        final ClusterSettings settings = new ClusterSettings().conclude();
        settings.extraConfig(null);
        final String message = assertThrows(IllegalArgumentException.class, settings::conclude).getMessage();
        assertTrue(message.contains("extraConfig=null: must be a Config"), message);
        settings.extraConfig(ConfigFactory.empty()).port(70_000);
        final String late = assertThrows(IllegalArgumentException.class, settings::toConfig).getMessage();
        assertTrue(late.contains("port=70000: must be 0..65535"), late);
        assertEquals(0, settings.port(0).conclude().port(), "valid again");
    }

    @Test
    void shouldRefuseALeaveTimeoutOutsideOneSecondToOneHourWhenConcluding() {
        assertEquals(Duration.ofSeconds(30), new ClusterSettings().conclude().leaveTimeout(), "the default");
        assertEquals(Duration.ofSeconds(1), new ClusterSettings().leaveTimeout(Duration.ofSeconds(1)).conclude().leaveTimeout());
        assertEquals(Duration.ofHours(1), new ClusterSettings().leaveTimeout(Duration.ofHours(1)).conclude().leaveTimeout());
        for (Duration bad : new Duration[] {null, Duration.ZERO, Duration.ofMillis(999), Duration.ofHours(1).plusMillis(1)}) {
            final String message = assertThrows(IllegalArgumentException.class,
                () -> new ClusterSettings().leaveTimeout(bad).conclude()).getMessage();
            assertTrue(message.contains("leaveTimeout=" + bad + ": must be 1 s..1 h"), message);
        }
    }

    @Test
    void shouldNameQuorumRolesAndTlsProtocolWhenTheyCannotStartANode() {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> new ClusterSettings()
            .downingStrategy("static-quorum").roles(List.of("steer", "dc-east"))
            .tls(new ClusterTls(Path.of("/nonexistent.jks"), "a", null, Path.of("/nonexistent.p12"), "b", "SSLv3"))
            .conclude());
        final String message = error.getMessage();
        for (String expected : new String[] {"quorumSize=0: static-quorum needs the number of members",
            "roles=[steer, dc-east]: each role must be a non-blank string not starting with 'dc-'",
            "tls.keyPassword=null", "tls.protocol='SSLv3': must be one of TLSv1.3, TLSv1.2"}) {
            assertTrue(message.contains(expected), "message names " + expected + ": " + message);
        }
    }

    @Test
    void shouldRefuseTlsWhenAStoreDoesNotOpenWithItsPassword(@TempDir Path dir) {
        // Artery opens the stores at the first connection only: with a wrong password the node started and could
        // never join. conclude() opens them as Artery will.
        final Path keyStore = Keystores.keyPair(dir, "node-1");
        final Path trustStore = Keystores.trustStore(dir, "trust", "node-1");
        final String pw = Keystores.PASSWORD;
        final String keyStoreMessage = assertThrows(IllegalArgumentException.class, () -> new ClusterSettings()
            .tls(new ClusterTls(keyStore, "wrong", "wrong", trustStore, pw, "TLSv1.3")).conclude()).getMessage();
        assertTrue(keyStoreMessage.contains("tls.keyStorePassword: does not open the key store " + keyStore
            + ": the password is wrong"), keyStoreMessage);
        final String trustStoreMessage = assertThrows(IllegalArgumentException.class, () -> new ClusterSettings()
            .tls(new ClusterTls(keyStore, pw, pw, trustStore, "wrong", "TLSv1.3")).conclude()).getMessage();
        assertTrue(trustStoreMessage.contains("tls.trustStorePassword: does not open the trust store " + trustStore
            + ": the password is wrong"), trustStoreMessage);
        assertEquals(keyStore, new ClusterSettings().tls(keyStore, trustStore, pw).conclude().tls().orElseThrow().keyStore());
    }

    @Test
    void shouldReportAnOpeningsProblemsWithoutOpeningTheStoresAgainWhenGivenTheStoresOpenedBefore(@TempDir Path dir)
        throws IOException {
        final Path keyStore = Keystores.keyPair(dir, "node-1");
        final Path trustStore = Keystores.trustStore(dir, "trust", "node-1");
        final String pw = Keystores.PASSWORD;
        final TlsStores.Checked wrong = TlsStores.open(new ClusterTls(keyStore, "wrong", "wrong", trustStore, pw, "TLSv1.3"));
        final String message = assertThrows(IllegalArgumentException.class, () -> new ClusterSettings().tls(wrong)
            .conclude()).getMessage();
        assertTrue(message.contains("tls.keyStorePassword: does not open the key store " + keyStore
            + ": the password is wrong"), message);
        // Opened without a problem, then the file no longer opens: conclude() goes by the opening it was given.
        final TlsStores.Checked good = TlsStores.open(new ClusterTls(keyStore, pw, pw, trustStore, pw, "TLSv1.3"));
        assertEquals(List.of(), good.problems());
        Files.write(keyStore, new byte[] {1, 2, 3, 4});
        assertEquals(keyStore, new ClusterSettings().tls(good).conclude().tls().orElseThrow().keyStore());
        final String reopened = assertThrows(IllegalArgumentException.class, () -> new ClusterSettings()
            .tls(good).tls(good.tls()).conclude()).getMessage();
        assertTrue(reopened.contains("tls.keyStore: " + keyStore + " is not a PKCS12 or JKS key store"), reopened);
    }

    @Test
    void shouldRefuseTlsAndStillCheckItsValuesWhenTheTransportIsNotTlsTcp() {
        // transport(TCP) after tls(...) used to drop the TLS settings: the node ran in plain text without a word.
        for (ClusterSettings.Transport transport : List.of(ClusterSettings.Transport.TCP, ClusterSettings.Transport.AERON_UDP)) {
            final IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> new ClusterSettings()
                .tls(new ClusterTls(Path.of("/nonexistent.p12"), "a", "a", Path.of("/nonexistent.p12"), "b", "TLSv1.1"))
                .transport(transport).conclude());
            final String message = error.getMessage();
            for (String expected : new String[] {"tls is set but transport is " + transport.artery(),
                "set transport(TLS_TCP), or leave tls unset", "tls.keyStore=/nonexistent.p12",
                "tls.protocol='TLSv1.1': must be one of TLSv1.3, TLSv1.2"}) {
                assertTrue(message.contains(expected), "message names " + expected + ": " + message);
            }
        }
    }

    @Test
    void shouldRefuseAnAckTimeoutOfMoreThanADay() {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> new ClusterSettings().ackTimeout(Duration.ofDays(400 * 365)).conclude());
        assertTrue(error.getMessage().contains("ackTimeout=PT3504000H: must be at most PT24H"), error.getMessage());
    }

    @Test
    void shouldRefuseAckAndDrainTimeoutsShorterThanTheLinksTickWhenConcluding() {
        // Shorter, a link gives up batches whose acknowledgements are on their way: frames the other node received
        // are counted unreachable here too (1 ms on loopback: 2,368 of 100,000 frames ended twice).
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> new ClusterSettings()
            .ackTimeout(Duration.ofMillis(1)).drainTimeout(Duration.ofMillis(99)).conclude());
        for (String expected : new String[] {"ackTimeout=PT0.001S: must be at least 100 ms",
            "drainTimeout=PT0.099S: must be at least 100 ms"}) {
            assertTrue(error.getMessage().contains(expected), "message names " + expected + ": " + error.getMessage());
        }
        new ClusterSettings().ackTimeout(ClusterSettings.MIN_TIMEOUT).drainTimeout(ClusterSettings.MIN_TIMEOUT).conclude();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldRefuseToStartANodeWhenTheEnginesFramesMakeABatchLargerThanArteryCarries() {
        // The frames a link batches come from the engine's pool: 256 of 9,216 bytes are 2.4 MB, and Artery discards
        // every such batch ("oversized payload"), so nothing would reach the other node and all of it would be
        // counted unreachable after the ack timeout.
        try (Nodes nodes = new Nodes()) {
            final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> nodes.start(Nodes.settings().batchFrames(256),
                    Nodes.engine(null, dev.steer.engine.path.FrameHandler.NO_OP).frameSize(9216)));
            assertTrue(error.getMessage().contains("batchFrames=256 with the engine's frameSize=9216: a batch must be"
                + " at most 1044480 bytes"), error.getMessage());
        }
    }

    @Test
    void shouldWriteThePekkoConfigsNumbersInAsciiDigitsWhenTheDefaultLocaleHasOtherDigits() {
        final java.util.Locale saved = java.util.Locale.getDefault();
        java.util.Locale.setDefault(java.util.Locale.forLanguageTag("ar-EG")); // formats 1234 as Arabic-Indic digits
        try {
            final Config config = new ClusterSettings().port(2552).toConfig();
            assertEquals(ClusterSettings.MAX_FRAME_BYTES,
                config.getBytes("pekko.remote.artery.advanced.maximum-frame-size"));
            assertTrue(config.getDuration("pekko.cluster.split-brain-resolver.stable-after").toMillis() > 0);
            assertTrue(config.getDuration("pekko.cluster.failure-detector.acceptable-heartbeat-pause").toMillis() > 0);
        } finally {
            java.util.Locale.setDefault(saved);
        }
    }

    @Test
    void shouldConfigureClusterKryoAndDowningWhenTurnedIntoPekkoConfig() {
        final Config config = new ClusterSettings().port(2552).seed("pekko://steer@127.0.0.1:2551").toConfig();
        assertEquals("cluster", config.getString("pekko.actor.provider"));
        assertEquals("tcp", config.getString("pekko.remote.artery.transport"));
        assertEquals(2552, config.getInt("pekko.remote.artery.canonical.port"));
        assertEquals("steer-kryo", config.getString("pekko.actor.serialization-bindings.\"dev.steer.cluster.ClusterMessage\""));
        assertEquals("keep-majority", config.getString("pekko.cluster.split-brain-resolver.active-strategy"));
        assertEquals("org.apache.pekko.cluster.sbr.SplitBrainResolverProvider",
            config.getString("pekko.cluster.downing-provider-class"));
    }

    @Test
    void shouldGiveArteryAnEmbeddedDriverDirectoryOfItsOwnUnlessTheUserChoseOneWhenTransportIsAeronUdp() {
        final String dir = "pekko.remote.artery.advanced.aeron.aeron-dir";
        final Config first = new ClusterSettings().systemName("edge").transport(ClusterSettings.Transport.AERON_UDP)
            .toConfig();
        final Config second = new ClusterSettings().systemName("edge").transport(ClusterSettings.Transport.AERON_UDP)
            .toConfig();
        final Path named = Path.of(first.getString(dir));
        assertEquals(AeronMedia.directoryBase(), named.getParent());
        assertTrue(named.getFileName().toString().startsWith("steer-aeron-" + ProcessHandle.current().pid()
            + "-artery-edge-"), "named for the process and the system: " + named);
        assertNotEquals(first.getString(dir), second.getString(dir), "two nodes of one process, two directories");
        assertTrue(first.getBoolean("pekko.remote.artery.advanced.aeron.delete-aeron-dir"));
        assertFalse(new ClusterSettings().toConfig().hasPath(dir), "tcp: no Aeron driver");
        assertEquals("/dev/shm/mine", new ClusterSettings().transport(ClusterSettings.Transport.AERON_UDP)
            .extraConfig(ConfigFactory.parseString(dir + " = /dev/shm/mine")).toConfig().getString(dir));
        assertFalse(new ClusterSettings().transport(ClusterSettings.Transport.AERON_UDP).extraConfig(
            ConfigFactory.parseString("pekko.remote.artery.advanced.aeron.embedded-media-driver = off")).toConfig()
            .hasPath(dir), "an external driver's directory is the user's to name");
    }
}
