package dev.steer.actors;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

import dev.steer.engine.map.ConsumerWakeup;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuMapEntry;
import dev.steer.engine.path.ConsumerPath;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.stats.PathCounters;

/**
 * The consumer of one cpumap entry, the analogue of the cpumap kthread. It runs on a pinned dispatcher
 * (one thread of its own, pinned to the entry's CPU where the OS allows) and its mailbox for frames is the
 * entry's ring: on {@link DataPath.Run} it drains the ring in batches through a {@link ConsumerPath}
 * (remote program, then the handler once per batch, then frames back to their pools) until the ring is
 * empty, then parks its thread.
 *
 * <p>Parking without a lost wake-up: the actor sets its {@code parked} flag, then looks at the ring once
 * more; a producer puts frames in the ring, then reads the flag and, if it is set and it wins the
 * compare-and-set that clears it, unparks the consumer's thread. Both sides write before they read
 * (volatile), so at least one of them sees the other: either the recheck finds the frames or the producer
 * finds the flag. The thread parks at most {@link #PARK_NANOS} at a time, then lets its mailbox run once, so
 * Pekko's system messages are never held up for long; waking it allocates nothing.
 *
 * <p>Control messages ({@link DataPath.Quiesce}, {@link DataPath.Stop}) arrive through a
 * {@link ControlSignal} and are handled between two batches. {@link DataPath.Stop} is drain-then-stop:
 * every frame already in the ring is delivered, then the actor stops.
 */
public final class ConsumerActor extends AbstractBehavior<DataPath.Command> {
    /** How a consumer reacts to a handler or remote-program exception (the frames are counted either way). */
    public enum FailurePolicy {
        /** Count the batch as handler errors and go on with the next batch. The default. */
        RESUME,
        /** Count, then restart the actor: a fresh path (remote program instance, batches) on the same ring. */
        RESTART
    }

    /** Longest a consumer parks before it lets its mailbox run once; producers and control messages wake it sooner. */
    static final long PARK_NANOS = 100_000_000L;

    /**
     * Rounds a consumer spins on a slot that a producer has claimed but not yet written before it starts to yield
     * its CPU between rounds: the write normally lands within nanoseconds, but a producer descheduled between
     * claim and write holds it up for a scheduler slice, and on a machine of few cores the thread that would run
     * instead needs this one's CPU.
     */
    static final int UNPUBLISHED_SPINS = 64;

    /** Bound on restarts within {@link #RESTART_WINDOW}; past it the actor stops and the supervisor respawns it. */
    static final int MAX_RESTARTS = 100;
    static final Duration RESTART_WINDOW = Duration.ofMinutes(1);

    /** Settings of one consumer, fixed for its life; {@code parkNanos} bounds one park (see {@link #PARK_NANOS}). */
    record Settings(CpuMapEntry entry, CpuMap map, FrameHandler handler, int batchSize, IdleMode idleMode,
                    boolean pin, FailurePolicy failurePolicy, ErrorHandler errors, ControlSignal signal,
                    long parkNanos) {
    }

    /** Thrown inside the actor to have Pekko restart it after a counted handler failure. */
    static final class RestartRequested extends RuntimeException {
        RestartRequested(String where) {
            super("restart of " + where + " after a handler failure", null, false, false);
        }
    }

    /** What survives a restart: whether the actor started before, and whether it is draining to stop. */
    private static final class Lifetime {
        boolean started;
        boolean draining;
    }

    private final Settings settings;
    private final Lifetime lifetime;
    private final ConsumerPath path;
    private final Wakeup wakeup;
    private final ActorRef<DataPath.Command> self;
    private boolean restartRequested;
    private int idleRounds;
    private int unpublishedRounds;

    /** The consumer's behavior, supervised per its failure policy. */
    static Behavior<DataPath.Command> create(Settings settings) {
        final Lifetime lifetime = new Lifetime();
        final Behavior<DataPath.Command> behavior = Behaviors.setup(context -> {
            if (lifetime.started) {
                settings.entry().counters().increment(PathCounters.Counter.RESTARTS);
            }
            lifetime.started = true;
            return new ConsumerActor(context, settings, lifetime);
        });
        // Pekko's own failure logging is off: every failure is already counted and sent to the error handler,
        // which rate-limits; a stack trace per failed batch would not be.
        return Behaviors.supervise(behavior).onFailure(RestartRequested.class,
            SupervisorStrategy.restart().withLimit(MAX_RESTARTS, RESTART_WINDOW).withLoggingEnabled(false));
    }

    private ConsumerActor(ActorContext<DataPath.Command> context, Settings settings, Lifetime lifetime) {
        super(context);
        this.settings = settings;
        this.lifetime = lifetime;
        this.self = context.getSelf();
        DataPath.markDataPathThread(context.getSystem());
        this.path = new ConsumerPath(settings.entry(), settings.map(), settings.handler(), settings.batchSize(),
            (where, error) -> {
                // First: an error handler that throws is contained by the path, and must not cancel the restart.
                if (settings.failurePolicy() == FailurePolicy.RESTART) {
                    restartRequested = true;
                }
                settings.errors().onError(where, error);
            });
        DataPath.pinOrWarn(settings.pin(), settings.entry().cpu(), settings.errors(), settings.entry().counters());
        this.wakeup = new Wakeup();
        settings.signal().waiter(Thread.currentThread());
        settings.entry().wakeup(wakeup);
        self.tell(DataPath.Run.INSTANCE);
    }

