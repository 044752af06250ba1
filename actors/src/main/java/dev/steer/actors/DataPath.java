package dev.steer.actors;

import java.util.function.Supplier;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;

import dev.steer.engine.map.MapSnapshot;
import dev.steer.engine.path.EngineWarning;
import dev.steer.engine.path.HandlerBatch;
import dev.steer.engine.stats.PathCounters;

/**
 * The protocol that ingress and consumer actors share: they run data-path loops, take part in the map
 * supervisor's quiescence barrier, and stop on request.
 */
public final class DataPath {
    /**
     * The engine (its actor system) whose data path the current thread runs, set by each ingress and consumer on
     * its pinned thread: user code called there (a handler, a program, a feed, the error handler) must not wait for
     * that engine's shutdown, which waits for the same thread.
     */
    private static final ThreadLocal<ActorSystem<?>> DATA_PATH_OF = new ThreadLocal<>();

    private DataPath() {
    }

    /** Marks the calling thread as one of {@code system}'s data-path threads; on the actor's own thread. */
    static void markDataPathThread(ActorSystem<?> system) {
        DATA_PATH_OF.set(system);
    }

    /** True when the calling thread runs an ingress or consumer of {@code system}. Any thread; a thread-local read. */
    static boolean onDataPathOf(ActorSystem<?> system) {
        return DATA_PATH_OF.get() == system;
    }

    /** Messages a data-path actor understands. */
    public interface Command {
    }

    /** Runs the data-path loop; sent by the actor to itself and by producers that wake a parked consumer. */
    public enum Run implements Command {
        /** The one instance: sending it allocates no message. */
        INSTANCE
    }

    /**
     * Quiescence barrier: handled between two polls (ingress) or batches (consumer), when the actor has
     * flushed every bulk queue and will read the map snapshot afresh before its next one; the reply says that
     * the actor can no longer reach any entry that had left the map before the barrier began.
     *
     * @param epoch   the barrier's number
     * @param replyTo who collects the acknowledgements
     * @throws IllegalArgumentException when {@code replyTo} is null
     */
    public record Quiesce(long epoch, ActorRef<Quiesced> replyTo) implements Command {
        /** Refuses a null {@code replyTo}: the actor acknowledges every barrier, and would throw at this one. */
        public Quiesce {
            require(replyTo, "Quiesce", "replyTo", "the ActorRef that collects the Quiesced");
        }
    }

    /**
     * Acknowledgement of a {@link Quiesce}.
     *
     * @param epoch the barrier's number
     * @param from  the acknowledging actor
     */
    public record Quiesced(long epoch, ActorRef<Command> from) {
    }

    /**
     * Sent by the supervisor to a producer added with {@link MapSupervisor.AttachProducer}: how to read the
     * map's published snapshot (lock-free, any thread). Local only; never crosses the network.
     *
     * @param snapshots reads the current snapshot
     * @throws IllegalArgumentException when {@code snapshots} is null
     */
    public record MapView(Supplier<MapSnapshot> snapshots) implements Command {
        /** Refuses a null {@code snapshots}: the producer reads the map through it, and threw at its first read. */
        public MapView {
            require(snapshots, "MapView", "snapshots", "the Supplier of the map's published snapshot");
        }
    }

    /** Consumer: deliver every frame still in the ring, then stop. Ingress: stop polling, close the feed, stop. */
    public enum Stop implements Command {
        /** The one instance. */
        INSTANCE
    }

    /**
     * Pins the calling data-path thread to {@code cpu} when pinning is on; when the OS refuses, reports a
     * warning naming the reason to {@code errors} and the thread runs unpinned.
     */
    static void pinOrWarn(boolean pin, int cpu, ErrorHandler errors, PathCounters counters) {
        if (!pin) {
            return;
        }
        final CpuAffinity.Result pinned = CpuAffinity.pinCurrentThread(cpu);
        if (!pinned.pinned()) {
            report(errors, counters, new EngineWarning(counters.name() + " runs unpinned: " + pinned.reason()));
        }
    }

    /**
     * Reports {@code error} of the path that {@code counters} count to {@code errors}; an error handler that throws
     * is contained and counted in {@link PathCounters.Counter#ERROR_HANDLER_FAILURES}, so that it cannot stop or
     * restart a data-path actor.
     */
    static void report(ErrorHandler errors, PathCounters counters, Throwable error) {
        HandlerBatch.report(errors::onError, counters, error);
    }

    /** Replies to a quiescence barrier: the caller is between two units of work, with nothing queued. */
    static void acknowledge(Quiesce quiesce, ActorRef<Command> self) {
        quiesce.replyTo().tell(new Quiesced(quiesce.epoch(), self));
    }

    /**
     * Refuses, where a request message is built, a null field its receiver needs (a reply-to, a producer's ref): sent,
     * it made the receiving actor throw, and the answer was lost. Wrong use of the API, so an
     * {@link IllegalArgumentException} naming the message and the field; the cluster's messages refuse theirs with it
     * too. Any thread; allocates only the message of the exception.
     *
     * @throws IllegalArgumentException {@code MESSAGE FIELD=null: must be ALLOWED} when {@code value} is null
     */
    public static void require(Object value, String message, String field, String allowed) {
        if (value == null) {
            throw new IllegalArgumentException(message + " " + field + "=null: must be " + allowed);
        }
    }

    /** A data-path actor and its control signal, as the supervisor keeps them. */
    public record Participant(String name, ActorRef<Command> ref, ControlSignal signal) {
        /** Sends a control message so that the actor sees it between two units of work. */
        public void send(Command message) {
            signal.send(ref, message);
        }
    }
}
