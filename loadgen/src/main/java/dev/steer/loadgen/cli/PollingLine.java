package dev.steer.loadgen.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters;
import dev.steer.engine.stats.PathStats;
import dev.steer.loadgen.stats.Units;

/**
 * The run's {@code running: N ingresses polling} line: said once, when every ingress of the run's feeds has polled its
 * feed. The feeds were opened long before (an AF_PACKET ring fills and overruns until its ingress polls): this, not
 * the engine's start, is when an external sender should begin.
 *
 * <p>When the run's feeds are held inputs ({@link HeldFeed}: UDP, AF_PACKET, Aeron, pcap), a feed counts as polled once
 * it has been polled since its release ({@link HeldFeed#polledSinceRelease()}), with or without senders of the run's
 * own: the engine's POLLS counter also counts the polls of the held feed, which return without touching the real one,
 * so it is above 0 before the real first poll, and a sender started then would have its first datagrams among the
 * kernel's drops before the first poll. Those flags are looked at on every turn of the run's loop and in every live
 * sample, a volatile read each, and the engine is never asked; the partial line comes when the asks would have ended.
 *
 * <p>Otherwise (synthetic feeds) each look of its own is an ask of the engine's stats, an actor ask that takes
 * 0.2-0.3 s on a loaded machine and disturbs the run it measures: it asks at most every {@link #LOOK_NS} (counted
 * from the end of the ask before) and at most {@link #MAX_ASKS} times, and looks at every live sample the run takes
 * anyway for free. When an ingress has not polled by the last ask, or by the run's end, it says how many had:
 * {@code running: 1 of 2 ingresses polled so far; not every ingress is polling yet}, with none of the full line's
 * words after the count, so that a sender waiting for the full line does not take it for one; the live samples may
 * still show every ingress polling later, and the full line is said then.
 *
 * <p>A run that starts its own senders first waits for the first poll of each feed it released
 * ({@link #awaitFirstPolls}): when every one came, that is the full line, said then without an ask; a feed whose
 * ingress did not poll it within the wait is warned of by name; a stop request ends the wait. The run's thread only.
 */
final class PollingLine {
    /**
     * Shortest time from one ask to the next: the line is late by at most this much (plus an ask). With held inputs
     * the gap between two counted looks, which time the partial line.
     */
    static final long LOOK_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * Asks (or, with held inputs, counted looks) before the line gives up and says how many ingresses poll: about a
     * second, several under load.
     */
    static final int MAX_ASKS = 10;
    /** The first gap between two looks of {@link #awaitFirstPolls}: a tenth of an ingress' longest park. */
    static final long FIRST_POLL_LOOK_NS = TimeUnit.MICROSECONDS.toNanos(100);
    /** The longest gap between two looks of {@link #awaitFirstPolls}: an ingress' longest park. */
    static final long FIRST_POLL_LOOK_MAX_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final int ingresses;
    /** The run's feeds as held inputs, one per ingress; empty when they are not (synthetic feeds). */
    private final List<HeldFeed> inputs;
    private final LongSupplier clockNs;
    private final Consumer<String> say;
    private long nextAskNs;
    private int asks;
    private int polling;
    private boolean said;
    private boolean partialSaid;

    /**
     * @param ingresses the run's feeds, one ingress each
     * @param say       where the line goes (the run's stderr)
     */
    PollingLine(int ingresses, Consumer<String> say) {
        this(ingresses, List.of(), System::nanoTime, say);
    }

    /**
     * @param ingresses the run's feeds, one ingress each
     * @param inputs    the run's feeds when they are held inputs, one per ingress (the line is then said from their
     *                  {@link HeldFeed#polledSinceRelease()}); empty when they are not, and the stats say it
     * @param say       where the line goes (the run's stderr)
     */
    PollingLine(int ingresses, List<HeldFeed> inputs, Consumer<String> say) {
        this(ingresses, inputs, System::nanoTime, say);
    }

    PollingLine(int ingresses, LongSupplier clockNs, Consumer<String> say) {
        this(ingresses, List.of(), clockNs, say);
    }

    PollingLine(int ingresses, List<HeldFeed> inputs, LongSupplier clockNs, Consumer<String> say) {
        if (!inputs.isEmpty() && inputs.size() != ingresses) {
            throw new IllegalArgumentException("inputs: " + inputs.size() + " held feeds for " + ingresses
                + " ingresses; one per ingress, or none when the feeds are not held inputs");
        }
        this.ingresses = ingresses;
        this.inputs = List.copyOf(inputs);
        this.clockNs = clockNs;
        this.say = say;
        this.nextAskNs = clockNs.getAsLong();
    }

