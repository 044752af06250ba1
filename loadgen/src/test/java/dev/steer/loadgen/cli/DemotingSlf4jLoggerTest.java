package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.apache.pekko.event.Logging;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Which of Pekko's log events {@link DemotingSlf4jLogger} takes for the noise of a graceful leave (logged at DEBUG
 * while the node leaves) and which it lets through. The events are the lines `steer run` nodes printed.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DemotingSlf4jLoggerTest {
    private static final String PEER = "pekko://steer@127.0.0.1:25522";

    @Test
    void shouldTakeTheWarningsOfEveryGracefulLeaveForLeaveNoise() throws Exception {
        assertTrue(DemotingSlf4jLogger.isLeaveNoise(warning("org.apache.pekko.stream.Materializer",
            "[outbound connection to [" + PEER + "], control stream] Upstream failed, cause: StreamTcpException: The"
                + " connection has been aborted")));
        assertTrue(DemotingSlf4jLogger.isLeaveNoise(warning(
            "org.apache.pekko.cluster.singleton.ClusterSingletonManager",
            "unhandled event OldestChanged(None) in state WasOldest")));
    }

    @Test
    void shouldTakeAQuarantinedStreamStoppedUnderThisNodesShutdownForLeaveNoiseWhenAnotherNodeLeftJustBefore()
        throws Exception {
        // Node-1 of three stopped a few seconds after node-2 had left gracefully: Pekko quarantines a removed member's
        // association and stops its idle streams with this signal; under node-1's own shutdown each stopped stream was
        // logged as a WARN, two lines at the end of a clean run.
        for (String stream : new String[] {"control", "message", "large message"}) {
            assertTrue(DemotingSlf4jLogger.isLeaveNoise(warning("org.apache.pekko.remote.artery.Association",
                "Outbound " + stream + " stream to [" + PEER + "] failed after shutdown."
                    + " org.apache.pekko.remote.artery.Association$OutboundStreamStopQuarantinedSignal$: ")), stream);
        }
    }

    @Test
    void shouldLetEveryOtherWarningThroughWhenItIsNotTheNoiseOfALeave() throws Exception {
        // A stream that failed for another reason after shutdown is news, as is a connection that was refused.
        assertFalse(DemotingSlf4jLogger.isLeaveNoise(warning("org.apache.pekko.remote.artery.Association",
            "Outbound control stream to [" + PEER + "] failed after shutdown. java.io.IOException: broken pipe")));
        assertFalse(DemotingSlf4jLogger.isLeaveNoise(warning("org.apache.pekko.stream.Materializer",
            "[outbound connection to [" + PEER + "], control stream] Upstream failed, cause: StreamTcpException: Tcp"
                + " command [Connect(127.0.0.1:25522)] failed because of java.net.ConnectException: Connection"
                + " refused")));
        assertFalse(DemotingSlf4jLogger.isLeaveNoise(warning("org.apache.pekko.cluster.Cluster",
            "Cluster Node [" + PEER + "] - Marking node as UNREACHABLE")));
        assertFalse(DemotingSlf4jLogger.isLeaveNoise(new Logging.Info("src",
            Class.forName("org.apache.pekko.remote.artery.Association"), "Outbound control stream to [" + PEER
                + "] failed after shutdown. org.apache.pekko.remote.artery.Association"
                + "$OutboundStreamStopQuarantinedSignal$: ")), "only warnings are demoted as leave noise");
    }

    private static Logging.Warning warning(String logClass, String message) throws ClassNotFoundException {
        return new Logging.Warning("src", Class.forName(logClass), message);
    }
}
