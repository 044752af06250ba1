package dev.steer.loadgen.traffic;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameSink;

/**
 * A {@link Feed} of synthetic traffic: each poll writes frames from a {@link TrafficGenerator} into one
 * reused scratch buffer and hands them to the sink, as many as the budget, the {@link Pacer} (when the
 * profile has a rate or an on/off pattern) and the packet limit allow. Every frame of a poll carries the same timestamp, one
 * {@link NanoClock#nanoTime()} reading per poll. A frame the sink refuses with
 * {@link FrameSink#BACK_PRESSURED} stays in the scratch buffer and is offered first in the next poll, so
 * nothing is lost or reordered, and the pacer gets the unused permits back.
 *
 * <p>Thread contract: polled by one ingress thread at a time. Allocation-free per poll.
 */
public final class SyntheticFeed implements Feed {
    /** Value of {@code limit} for a feed that never ends. */
    public static final long UNLIMITED = Long.MAX_VALUE;
    private static final VarHandle BYTES;

    static {
        try {
            BYTES = MethodHandles.lookup().findVarHandle(SyntheticFeed.class, "bytes", long.class);
        } catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final String name;
    private final TrafficGenerator generator;
    private final Pacer pacer;
    private final long limit;
    private final NanoClock clock;
    private final UnsafeBuffer scratch;
    private int pendingLength;
    private long sent;
    /** Written by the polling thread only, through {@link #BYTES}: once per poll. */
    private long bytes;
    private volatile boolean held;

    /** A feed of {@code profile}'s traffic, paced by its rate and burst, on the system clock. */
    public SyntheticFeed(String name, TrafficProfile profile, long limit) {
        this(name, new TrafficGenerator(profile), profile.newPacer(), limit, SystemNanoClock.INSTANCE);
    }

    /**
     * @param name      feed name
     * @param generator the frames; owned by this feed from now on
     * @param pacer     the rate limit, or null for as fast as the sink takes frames
     * @param limit     frames to hand over before {@link Feed#END}; {@link #UNLIMITED} for no end
     * @param clock     the clock read once per poll (the timestamps and the pacer's time)
     */
    public SyntheticFeed(String name, TrafficGenerator generator, Pacer pacer, long limit, NanoClock clock) {
        if (name == null || generator == null || clock == null) {
            throw new IllegalArgumentException("feed " + name + ": name, generator and clock must not be null");
        }
        if (limit < 0) {
            throw new IllegalArgumentException("feed " + name + ": limit=" + limit + ": must not be negative");
        }
        this.name = name;
        this.generator = generator;
        this.pacer = pacer;
        this.limit = limit;
        this.clock = clock;
        this.scratch = new UnsafeBuffer(new byte[generator.maxFrameLength()]);
    }

    @Override
    public int poll(FrameSink sink, int budget) {
        if (held) {
            return 0;
        }
        if (sent >= limit) {
            return END;
        }
        final long now = clock.nanoTime();
        final int wanted = (int) Math.min(budget, limit - sent);
        final int allowed = pacer == null ? wanted : pacer.acquire(now, wanted);
        int taken = 0;
        long takenBytes = 0;
        while (taken < allowed) {
            if (pendingLength == 0) {
                pendingLength = generator.next(scratch, 0, scratch.capacity());
            }
            if (sink.onFrame(scratch, 0, pendingLength, now) == FrameSink.BACK_PRESSURED) {
                break; // keep the frame in scratch: it is offered first next poll
            }
            takenBytes += pendingLength;
            pendingLength = 0;
            taken++;
        }
        if (pacer != null) {
            pacer.release(allowed - taken);
        }
        sent += taken;
        if (takenBytes != 0) {
            BYTES.setRelease(this, bytes + takenBytes);
        }
        return taken;
    }

    /**
     * Holds the traffic back: polls find nothing until {@link #release()}, so that a deployment can finish its
     * set-up (a cluster map, say) before the first frame. Any thread.
     *
     * @return this feed
     */
    public SyntheticFeed hold() {
        held = true;
        return this;
    }

    /** Lets the traffic flow from the next poll on. Any thread. */
    public void release() {
        held = false;
    }

    /** True while the traffic is held back ({@link #hold()}). Any thread. */
    public boolean isHeld() {
        return held;
    }

    /** Frames the sink has taken so far. */
    public long sent() {
        return sent;
    }

    /**
     * Bytes of the frames the sink has taken: their lengths as the engine saw them, Ethernet header to payload,
     * without the 4-byte FCS a wire size counts (a {@code 1518} size is a 1514-byte frame). Costs the polling thread
     * one add per frame and one ordered store per poll. Current to the last poll; any thread.
     */
    public long bytes() {
        return (long) BYTES.getAcquire(this);
    }

    /** The generator; its plan maps the flow ids in the frames' markers to tuples. */
    public TrafficGenerator generator() {
        return generator;
    }

    @Override
    public String name() {
        return name;
    }
}