    /**
     * One turn of the run's loop: says the line when every ingress has polled, or, at the last ask, how many have.
     * With held inputs it looks at their flags (no ask); otherwise it asks for the stats when an ask is due
     * ({@link #LOOK_NS} since the last, fewer than {@link #MAX_ASKS} so far). The partial line comes at the
     * {@link #MAX_ASKS}th ask's time either way.
     */
    void look(Supplier<EngineStats> stats) {
        if (said || partialSaid) {
            return;
        }
        if (!inputs.isEmpty()) {
            seenInputs();
        }
        if (said || clockNs.getAsLong() - nextAskNs < 0) {
            return;
        }
        if (inputs.isEmpty()) {
            seen(stats.get());
        }
        // From the end of the ask: a slow ask (or a stall of the run's thread, a wait for first polls) is not followed
        // by the next one at once.
        nextAskNs = clockNs.getAsLong() + LOOK_NS;
        asks++;
        if (!said && asks >= MAX_ASKS) {
            sayPartial();
        }
    }

    /**
     * A live sample the run took anyway: looked at without asking, after the last ask too; with held inputs, their
     * flags are looked at instead of the sample.
     */
    void sampled(EngineStats stats) {
        if (said) {
            return;
        }
        if (inputs.isEmpty()) {
            seen(stats);
        } else {
            seenInputs();
        }
    }

    /**
     * The run's end, with its last sample: says the line if neither form was said yet (a run shorter than its first
     * look), with how many ingresses polled if not all did.
     */
    void end(EngineStats last) {
        sampled(last);
        if (!said && !partialSaid) {
            sayPartial();
        }
    }

    /**
     * Waits until each of the run's held inputs has been polled since its release
     * ({@link HeldFeed#polledSinceRelease()}), at most {@code boundNs}, or until {@code stopRequested} (looked at after
     * every park; an unpark of the run's thread ends a park early): no ask of the engine. When all were, says the full
     * line; a feed not polled by then is named in a warning (the partial line follows from the looks as usual); a stop
     * request ends the wait without either. Returns whether the run was asked to stop. Looks first after
     * {@link #FIRST_POLL_LOOK_NS}, then at twice the gap before, up to {@link #FIRST_POLL_LOOK_MAX_NS}: a few wake-ups
     * of the run's thread (an ingress' longest park is 1 ms) and one list, reused.
     */
    boolean awaitFirstPolls(long boundNs, BooleanSupplier stopRequested) {
        // The real clock, not the one the asks are timed by (a test's, which need not move).
        final long deadline = System.nanoTime() + boundNs;
        final List<HeldFeed> waiting = new ArrayList<>(inputs);
        waiting.removeIf(HeldFeed::polledSinceRelease);
        long parkNs = FIRST_POLL_LOOK_NS;
        while (!waiting.isEmpty() && System.nanoTime() - deadline < 0) {
            if (stopRequested.getAsBoolean()) {
                return true;
            }
            LockSupport.parkNanos(parkNs);
            parkNs = Math.min(2 * parkNs, FIRST_POLL_LOOK_MAX_NS);
            waiting.removeIf(HeldFeed::polledSinceRelease);
        }
        if (stopRequested.getAsBoolean()) {
            return true;
        }
        if (!waiting.isEmpty()) {
            final List<String> names = new ArrayList<>(waiting.size());
            boolean kernel = false;
            for (HeldFeed feed : waiting) {
                names.add(feed.name());
                kernel |= feed.dropsBeforeFirstPoll();
            }
            final boolean one = names.size() == 1;
            say.accept("warning: " + (one ? "the feed " : "the feeds ") + String.join(", ", names)
                + (one ? " was" : " were") + " not polled within " + Units.nanos(boundNs) + " of "
                + (one ? "its" : "their") + " release; the run's senders start all the same"
                + (kernel ? ", and what the kernel drops of their traffic before " + (one ? "its" : "a feed's")
                    + " first poll counts as dropped before the first poll" : ""));
            return false;
        }
        if (!said && !inputs.isEmpty()) {
            seenInputs();
        }
        return false;
    }

    /** Whether the full line, every ingress polling, has been said. */
    boolean said() {
        return said;
    }

    private void seen(EngineStats stats) {
        polling = Math.max(polling, pollingIngresses(stats));
        if (polling >= ingresses) {
            sayFull();
        }
    }

    /** The held inputs polled since their release: a volatile read each, no allocation. */
    private void seenInputs() {
        int polled = 0;
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i).polledSinceRelease()) {
                polled++;
            }
        }
        polling = Math.max(polling, polled);
        if (polling >= ingresses) {
            sayFull();
        }
    }

    private void sayFull() {
        say.accept("running: " + ingresses + (ingresses == 1 ? " ingress" : " ingresses")
            + " polling; the run's time has started");
        said = true;
    }

    private void sayPartial() {
        say.accept("running: " + polling + " of " + ingresses + (ingresses == 1 ? " ingress" : " ingresses")
            + " polled so far; not every ingress is polling yet");
        partialSaid = true;
    }

    /**
     * The engine's ingresses of the run's feeds ({@code ingress-i}; not a cluster node's {@code receiver}) that have
     * polled their feed at least once.
     */
    static int pollingIngresses(EngineStats stats) {
        int polling = 0;
        for (PathStats row : stats.ingresses()) {
            if (row.name().startsWith("ingress-") && row.get(PathCounters.Counter.POLLS) > 0) {
                polling++;
            }
        }
        return polling;
    }
}
