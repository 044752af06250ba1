package dev.steer.actors;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

import dev.steer.engine.path.EngineWarning;
import dev.steer.engine.stats.EngineStats;

/**
 * The end of an engine: asks the map supervisor to drain (stop the feeds, drain and stop every entry), keeps the
 * final stats in what every handle shares, and terminates the actor system; the same drain as a task of Pekko's
 * CoordinatedShutdown. Bounded by the close timeout; a drain that outlasts it goes on, so that a later call can
 * still return its final stats.
 *
 * <p>Thread contract: any thread but the engine's data-path threads (the caller, {@link SteerEngine#shutdown()},
 * checks). Blocks up to twice the close timeout.
 */
final class EngineShutdown {
    private final ActorSystem<MapSupervisor.Command> system;
    private final Duration closeTimeout;
    private final ErrorHandler errorHandler;
    private final SharedState shared;
    private final Supplier<String> liveAccounting;

    EngineShutdown(ActorSystem<MapSupervisor.Command> system, Duration closeTimeout, ErrorHandler errorHandler,
                   SharedState shared, Supplier<String> liveAccounting) {
        this.system = system;
        this.closeTimeout = closeTimeout;
        this.errorHandler = errorHandler;
        this.shared = shared;
        this.liveAccounting = liveAccounting;
    }

    /** See {@link SteerEngine#shutdown()}. */
    EngineStats shutdown() {
        if (shared.finalStats != null) {
            // Drained already (an earlier call, or CoordinatedShutdown): the stats are final. terminate() runs
            // CoordinatedShutdown, or joins the one that drained the engine and may still be running its later
            // phases (a cluster node's leave, Artery's shutdown): wait for it, so that the caller can exit the JVM
            // at once. Returning earlier let a System.exit start Pekko's JVM hook before the system was gone, and
            // the hook then waited up to the sum of the phase timeouts, about 95 s.
            system.terminate();
            try {
                system.getWhenTerminated().toCompletableFuture()
                    .get(closeTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException ex) {
                // The stats are final whatever the system does now: report, do not lose them.
                errorHandler.onError("engine", new EngineWarning(
                    "the actor system did not terminate within " + closeTimeout + " after the drain: " + ex, ex));
            }
            return shared.finalStats;
        }
        final EngineStats stats;
        try {
            // Or the system terminates first: the drain finished (its stats are in shared) as this ask was sent.
            final Object answer = CompletableFuture.anyOf(
                AskPattern.<MapSupervisor.Command, EngineStats>ask(system, MapSupervisor.Shutdown::new,
                    closeTimeout, system.scheduler()).toCompletableFuture(),
                system.getWhenTerminated().toCompletableFuture())
                .get(closeTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!(answer instanceof EngineStats)) {
                throw new ExecutionException("the actor system terminated", null);
            }
            stats = (EngineStats) answer;
        } catch (ExecutionException | TimeoutException ex) {
            if (shared.finalStats != null) {
                return shutdown(); // drained as the wait ended: wait for the system, return the stats
            }
            if (system.getWhenTerminated().toCompletableFuture().isDone()) {
                throw new IllegalStateException("the engine's actor system terminated before the drain finished;"
                    + " no final stats", ex);
            }
            // The drain goes on (a data-path thread is held up: a blocking handler, program, feed or error handler).
            // Terminating the system here could not free that thread, only lose the frames it holds from the
            // accounting; left running, the drain can still finish and a later call return its final stats.
            throw new IllegalStateException("engine did not shut down within " + closeTimeout
                + "; the drain goes on (a handler, program, feed or error handler may be blocking a data-path"
                + " thread), call shutdown() again to wait for it; now " + liveAccounting.get(), ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while shutting the engine down", ex);
        }
        shared.finalStats = stats;
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(closeTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException ex) {
            throw new IllegalStateException("actor system did not terminate within " + closeTimeout, ex);
        }
        return stats;
    }

    /** CoordinatedShutdown task: the same drain as {@link #shutdown()}, unless that has already run. */
    CompletionStage<Done> drainForCoordinatedShutdown() {
        if (shared.finalStats != null) {
            return CompletableFuture.completedFuture(Done.getInstance());
        }
        return AskPattern.<MapSupervisor.Command, EngineStats>ask(system, MapSupervisor.Shutdown::new,
            closeTimeout, system.scheduler()).thenApply(stats -> {
                shared.finalStats = stats;
                return Done.getInstance();
            });
    }
}
