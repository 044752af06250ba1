package dev.steer.actors;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.stats.EngineStats;

/**
 * How the handles of one engine talk to its map supervisor: an ask bounded by the ask timeout that gives way to the
 * engine's close (null instead of an answer once the supervisor answers no more), and the closed map whose contract
 * answers a closed engine's map operations. One per engine, shared by all its handles.
 *
 * <p>Thread contract: any thread; an ask blocks for at most the ask timeout and a second.
 */
final class SupervisorClient {
    private final ActorSystem<MapSupervisor.Command> system;
    private final EngineSettings config;
    private final SharedState shared;

    SupervisorClient(ActorSystem<MapSupervisor.Command> system, EngineSettings config, SharedState shared) {
        this.system = system;
        this.config = config;
        this.shared = shared;
    }

    /** The engine's actor system, whose guardian is the supervisor. */
    ActorSystem<MapSupervisor.Command> system() {
        return system;
    }

    /** What every handle of the engine shares. */
    SharedState shared() {
        return shared;
    }

    /** True once the engine has drained or its actor system has terminated: the supervisor answers no more. */
    boolean closed() {
        return shared.finalStats != null || system.getWhenTerminated().toCompletableFuture().isDone();
    }

    /**
     * The map as the stopped supervisor left it, closed: a map operation that reaches a closed engine gets the
     * contract's answers of a closed map (update EINVAL), not an exception.
     */
    CpuMap closedMap() {
        final CpuMap map = shared.map;
        map.close();
        return map;
    }

    /** The accounting as it stands, for an error message; never throws. */
    String liveAccounting() {
        try {
            final EngineStats stats = askUnlessClosed(MapSupervisor.GetStats::new);
            return stats == null ? "stopped" : stats.accounting().toString();
        } catch (RuntimeException ex) {
            return "stats unavailable (" + ex.getMessage() + ")";
        }
    }

    /**
     * Asks the supervisor; null when the engine is closed (before the ask, or while it waited for the answer).
     *
     * @throws IllegalStateException when the supervisor did not answer within the ask timeout, or the wait was
     *                               interrupted
     */
    <R> R askUnlessClosed(Function<ActorRef<R>, MapSupervisor.Command> message) {
        if (closed()) {
            return null;
        }
        // Either the supervisor answers, or it stops (the engine closes) first.
        final CompletableFuture<Object> firstOf = CompletableFuture.anyOf(
            AskPattern.ask(system, message::apply, config.askTimeout(), system.scheduler()).toCompletableFuture(),
            system.getWhenTerminated().toCompletableFuture());
        try {
            final Object answer = firstOf.get(config.askTimeout().toMillis() + 1_000, TimeUnit.MILLISECONDS);
            if (answer instanceof Done) {
                return null; // the system terminated first: no answer will come
            }
            @SuppressWarnings("unchecked")
            final R reply = (R) answer;
            return reply;
        } catch (ExecutionException | TimeoutException ex) {
            if (closed()) {
                return null;
            }
            throw new IllegalStateException("the map supervisor did not answer within " + config.askTimeout(), ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the map supervisor", ex);
        }
    }
}
