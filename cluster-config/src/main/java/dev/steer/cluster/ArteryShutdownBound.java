package dev.steer.cluster;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.remote.RemoteActorRefProvider;
import org.apache.pekko.remote.artery.ArteryTransport;

/**
 * Bounds Artery's shutdown, which Pekko 1.x does not. Artery stops its streams, waits for every one of them to
 * complete, and only then closes its transport (for {@code aeron-udp}: stops the embedded media driver and deletes its
 * directory); the actor system's termination waits for that without a timeout. An outbound control stream that
 * finishes while an Aeron offer to a peer that has just gone is pending never completes: Pekko 1.7's Aeron sink waits
 * for the offer up to {@code give-up-system-message-after} (6 h). The node's actor system then never terminated and
 * its driver directory stayed in {@code /dev/shm} (docs/cluster.md, "Shutting a node down").
 *
 * <p>So when the system has not terminated {@link #STREAMS_TIMEOUT} after Artery's flush could have ended (its
 * {@code shutdown-flush-timeout}, counted from coordinated shutdown's last phase, which starts Artery's shutdown),
 * the streams Artery still waits for are aborted by shutting down the stream materializer they run on; Artery then
 * goes on with its own shutdown, driver and directory included. Pekko's main branch does the same with its
 * {@code shutdown-streams-timeout} (apache/pekko#3317), not in 1.7.0; drop this once Steer has it. Touches
 * {@link ArteryTransport#materializer()}, a member Pekko declares protected (public in the bytecode).
 *
 * <p>Thread contract: {@link #install} once per actor system, on any thread; the check runs on the JDK's delayed
 * executor, not on the actor system.
 */
final class ArteryShutdownBound {
    /** How long Artery's streams may take to complete after its flush before they are aborted. */
    static final Duration STREAMS_TIMEOUT = Duration.ofSeconds(5);
    private static final String FLUSH_TIMEOUT = "pekko.remote.artery.advanced.shutdown-flush-timeout";

    private ArteryShutdownBound() {
    }

    /**
     * Adds the bound to {@code system}'s coordinated shutdown (a task of its {@code actor-system-terminate} phase);
     * nothing when the system does not run Artery.
     */
    static void install(ActorSystem<?> system) {
        if (!(((ExtendedActorSystem) system.classicSystem()).provider() instanceof RemoteActorRefProvider provider)
            || !(provider.transport() instanceof ArteryTransport transport)) {
            return;
        }
        final long afterMs = system.settings().config().getDuration(FLUSH_TIMEOUT, TimeUnit.MILLISECONDS)
            + STREAMS_TIMEOUT.toMillis();
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseActorSystemTerminate(),
            "steer-artery-shutdown-bound", () -> {
                CompletableFuture.runAsync(() -> abortIfStuck(system, transport, afterMs),
                    CompletableFuture.delayedExecutor(afterMs, TimeUnit.MILLISECONDS));
                return CompletableFuture.completedFuture(Done.getInstance());
            });
    }

    /** Aborts Artery's remaining streams when its shutdown has begun and the system has still not terminated. */
    private static void abortIfStuck(ActorSystem<?> system, ArteryTransport transport, long afterMs) {
        if (system.whenTerminated().isCompleted() || !transport.isShutdown()) {
            return;
        }
        system.log().warn("Artery's shutdown still waits for its streams {} ms after the actor system began to"
            + " terminate (an offer to a node that has gone, say): aborting them so that it closes its transport"
            + " and the system terminates", afterMs);
        try {
            transport.materializer().shutdown();
        } catch (RuntimeException ex) {
            // Off the actor system's threads, on the JDK's executor, which would drop it: say so instead.
            system.log().error("could not abort Artery's streams; the actor system may not terminate", ex);
        }
    }
}
