package dev.steer.actors;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import org.agrona.concurrent.IdleStrategy;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

import dev.steer.engine.path.Feed;
import dev.steer.engine.path.IngressPath;
import dev.steer.engine.stats.PathCounters;

/**
 * One ingress, the analogue of a NIC queue's NAPI context: on a pinned dispatcher of its own, it polls its
 * feed through an {@link IngressPath} (at most {@code budget} frames, the steering program on each, bulk
 * queues flushed at the end of every poll), polls again, and backs off with its idle strategy when the feed
 * is empty. Control messages arrive through a {@link ControlSignal} and are handled between two polls, where
 * nothing is queued: that is where it acknowledges the supervisor's quiescence barrier.
 *
 * <p>A feed that throws is counted ({@code feed_errors}), reported, and the ingress restarts with backoff
 * (10 ms to 1 s, at most {@value #MAX_RESTARTS} times); the path, its pool and counters survive the
 * restart. A feed that ends ({@link Feed#END}) leaves the ingress idle but alive for control messages. The feed
 * is closed once, when the ingress stops or, for an ingress that gave up, by the supervisor when it has terminated.
 */
public final class IngressActor extends AbstractBehavior<DataPath.Command> {
    /** Restarts of a failing feed before the ingress gives up and stops (tests may set fewer). */
    static final int MAX_RESTARTS = 100;

    /** Settings of one ingress, fixed for its life. */
    record Settings(IngressPath path, Feed feed, int cpu, boolean pin, IdleMode idleMode, ErrorHandler errors,
                    ControlSignal signal, ActorRef<FeedEnded> ended, AtomicBoolean feedClosed, int maxRestarts) {
    }

    /**
     * Closes the feed with {@link Feed#close(dev.steer.engine.path.FrameSink)} unless it was closed already: by the
     * ingress on its stop, or by the supervisor once an ingress that gave up has terminated. After the last poll.
     * A close that throws is counted in {@code feed_errors} and reported; there is nothing left to restart.
     */
    static void closeFeed(Settings settings) {
        if (!settings.feedClosed().compareAndSet(false, true)) {
            return;
        }
        try {
            // Through the path, which flushes what the close handed over: else it would stay in flight for ever.
            settings.path().close(settings.feed());
        } catch (Throwable error) {
            // The ingress has stopped (this runs on its thread as it stops, or on the supervisor's after it
            // terminated), so no other thread writes its counters now.
            settings.path().counters().increment(PathCounters.Counter.FEED_ERRORS);
            DataPath.report(settings.errors(), settings.path().counters(), error);
        }
    }

    /**
     * Told to the supervisor when the feed has ended.
     *
     * @param name the ingress' name
     */
    public record FeedEnded(String name) {
    }

    /** Thrown to have Pekko restart the ingress after a counted feed failure. */
    static final class FeedFailed extends RuntimeException {
        FeedFailed(String where, Throwable cause) {
            super("feed of " + where + " failed", cause);
        }
    }

    private final Settings settings;
    private final IngressPath path;
    private final IdleStrategy idle;
    private final ActorRef<DataPath.Command> self;
    private boolean ended;

    /** The ingress' behavior, restarted with backoff when its feed throws. */
    static Behavior<DataPath.Command> create(Settings settings) {
        final boolean[] started = {false};
        final Behavior<DataPath.Command> behavior = Behaviors.setup(context -> {
            if (started[0]) {
                settings.path().counters().increment(PathCounters.Counter.RESTARTS);
            }
            started[0] = true;
            return new IngressActor(context, settings);
        });
        return Behaviors.supervise(behavior).onFailure(FeedFailed.class,
            SupervisorStrategy.restartWithBackoff(Duration.ofMillis(10), Duration.ofSeconds(1), 0.2)
                .withMaxRestarts(settings.maxRestarts()).withLoggingEnabled(false));
    }

    private IngressActor(ActorContext<DataPath.Command> context, Settings settings) {
        super(context);
        this.settings = settings;
        this.path = settings.path();
        this.idle = settings.idleMode().ingressIdleStrategy();
        this.self = context.getSelf();
        DataPath.markDataPathThread(context.getSystem());
        DataPath.pinOrWarn(settings.pin(), settings.cpu(), settings.errors(), path.counters());
        self.tell(DataPath.Run.INSTANCE);
    }

    @Override
    public Receive<DataPath.Command> createReceive() {
        return newReceiveBuilder()
            .onMessageEquals(DataPath.Run.INSTANCE, this::run)
            .onMessage(DataPath.Quiesce.class, this::quiesce)
            .onMessageEquals(DataPath.Stop.INSTANCE, this::stop)
            .build();
    }

    private Behavior<DataPath.Command> run() {
        if (ended) {
            return this;
        }
        while (true) {
            if (settings.signal().takePending()) {
                path.wakeConsumers();
                self.tell(DataPath.Run.INSTANCE);
                return this;
            }
            final int polled;
            try {
                polled = path.poll(settings.feed());
            } catch (Throwable error) {
                path.counters().increment(PathCounters.Counter.FEED_ERRORS);
                DataPath.report(settings.errors(), path.counters(), error);
                throw new FeedFailed(path.counters().name(), error);
            }
            if (polled == Feed.END) {
                ended = true;
                settings.ended().tell(new FeedEnded(path.counters().name()));
                return this;
            }
            if (polled > 0) {
                idle.reset();
            } else {
                path.counters().increment(PathCounters.Counter.SCHED);
                idle.idle();
            }
        }
    }

    private Behavior<DataPath.Command> quiesce(DataPath.Quiesce quiesce) {
        DataPath.acknowledge(quiesce, self);
        return this;
    }

    private Behavior<DataPath.Command> stop() {
        path.wakeConsumers();
        closeFeed(settings);
        return Behaviors.stopped();
    }
}
