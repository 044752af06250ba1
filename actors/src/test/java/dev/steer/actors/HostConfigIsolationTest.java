package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.concurrent.TimeUnit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuSet;

/**
 * The engine's actor system is configured by Pekko's reference.conf, Steer's defaults and the builder's
 * {@code actorConfig(...)} only, never by the host service's application.conf: the host's settings (exit-jvm with an
 * exit code, a cluster provider, ports) are for its own actor systems. The test class path carries such a file
 * (src/test/resources/application.conf, with a key of its own and {@code exit-code = 7}).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HostConfigIsolationTest {
    private static SteerEngine.Builder engine(String name) {
        return SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(1).entry(0, 64).pinning(false).systemName(name)
            .errorHandler((where, error) -> { });
    }

    @Test
    void shouldNotReadTheHostsApplicationConfWhenStartingTheEngine() {
        // The host's file is in effect for the host: what ConfigFactory.load() gives every other actor system.
        assertEquals("read", ConfigFactory.load().getString("steer-test.host-application"));
        assertEquals(7, ConfigFactory.load().getInt("pekko.coordinated-shutdown.exit-code"));

        final SteerEngine engine = engine("host-config").start();
        try {
            final Config config = engine.actorSystem().settings().config();
            assertFalse(config.hasPath("steer-test.host-application"), "the host's application.conf was merged");
            assertEquals(0, config.getInt("pekko.coordinated-shutdown.exit-code"), "Pekko's reference value");
            assertFalse(config.getBoolean("pekko.coordinated-shutdown.exit-jvm"));
            assertEquals("WARNING", config.getString("pekko.loglevel"), "Steer's engine defaults");
            assertEquals("PinnedDispatcher", config.getString("steer.pinned-dispatcher.type"), "Steer's reference.conf");
        } finally {
            engine.shutdown();
        }
    }

    @Test
    void shouldApplyTheExplicitActorConfigOverTheDefaultsWhenOneIsGiven() {
        final SteerEngine engine = engine("explicit-config").actorConfig(ConfigFactory.parseString(
            "pekko.coordinated-shutdown.exit-code = 3\npekko.loglevel = ERROR\nsteer-test.explicit = yes")).start();
        try {
            final Config config = engine.actorSystem().settings().config();
            assertEquals(3, config.getInt("pekko.coordinated-shutdown.exit-code"));
            assertEquals("ERROR", config.getString("pekko.loglevel"));
            assertEquals("yes", config.getString("steer-test.explicit"));
            assertFalse(config.hasPath("steer-test.host-application"), "the host's application.conf was merged");
        } finally {
            engine.shutdown();
        }
    }
}
