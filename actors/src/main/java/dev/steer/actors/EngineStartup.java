package dev.steer.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;

import dev.steer.engine.map.Capabilities;
import dev.steer.engine.stats.EngineStats;

/**
 * The start of an engine from checked settings: the configuration of its actor system, the system with the map
 * supervisor as its guardian, the wait for the supervisor's first answer (or the failure of its setup), and the drain
 * task that Pekko's CoordinatedShutdown runs on a JVM shutdown. The counterpart of {@link EngineShutdown}; what
 * {@link SteerEngine.Builder#start()} does once it has checked its settings and used the builder up.
 *
 * <p>Thread contract: the thread that calls {@code start()}. Blocks until the supervisor answers, at most the ask
 * timeout and a second.
 */
final class EngineStartup {
    private EngineStartup() {
    }

    /**
     * Starts the engine of {@code settings}, checked already.
     *
     * @throws IllegalStateException when the engine cannot start (its setup failed, or the supervisor did not answer)
     */
    static SteerEngine start(SteerEngine.Builder settings) {
        final Config config = actorSystemConfig(settings);
        final SharedState shared = new SharedState();
        final ActorSystem<MapSupervisor.Command> system =
            ActorSystem.create(MapSupervisor.create(settings, shared), settings.systemName, config);
        final SupervisorClient supervisor = new SupervisorClient(system, settings, shared);
        // Either the supervisor answers (it started) or the system terminates (its setup failed).
        final EngineStats first;
        try {
            first = supervisor.askUnlessClosed(MapSupervisor.GetStats::new);
        } catch (IllegalStateException ex) {
            system.terminate();
            throw new IllegalStateException("engine did not start: "
                + (settings.startFailure == null ? ex.getMessage() : settings.startFailure.getMessage()), ex);
        }
        if (first == null) {
            throw new IllegalStateException("engine did not start: "
                + (settings.startFailure == null ? "its actor system terminated" : settings.startFailure.getMessage()),
                settings.startFailure);
        }
        // A JVM shutdown (SIGTERM) runs Pekko's CoordinatedShutdown: let it drain the engine first, as
        // shutdown() does; the ingress loops yield to control messages, not to Pekko's system messages.
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceStop(), "steer-drain",
            () -> new EngineShutdown(system, settings.closeTimeout(), settings.errorHandler(), shared,
                supervisor::liveAccounting).drainForCoordinatedShutdown());
        return new SteerEngine(supervisor, settings, Capabilities.admin());
    }

    /**
     * The engine's actor system's configuration: {@link SteerEngine.Builder#actorConfig}, over the drain's timeout,
     * over Steer's engine defaults, over Pekko's reference.conf (with the system properties that
     * {@link ConfigFactory#defaultReference} lays over it). Not {@link ConfigFactory#load}: the host's
     * application.conf stays the host's.
     */
    private static Config actorSystemConfig(EngineSettings settings) {
        final ClassLoader loader = SteerEngine.class.getClassLoader();
        // The engine's drain runs in CoordinatedShutdown's service-stop phase (see start()), so give it the
        // close timeout rather than Pekko's default 5 s.
        return settings.actorConfig
            .withFallback(ConfigFactory.parseString("pekko.coordinated-shutdown.phases.service-stop.timeout = "
                + settings.closeTimeout().toMillis() + "ms"))
            .withFallback(ConfigFactory.parseResources(loader, "dev/steer/actors/engine-defaults.conf"))
            .withFallback(ConfigFactory.defaultReference(loader))
            .resolve();
    }
}