    @Override
    public Receive<DataPath.Command> createReceive() {
        return newReceiveBuilder()
            .onMessageEquals(DataPath.Run.INSTANCE, this::run)
            .onMessage(DataPath.Quiesce.class, this::quiesce)
            .onMessageEquals(DataPath.Stop.INSTANCE, this::drainThenStop)
            .build();
    }

    private Behavior<DataPath.Command> run() {
        while (true) {
            if (settings.signal().takePending()) {
                self.tell(DataPath.Run.INSTANCE);
                return this;
            }
            final int taken = path.doWork();
            if (restartRequested) {
                throw new RestartRequested(path.counters().name());
            }
            if (taken > 0) {
                idleRounds = 0;
                unpublishedRounds = 0;
                continue;
            }
            if (lifetime.draining) {
                if (path.isEmpty()) {
                    settings.entry().wakeup(ConsumerWakeup.NONE);
                    return Behaviors.stopped();
                }
                awaitPublish(); // a claimed slot is being written by a producer that is about to ack
                continue;
            }
            if (keepSpinning()) {
                continue;
            }
            if (park()) {
                return this;
            }
        }
    }

    /** Idle-strategy rounds before parking; false when it is time to park. */
    private boolean keepSpinning() {
        switch (settings.idleMode()) {
            case BUSY_SPIN -> {
                Thread.onSpinWait();
                return true;
            }
            case YIELD -> {
                Thread.yield();
                return true;
            }
            case BACKOFF -> {
                if (idleRounds++ < IdleMode.CONSUMER_BACKOFF_ROUNDS) {
                    if (idleRounds < IdleMode.CONSUMER_BACKOFF_ROUNDS / 2) {
                        Thread.onSpinWait();
                    } else {
                        Thread.yield();
                    }
                    return true;
                }
                return false;
            }
            default -> {
                return false;
            }
        }
    }

    /**
     * Parks the consumer's thread until a producer or a control message wakes it: sets the parked flag,
     * rechecks the ring, then {@link LockSupport#parkNanos} for at most {@link #PARK_NANOS}. Returns true when
     * the actor should return to its mailbox (the park timed out: pending system messages get their turn);
     * false when it should go on with its loop.
     */
    private boolean park() {
        wakeup.park();
        if (!path.isEmpty()) {
            // Frames arrived between the drain and the flag, or a producer is writing a slot it claimed: take the
            // flag back (or a producer already did, and its unpark leaves a permit that makes the next park return
            // at once).
            wakeup.unpark();
            awaitPublish();
            return false;
        }
        path.idle();
        idleRounds = 0;
        final long start = System.nanoTime();
        LockSupport.parkNanos(this, settings.parkNanos());
        if (wakeup.unpark() && System.nanoTime() - start >= settings.parkNanos()) {
            // Nobody woke us: let the mailbox run (system messages, a stop), then continue.
            self.tell(DataPath.Run.INSTANCE);
            return true;
        }
        return false;
    }

    /**
     * The ring is not empty but the last drain took nothing: a producer has claimed slots and not yet written them.
     * Spins at first; past {@link #UNPUBLISHED_SPINS} rounds the producer has likely been descheduled, so each
     * round yields the CPU, which the thread that displaced it may be waiting for.
     */
    private void awaitPublish() {
        if (++unpublishedRounds > UNPUBLISHED_SPINS) {
            Thread.yield();
        } else {
            Thread.onSpinWait();
        }
    }

    private Behavior<DataPath.Command> quiesce(DataPath.Quiesce quiesce) {
        DataPath.acknowledge(quiesce, self);
        return this;
    }

    private Behavior<DataPath.Command> drainThenStop() {
        lifetime.draining = true;
        wakeup.unpark();
        return run();
    }

    /**
     * The wake-up producers call after an end-of-poll flush (an ingress defers it for at most three polls while
     * its feed keeps delivering, see {@code IngressPath.MAX_DEFERRED_WAKEUPS}): one volatile read when the
     * consumer is awake; when it is parked, the producer that wins the flag unparks the consumer's thread.
     * Allocation-free.
     */
    static final class Wakeup extends WakeupPad1 implements ConsumerWakeup {
        /** A wake-up for the calling thread, which is the consumer's (pinned, so it stays the same). */
        Wakeup() {
            super(Thread.currentThread());
        }

        @Override
        public void wake() {
            if ((boolean) PARKED.getVolatile(this) && PARKED.compareAndSet(this, true, false)) {
                LockSupport.unpark(consumer);
            }
        }

        void park() {
            PARKED.setVolatile(this, true);
        }

        /** Takes the flag back; false when a producer cleared it first (and so unparked the thread). */
        boolean unpark() {
            return PARKED.compareAndSet(this, true, false);
        }
    }

    /** Padding in front of the parked flag (superclass fields come first; the int fills the header's gap). */
    abstract static class WakeupPad0 {
        int p;
        long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
    }

    /**
     * The flag every producer reads after every poll, on a cache line of its own: the consumer allocates its
     * wake-up among objects it writes on every batch, and the flag must not share their line.
     */
    abstract static class WakeupFields extends WakeupPad0 {
        static final VarHandle PARKED;

        static {
            try {
                PARKED = MethodHandles.lookup().findVarHandle(WakeupFields.class, "parked", boolean.class);
            } catch (ReflectiveOperationException ex) {
                throw new ExceptionInInitializerError(ex);
            }
        }

        final Thread consumer;
        @SuppressWarnings("unused") // accessed through PARKED
        volatile boolean parked;

        WakeupFields(Thread consumer) {
            this.consumer = consumer;
        }
    }

    /** Padding behind the parked flag. */
    abstract static class WakeupPad1 extends WakeupFields {
        long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;

        WakeupPad1(Thread consumer) {
            super(consumer);
        }
    }
}
