package dev.steer.loadgen.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.slf4j.Slf4jLogger;
import org.apache.pekko.japi.pf.UnitPFBuilder;
import org.slf4j.LoggerFactory;
import scala.PartialFunction;
import scala.runtime.BoxedUnit;

/**
 * Pekko's {@link Slf4jLogger} for the {@code steer} command, which logs a known event at DEBUG instead of ERROR;
 * every other event goes through unchanged: {@code TcpListener}'s "Bind failed for TCP channel on endpoint", with a
 * stack trace of about 25 lines. The node's start fails with it, and the command says so itself in one line naming
 * host:port ({@code ClusterNode.start}). With {@code STEER_DEBUG} set the command does not install this logger
 * ({@link #config()}), so everything shows as Pekko logs it.
 *
 * <p>Thread contract: a Pekko logger actor; Pekko creates it by reflection and calls it on its own dispatcher.
 */
public final class DemotingSlf4jLogger extends Slf4jLogger {
    private static final String TCP_LISTENER = "org.apache.pekko.io.TcpListener";
    private static final String BIND_FAILED = "Bind failed for TCP channel on endpoint";

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
        final String source = event.logClass().getName();
        final String message = String.valueOf(event.message());
        return event.level() == Logging.ErrorLevel() && TCP_LISTENER.equals(source) && message.startsWith(BIND_FAILED);
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
