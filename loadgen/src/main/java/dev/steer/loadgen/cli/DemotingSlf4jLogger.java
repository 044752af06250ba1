package dev.steer.loadgen.cli;

import java.util.regex.Pattern;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.slf4j.Slf4jLogger;
import org.apache.pekko.japi.pf.UnitPFBuilder;
import org.slf4j.LoggerFactory;
import scala.PartialFunction;
import scala.runtime.BoxedUnit;

/**
 * Pekko's {@link Slf4jLogger} for the {@code steer} command, which logs four known events at DEBUG instead of
 * ERROR or WARN; every other event goes through unchanged.
 *
 * <ul>
 *   <li>{@code TcpListener}'s "Bind failed for TCP channel on endpoint", with a stack trace of about 25 lines: the
 *       node's start fails with it, and the command says so itself in one line naming host:port
 *       ({@code ClusterNode.start}).</li>
 *   <li>While this node leaves the cluster (Leaving, Exiting, Removed, or its cluster extension stopped), Artery's
 *       "[outbound connection to [...], ... stream] Upstream failed, cause: StreamTcpException: The connection has
 *       been aborted": the other node closes the connection to a member that has left, as it should.</li>
 *   <li>In the same window, the cluster singleton manager's "unhandled event OldestChanged(...) in state WasOldest"
 *       (or HandingOver, Stopping, End): a manager that has stopped being the oldest has no use for a later change of
 *       the oldest; Pekko's FSM warns of every unhandled event.</li>
 *   <li>In the same window, Artery's "Outbound control stream to [...] failed after shutdown.
 *       ...Association$OutboundStreamStopQuarantinedSignal$" (also the message streams): another node left just
 *       before, Pekko quarantined its association once it was removed and stops that association's idle streams with
 *       this signal a few seconds later; when the stop falls into this node's own shutdown, Artery warns of each
 *       stream. Any other cause of a stream failing after shutdown still warns.</li>
 * </ul>
 *
 * A node that is Up and loses a connection, or is downed, still warns. With {@code STEER_DEBUG} set the command does
 * not install this logger ({@link #config()}), so everything shows as Pekko logs it.
 *
 * <p>Thread contract: a Pekko logger actor; Pekko creates it by reflection and calls it on its own dispatcher.
 */
public final class DemotingSlf4jLogger extends Slf4jLogger {
    private static final String TCP_LISTENER = "org.apache.pekko.io.TcpListener";
    private static final String MATERIALIZER = "org.apache.pekko.stream.Materializer";
    private static final String SINGLETON_MANAGER = "org.apache.pekko.cluster.singleton.ClusterSingletonManager";
    private static final String BIND_FAILED = "Bind failed for TCP channel on endpoint";
    private static final Pattern ABORTED = Pattern.compile("\\[outbound connection to \\[[^]]+], [a-z ]+ stream] "
        + "Upstream failed, cause: StreamTcpException: The connection has been aborted");
    private static final Pattern OLDEST_CHANGED = Pattern.compile(
        "unhandled event OldestChanged\\(.*\\) in state (WasOldest|HandingOver|Stopping|End)");
    private static final String ASSOCIATION = "org.apache.pekko.remote.artery.Association";
    private static final Pattern QUARANTINED_STREAM_STOPPED = Pattern.compile(
        "Outbound [a-z ]+ stream to \\[[^]]+] failed after shutdown\\. "
            + Pattern.quote(ASSOCIATION + "$OutboundStreamStopQuarantinedSignal$") + ": .*");

    /**
     * The Pekko settings that install this logger in place of Pekko's {@code Slf4jLogger} (with
     * {@code use-slf4j = off}, or Pekko would add its own beside it), or none when {@code STEER_DEBUG} is set.
     */
    static Config config() {
        if (System.getenv("STEER_DEBUG") != null) {
            return ConfigFactory.empty();
        }
        return ConfigFactory.parseString("pekko.use-slf4j = off\n"
            + "pekko.loggers = [\"" + DemotingSlf4jLogger.class.getName() + "\"]\n"
            + "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"");
    }

    @Override
    public PartialFunction<Object, BoxedUnit> receive() {
        return new UnitPFBuilder<Object>().match(Logging.LogEvent.class, this::demoted, this::debug).build()
            .orElse(super.receive());
    }

    private boolean demoted(Logging.LogEvent event) {
        return isBindFailure(event) || isLeaveNoise(event) && leaving();
    }

    /** Whether the event is the ERROR of a failed bind, which the command reports itself in one line. */
    static boolean isBindFailure(Logging.LogEvent event) {
        return event.level() == Logging.ErrorLevel() && TCP_LISTENER.equals(event.logClass().getName())
            && String.valueOf(event.message()).startsWith(BIND_FAILED);
    }

    /**
     * Whether the event is one of the WARNs a graceful leave causes (the class comment lists them); demoted only while
     * this node leaves or has left.
     */
    static boolean isLeaveNoise(Logging.LogEvent event) {
        if (event.level() != Logging.WarningLevel()) {
            return false;
        }
        final String source = event.logClass().getName();
        final String message = String.valueOf(event.message());
        return MATERIALIZER.equals(source) && ABORTED.matcher(message).matches()
            || SINGLETON_MANAGER.equals(source) && OLDEST_CHANGED.matcher(message).matches()
            || ASSOCIATION.equals(source) && QUARANTINED_STREAM_STOPPED.matcher(message).matches();
    }

    /** Whether this node is leaving or has left the cluster (never true for a node without one). */
    private boolean leaving() {
        final ActorSystem system = context().system();
        if (!system.hasExtension(Cluster.lookup())) {
            return false;
        }
        final Cluster cluster = Cluster.get(system);
        if (cluster.isTerminated()) {
            return true;
        }
        final MemberStatus status = cluster.selfMember().status();
        return status == MemberStatus.leaving() || status == MemberStatus.exiting() || status == MemberStatus.removed();
    }

    private void debug(Logging.LogEvent event) {
        final org.slf4j.Logger logger = LoggerFactory.getLogger(event.logClass());
        if (!logger.isDebugEnabled()) {
            return;
        }
        if (event instanceof Logging.Error error && error.cause() != Logging.noCause()) {
            logger.debug("[{}] {}", event.logSource(), event.message(), error.cause());
        } else {
            logger.debug("[{}] {}", event.logSource(), event.message());
        }
    }
}
