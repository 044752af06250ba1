package dev.steer.actors;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.apache.pekko.actor.typed.ActorRef;

/**
 * Tells a data-path actor, which stays inside its message handler while it has work, that a control
 * message waits in its mailbox: the actor checks the signal between two units of work (a poll, a batch)
 * with one volatile read, leaves its loop, handles the mailbox, and goes on. This keeps control messages
 * prompt without a self-message per batch, so a busy data path allocates nothing.
 *
 * <p>Thread contract: {@link #send} from any thread; {@link #takePending()} from the actor only.
 */
public final class ControlSignal {
    private static final VarHandle PENDING;

    static {
        try {
            PENDING = MethodHandles.lookup().findVarHandle(ControlSignal.class, "pending", boolean.class);
        } catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    @SuppressWarnings("unused") // accessed through PENDING
    private volatile boolean pending;
    private volatile Thread waiter;

    /**
     * Delivers {@code message} to {@code target}, then raises the signal (the message is queued before the
     * actor looks) and unparks the actor's thread in case it is parked waiting for work.
     */
    public <T> void send(ActorRef<T> target, T message) {
        target.tell(message);
        PENDING.setVolatile(this, true);
        final Thread thread = waiter;
        if (thread != null) {
            java.util.concurrent.locks.LockSupport.unpark(thread);
        }
    }

    /** Actor only: the thread to unpark when a control message is sent (an actor that parks its thread). */
    public void waiter(Thread thread) {
        this.waiter = thread;
    }

    /** Actor only: true, and cleared, when a control message was sent since the last call. */
    public boolean takePending() {
        return (boolean) PENDING.getVolatile(this) && PENDING.compareAndSet(this, true, false);
    }
}
